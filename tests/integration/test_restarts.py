"""Restarts lose nothing and need no one (issue 18, item 4).

PostgreSQL: a throw-away embedded server of this test's own (the session's is shared), stopped
and started again with its same socket. While it is down the JSON API answers 503
{"detail": "... try again ..."} with Retry-After (not a 500), a page's service call gets the
same sentence as its message; the first request after the start succeeds, without any action.

Redis: the embedded one keeps an append-only file, so a job queued before a restart is still
there after it and a worker runs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import PriorityQueue
from typing import Any

import dramatiq
import psutil
import pytest
import redis.exceptions
import sqlalchemy.exc
from dramatiq import Worker
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.errors import ConnectionClosed
from dramatiq.worker import ConsumerThread, _WorkQueueItem
from fastapi.testclient import TestClient
from sqlalchemy import Update, event, text
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, select

from cyberhub import db, infra
from cyberhub.outages import UNAVAILABLE
from cyberhub.settings import get_settings
from cyberhub.state.service import run_for_token
from tests.factories import PASSWORD, World, login, make_user
from worker.redis_broker import RecoveringRedisBroker

V1 = "/api/v1"


@pytest.fixture
def own_postgres(redis_url: str) -> Iterator[Path]:
    """A migrated embedded PostgreSQL of this test only; DATABASE_URL points at it."""
    from cyberhub.migrate import upgrade

    root = Path(tempfile.mkdtemp(prefix="cyberhub-restart-", dir="/tmp"))
    data = root / "pg"
    url = infra.start_postgres(data, "restarts")
    upgrade(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield data
    finally:
        db._engine_for.cache_clear()
        os.environ.pop("DATABASE_URL", None)
        get_settings.cache_clear()
        infra.stop_postgres(data)
        shutil.rmtree(root, ignore_errors=True)


def _select_one(session: Session, _principal: object) -> int:
    return int(session.execute(text("SELECT 1")).scalar_one())


def test_a_postgres_restart_is_a_503_to_retry_then_works_unaided(own_postgres: Path) -> None:
    from cyberhub.api import create_api

    with db.session_scope() as session:
        make_user(session, "restart-learner@example.com", "student")
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        token = login(client, "restart-learner@example.com")["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        assert client.get(f"{V1}/auth/me").status_code == 200  # the pool holds connections

        with infra.postgres_stopped(own_postgres):
            down = client.get(f"{V1}/auth/me")
            assert down.status_code == 503, down.text
            assert down.json() == {"detail": UNAVAILABLE}
            assert int(down.headers["Retry-After"]) > 0
            # A write refused the same way, nothing half-done.
            refused = client.post(
                f"{V1}/auth/login",
                json={"email": "restart-learner@example.com", "password": "whatever"},
            )
            assert refused.status_code == 503 and refused.json() == {"detail": UNAVAILABLE}
            # A page's call: the message to try again, not an exception.
            _, outcome = run_for_token("no-such-token", _select_one)
            assert not outcome and outcome.error == UNAVAILABLE and outcome.code == "Unavailable"

        # Back: the very first request after the start works (stale pooled connections are
        # replaced on checkout), and so do a page's call and a worker-style session.
        again = client.get(f"{V1}/auth/me")
        assert again.status_code == 200, again.text
        assert again.json()["email"] == "restart-learner@example.com"
        _, outcome = run_for_token("no-such-token", _select_one)
        assert outcome and outcome.value == 1
        with db.session_scope() as session:
            assert _select_one(session, None) == 1


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_queued_jobs_survive_a_redis_restart_and_workers_reconnect(tmp_path: Path) -> None:
    server = infra.EmbeddedRedis(tmp_path / "redis")
    url = server.url
    broker = RedisBroker(url=url, middleware=[])
    ran: list[str] = []

    @dramatiq.actor(broker=broker, queue_name="default", actor_name="note_restart")
    def note(label: str) -> None:
        ran.append(label)

    worker = Worker(broker, worker_timeout=100)
    try:
        # Queued while no worker runs, then Redis restarts (SIGTERM, as an operator would).
        note.send("queued before the restart")
        server.stop()
        server = infra.EmbeddedRedis(tmp_path / "redis")
        assert server.url == url  # same socket: nobody needs a new URL
        assert (tmp_path / "redis" / infra.AOF_FILE).exists()
        # Another process of the same data folder attaches to it instead of starting a second
        # server on the same files, and leaves it running when it stops.
        other = infra.EmbeddedRedis(tmp_path / "redis")
        assert other.url == url and other.pid is None
        other.stop()
        assert server.pid is not None and psutil.pid_exists(server.pid)

        worker.start()
        assert _wait_for(lambda: ran == ["queued before the restart"]), ran

        # Redis restarts under a running worker and a sender: both reconnect by themselves.
        server.stop()
        server = infra.EmbeddedRedis(tmp_path / "redis")
        _wait_for(lambda: _sent(note, "sent after the restart"), timeout=15)
        assert _wait_for(lambda: len(ran) == 2, timeout=30), ran
        assert ran == ["queued before the restart", "sent after the restart"]
    finally:
        worker.stop()
        broker.close()
        server.stop()


@pytest.mark.parametrize(
    ("delay_ms", "away_s"),
    [
        pytest.param(6_000, 1.5, id="back before it is due"),
        pytest.param(2_000, 4.0, id="due while Redis is away"),
    ],
)
def test_a_delayed_job_a_worker_holds_survives_a_redis_restart(
    tmp_path: Path, delay_ms: int, away_s: float
) -> None:
    """A job waiting out its delay in a running worker's memory (a retry's backoff, a job sent
    with a delay) still runs, once, when Redis restarts under it, without restarting the worker
    (dramatiq#527: Dramatiq's own broker drops it until the worker restarts): whether Redis is
    back before the job is due, or the job falls due while Redis is away (the consumer thread's
    move to the queue meets the lost connection and reconnects)."""
    server = infra.EmbeddedRedis(tmp_path / "redis")
    broker = RecoveringRedisBroker(url=server.url, middleware=[])
    ran: list[str] = []

    @dramatiq.actor(broker=broker, queue_name="default", actor_name=f"note_delayed_{delay_ms}")
    def note(label: str) -> None:
        ran.append(label)

    fetched = f"dramatiq:__acks__.{broker.broker_id}.default.DQ"
    worker = Worker(broker, worker_timeout=100)
    try:
        worker.start()
        note.send_with_options(args=("delayed",), delay=delay_ms)
        # The worker has fetched it and holds it in memory until it is due.
        assert _wait_for(lambda: broker.client.scard(fetched) == 1, timeout=5)
        server.stop()
        time.sleep(away_s)  # the worker's consumers notice the lost connection
        assert ran == []
        server = infra.EmbeddedRedis(tmp_path / "redis")
        assert _wait_for(lambda: ran == ["delayed"], timeout=30), ran
        assert _wait_for(lambda: broker.client.scard(fetched) == 0, timeout=5)  # acked, once
        time.sleep(1)
        assert ran == ["delayed"]
    finally:
        worker.stop()
        broker.close()
        server.stop()


def test_a_consumer_thread_meets_redis_away_as_a_lost_connection(tmp_path: Path) -> None:
    """With Redis away, what a consumer thread does besides fetching (moving a due delayed
    message to its queue, handing back the messages it holds as it closes) raises Dramatiq's
    ConnectionClosed, which the thread handles by reconnecting. Redis's own error, which
    Dramatiq's broker let through, killed the delayed-queue thread in `close()`: that worker
    never ran a delayed job again. The app's and the actors' sends still see Redis's error."""
    server = infra.EmbeddedRedis(tmp_path / "redis")
    broker = RecoveringRedisBroker(url=server.url, middleware=[])

    @dramatiq.actor(broker=broker, queue_name="default", actor_name="note_away")
    def note() -> None: ...

    held = note.message().copy(queue_name="default.DQ", options={"redis_message_id": "m1"})
    server.stop()
    try:
        # Dramatiq's own consumer thread closing while it holds a delayed message.
        thread = _delayed_queue_thread(ConsumerThread, broker)
        thread.consumer = broker.consume("default.DQ")  # (not from the thread: no network)
        thread.delay_queue.put(_WorkQueueItem(0, MessageProxy(held)))
        thread.close()  # raised redis's ConnectionError on Dramatiq's broker

        sent: list[Any] = []

        class DueMessage(ConsumerThread):
            def run(self) -> None:
                try:
                    broker.enqueue(note.message())
                except Exception as error:  # what the consumer thread's loop would see
                    sent.append(type(error))

        due = _delayed_queue_thread(DueMessage, broker)
        due.start()
        due.join(10)
        assert sent == [ConnectionClosed]
        with pytest.raises(redis.exceptions.ConnectionError):
            note.send()
    finally:
        broker.close()


def _delayed_queue_thread(kind: type[ConsumerThread], broker: RedisBroker) -> ConsumerThread:
    """A consumer thread of "default.DQ", as a Dramatiq worker makes one (not started)."""
    return kind(
        broker=broker,
        queue_name="default.DQ",
        prefetch=1,
        work_queue=PriorityQueue(),
        worker_timeout=100,
    )


def _sent(actor: Any, label: str) -> bool:
    try:
        actor.send(label)
    except redis.exceptions.ConnectionError:
        return False
    return True


def test_the_api_acknowledges_a_write_only_once_it_is_committed(db_url: str) -> None:
    """A commit that fails (the database went away between the route's work and its commit) is
    the answer — 503, try again — never a 2xx for a write that is not stored."""
    from cyberhub.api import create_api
    from cyberhub.models import RefreshToken

    with db.session_scope() as session:
        make_user(session, "commit-learner@example.com", "student")

    def database_gone(session: Session) -> None:
        raise sqlalchemy.exc.OperationalError("COMMIT", {}, Exception("server closed"))

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        event.listen(Session, "before_commit", database_gone)
        try:
            answer = client.post(
                f"{V1}/auth/login",
                json={"email": "commit-learner@example.com", "password": PASSWORD},
            )
        finally:
            event.remove(Session, "before_commit", database_gone)
        assert answer.status_code == 503, answer.text  # not 200 with a token that won't work
        assert answer.json() == {"detail": UNAVAILABLE}
        with db.session_scope() as session:
            assert session.exec(select(RefreshToken)).all() == []
        # Tried again: stored, and the token works.
        token = login(client, "commit-learner@example.com")["access_token"]
        me = client.get(f"{V1}/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200


def test_an_export_cut_by_a_database_outage_is_queued_again_then_done(
    session: Session, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away while the worker writes an export: the export is not marked
    failed (the requester would have to ask again) nor left "running" (a redelivered job would
    find it claimed and do nothing): it is queued again with a new job, which then does it."""
    from cyberhub import jobs
    from cyberhub.models import Export, ExportStatus
    from cyberhub.schemas.exports import ExportRequest
    from cyberhub.services.admin import exports

    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    export_id = exports.request_export(
        session, world.p(session, world.student), ExportRequest(kind="own_data")
    ).id
    session.commit()
    jobs.export_job_started(export_id)  # as the worker's run_export does before the run
    # The new job goes straight to the queue, not the delayed one: the database is back, and
    # this worker is not stopping, so nothing is gained by waiting.
    queue = jobs.broker().queues["default"]
    sent_before = queue.qsize()
    cut = {"done": False}

    def database_gone(state: ORMExecuteState) -> None:
        params = state.statement.compile().params if isinstance(state.statement, Update) else {}
        finishing = params.get("status") == "done"
        if finishing and not cut["done"]:
            cut["done"] = True
            raise sqlalchemy.exc.OperationalError("UPDATE", {}, Exception("server closed"))

    event.listen(Session, "do_orm_execute", database_gone)
    try:
        assert exports.run_export(db.session_scope, export_id) == ExportStatus.queued
    finally:
        event.remove(Session, "do_orm_execute", database_gone)
    assert cut["done"]
    session.expire_all()
    assert session.get(Export, export_id).status == ExportStatus.queued  # type: ignore[union-attr]
    assert queue.qsize() == sent_before + 1  # a new run_export job for it
    assert list(tmp_path.rglob("*.part")) == []  # the half-written file is gone
    assert list(tmp_path.rglob("*.zip")) == []  # and the finished one the row never recorded

    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    session.expire_all()
    done = session.get(Export, export_id)
    assert done is not None and done.status == ExportStatus.done and done.file_path
