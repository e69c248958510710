"""A job that cannot be sent after its write committed (Redis restarting) does not turn the
request into an error: sending is retried for a few seconds, then the job is recorded as failed,
where the admin console lists it and can send it again (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest
from dramatiq import Message
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub import jobs
from cyberhub.models import Export, JobFailure
from cyberhub.services.admin import exports
from cyberhub.services.ai import ai_jobs
from tests.factories import World, build_world
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

API = "/api/v1"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


class FlakyBroker:
    """Refuses the first `failures` sends (Redis away), then passes them to the real broker."""

    def __init__(self, real: Any, failures: int) -> None:
        self.real, self.failures, self.tries = real, failures, 0

    def get_declared_queues(self) -> set[str]:
        return set(self.real.get_declared_queues())

    def declare_queue(self, name: str) -> None:
        self.real.declare_queue(name)

    def enqueue(self, message: Any, delay: int | None = None) -> Any:
        self.tries += 1
        if self.tries <= self.failures:
            raise RedisConnectionError("Connection refused")
        return self.real.enqueue(message, delay=delay)


@pytest.fixture
def flaky(stub_broker: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    def make(failures: int) -> FlakyBroker:
        broker = FlakyBroker(stub_broker, failures)
        monkeypatch.setattr(jobs, "broker", lambda: broker)
        return broker

    monkeypatch.setattr(jobs, "SEND_RETRY_DELAYS_S", (0.01, 0.01, 0.01))
    return make


def _queued(stub_broker: Any) -> list[tuple[str, list[Any]]]:
    found = []
    for name in stub_broker.get_declared_queues():
        queue = stub_broker.queues[name]
        messages = [Message.decode(raw) for raw in list(queue.queue)]
        found += [(m.actor_name, list(m.args)) for m in messages]
    return found


def test_a_short_outage_is_waited_out_and_the_job_sent_once(
    world: World, client_for: ClientFor, flaky: Any, stub_broker: Any
) -> None:
    broker = flaky(failures=2)
    r = client_for(world.student).post(f"{API}/exports", json={"kind": "own_data"})
    assert r.status_code == 202, r.text
    assert broker.tries == 3
    assert _queued(stub_broker) == [("run_export", [r.json()["id"]])]


def test_a_longer_outage_answers_the_committed_write_and_records_the_job_for_a_retry(
    session: Session, world: World, client_for: ClientFor, flaky: Any, stub_broker: Any
) -> None:
    flaky(failures=100)
    r = client_for(world.student).post(f"{API}/exports", json={"kind": "own_data"})
    # The request was stored: the learner is told so, not shown an error.
    assert r.status_code == 202, r.text
    export_id = r.json()["id"]
    assert session.get(Export, export_id) is not None
    assert _queued(stub_broker) == []
    [failure] = session.exec(select(JobFailure)).all()
    assert (failure.actor, failure.args, failure.queue) == ("run_export", [export_id], "default")
    assert "did not answer" in failure.error

    # Redis is back: the admin sends it again from the console.
    flaky(failures=0)
    ai_jobs.retry_failure(session, world.p(session, world.admin), failure.id or 0)
    session.commit()
    assert _queued(stub_broker) == [("run_export", [export_id])]


def test_an_export_whose_job_was_not_sent_is_sent_by_the_next_sweep(
    session: Session, world: World, client_for: ClientFor, flaky: Any, stub_broker: Any
) -> None:
    """Its job marked no export as waiting in the queue: the sweep sends it once Redis is back
    (a sweep sends no second job for an export whose job still waits)."""
    flaky(failures=100)
    r = client_for(world.student).post(f"{API}/exports", json={"kind": "own_data"})
    export_id = r.json()["id"]
    assert _queued(stub_broker) == []
    flaky(failures=0)
    session.execute(
        text("UPDATE exports SET created_at = now() - interval '3 minutes' WHERE id = :id"),
        {"id": export_id},
    )
    session.commit()
    assert exports.sweep(session).resent == 1
    session.commit()
    assert exports.sweep(session).resent == 0
    session.commit()
    assert _queued(stub_broker) == [("run_export", [export_id])]


def test_a_fan_out_during_an_outage_waits_once_then_records_the_rest_at_once(
    session: Session, world: World, flaky: Any, stub_broker: Any
) -> None:
    """A change that sends several jobs (a learner's vector, their analysis, their plan) while
    Redis is away: the first is retried for SEND_RETRY_DELAYS_S, the others are recorded
    straight away. Each was retried in turn, stalling a worker thread or a request N times."""
    broker = flaky(failures=1000)
    uid = world.student.id or 0
    jobs.learner_changed(session, uid)  # vector and list, analysis, coach's plan
    session.commit()
    assert broker.tries == len(jobs.SEND_RETRY_DELAYS_S) + 1 + 2
    failed = session.exec(select(JobFailure.actor)).all()
    assert sorted(failed) == ["analyze_personality", "compute_coach_plan", "embed_learner"]
