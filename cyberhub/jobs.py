"""Background jobs by name: services say what happened, the worker does the work after commit.

A service calls a fan-out here (`jobs.learner_changed(session, user_id)`); this module knows
which worker jobs follow and sends them **by actor name** once the session's transaction has
committed. So the web process never imports an actor, the worker's modules or torch, and
`cyberhub/` never imports `worker/` (tests/unit/test_architecture.py checks both).

`JOBS` is the catalogue of every job the worker runs: its actor name, queue and arguments.
The worker declares one actor per entry (tests/integration/test_jobs.py checks the names,
queues and parameters match), the admin console lists and retries jobs from it.

After commit: an actor enqueued before commit could run before its rows exist (or for rows
rolled back). Jobs belong to the session's outermost transaction: a savepoint rolling back
keeps them, the outer rollback (or close) drops them, and the outer commit sends them.

The broker: the worker installs its own (worker/broker.py: every middleware) with `install`;
any other process (the web app, a script) gets a sending-only one on first use, on the same
Redis (or a StubBroker under CYBERHUB_BROKER=stub). Sending runs no middleware, so both send
the same message.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware
from redis import RedisError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session as SASession
from sqlmodel import Session, col

from cyberhub import db, redis_client
from cyberhub.after_commit import AfterCommit
from cyberhub.models import JobFailure
from cyberhub.models.base import utcnow
from cyberhub.redis_client import redis_url

log = logging.getLogger(__name__)

# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One worker job: the actor's name, its queue and the names of its (id-only) arguments."""

    name: str
    queue: str
    params: tuple[str, ...]
    time_limit_ms: int | None = None  # None: the broker's default (JOB_TIME_LIMIT_MS)


EMBED_MISSION = Job("embed_mission", "ai", ("mission_id",))
EMBED_LEARNER = Job("embed_learner", "ai", ("user_id",))  # the vector, then the list
RECOMPUTE_RECOMMENDATIONS = Job("recompute_recommendations", "ai", ("user_id",))
ANALYZE_PERSONALITY = Job("analyze_personality", "ai", ("user_id",))
# A rebuild still "active" after its time limit cannot be alive any more (the worker died and
# its message was lost): services/ai_jobs.start_rebuild then marks it failed.
REBUILD_ALL = Job("rebuild_all", "ai", ("run_id",), time_limit_ms=2 * 60 * 60 * 1000)
DELIVER_MAIL = Job("deliver_mail", "default", ("mail_id",))
EXPIRE_REVIEW_CLAIMS = Job("expire_review_claims", "default", ())  # the scheduler's
SWEEP_ORPHAN_UPLOADS = Job("sweep_orphan_uploads", "default", ())  # the scheduler's
# An export streams up to a few hundred thousand rows; services/admin/exports.sweep fails one
# still running two hours after it started.
RUN_EXPORT = Job("run_export", "default", ("export_id",), time_limit_ms=60 * 60 * 1000)
SWEEP_EXPORTS = Job("sweep_exports", "default", ())  # the scheduler's
SEND_HABIT_REMINDERS = Job("send_habit_reminders", "default", ())  # the scheduler's
SEND_DUE_REMINDERS = Job("send_due_reminders", "default", ())  # the scheduler's
# The AI coach's weekly plan (services/coaching/coach.py) on its own queue: it is sent with a
# delay (the debounce, below), and a burst of a learner's changes must not hold up the "ai" queue.
COMPUTE_COACH_PLAN = Job("compute_coach_plan", "coach", ("user_id",))
SWEEP_COACH_PLANS = Job("sweep_coach_plans", "coach", ())  # the scheduler's, weekly
# The scheduler's: seconds per big programme (services/learning/analytics.refresh_snapshots).
REFRESH_PROGRAM_ANALYTICS = Job("refresh_program_analytics", "default", ())
# The scheduler's: pending applications of cohorts past their last day become `expired`.
EXPIRE_ENDED_APPLICATIONS = Job("expire_ended_applications", "default", ())

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        EMBED_MISSION,
        EMBED_LEARNER,
        RECOMPUTE_RECOMMENDATIONS,
        ANALYZE_PERSONALITY,
        REBUILD_ALL,
        DELIVER_MAIL,
        EXPIRE_REVIEW_CLAIMS,
        SWEEP_ORPHAN_UPLOADS,
        RUN_EXPORT,
        SWEEP_EXPORTS,
        SEND_HABIT_REMINDERS,
        SEND_DUE_REMINDERS,
        COMPUTE_COACH_PLAN,
        SWEEP_COACH_PLANS,
        REFRESH_PROGRAM_ANALYTICS,
        EXPIRE_ENDED_APPLICATIONS,
    )
}


class UnknownJob(LookupError):
    """No job of that name (or not with those arguments) exists any more."""


