"""Recommendations with the real model (all-MiniLM-L6-v2 from the wheel): what a learner says
they want moves the missions about it to the top."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import LearnerNote, Mission
from cyberhub.services import consents, embeddings, recommendations
from tests.factories import build_world, make_mission

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.ai]


def test_a_learners_goal_pulls_the_missions_about_it_to_the_top(session: Session) -> None:
    from worker.model import ModelEmbedder

    w = build_world(session, prefix="model")
    topics = {
        "Reverse engineer a ransomware sample": "Unpack the binary, trace its encryption "
        "routine and write YARA rules that detect the malware family.",
        "Budget next year's security programme": "Turn risks into a spending plan the "
        "board approves: headcount, tools and insurance.",
        "Run a phishing awareness workshop": "Teach staff to spot phishing emails with a "
        "hands-on session and measure what they learned.",
        "Pitch a managed security service": "Size the market for small firms and price a "
        "monitoring offer they will pay for.",
    }
    ids = {}
    for title, summary in topics.items():
        m = make_mission(session, w.program, w.builders, title=title, difficulty=1)
        m.summary, m.brief = summary, summary
        session.add(m)
        ids[title] = m.id
    session.commit()
    uid = w.student.id or 0
    consents.record_signup_consents(
        session, uid, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    session.add(
        LearnerNote(
            user_id=uid,
            kind="goal",
            body="I want to become a malware analyst: dissect malicious binaries and "
            "reverse engineer how ransomware encrypts files.",
        )
    )
    session.commit()

    model = ModelEmbedder()
    all_ids = [i for i in session.exec(select(Mission.id)).all() if i]
    assert embeddings.embed_missions(session, all_ids, model) == len(all_ids)
    assert embeddings.embed_learner(session, uid, model) is True
    rows = recommendations.compute(session, uid)
    session.commit()

    ranked = [r.mission_id for r in rows]
    malware = ids["Reverse engineer a ransomware sample"]
    assert ranked[0] == malware, [session.get(Mission, i).title for i in ranked]  # type: ignore[union-attr]
    assert "close to your interests and goals" in rows[0].reason
    # And the budgeting mission, unrelated to the goal, ranks below it.
    assert ranked.index(ids["Budget next year's security programme"]) > 0
