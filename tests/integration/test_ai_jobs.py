"""The admin's view of background jobs: failed jobs are recorded once and can be retried, queue
depth comes from the real Redis keys, and "rebuild everything" reaches its total batch by batch."""

from __future__ import annotations

import json
import time
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

import worker.actors  # noqa: F401  (declares the real actors on the stub broker)
from cyberhub import jobs
from cyberhub.db import get_engine, session_scope
from cyberhub.models import (
    AuditLog,
    JobFailure,
    LearnerEmbedding,
    Mission,
    MissionEmbedding,
    PersonalityProfile,
    RebuildRun,
)
from cyberhub.models.ai import RebuildStatus
from cyberhub.redis_client import HEARTBEAT_KEY, get_redis
from cyberhub.services.ai import ai_jobs
from tests.fakes import FakeEmbedder
from worker.broker import TransientError

pytestmark = [pytest.mark.integration, pytest.mark.admin]

# A job that fails while `FAILING["on"]` (a plain bug, so it is not retried) and records its
# runs otherwise. TRANSIENT makes it fail once with a passing error, then succeed.
FAILING = {"on": True}
TRANSIENT: dict[str, int] = {"left": 0}
RUNS: list[int] = []


@dramatiq.actor(queue_name="ai", actor_name="ai_jobs_test_job")
def ai_jobs_test_job(n: int) -> None:
    if TRANSIENT["left"] > 0:
        TRANSIENT["left"] -= 1
        raise TransientError("the database blinked")
    if FAILING["on"]:
        raise ValueError(f"mission {n} has no track")
    RUNS.append(n)


@pytest.fixture(autouse=True)
def _reset_test_job(monkeypatch: pytest.MonkeyPatch) -> None:
    FAILING["on"], TRANSIENT["left"] = True, 0
    RUNS.clear()
    # The admin retries jobs by name from the catalogue (cyberhub/jobs.py): list this one there.
    test_job = jobs.Job("ai_jobs_test_job", "ai", ("n",))
    monkeypatch.setitem(jobs.JOBS, test_job.name, test_job)


def run_jobs(broker: Any, w: dramatiq.Worker) -> None:
    broker.join("ai", timeout=30_000, fail_fast=False)
    w.join()


def failure_rows() -> list[JobFailure]:
    with Session(get_engine()) as s:
        return list(s.exec(select(JobFailure).order_by(col(JobFailure.id))).all())


def audit_actions(action: str) -> list[AuditLog]:
    with Session(get_engine()) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action)).all())