def queues() -> list[str]:
    """Every queue a job runs on: "default" first, then by name."""
    return sorted({job.queue for job in JOBS.values()}, key=lambda q: (q != "default", q))


# --- the domain's fan-outs (each sends after commit) ----------------------------------------------


def learner_changed(session: SASession, user_id: int) -> None:
    """What the learner told us changed (profiler result, goals, reflections, AI consent given):
    re-embed them, then recompute their recommendations; and redo their work-style analysis.
    The worker checks the AI-profiling consent again in every job."""
    learner_progressed(session, user_id)
    enqueue(session, ANALYZE_PERSONALITY, user_id)


def learner_progressed(session: SASession, user_id: int) -> None:
    """The learner's work or level changed (a review decision): re-embed them, then recompute
    their recommendations (one job); and their coach's plan."""
    enqueue(session, EMBED_LEARNER, user_id)
    coaching_changed(session, user_id)


def refresh_asked(session: SASession, user_id: int) -> None:
    """Someone asked for a fresh list (Refresh, POST /recommendations/refresh): as
    `learner_progressed`, but while the vector-and-list job one of these sent still waits for a
    worker, nothing more (`_learner_job`)."""
    _learner_job(session, EMBED_LEARNER, user_id)
    coaching_changed(session, user_id)


def analysis_asked(session: SASession, user_id: int) -> None:
    """The learner asked for their work-style analysis (POST /personality/analyze): sent unless
    the one they asked for before still waits for a worker."""
    _learner_job(session, ANALYZE_PERSONALITY, user_id)


LEARNER_JOB_PENDING_KEY = "cyberhub:ai:pending:{job}:{user}"
# Kept for longer than a busy queue takes to reach the job: a job lost with its worker frees it.
LEARNER_JOB_PENDING_SECONDS = 900


def _learner_job(session: SASession, job: Job, user_id: int) -> None:
    """Send a learner's AI `job` (the vector and list, or the work-style analysis) that they or
    staff asked for, unless the one asked for before still waits for a worker: it reads
    everything when it runs, and the worker clears the mark as it starts (`learner_job_started`),
    so a request after that sends a new one. A client asking again and again (a script looping
    on the API) queues one job, not one each."""
    key = LEARNER_JOB_PENDING_KEY.format(job=job.name, user=user_id)
    send_after_commit(
        session, job.queue, job.name, (user_id,), once=(key, LEARNER_JOB_PENDING_SECONDS)
    )


def learner_job_started(job: Job, user_id: int) -> None:
    """The worker took a learner's `job`: changes from now on send a new one."""
    _release(LEARNER_JOB_PENDING_KEY.format(job=job.name, user=user_id))


COACH_PENDING_KEY = "cyberhub:coach:pending:{user}"


def coaching_changed(session: SASession, user_id: int) -> None:
    """Something the coach's plan reads changed (a check-in, a goal, a reflection, a submission,
    a review): recompute the plan, debounced. After commit, the first change sends the job
    delayed by COACH_DEBOUNCE_SECONDS and marks it pending in Redis; changes while it is pending
    send nothing (the job reads everything when it runs, and clears the mark as it starts, so a
    change after that sends a new one). The worker checks the AI-profiling consent."""
    from cyberhub.settings import get_settings  # noqa: PLC0415  (why: settings are read when the change happens, as tests change them)

    delay = get_settings().coach_debounce_seconds
    send_after_commit(
        session,
        COMPUTE_COACH_PLAN.queue,
        COMPUTE_COACH_PLAN.name,
        (user_id,),
        delay_ms=delay * 1000,
        # Kept a little longer than the delay: a job lost with its worker frees it anyway.
        once=(COACH_PENDING_KEY.format(user=user_id), delay + 300),
    )


def coach_week_began(session: SASession, user_id: int) -> None:
    """The learner's day began (a week, on Monday) and their plan was written on an earlier one
    (the hourly sweep, coach.plans_due): compute it now, unless a plan job is already pending
    (the same mark as `coaching_changed`, so a sweep finding the queue still busy with the last
    one's jobs sends no second job)."""
    send_after_commit(
        session,
        COMPUTE_COACH_PLAN.queue,
        COMPUTE_COACH_PLAN.name,
        (user_id,),
        once=(COACH_PENDING_KEY.format(user=user_id), 2 * 3600),
    )


def coach_plan_started(user_id: int) -> None:
    """The worker took a learner's plan job: changes from now on send a new one."""
    _release(COACH_PENDING_KEY.format(user=user_id))


def recommendations_stale(session: SASession, user_id: int) -> None:
    """Recompute the learner's list from their current vector (e.g. after "not interested"),
    and their coach's plan, which suggests missions from that list."""
    enqueue(session, RECOMPUTE_RECOMMENDATIONS, user_id)
    coaching_changed(session, user_id)


