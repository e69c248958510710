"""A learner's interests kept apart (issue 14, services/ai/learner_interests.py): one vector per
active coaching goal (title + why, issue 16), the profiler track and recent approved work;
re-embedded only when their text or the model changes; gone with the goal (deleted, achieved or
dropped), and with the AI-profiling consent."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import LearnerInterestVector, Recommendation
from cyberhub.models.coaching import Goal, GoalStatus, Reflection
from cyberhub.services.ai import embeddings, learner_interests, recommendations
from cyberhub.services.identity import consents
from tests.factories import build_world, complete_profiler, grant_ai, id_of, principal
from tests.fakes import FakeEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.ai]


def _interests(session: Session, user_id: int) -> dict[tuple[str, int], LearnerInterestVector]:
    session.expire_all()
    rows = session.exec(
        select(LearnerInterestVector).where(LearnerInterestVector.user_id == user_id)
    ).all()
    return {(r.kind, r.ref): r for r in rows}


def test_each_goal_and_the_track_get_their_own_vector_kept_current(session: Session) -> None:
    w = build_world(session, prefix="interests")
    uid = w.student.id or 0
    grant_ai(session, w.student)
    complete_profiler(session, uid, "builders", "leaders")
    soc = Goal(user_id=uid, title="Become a SOC analyst", why="Then lead a team.")
    yara = Goal(user_id=uid, title="Write YARA rules for malware families")
    done = Goal(user_id=uid, title="Pass Security+", status=GoalStatus.achieved)
    note = Reflection(user_id=uid, body="Logs were hard this week.")
    session.add_all([soc, yara, done, note])
    session.commit()
    fake = FakeEmbedder()

    assert embeddings.embed_learner(session, uid, fake) is True
    session.commit()
    got = _interests(session, uid)
    assert set(got) == {("goal", id_of(soc)), ("goal", id_of(yara)), ("track", 0)}
    assert got[("goal", id_of(soc))].label == "Become a SOC analyst"  # what a reason quotes
    assert got[("track", 0)].label == "Builders"
    assert got[("goal", id_of(soc))].embedding is not None

    # Same texts, same model: nothing is re-embedded.
    calls = len(fake.calls)
    assert embeddings.embed_learner(session, uid, fake) is False
    assert len(fake.calls) == calls

    # A dropped goal takes its vector with it; an edited one is re-embedded alone.
    yara_row = session.get(Goal, yara.id)
    soc_row = session.get(Goal, soc.id)
    assert soc_row is not None and yara_row is not None
    yara_row.status = GoalStatus.dropped
    soc_row.title, soc_row.why = "Become a detection engineer", ""
    session.add_all([soc_row, yara_row])
    session.commit()
    assert embeddings.embed_learner(session, uid, fake) is True
    session.commit()
    got = _interests(session, uid)
    assert set(got) == {("goal", id_of(soc)), ("track", 0)}
    assert got[("goal", id_of(soc))].label == "Become a detection engineer"
    # (besides the learner's single vector, whose text starts with the track)
    assert [t for t in fake.calls[calls:] if not t.startswith("Track:")] == [
        "Become a detection engineer"
    ]


def test_withdrawing_ai_consent_deletes_the_interest_vectors(session: Session) -> None:
    w = build_world(session, prefix="interests-off")
    uid = w.student.id or 0
    grant_ai(session, w.student)
    session.add(Goal(user_id=uid, title="Harden Kubernetes clusters"))
    session.commit()
    embeddings.embed_learner(session, uid, FakeEmbedder())
    recommendations.compute(session, uid)
    session.commit()
    assert learner_interests.interests(session, uid)

    consents.set_consent(session, principal(session, w.student), consents.AI_PROFILING, False)
    session.commit()
    assert _interests(session, uid) == {}
    assert not session.exec(select(Recommendation).where(Recommendation.user_id == uid)).all()