class TestFailedJobs:
    def test_a_job_that_fails_for_good_is_recorded_once_with_its_error(
        self,
        db_url: str,
        stub_broker,
        stub_worker,
    ) -> None:
        ai_jobs_test_job.send(7)
        run_jobs(stub_broker, stub_worker)
        [row] = failure_rows()
        assert (row.actor, row.queue, row.args) == ("ai_jobs_test_job", "ai", [7])
        assert row.error == "ValueError: mission 7 has no track"
        assert "Traceback" not in row.error
        assert row.retried_at is None
        [dead] = stub_broker.dead_letters
        assert dead.message_id == row.message_id

        # Recording is idempotent on the message id (a redelivered message failing again).
        with session_scope() as s:
            again = jobs.record_failure(
                s,
                message_id=row.message_id,
                actor=row.actor,
                queue=row.queue,
                args=row.args,
                error="ValueError: again",
            )
        assert again is False
        assert len(failure_rows()) == 1

    def test_a_database_error_reads_as_one_line_and_keeps_no_bound_values(
        self, admin_client: TestClient
    ) -> None:
        # A real constraint violation whose statement carries a learner's text as a parameter.
        with session_scope() as s:
            s.add(JobFailure(message_id="dup", actor="a", queue="ai", args=[], error="x"))
        try:
            with session_scope() as s:
                s.add(
                    JobFailure(
                        message_id="dup", actor="a", queue="ai", args=[], error="my private note"
                    )
                )
        except Exception as exc:
            error = ai_jobs.describe_error(exc, attempts=1)
        assert error.startswith(
            "IntegrityError: (psycopg.errors.UniqueViolation) duplicate key value"
        )
        assert "DETAIL:  Key (message_id)=(dup) already exists." in error
        assert "[SQL: INSERT INTO job_failures" in error
        assert "my private note" not in error and "[parameters:" not in error
        summary = ai_jobs.summarize_error(error)
        assert "\n" not in summary and len(summary) <= ai_jobs.SUMMARY_MAX
        assert summary.startswith("IntegrityError: (psycopg.errors.UniqueViolation)")

        with session_scope() as s:
            jobs.record_failure(
                s, message_id="m-1", actor="embed_learner", queue="ai", args=[4], error=error
            )
        [item] = [
            i
            for i in admin_client.get("/api/v1/admin/jobs/failures").json()["items"]
            if i["message_id"] == "m-1"
        ]
        assert item["summary"] == summary and item["error"] == error

    def test_a_transient_error_that_passes_on_retry_is_not_a_failure(
        self,
        db_url: str,
        stub_broker,
        stub_worker,
    ) -> None:
        FAILING["on"], TRANSIENT["left"] = False, 1
        ai_jobs_test_job.send(3)
        run_jobs(stub_broker, stub_worker)  # the retry waits out a ~1 s backoff
        assert RUNS == [3]
        assert failure_rows() == []

    def test_admin_sees_the_failure_and_last_run_and_retries_it(
        self,
        admin_client: TestClient,
        admin_user,
        stub_broker,
        stub_worker,
    ) -> None:
        ai_jobs_test_job.send(11)
        run_jobs(stub_broker, stub_worker)

        r = admin_client.get("/api/v1/admin/jobs/failures")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 1
        [failure] = body["items"]
        assert failure["actor"] == "ai_jobs_test_job" and failure["args"] == [11]
        assert failure["error"] == "ValueError: mission 11 has no track"

        runs = {x["actor"]: x for x in admin_client.get("/api/v1/admin/jobs/last-runs").json()}
        assert runs["ai_jobs_test_job"]["outcome"] == "failed"
        assert "mission 11 has no track" in runs["ai_jobs_test_job"]["error"]
        assert runs["rebuild_all"]["outcome"] == "never"  # declared, not run yet

        # The bug is fixed; the admin retries: the same job runs again with the same arguments.
        FAILING["on"] = False
        r = admin_client.post(f"/api/v1/admin/jobs/failures/{failure['id']}/retry")
        assert r.status_code == 202, r.text
        assert r.json()["retried_by"] == admin_user.email
        run_jobs(stub_broker, stub_worker)
        assert RUNS == [11]
        [row] = failure_rows()
        assert row.retried_at is not None and row.retried_by == admin_user.id
        [entry] = audit_actions("job.retried")
        assert entry.actor_id == admin_user.id and entry.target_id == str(row.id)
        assert entry.details["job"] == "ai_jobs_test_job"

        # Once is enough: a second retry is refused (a new failure would be a new row).
        r = admin_client.post(f"/api/v1/admin/jobs/failures/{failure['id']}/retry")
        assert r.status_code == 409
        assert "already retried" in r.json()["detail"]

    def test_a_retry_that_fails_again_is_a_new_failure(
        self,
        admin_client: TestClient,
        stub_broker,
        stub_worker,
    ) -> None:
        ai_jobs_test_job.send(5)
        run_jobs(stub_broker, stub_worker)
        [first] = failure_rows()
        assert admin_client.post(f"/api/v1/admin/jobs/failures/{first.id}/retry").status_code == 202
        run_jobs(stub_broker, stub_worker)
        rows = failure_rows()
        assert len(rows) == 2
        assert rows[1].args == [5] and rows[1].message_id != first.message_id

    def test_dismiss_removes_the_failure_and_is_audited(
        self,
        admin_client: TestClient,
        stub_broker,
        stub_worker,
    ) -> None:
        ai_jobs_test_job.send(9)
        run_jobs(stub_broker, stub_worker)
        [row] = failure_rows()
        r = admin_client.delete(f"/api/v1/admin/jobs/failures/{row.id}")
        assert r.status_code == 200, r.text
        assert failure_rows() == []
        assert len(audit_actions("job.dismissed")) == 1
        assert admin_client.delete(f"/api/v1/admin/jobs/failures/{row.id}").status_code == 404
        assert admin_client.post(f"/api/v1/admin/jobs/failures/{row.id}/retry").status_code == 404

    def test_a_job_whose_actor_is_gone_cannot_be_retried(
        self, admin_client: TestClient, session: Session
    ) -> None:
        row = JobFailure(
            message_id="m-gone", actor="removed_actor", queue="ai", args=[1], error="KeyError: 1"
        )
        session.add(row)
        session.commit()
        r = admin_client.post(f"/api/v1/admin/jobs/failures/{row.id}/retry")
        assert r.status_code == 409
        assert "no longer exists" in r.json()["detail"]