def analysis_requested(session: SASession, user_id: int) -> None:
    """Redo the learner's work-style analysis (a no-op in the worker when nothing changed)."""
    enqueue(session, ANALYZE_PERSONALITY, user_id)


def mission_changed(session: SASession, mission_id: int) -> None:
    """A mission was created, edited or published: recompute its vector."""
    enqueue(session, EMBED_MISSION, mission_id)


def mail_queued(session: SASession, mail_id: int) -> None:
    """An outbox message to deliver by SMTP."""
    enqueue(session, DELIVER_MAIL, mail_id)


EXPORT_JOB_KEY = "cyberhub:export:job:{export}"
# How long a sent export job counts as waiting in the queue (the mark's lifetime): after that
# the export sweep sends another, in case this one was lost after all.
EXPORT_JOB_WAITS_S = 15 * 60


def export_requested(session: SASession, export_id: int, *, delay_ms: int = 0) -> None:
    """Someone asked for an export (or the sweep finds it still waiting): the worker writes its
    file. Sent after commit unless a job for it is already waiting in the queue: sending marks
    the export in Redis (beside the queue, so a Redis that lost its queue lost the mark too),
    the worker clears the mark as it takes the job (`export_job_started`), and the mark lapses
    after EXPORT_JOB_WAITS_S. So a sweep running every 2 minutes through a worker outage adds
    no job to the one waiting, instead of one per sweep. `delay_ms`: run it no sooner."""
    send_after_commit(
        session,
        RUN_EXPORT.queue,
        RUN_EXPORT.name,
        (export_id,),
        delay_ms=delay_ms,
        once=(EXPORT_JOB_KEY.format(export=export_id), EXPORT_JOB_WAITS_S + delay_ms // 1000),
    )


def export_jobs_waiting(export_ids: Sequence[int]) -> set[int]:
    """Of these exports, those whose job was sent and has not been taken by a worker yet (less
    than EXPORT_JOB_WAITS_S ago). None of them when Redis can't be read: each is sent again."""
    if not export_ids:
        return set()
    try:
        pipe = redis_client.get_redis().pipeline()
        for export_id in export_ids:
            pipe.exists(EXPORT_JOB_KEY.format(export=export_id))
        found = pipe.execute()
    except RedisError:
        log.warning("could not read which export jobs are waiting", exc_info=True)
        return set()
    return {export_id for export_id, n in zip(export_ids, found, strict=True) if n}


def export_job_started(export_id: int) -> None:
    """A worker took an export's job: from now on, the sweep may send another if it must (the
    export put back in the queue, or its run's heartbeat gone silent)."""
    _release(EXPORT_JOB_KEY.format(export=export_id))


def rebuild_started(session: SASession, run_id: int) -> None:
    """An admin started "rebuild all AI data"."""
    enqueue(session, REBUILD_ALL, run_id)


def retry(session: SASession, name: str, args: Sequence[Any]) -> Job:
    """Send the job `name` again with `args` (the admin console's retry of a failed job).
    UnknownJob when no such job exists any more or it no longer takes these arguments."""
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(f"The job '{name}' no longer exists, so it can't be retried.")
    if len(args) != len(job.params):
        raise UnknownJob(f"The job '{name}' no longer takes these arguments.")
    enqueue(session, job, *args)
    return job


# --- sending after commit ---------------------------------------------------------------------------


def enqueue(session: SASession, job: Job, *args: Any) -> None:
    """Send `job(*args)` once `session`'s transaction commits; dropped on rollback."""
    if len(args) != len(job.params):
        raise TypeError(f"{job.name} takes {len(job.params)} argument(s) {job.params}, got {args}")
    send_after_commit(session, job.queue, job.name, tuple(args))


@dataclass(frozen=True)
class _Pending:
    message: dramatiq.Message[Any]
    delay_ms: int = 0
    # (Redis key, seconds): send only if the key can be taken (SET NX EX) after commit.
    once: tuple[str, int] | None = None


def send_after_commit(
    session: SASession,
    queue: str,
    actor_name: str,
    args: tuple[Any, ...],
    *,
    delay_ms: int = 0,
    once: tuple[str, int] | None = None,
) -> None:
    """The mechanism under `enqueue`, for a job outside the catalogue (worker/enqueue.py).
    `delay_ms`: run it no sooner than that after the commit; `once`: send it only when the
    Redis key can be taken for that many seconds (a job already pending under the key covers
    this one; without Redis it is sent anyway)."""
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=queue, actor_name=actor_name, args=args, kwargs={}, options={}
    )
    _PENDING.add(session, _Pending(message, delay_ms, once))


