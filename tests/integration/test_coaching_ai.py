"""The AI readers follow the Coaching OS (issue 16): a learner's active coaching goals (title and
why) are their interests and part of their vector; their reflections, private ones included,
feed their own analysis; creating, editing, dropping or deleting a goal and writing a
reflection queue the re-embedding, the recommendations and the analysis after commit —
consent permitting. Old /insights notes no longer steer anything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub import jobs
from cyberhub.models import LearnerInterestVector, LearnerNote
from cyberhub.models.ai import NoteKind
from cyberhub.schemas.coaching import GoalCreate, GoalUpdate, ReflectionCreate
from cyberhub.services.ai import embeddings, learner_interests, personality
from cyberhub.services.coaching import goals, reflections
from tests.factories import World, grant_ai, principal, queued_jobs, run_queue
from tests.fakes import FakeEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.coaching, pytest.mark.ai]

FAN_OUT = {("embed_learner",), ("analyze_personality",)}


def _queued(stub_broker: object) -> set[tuple[str]]:
    return {(name,) for name, _ in queued_jobs(stub_broker)}


def _run(stub_broker: object, stub_worker: Any) -> None:
    stub_worker.resume()
    run_queue(stub_broker, stub_worker)
    stub_worker.pause()


def _goal_interests(session: Session, user_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.exec(
        select(LearnerInterestVector).where(
            LearnerInterestVector.user_id == user_id, LearnerInterestVector.kind == "goal"
        )
    ).all()
    return {r.ref: r.label for r in rows}


def test_a_new_goal_becomes_an_interest_and_a_dropped_one_leaves(
    session: Session, world: World, fake_embedder: FakeEmbedder, stub_broker, stub_worker
) -> None:
    uid = world.student.id or 0
    grant_ai(session, world.student)
    me = principal(session, world.student)
    stub_broker.flush_all()
    # Held while the test reads what was queued (a running worker would take the first job
    # before the last one is sent); `_run` lets it work through the queue.
    stub_worker.pause()

    goal = goals.create_goal(
        session,
        me,
        GoalCreate(title="Reverse engineer malware", why="I want to write YARA rules."),
    )
    assert _queued(stub_broker) == set()  # nothing leaves before the commit
    session.commit()
    assert _queued(stub_broker) >= FAN_OUT
    _run(stub_broker, stub_worker)
    assert _goal_interests(session, uid) == {goal.id: "Reverse engineer malware"}
    assert "Reverse engineer malware. I want to write YARA rules." in fake_embedder.calls
    vector_text = embeddings.learner_text(session, uid)
    assert "Goal: Reverse engineer malware. I want to write YARA rules." in vector_text

    # A progress figure is not something the AI reads: nothing is queued.
    goals.update_goal(session, me, goal.id, GoalUpdate(manual_percent=40))
    session.commit()
    assert _queued(stub_broker) == set()

    # Dropped: no longer what they are after — its interest goes at the next embedding.
    goals.update_goal(session, me, goal.id, GoalUpdate(status="dropped"))
    session.commit()
    assert _queued(stub_broker) >= FAN_OUT
    _run(stub_broker, stub_worker)
    assert _goal_interests(session, uid) == {}
    assert "Reverse engineer malware" not in embeddings.learner_text(session, uid)


def test_deleting_a_goal_and_writing_a_reflection_queue_the_fan_out(
    session: Session, world: World, stub_broker
) -> None:
    grant_ai(session, world.student)
    me = principal(session, world.student)
    goal = goals.create_goal(session, me, GoalCreate(title="Harden Kubernetes"))
    session.commit()
    stub_broker.flush_all()
    goals.delete_goal(session, me, goal.id)
    session.commit()
    assert _queued(stub_broker) >= FAN_OUT
    stub_broker.flush_all()
    reflections.add_reflection(session, me, ReflectionCreate(body="Logs were hard."))
    session.commit()
    assert _queued(stub_broker) >= FAN_OUT


def test_sharing_or_unsharing_a_reflection_queues_only_the_analysis(
    session: Session, world: World, stub_broker
) -> None:
    """Sharing changes only what staff read (their analysis, of the shared reflections): the
    learner's vector, recommendations and coach's plan read every reflection alike."""
    uid = world.student.id or 0
    grant_ai(session, world.student)
    me = principal(session, world.student)
    note = reflections.add_reflection(session, me, ReflectionCreate(body="Logs were hard."))
    session.commit()
    for visibility in ("mentor", "private"):
        stub_broker.flush_all()
        jobs.coach_plan_started(uid)  # no coach's plan pending: one sent now would be seen
        reflections.set_visibility(session, me, note.id, visibility)
        session.commit()
        every_queue = [job for q in list(stub_broker.queues) for job in queued_jobs(stub_broker, q)]
        assert every_queue == [("analyze_personality", (uid,))]


def test_without_ai_consent_goals_and_reflections_queue_nothing(
    session: Session, world: World, stub_broker
) -> None:
    me = principal(session, world.student)  # no AI-profiling consent
    stub_broker.flush_all()
    goals.create_goal(session, me, GoalCreate(title="Become a SOC analyst"))
    reflections.add_reflection(session, me, ReflectionCreate(body="A good week."))
    session.commit()
    assert _queued(stub_broker) == set()


def test_private_reflections_feed_only_the_learners_own_analysis(
    session: Session, world: World, fake_embedder: FakeEmbedder
) -> None:
    uid = world.student.id or 0
    grant_ai(session, world.student)
    me = principal(session, world.student)
    reflections.add_reflection(
        session, me, ReflectionCreate(body="I prefer to work through a lab alone, at night.")
    )
    session.commit()
    src = personality.sources(session, uid)
    assert [body for _, body in src.reflections] == [
        "I prefer to work through a lab alone, at night."
    ]
    assert "Reflection: I prefer to work through a lab alone" in embeddings.learner_text(
        session, uid
    )
    # ... while the learner's mentor still sees no private reflection.
    mentor = principal(session, world.mentor)
    assert reflections.shared_reflections(session, mentor, uid) == []


def test_old_insights_notes_no_longer_steer_recommendations(
    session: Session, world: World, fake_embedder: FakeEmbedder
) -> None:
    uid = world.student.id or 0
    grant_ai(session, world.student)
    session.add(LearnerNote(user_id=uid, kind=NoteKind.goal, body="A stale note goal"))
    session.commit()
    texts = learner_interests.interest_texts(session, uid)
    assert [t for t in texts if t.kind == "goal"] == []
    assert "A stale note goal" not in embeddings.learner_text(session, uid)