class TestQueuesOnRedis:
    def test_queue_depth_counts_waiting_running_delayed_and_dead_messages(
        self, admin_client: TestClient, redis_url: str
    ) -> None:
        broker = RedisBroker(url=redis_url)
        try:

            def message(n: int) -> dramatiq.Message:
                return dramatiq.Message(
                    queue_name="ai", actor_name="embed_mission", args=(n,), kwargs={}, options={}
                )

            for n in range(4):
                broker.enqueue(message(n))
            broker.enqueue(message(99), delay=60_000)  # a retry waiting out its backoff
            # A worker fetches two: one fails for good (dead letter), one is still running.
            consumer = broker.consume("ai", prefetch=2, timeout=1_000)
            fetched = [next(consumer), next(consumer)]
            assert fetched[0] is not None and fetched[1] is not None
            consumer.nack(fetched[0])

            keys = set(get_redis().keys("dramatiq:ai*"))
            assert {"dramatiq:ai", "dramatiq:ai.msgs", "dramatiq:ai.DQ.msgs"} <= keys
            assert {"dramatiq:ai.XQ", "dramatiq:ai.XQ.msgs"} <= keys

            get_redis().zadd(HEARTBEAT_KEY, {"host:1": time.time(), "host:2": time.time() - 600})
            r = admin_client.get("/api/v1/admin/jobs/queues")
            assert r.status_code == 200, r.text
            queues = {q["queue"]: q for q in r.json()["queues"]}
            assert queues["ai"] == {
                "queue": "ai",
                "waiting": 2,
                "running": 1,
                "delayed": 1,
                "dead": 1,
            }
            assert queues["default"] == {
                "queue": "default",
                "waiting": 0,
                "running": 0,
                "delayed": 0,
                "dead": 0,
            }
            assert r.json()["workers"]["alive"] == 1  # the other beat is 10 minutes old
            consumer.close()
        finally:
            broker.close()

    @pytest.mark.parametrize("action", ["retry", "dismiss"])
    def test_a_handled_failure_leaves_the_dead_letters(
        self,
        admin_client: TestClient,
        session: Session,
        redis_url: str,
        stub_broker,
        action: str,
    ) -> None:
        broker = RedisBroker(url=redis_url)
        try:
            dead: list[dramatiq.Message[object]] = [
                dramatiq.Message(
                    queue_name="ai", actor_name="embed_mission", args=(n,), kwargs={}, options={}
                )
                for n in (1, 2)
            ]
            for m in dead:
                broker.enqueue(m)
            consumer = broker.consume("ai", prefetch=2, timeout=1_000)
            for _ in dead:
                fetched_message = next(consumer)
                assert fetched_message is not None
                consumer.nack(fetched_message)  # both fail for good
            consumer.close()
        finally:
            broker.close()
        row = JobFailure(
            message_id=dead[0].message_id, actor="embed_mission", queue="ai", args=[1],
            error="RuntimeError: boom",
        )  # fmt: skip
        session.add(row)
        session.commit()

        def dead_count() -> int:
            r = admin_client.get("/api/v1/admin/jobs/queues")
            return {q["queue"]: q["dead"] for q in r.json()["queues"]}["ai"]

        assert dead_count() == 2
        if action == "retry":
            r = admin_client.post(f"/api/v1/admin/jobs/failures/{row.id}/retry")
            assert r.status_code == 202, r.text
        else:
            assert admin_client.delete(f"/api/v1/admin/jobs/failures/{row.id}").status_code == 200
        assert dead_count() == 1  # the other failure's dead letter stays
        left = [json.loads(v)["message_id"] for v in get_redis().hvals("dramatiq:ai.XQ.msgs")]
        assert left == [dead[1].message_id]

    def test_the_overview_has_every_part(self, admin_client: TestClient) -> None:
        r = admin_client.get("/api/v1/admin/jobs")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["redis_error"] == ""
        assert {q["queue"] for q in body["queues"]} >= {"default", "ai"}
        assert body["failures"] == {"total": 0, "items": []}
        assert body["rebuild"] is None
        assert admin_client.get("/api/v1/admin/jobs/rebuild").status_code == 404


