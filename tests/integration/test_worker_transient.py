"""Passing database errors are retried, not dead-lettered: a deadlock, a serialization failure
and a dropped connection, each made for real on the embedded PostgreSQL, are what an actor
raises once; the worker's retry middleware runs it again and it succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable

import dramatiq
import pytest
import sqlalchemy.exc
from sqlalchemy import text
from sqlmodel import Session, func, select

from cyberhub.db import get_engine
from cyberhub.models import JobFailure
from cyberhub.redis_client import JOBS_KEY, LAST_RUN_KEY, get_redis
from worker.broker import is_transient

pytestmark = [pytest.mark.integration]


def make_deadlock() -> BaseException:
    """Two sessions each hold one advisory lock and wait for the other's: PostgreSQL picks one."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def take(first: int, second: int) -> None:
        with Session(get_engine()) as s:
            try:
                s.execute(text("SELECT pg_advisory_xact_lock(77, :k)"), {"k": first})
                barrier.wait(timeout=10)
                s.execute(text("SELECT pg_advisory_xact_lock(77, :k)"), {"k": second})
            except Exception as exc:
                errors.append(exc)
            finally:
                s.rollback()

    threads = [threading.Thread(target=take, args=pair) for pair in ((1, 2), (2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    [error] = errors
    assert "deadlock detected" in str(error)
    return error


def make_serialization_failure() -> BaseException:
    """A REPEATABLE READ transaction updates a row another one changed since it began."""
    engine = get_engine()
    with engine.connect() as setup:
        setup.execute(text("CREATE TABLE IF NOT EXISTS race_probe (id int PRIMARY KEY, n int)"))
        setup.execute(text("INSERT INTO race_probe VALUES (1, 0) ON CONFLICT DO NOTHING"))
        setup.commit()
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as slow:
        slow.execute(text("SELECT n FROM race_probe WHERE id = 1"))  # its snapshot starts here
        with engine.connect() as fast:
            fast.execute(text("UPDATE race_probe SET n = n + 1 WHERE id = 1"))
            fast.commit()
        try:
            slow.execute(text("UPDATE race_probe SET n = n + 1 WHERE id = 1"))
        except Exception as exc:
            assert "could not serialize access" in str(exc)
            return exc
    raise AssertionError("no serialization failure")


def make_dropped_connection() -> BaseException:
    """The server ends a session's connection (a restart, a failover) while it is in use."""
    engine = get_engine()
    with Session(engine) as victim, Session(engine) as admin:
        pid = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        try:
            victim.execute(text("SELECT 1"))
        except Exception as exc:
            return exc
    raise AssertionError("the connection survived")


ERRORS: dict[str, BaseException] = {}
RUNS: dict[str, int] = {}


@dramatiq.actor(queue_name="ai", actor_name="transient_test_job", max_retries=5)
def transient_test_job(kind: str) -> None:
    RUNS[kind] = RUNS.get(kind, 0) + 1
    if RUNS[kind] == 1:
        raise ERRORS[kind]  # the first try meets the real error; the retry goes through


def test_deadlocks_serialization_failures_and_dropped_connections_are_retried(
    db_url: str,
    stub_broker,
    stub_worker,
) -> None:
    ERRORS.update(
        deadlock=make_deadlock(),
        serialization=make_serialization_failure(),
        dropped=make_dropped_connection(),
    )
    RUNS.clear()
    for kind, exc in ERRORS.items():
        assert is_transient(0, exc), f"{kind}: {type(exc).__name__} is not retried"

    for kind in ERRORS:
        transient_test_job.send(kind)
    stub_broker.join("ai", timeout=30_000)
    stub_worker.join()

    assert RUNS == {"deadlock": 2, "serialization": 2, "dropped": 2}
    assert stub_broker.dead_letters == []
    with Session(get_engine()) as s:
        assert s.exec(select(func.count()).select_from(JobFailure)).one() == 0
    counts = {k: int(v) for k, v in get_redis().hgetall(JOBS_KEY).items()}
    # Counted as retried, then succeeded: never as a failure.
    assert counts == {"transient_test_job|retried": 3, "transient_test_job|succeeded": 3}
    assert '"outcome": "succeeded"' in get_redis().hget(LAST_RUN_KEY, "transient_test_job")


def _outage() -> BaseException:
    return sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, Exception("server closed the connection unexpectedly")
    )


def test_each_actor_is_retried_no_more_than_its_own_max_retries(
    db_url: str, stub_broker, stub_worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transient error is retried up to the actor's own max_retries, not the broker's 5:
    run_export (0: an export's failure is recorded on the export, shown to its requester) runs
    once, refresh_program_analytics (1) twice; both then land in the failed jobs."""
    import worker.actors  # noqa: F401  (declares the actors)
    from cyberhub.services.admin import exports
    from cyberhub.services.learning import analytics

    calls: dict[str, int] = {}

    def fails(name: str) -> Callable[..., None]:
        def run(*_args: object) -> None:
            calls[name] = calls.get(name, 0) + 1
            raise _outage()

        return run

    monkeypatch.setattr(exports, "run_export", fails("run_export"))
    monkeypatch.setattr(analytics, "refresh_snapshots", fails("refresh_program_analytics"))
    broker = dramatiq.get_broker()
    broker.get_actor("run_export").send(123456)
    broker.get_actor("refresh_program_analytics").send()
    stub_broker.join("default", timeout=60_000, fail_fast=False)
    stub_worker.join()
    assert calls == {"run_export": 1, "refresh_program_analytics": 2}
    with Session(get_engine()) as s:
        failed = s.exec(select(JobFailure.actor, JobFailure.error)).all()
    assert sorted(a for a, _ in failed) == ["refresh_program_analytics", "run_export"]
    assert any("gave up after 2 attempts" in e for a, e in failed if a != "run_export")
