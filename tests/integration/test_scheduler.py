"""worker/scheduler.py: periodic jobs are enqueued once per period, however many schedulers run
(a Redis SET NX EX per period, on the real embedded Redis); the process exits cleanly on
SIGTERM / SIGINT; and the job it schedules, expire_review_claims, is idempotent."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub.models import Notification, Submission, SubmissionEvent, SubmissionStatus
from cyberhub.models.base import utcnow
from tests.processes import ROOT, child_env

pytestmark = [pytest.mark.integration]

T0 = 1_800_000_000.0  # a period boundary for 60 s periods (divisible by 60)


def claims_only() -> Any:
    """The claim job alone (the schedule's other jobs have longer periods)."""
    from worker.scheduler import SCHEDULE

    return tuple(j for j in SCHEDULE if j.actor == "expire_review_claims")


@pytest.fixture
def redis(redis_url: str) -> Any:
    from cyberhub.redis_client import get_redis
    from worker.scheduler import LOCK_PREFIX

    r = get_redis()
    for key in r.scan_iter(f"{LOCK_PREFIX}:*"):
        r.delete(key)
    return r


def queued(stub_broker: Any) -> list[str]:
    return [m.actor_name for m in _messages(stub_broker)]


def _messages(stub_broker: Any) -> list[Any]:
    from dramatiq import Message

    return [Message.decode(m) for m in list(stub_broker.queues["default"].queue)]


def test_two_ticks_in_one_period_enqueue_once(redis: Any, stub_broker: Any) -> None:
    import worker.actors  # noqa: F401
    from worker.scheduler import tick

    assert tick(redis, stub_broker, T0 + 1, schedule=claims_only()) == ["expire_review_claims"]
    assert tick(redis, stub_broker, T0 + 59.9, schedule=claims_only()) == []
    assert queued(stub_broker) == ["expire_review_claims"]
    # The next period enqueues again once a worker has taken the last one (PeriodicTaken).
    from cyberhub.redis_client import PERIODIC_PENDING_KEY

    assert tick(redis, stub_broker, T0 + 60, schedule=claims_only()) == []
    redis.delete(PERIODIC_PENDING_KEY.format(actor="expire_review_claims"))
    assert tick(redis, stub_broker, T0 + 120, schedule=claims_only()) == ["expire_review_claims"]
    assert queued(stub_broker) == ["expire_review_claims"] * 2


def test_several_schedulers_never_double_enqueue(redis: Any, stub_broker: Any) -> None:
    import worker.actors  # noqa: F401
    from worker.scheduler import lock_key, tick

    sent = [
        tick(redis, stub_broker, T0 + 5 + i / 10, owner=f"host-{i}:1", schedule=claims_only())
        for i in range(5)
    ]
    assert sum(len(s) for s in sent) == 1
    assert queued(stub_broker) == ["expire_review_claims"]
    # The period's lock names its winner and expires after two periods.
    from worker.scheduler import SCHEDULE

    key = lock_key(SCHEDULE[0], int((T0 + 5) // 60))
    assert redis.get(key) == "host-0:1"
    assert 60 < redis.ttl(key) <= 120


def test_a_failed_send_gives_the_period_back(redis: Any, stub_broker: Any) -> None:
    import worker.actors  # noqa: F401
    from worker.scheduler import tick

    class Broken:
        def get_actor(self, name: str) -> Any:
            raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        tick(redis, Broken(), T0 + 120, schedule=claims_only())
    assert tick(redis, stub_broker, T0 + 121, schedule=claims_only()) == ["expire_review_claims"]


def test_a_worker_outage_leaves_one_periodic_job_waiting(
    redis: Any, session: Session, stub_broker: Any, stub_worker: Any
) -> None:
    """No worker ran for an hour: the scheduler sent expire_review_claims once, not once a
    minute (60 copies for the worker to go through when it is back). Once a worker has taken
    it, the next period sends it again."""
    from worker.scheduler import tick

    stub_worker.pause()
    sent = [tick(redis, stub_broker, T0 + 60 * m + 1, schedule=claims_only()) for m in range(60)]
    assert sum(len(s) for s in sent) == 1
    assert queued(stub_broker) == ["expire_review_claims"]
    stub_worker.resume()
    stub_broker.join("default", timeout=20_000)
    stub_worker.join()
    assert tick(redis, stub_broker, T0 + 3601, schedule=claims_only()) == ["expire_review_claims"]


def test_the_scheduler_process_enqueues_and_stops_cleanly_on_sigterm(
    redis_url: str, tmp_path: Path
) -> None:
    """python -m worker.scheduler on the Redis broker: the message lands in Redis; SIGTERM and
    SIGINT both end it with exit code 0 within a tick."""
    from cyberhub.redis_client import get_redis

    r = get_redis()
    r.delete("dramatiq:default", "dramatiq:default.msgs")
    for key in r.scan_iter("cyberhub:scheduler:*"):
        r.delete(key)
    for sig in (signal.SIGTERM, signal.SIGINT):
        log = tmp_path / f"scheduler-{sig.name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "worker.scheduler"],
            cwd=ROOT,
            env=child_env(REDIS_URL=redis_url),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "started" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.2)
            time.sleep(1.5)
        finally:
            proc.send_signal(sig)
            code = proc.wait(timeout=10)
        assert code == 0, log.read_text()
        assert "stopped" in log.read_text()
    assert r.hlen("dramatiq:default.msgs") >= 1  # sent to the real broker's queue
    assert any(r.scan_iter("cyberhub:scheduler:expire_review_claims:*"))
    r.delete("dramatiq:default", "dramatiq:default.msgs")


def test_expiring_claims_is_idempotent(
    session: Session, stub_broker: Any, stub_worker: Any
) -> None:
    """The sweep twice (or on claims already expired) changes nothing the second time."""
    from cyberhub.services.learning import reviews, submissions
    from tests.factories import GOOD_ANSWER, build_world, id_of, principal
    from worker.actors import expire_review_claims

    w = build_world(session)
    sub = submissions.submit(
        session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
    )
    session.commit()
    reviews.claim(session, principal(session, w.mentor), sub.id or 0)
    row = session.get(Submission, sub.id)
    assert row is not None
    row.claim_expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()

    def state() -> tuple[str, int, int]:
        session.expire_all()
        s = session.get(Submission, sub.id)
        assert s is not None
        events = len(session.exec(select(SubmissionEvent.id)).all())
        notes = len(session.exec(select(Notification.id)).all())
        return s.status, events, notes

    before = state()
    for _ in range(3):
        expire_review_claims.send()
        stub_broker.join("default")
        stub_worker.join()
    after = state()
    assert after[0] == SubmissionStatus.submitted
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1  # one event, one notice
    # Expiring what is already expired (directly, at any time) is a no-op.
    assert reviews.expire_claims(session) == []
    assert reviews.expire_claims(session, utcnow() + timedelta(days=2)) == []
    session.commit()
    assert state() == after