class TestRebuild:
    def test_rebuild_reaches_its_total_and_embeds_everything(
        self,
        admin_client: TestClient,
        session: Session,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        learners = ai_jobs.ai_learner_ids(session)
        assert learners, "the demo has students who allow AI profiling"
        missions = session.exec(select(func.count()).select_from(Mission)).one()

        r = admin_client.post("/api/v1/admin/jobs/rebuild")
        assert r.status_code == 202, r.text
        run = r.json()
        assert run["status"] == "queued" and run["started_by"] == "admin@test.example.org"
        # A second one is refused while the first is queued (or already running).
        again = admin_client.post("/api/v1/admin/jobs/rebuild")
        assert again.status_code == 409
        assert "A rebuild is already" in again.json()["detail"]

        run_jobs(stub_broker, stub_worker)
        done = admin_client.get(f"/api/v1/admin/jobs/rebuild/{run['id']}").json()
        assert done["status"] == "done", done
        assert done["done"] == done["total"] == missions + len(learners)
        assert done["percent"] == 100 and done["finished_at"]
        assert admin_client.get("/api/v1/admin/jobs/rebuild").json()["id"] == run["id"]
        with Session(get_engine()) as s:
            assert s.exec(select(func.count()).select_from(MissionEmbedding)).one() == missions
            embedded = set(s.exec(select(LearnerEmbedding.user_id)).all())
        assert embedded <= set(learners) and embedded  # learners with something to embed
        assert len(audit_actions("ai.rebuild_started")) == 1
        # Each learner's work-style analysis is made too, the one staff read included.
        with Session(get_engine()) as s:
            analysed = s.exec(select(PersonalityProfile)).all()
        assert analysed and {p.user_id for p in analysed} <= set(learners)
        assert all(p.staff_source_hash for p in analysed)

        # Once done, another may start; nothing changed, so nothing is encoded again.
        encoded = len(fake_embedder.calls)
        r = admin_client.post("/api/v1/admin/jobs/rebuild")
        assert r.status_code == 202
        run_jobs(stub_broker, stub_worker)
        assert admin_client.get("/api/v1/admin/jobs/rebuild").json()["status"] == "done"
        assert len(fake_embedder.calls) == encoded

    @pytest.fixture
    def run(self, session: Session, demo: list[int], admin_user) -> RebuildRun:
        """A queued rebuild of the demo data, as an admin's click leaves it."""
        run = RebuildRun(started_by=admin_user.id)
        session.add(run)
        session.commit()
        assert run.id is not None
        return run

    def test_progress_is_committed_after_every_batch(
        self, run: RebuildRun, fake_embedder: FakeEmbedder
    ) -> None:
        seen: list[tuple[str, int, int]] = []

        with session_scope() as work:

            def checkpoint() -> None:
                work.commit()
                # What another connection (the admin's page) sees right now.
                with Session(get_engine()) as other:
                    r = other.get(RebuildRun, run.id)
                    assert r is not None
                    seen.append((r.status, r.done, r.total))

            result = ai_jobs.run_rebuild(work, run.id, fake_embedder, checkpoint, batch=10)  # type: ignore[arg-type]

        total = result.total
        assert result.status == "done" and result.done == total
        assert seen[0] == ("running", 0, total)
        dones = [d for _, d, _ in seen]
        assert dones == sorted(dones) and len(set(dones)) > 3  # it moved batch by batch
        assert seen[-1] == ("done", total, total)

    def test_a_redelivered_run_resumes_where_the_worker_died(
        self, run: RebuildRun, fake_embedder: FakeEmbedder
    ) -> None:

        class WorkerKilled(BaseException):
            pass

        commits = 0
        with session_scope() as work:

            def dies_after_four_batches() -> None:
                nonlocal commits
                work.commit()
                commits += 1
                if commits == 5:  # the "running" commit, then four batches
                    raise WorkerKilled

            with pytest.raises(WorkerKilled):
                ai_jobs.run_rebuild(work, run.id, fake_embedder, dies_after_four_batches, batch=5)  # type: ignore[arg-type]
        with Session(get_engine()) as other:
            died = other.get(RebuildRun, run.id)
            assert died is not None and (died.status, died.done) == ("running", 20)
            total = died.total
        # The redelivered message: the bar goes on from 15 (one batch early), not from 0.
        seen: list[int] = []
        with session_scope() as work:

            def checkpoint() -> None:
                work.commit()
                seen.append(work.get(RebuildRun, run.id).done)  # type: ignore[union-attr]

            result = ai_jobs.run_rebuild(work, run.id, fake_embedder, checkpoint, batch=5)  # type: ignore[arg-type]
        assert seen[:2] == [15, 20]
        assert result.status == "done" and result.done == total
        full_run = 2 + -(-total // 5)  # the running and done commits, and every batch
        assert len(seen) <= full_run - 3  # three batches fewer than a run from the start
        with Session(get_engine()) as s:
            assert s.exec(select(func.count()).select_from(MissionEmbedding)).one() == (
                s.exec(select(func.count()).select_from(Mission)).one()
            )

    def test_a_failing_rebuild_is_marked_failed_with_its_error(
        self,
        admin_client: TestClient,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        from worker import model

        class Broken(FakeEmbedder):
            def encode(self, texts: list[str]) -> list[list[float]]:
                raise RuntimeError("model file is corrupt")

        model.set_embedder(Broken())
        try:
            run = admin_client.post("/api/v1/admin/jobs/rebuild").json()
            run_jobs(stub_broker, stub_worker)
        finally:
            model.set_embedder(fake_embedder)
        failed = admin_client.get(f"/api/v1/admin/jobs/rebuild/{run['id']}").json()
        assert failed["status"] == "failed"
        assert failed["error"] == "RuntimeError: model file is corrupt"
        [row] = failure_rows()
        assert row.actor == "rebuild_all" and row.args == [run["id"]]
        # A failed run does not block the next one.
        r = admin_client.post("/api/v1/admin/jobs/rebuild")
        assert r.status_code == 202
        newer = r.json()["id"]
        run_jobs(stub_broker, stub_worker)
        assert admin_client.get("/api/v1/admin/jobs/rebuild").json()["status"] == "done"
        # Retrying the failed run's job once a later run replaced it does nothing: it used to
        # start a second full rebuild behind the console, which showed only the later run.
        r = admin_client.post(f"/api/v1/admin/jobs/failures/{row.id}/retry")
        assert r.status_code == 202, r.text
        run_jobs(stub_broker, stub_worker)
        old = admin_client.get(f"/api/v1/admin/jobs/rebuild/{run['id']}").json()
        assert old["status"] == "failed" and old["error"] == "RuntimeError: model file is corrupt"
        assert admin_client.get("/api/v1/admin/jobs/rebuild").json()["id"] == newer

    def test_a_retried_run_and_a_new_one_starting_at_the_same_moment_never_both_run(
        self, run: RebuildRun, fake_embedder: FakeEmbedder, admin_user
    ) -> None:
        """An admin clicks Rebuild while the retry of a failed run's job starts: the start
        (under its lock) saw no active run, so the retried run must see the new one and stay
        failed; it used to restart as well (two full rebuilds at once)."""
        import threading

        from cyberhub.services import locks

        with Session(get_engine()) as s:
            old = s.get(RebuildRun, run.id)
            assert old is not None
            old.status, old.error = RebuildStatus.failed, "RuntimeError: boom"
            s.add(old)
            s.commit()
        with Session(get_engine()) as starting:  # start_rebuild, between its check and commit
            locks.hold(starting, locks.Lock.AI_REBUILD)
            starting.add(RebuildRun(started_by=admin_user.id, status=RebuildStatus.queued))
            starting.flush()

            def retried() -> None:
                with session_scope() as work:
                    ai_jobs.run_rebuild(work, run.id, fake_embedder, work.commit)  # type: ignore[arg-type]

            worker_thread = threading.Thread(target=retried)
            worker_thread.start()
            worker_thread.join(3)
            starting.commit()
        worker_thread.join(60)
        with Session(get_engine()) as s:
            statuses = dict(s.exec(select(RebuildRun.id, RebuildRun.status)).all())
        assert statuses[run.id] == RebuildStatus.failed, statuses
        assert sorted(statuses.values()) == sorted([RebuildStatus.failed, RebuildStatus.queued])

    def test_an_abandoned_run_does_not_block_a_new_one_forever(
        self,
        admin_client: TestClient,
        session: Session,
        admin_user,
    ) -> None:
        from datetime import timedelta

        from cyberhub.models.base import utcnow

        old = RebuildRun(
            started_by=admin_user.id,
            status=RebuildStatus.running,
            created_at=utcnow() - timedelta(milliseconds=ai_jobs.REBUILD_TIME_LIMIT_MS + 1000),
        )
        session.add(old)
        session.commit()
        r = admin_client.post("/api/v1/admin/jobs/rebuild")
        assert r.status_code == 202, r.text
        session.refresh(old)
        assert old.status == "failed" and old.error == ai_jobs.ABANDONED


class TestAccess:
    ROUTES = [
        ("get", "/api/v1/admin/jobs"),
        ("get", "/api/v1/admin/jobs/queues"),
        ("get", "/api/v1/admin/jobs/last-runs"),
        ("get", "/api/v1/admin/jobs/failures"),
        ("post", "/api/v1/admin/jobs/failures/1/retry"),
        ("delete", "/api/v1/admin/jobs/failures/1"),
        ("post", "/api/v1/admin/jobs/rebuild"),
        ("get", "/api/v1/admin/jobs/rebuild"),
        ("get", "/api/v1/admin/jobs/rebuild/1"),
    ]

    def test_anonymous_gets_401(self, api_client: TestClient) -> None:
        for method, url in self.ROUTES:
            r = getattr(api_client, method)(url)
            assert r.status_code == 401, (method, url, r.text)
            assert r.json()["detail"]

    def test_non_admins_get_403(self, student_client: TestClient, session: Session) -> None:
        for method, url in self.ROUTES:
            r = getattr(student_client, method)(url)
            assert r.status_code == 403, (method, url, r.text)
        assert session.exec(select(func.count()).select_from(RebuildRun)).one() == 0

    def test_services_check_the_role_themselves(self, session: Session, student_user) -> None:
        from cyberhub.services.errors import Forbidden, Unauthenticated
        from cyberhub.services.identity.permissions import load_principal

        student = load_principal(session, student_user.id)
        with pytest.raises(Unauthenticated):
            ai_jobs.overview(session, None)
        for call in (
            lambda: ai_jobs.overview(session, student),
            lambda: ai_jobs.start_rebuild(session, student),
            lambda: ai_jobs.retry_failure(session, student, 1),
            lambda: ai_jobs.queue_depths(student),
        ):
            with pytest.raises(Forbidden):
                call()
