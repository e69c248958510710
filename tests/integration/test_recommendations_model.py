"""Recommendations with the real model (all-MiniLM-L6-v2 from the wheel): what a learner says
they want moves the missions about it to the top."""

from __future__ import annotations

import json
from pathlib import Path

import dramatiq
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub.models import Mission, User
from cyberhub.models.coaching import Goal
from cyberhub.services.ai import embeddings, recommendations
from cyberhub.services.identity import consents
from cyberhub.services.learning import reviews, submissions
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    build_world,
    complete_profiler,
    grant_ai,
    id_of,
    make_mission,
    make_track,
    principal,
)

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
    ids: dict[str, int] = {}
    for title, summary in topics.items():
        m = make_mission(session, w.program, w.builders, title=title, difficulty=1)
        m.summary, m.brief = summary, summary
        session.add(m)
        ids[title] = id_of(m)
    session.commit()
    uid = w.student.id or 0
    consents.record_signup_consents(
        session, uid, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    session.add(
        Goal(
            user_id=uid,
            title="I want to become a malware analyst",
            why="Dissect malicious binaries and reverse engineer how ransomware encrypts files.",
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
    assert rows[0].reason.startswith("Matches your goal “I want to become a malware analyst")
    # And the budgeting mission, unrelated to the goal, ranks below it.
    assert ranked.index(ids["Budget next year's security programme"]) > 0


# --- issue 14: two Researchers with different goals -----------------------------------------

JUDGED = Path(__file__).resolve().parents[2] / "bench" / "recs_judged"
SOC_GOAL = "I want to become a SOC analyst: detect attacks in logs and write detection rules."
MALWARE_GOAL = "Reverse engineer malware, write YARA rules, find vulnerabilities by fuzzing."


def _load_judged_catalog(session: Session, w: World) -> dict[str, Mission]:
    """The judged set's catalog (demo missions + its own, bench/recs_judged/) in w.program."""
    from cyberhub.models import MissionPrerequisite

    demo = json.loads((JUDGED.parents[1] / "cyberhub" / "data" / "missions.json").read_text())
    extra = json.loads((JUDGED / "missions.json").read_text())
    tracks = {"builders": w.builders, "leaders": w.leaders}
    for key in ("researchers", "entrepreneurs", "educators"):
        tracks[key] = make_track(session, w.program, key)
    by_slug: dict[str, Mission] = {}
    for m in [*demo, *extra]:
        mission = make_mission(
            session, w.program, tracks[m["track"]], title=m["title"], difficulty=m["difficulty"]
        )
        mission.summary, mission.brief, mission.skills = m["summary"], m["brief"], m["skills"]
        session.add(mission)
        by_slug[m["slug"]] = mission
    for m in [*demo, *extra]:
        for p in m["prerequisites"]:
            session.add(
                MissionPrerequisite(
                    mission_id=id_of(by_slug[m["slug"]]), prerequisite_id=id_of(by_slug[p])
                )
            )
    session.commit()
    return by_slug


def _approve(session: Session, w: World, student: User, mission: Mission) -> None:
    sub = submissions.submit(
        session, principal(session, student), mission.id or 0, answer=GOOD_ANSWER
    )
    session.commit()
    reviews.claim(session, principal(session, w.mentor), sub.id or 0)
    session.commit()
    reviews.review(
        session,
        principal(session, w.mentor),
        sub.id or 0,
        decision="approved",
        scores=FULL_SCORES,
        feedback="Well done.",
    )
    session.commit()


def test_the_soc_and_the_malware_researchers_get_lists_led_by_their_own_goals(
    session: Session,
    stub_broker: dramatiq.Broker,  # the reviews queue jobs; they are not run
) -> None:
    from worker.model import ModelEmbedder

    w = build_world(session, prefix="goals")
    catalog = _load_judged_catalog(session, w)
    soc, malware = w.student, w.student2
    grant_ai(session, soc, malware)
    done = {soc.id: ["analyse-a-phishing-email"],
            malware.id: ["analyse-a-phishing-email", "triage-a-malware-pcap"]}  # fmt: skip
    for learner, goal in ((soc, SOC_GOAL), (malware, MALWARE_GOAL)):
        complete_profiler(session, id_of(learner), "researchers", "builders")
        session.add(Goal(user_id=id_of(learner), title=goal))
        session.commit()
        for slug in done[learner.id]:
            _approve(session, w, learner, catalog[slug])

    model = ModelEmbedder()
    all_ids = [i for i in session.exec(select(Mission.id)).all() if i]
    embeddings.embed_missions(session, all_ids, model)
    judged = json.loads((JUDGED / "judgments.json").read_text())
    slug_of = {m.id: slug for slug, m in catalog.items()}
    prereqs = {
        slug: {p for (p,) in session.execute(
            text("SELECT prerequisite_id FROM mission_prerequisites WHERE mission_id = :m"),
            {"m": m.id},
        ).all()}
        for slug, m in catalog.items()
    }  # fmt: skip
    lists = {}
    for learner, persona in ((soc, "res-soc-analyst"), (malware, "res-malware-yara-fuzzing")):
        embeddings.embed_learner(session, learner.id or 0, model)
        rows = recommendations.compute(session, learner.id or 0)
        session.commit()
        top = [slug_of.get(r.mission_id, f"not-judged-{r.mission_id}") for r in rows]
        lists[persona] = top
        own_area = {s for s, g in judged[persona].items() if g >= 2}
        # Led by missions of their own goal area, and the reason says which goal placed it.
        assert top[0] in own_area, (persona, top)
        assert sum(1 for s in top[:3] if s in own_area) >= 2, (persona, top)
        assert rows[0].reason.startswith("Matches your goal “"), rows[0].reason
        # Nothing they cannot start yet in the first five.
        approved = {catalog[s].id for s in done[learner.id]}
        assert all(prereqs.get(s, set()) <= approved for s in top[:5]), (persona, top[:5])
    assert lists["res-soc-analyst"][:5] != lists["res-malware-yara-fuzzing"][:5]
    assert len(set(lists["res-soc-analyst"]) & set(lists["res-malware-yara-fuzzing"])) <= 5
