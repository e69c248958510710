"""Services send worker jobs by name (cyberhub/jobs.py) once their transaction commits, and the
worker's actors run them: what a learner or an operator notices is the same as before."""

from __future__ import annotations

import pytest
from sqlmodel import Session

import worker.actors  # noqa: F401  (declares the actors and their queues on the stub broker)
from cyberhub.db import get_engine
from cyberhub.models import LearnerEmbedding, PersonalityProfile
from cyberhub.services.identity import consents
from cyberhub.services.messaging import mail
from tests.factories import (
    World,
    build_world,
    complete_profiler,
    principal,
    queued_jobs,
    run_queue,
)
from tests.fakes import FakeEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.ai]


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session, prefix="jn")
    for u in (w.student, w.student2):  # signed up without AI profiling
        consents.record_signup_consents(session, u.id or 0, [consents.TERMS, consents.PRIVACY])
    session.commit()
    return w


def test_granting_ai_profiling_queues_the_learner_fan_out_after_commit_and_the_worker_runs_it(
    session: Session,
    world: World,
    fake_embedder: FakeEmbedder,
    stub_broker,
    stub_worker,
) -> None:
    uid = world.student.id or 0
    complete_profiler(session, uid)  # something to embed and analyse
    stub_worker.pause()
    consents.set_consent(session, principal(session, world.student), consents.AI_PROFILING, True)
    session.flush()
    assert queued_jobs(stub_broker) == []  # nothing before the commit
    session.commit()
    assert queued_jobs(stub_broker) == [("embed_learner", (uid,)), ("analyze_personality", (uid,))]
    stub_worker.resume()
    run_queue(stub_broker, stub_worker)
    assert stub_broker.dead_letters == []
    with Session(get_engine()) as s:
        row = s.get(LearnerEmbedding, uid)
        assert row is not None and row.model == fake_embedder.name
        assert s.get(PersonalityProfile, uid) is not None


def test_a_rolled_back_change_sends_no_job(
    session: Session,
    world: World,
    stub_broker,
) -> None:
    with Session(get_engine()) as s:
        consents.set_consent(s, principal(s, world.student2), consents.AI_PROFILING, True)
        s.rollback()
        s.commit()  # a later commit on the same session does not send it either
    assert queued_jobs(stub_broker) == []


def test_mail_is_delivered_by_a_job_only_when_smtp_is_configured(
    session: Session,
    stub_broker,
    smtp: None,
) -> None:
    sent = mail.send(session, to="Ada@Example.org", subject="Hello", body="Hi")
    assert queued_jobs(stub_broker, "default") == []
    session.commit()
    assert queued_jobs(stub_broker, "default") == [("deliver_mail", (sent.id,))]


def test_without_smtp_mail_stays_in_the_outbox(
    session: Session,
    stub_broker,
) -> None:
    mail.send(session, to="ada@example.org", subject="Hello", body="Hi")
    session.commit()
    assert queued_jobs(stub_broker, "default") == []


def test_a_database_upgraded_across_the_interest_vectors_recomputes_each_ai_learner_once(
    session: Session,
    world: World,
    fake_embedder: FakeEmbedder,
    stub_broker,
    stub_worker,
) -> None:
    """`make run` on a database from before migration 0015 queues the new recommender for every
    learner who grants AI profiling (and nobody else); a fresh or current database queues none."""
    from cyberhub.services.ai import ai_queue

    assert ai_queue.needs_relearning("0012") and ai_queue.needs_relearning("0014")
    assert not ai_queue.needs_relearning(None)  # an empty database: the demo bootstrap runs
    assert not ai_queue.needs_relearning(ai_queue.INTEREST_VECTORS_REVISION)
    uid = world.student.id or 0
    complete_profiler(session, uid)
    consents.set_consent(session, principal(session, world.student), consents.AI_PROFILING, True)
    session.commit()
    run_queue(stub_broker, stub_worker)
    stub_worker.pause()
    assert ai_queue.relearn_after_commit(session) == 1  # student2 does not grant AI profiling
    session.commit()
    assert queued_jobs(stub_broker) == [("embed_learner", (uid,))]
    stub_worker.resume()
    run_queue(stub_broker, stub_worker)
    assert stub_broker.dead_letters == []