def _send_pending(pending: list[_Pending]) -> None:
    target = broker()
    patient = True
    for job in pending:
        if job.once is not None and not _take(*job.once):
            continue
        if _send(target, job.message, job.delay_ms, patient=patient):
            continue
        if job.once is not None:
            _release(job.once[0])  # nothing is pending under it: a later change sends again
        # Redis is away for longer than the retries: the rest of this commit's jobs are recorded
        # at once, not after their own retries each (a fan-out of N stalled its thread N times).
        patient = False


_PENDING: AfterCommit[_Pending] = AfterCommit("cyberhub_pending_jobs", _send_pending)


# Sending after commit retries this long (a Redis restart takes ~1–3 s) before giving up.
SEND_RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0)


def _send(
    target: dramatiq.Broker,
    message: dramatiq.Message[Any],
    delay_ms: int | None,
    *,
    patient: bool = True,
) -> bool:
    """Send one message (whether it was); never raises: the write it follows has committed, and
    its caller (a request) must not answer an error for it. A message that cannot be sent is
    recorded as a failed job, which the admin console can send again. `patient`: retry for
    SEND_RETRY_DELAYS_S first (a Redis restart); else one try."""
    for wait in (*(SEND_RETRY_DELAYS_S if patient else ()), None):
        try:
            if message.queue_name not in target.get_declared_queues():
                target.declare_queue(message.queue_name)  # a StubBroker refuses undeclared queues
            target.enqueue(message, delay=delay_ms or None)
            return True
        except Exception as exc:
            if wait is None:
                _record_unsent(message, exc)
                return False
            time.sleep(wait)
    return False


def _record_unsent(message: dramatiq.Message[Any], exc: Exception) -> None:
    log.error("job %s%s not sent (%s): recorded for the admin console", message.actor_name,
              tuple(message.args), exc)  # fmt: skip
    try:
        with db.session_scope() as session:
            record_failure(
                session,
                message_id=message.message_id,
                actor=message.actor_name,
                queue=message.queue_name,
                args=message.args,
                error=f"Not sent: the job queue (Redis) did not answer. {exc}",
            )
    except Exception:
        log.exception("job %s%s lost", message.actor_name, tuple(message.args))


def _release(key: str) -> None:
    try:
        redis_client.get_redis().delete(key)
    except RedisError:
        log.warning("could not release the pending mark %s", key)


def _take(key: str, seconds: int) -> bool:
    try:
        return bool(redis_client.get_redis().set(key, "1", nx=True, ex=max(1, seconds)))
    except RedisError:
        log.warning("redis unavailable: sending a debounced job anyway", exc_info=True)
        return True


# --- the broker ---------------------------------------------------------------------------------

_lock = threading.Lock()
_broker: dramatiq.Broker | None = None


def connect(
    middleware: list[Middleware], redis_broker: type[RedisBroker] = RedisBroker
) -> dramatiq.Broker:
    """A broker on this deployment's Redis (REDIS_URL or the embedded one), or a StubBroker
    when CYBERHUB_BROKER=stub (tests). Workers pass their own `redis_broker` class (one that
    recovers delayed jobs, worker/redis_broker.py); a web process only sends."""
    if os.environ.get("CYBERHUB_BROKER") == "stub":
        return StubBroker(middleware=middleware)

    return redis_broker(
        url=redis_url(),
        middleware=middleware,
        # A worker killed with -9 stops beating; after 15 s its unacked messages go back to the
        # queue, on the next maintenance run (a 10 % chance per fetch) -> back within ~30 s.
        heartbeat_timeout=15_000,
        maintenance_chance=100_000,
    )


def install(new: dramatiq.Broker) -> None:
    """Make `new` this process's broker (the worker's, with its middleware and actors)."""
    global _broker
    with _lock:
        _broker = new
    dramatiq.set_broker(new)


def broker() -> dramatiq.Broker:
    """This process's broker: the installed one, else a sending-only one made on first use."""
    global _broker
    with _lock:
        if _broker is None:
            _broker = connect([])
        return _broker


# --- jobs that failed for good ------------------------------------------------------------------

ERROR_MAX = 2000


def record_failure(
    session: Session,
    *,
    message_id: str,
    actor: str,
    queue: str,
    args: Sequence[Any],
    error: str,
) -> bool:
    """Record a job that failed for good (by the worker, or here when it could not be sent). Idempotent on
    the message id: a redelivered message that fails again is recorded once. Returns whether a
    row was written."""
    stmt = (
        pg_insert(JobFailure)
        .values(
            message_id=message_id[:64],
            actor=actor[:120],
            queue=queue[:64],
            args=list(args),
            error=error[:ERROR_MAX],
            failed_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(col(JobFailure.id))
    )
    return session.execute(stmt).first() is not None
