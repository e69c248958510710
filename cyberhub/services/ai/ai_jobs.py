"""The background jobs, as the admin console sees them (admins only).

- Queue depth per Dramatiq queue, read straight from Redis (the RedisBroker's keys, see
  `queue_depths`), the number of live workers (their heartbeats) and each actor's last run
  (worker/middleware.JobStats writes it).
- Jobs that failed for good: worker/middleware.FailedJobs calls `jobs.record_failure` once per
  message (and a job that could not be sent at all is recorded the same way);
  an admin may retry one (the same actor, the same arguments, a new message) or dismiss it.
- "Rebuild everything": `start_rebuild` queues one RebuildRun; the worker's `rebuild_all` actor
  calls `run_rebuild`, which re-embeds every mission, then every learner with AI consent (and
  recomputes their list), committing after each batch so the progress bar moves and a restarted
  worker resumes near where it stopped (and unchanged text is never encoded again).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import StatementError
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import (
    JobFailure,
    LearnerEmbedding,
    Mission,
    RebuildRun,
    Role,
    RoleAssignment,
    User,
)
from cyberhub.models.ai import RebuildStatus
from cyberhub.models.base import utcnow
from cyberhub.redis_client import HEARTBEAT_KEY, LAST_RUN_KEY, get_redis
from cyberhub.schemas.jobs import (
    FailuresPage,
    JobFailurePublic,
    JobsOverview,
    LastRun,
    QueueDepth,
    RebuildRunPublic,
    WorkersPublic,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks
from cyberhub.services.admin import audit, exports
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.admin.health import HEARTBEAT_STALE_SECONDS
from cyberhub.services.ai import embeddings, recommendations
from cyberhub.services.ai.embeddings import EMBED_BATCH, Embedder
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity.consents import AI_PROFILING, granted_sql
from cyberhub.services.identity.permissions import Principal, require_role

log = logging.getLogger(__name__)

# The RedisBroker's key namespace (its default; worker/broker.py does not change it).
NAMESPACE = "dramatiq"
ERROR_MAX = jobs.ERROR_MAX
SUMMARY_MAX = 160  # a failed job's error in one line (the full text is one click away)
FAILURES_LIMIT = 100

QUEUED, RUNNING, DONE, FAILED = (
    RebuildStatus.queued,
    RebuildStatus.running,
    RebuildStatus.done,
    RebuildStatus.failed,
)
ACTIVE = (QUEUED, RUNNING)
REBUILD_BATCH = EMBED_BATCH
# The rebuild actor's time limit. A run still "active" after it cannot be alive any more (the
# worker died and its message was lost): starting a new one then marks the old one failed.
REBUILD_TIME_LIMIT_MS = jobs.REBUILD_ALL.time_limit_ms or 0
ABANDONED = "Abandoned: the worker stopped without finishing it."


def _admin(principal: Principal | None) -> Principal:
    return require_role(principal, Role.admin)


# --- queues, workers, last runs (Redis) -------------------------------------------------------


def _queue_names() -> list[str]:
    return jobs.queues()


def queue_depths(principal: Principal | None) -> list[QueueDepth]:
    """Per queue: messages waiting, being worked on, delayed (retry backoff) and dead-lettered.

    The RedisBroker keeps, per queue q (see dramatiq/brokers/redis/dispatch.lua):
    `dramatiq:q` a list of the ids waiting to be fetched; `dramatiq:q.msgs` a hash of every
    message not yet acknowledged (waiting + fetched by a worker); `dramatiq:q.DQ(.msgs)` the same
    pair for delayed messages (retries waiting out their backoff); `dramatiq:q.XQ` a sorted set
    of the dead-lettered ids (with `.XQ.msgs`), which Redis keeps for a week; retrying or
    dismissing the failed job here removes its dead letter (`_drop_dead_letter`).
    """
    _admin(principal)

    names = _queue_names()
    pipe = get_redis().pipeline()
    for q in names:
        base = f"{NAMESPACE}:{q}"
        pipe.llen(base)
        pipe.hlen(f"{base}.msgs")
        pipe.hlen(f"{base}.DQ.msgs")
        pipe.zcard(f"{base}.XQ")
    counts = pipe.execute()
    out = []
    for i, q in enumerate(names):
        waiting, unacked, delayed, dead = (int(c) for c in counts[i * 4 : i * 4 + 4])
        out.append(
            QueueDepth(
                queue=q,
                waiting=waiting,
                running=max(0, unacked - waiting),
                delayed=delayed,
                dead=dead,
            )
        )
    return out


def workers(principal: Principal | None) -> WorkersPublic:
    """How many worker processes beat within the health threshold, and the freshest beat."""
    _admin(principal)

    r = get_redis()
    now = time.time()
    alive = int(r.zcount(HEARTBEAT_KEY, now - HEARTBEAT_STALE_SECONDS, "+inf"))
    beats = r.zrevrange(HEARTBEAT_KEY, 0, 0, withscores=True)
    last = float(beats[0][1]) if beats else None
    return WorkersPublic(alive=alive, last_heartbeat=last, seconds_ago=now - last if last else None)


def last_runs(principal: Principal | None) -> list[LastRun]:
    """Each actor's last run (when, outcome, error), by actor name; "never" for an actor that
    has not run since Redis was emptied."""
    _admin(principal)

    raw = get_redis().hgetall(LAST_RUN_KEY)
    names = sorted(set(raw) | set(jobs.JOBS))
    out = []
    for name in names:
        try:
            run = json.loads(raw[name]) if name in raw else {}
        except ValueError:
            run = {}
        out.append(
            LastRun(
                actor=name,
                at=run.get("at"),
                outcome=run.get("outcome") or "never",
                error=run.get("error"),
            )
        )
    return out


# --- failed jobs --------------------------------------------------------------------------------


def describe_error(exc: BaseException, attempts: int = 1) -> str:
    """The exception's type and message (never a stack trace), and how many tries were made.
    A database error keeps the driver's message and the statement, not the bound parameters
    (vectors hundreds of numbers long, and learners' own text)."""
    message = str(exc).strip()
    if isinstance(exc, StatementError) and exc.orig is not None:
        orig = type(exc.orig)
        message = f"({orig.__module__}.{orig.__name__}) {str(exc.orig).strip()}"
        if exc.statement:
            message += f"\n[SQL: {exc.statement.strip()}]"
    described = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if attempts > 1:
        described += f" (gave up after {attempts} attempts)"
    return described[:ERROR_MAX]


def summarize_error(error: str, limit: int = SUMMARY_MAX) -> str:
    """One line for a list: the first line of a described error (its class and message), cut
    to `limit` characters."""
    first = next((line.strip() for line in error.splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _drop_dead_letter(queue: str, message_id: str) -> bool:
    """Remove a failed message from the RedisBroker's dead letters of `queue` (once an admin has
    retried or dismissed it, it no longer counts as "dead" in the queue depths). The dead
    letters are keyed by a broker-internal id, so the message is found by its own id among
    them (a week of failures at most). Best effort: the failure row is the record."""
    xq = f"{NAMESPACE}:{queue}.XQ"
    try:
        r = get_redis()
        for key, raw in r.hscan_iter(f"{xq}.msgs", count=500):
            try:
                found = json.loads(raw).get("message_id") == message_id
            except (ValueError, AttributeError):
                continue
            if found:
                pipe = r.pipeline()
                pipe.zrem(xq, key)
                pipe.hdel(f"{xq}.msgs", key)
                pipe.execute()
                return True
    except Exception:
        log.warning("could not remove the dead letter of job %s", message_id, exc_info=True)
    return False


def _failure_public(row: JobFailure, retried_by: str | None) -> JobFailurePublic:
    return from_row(
        JobFailurePublic, row, summary=summarize_error(row.error), retried_by=retried_by
    )


def failures(
    session: Session, principal: Principal | None, limit: int = FAILURES_LIMIT
) -> FailuresPage:
    """Jobs that failed for good, newest first, and how many there are."""
    _admin(principal)
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500.")
    total = session.exec(select(func.count()).select_from(JobFailure)).one()
    rows = session.exec(
        select(JobFailure, User.email)
        .join(User, col(User.id) == col(JobFailure.retried_by), isouter=True)
        .order_by(col(JobFailure.failed_at).desc(), col(JobFailure.id).desc())
        .limit(limit)
    ).all()
    return FailuresPage(
        total=int(total), items=[_failure_public(row, email) for row, email in rows]
    )


def _failure(session: Session, failure_id: int) -> JobFailure:
    row = session.get(JobFailure, failure_id, with_for_update=True)
    if row is None:
        raise NotFound("That failed job does not exist (it may have been dismissed).")
    return row


def _audit_failure(
    session: Session,
    action: str,
    principal: Principal,
    row: JobFailure,
    meta: RequestMeta,
    **details: object,
) -> None:
    """Audit an admin's retry or dismissal: the entry names the job and its message, as the
    failure row may be gone (dismissed) by the time someone reads the log."""
    audit.record(
        session,
        action,
        row,
        by=principal,
        meta=meta,
        job=row.actor,
        args=row.args,
        message_id=row.message_id,
        **details,
    )


def _one_id(args: list[Any]) -> bool:
    return len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool)


def retry_failure(
    session: Session, principal: Principal | None, failure_id: int, meta: RequestMeta = NO_META
) -> JobFailurePublic:
    """Send the same actor with the same arguments again (a new message, sent once this
    transaction commits) and stamp who retried it when. A job is retried once: if it fails
    again, that failure is a new row."""
    principal = _admin(principal)
    row = _failure(session, failure_id)
    if row.retried_at is not None:
        raise Conflict(
            "This job was already retried; if it failed again, it is listed as a new failure."
        )
    try:
        if row.actor == jobs.RUN_EXPORT.name and _one_id(row.args):
            # The export's own state says what to do (a failed one goes back to the queue:
            # its job alone would find it ended and do nothing).
            exports.retry_job(session, int(row.args[0]))
        else:
            jobs.retry(session, row.actor, row.args)
    except jobs.UnknownJob as exc:
        raise Conflict(str(exc)) from exc
    row.retried_at, row.retried_by = utcnow(), principal.user_id
    session.add(row)
    _audit_failure(session, "job.retried", principal, row, meta)
    session.flush()
    _drop_dead_letter(row.queue, row.message_id)
    return _failure_public(row, principal.email)


def dismiss_failure(
    session: Session, principal: Principal | None, failure_id: int, meta: RequestMeta = NO_META
) -> None:
    """Remove a failed job from the list without running it again (audited)."""
    principal = _admin(principal)
    row = _failure(session, failure_id)
    _audit_failure(session, "job.dismissed", principal, row, meta, error=row.error[:200])
    session.delete(row)
    session.flush()
    _drop_dead_letter(row.queue, row.message_id)


# --- rebuild everything -----------------------------------------------------------------------


def _run_public(session: Session, run: RebuildRun) -> RebuildRunPublic:
    starter = session.get(User, run.started_by) if run.started_by else None
    return from_row(
        RebuildRunPublic,
        run,
        percent=round(100 * run.done / run.total)
        if run.total
        else (100 if run.status == DONE else 0),
        started_by=starter.email if starter else None,
    )


def _active_runs(session: Session, exclude: int | None = None) -> list[RebuildRun]:
    stmt = select(RebuildRun).where(col(RebuildRun.status).in_(ACTIVE))
    if exclude is not None:
        stmt = stmt.where(col(RebuildRun.id) != exclude)
    return list(session.exec(stmt.order_by(col(RebuildRun.id))).all())


def start_rebuild(
    session: Session, principal: Principal | None, meta: RequestMeta = NO_META
) -> RebuildRunPublic:
    """Queue a rebuild of every embedding and recommendation list (once this transaction
    commits). Conflict while another one is queued or running."""
    principal = _admin(principal)
    locks.hold(session, locks.Lock.AI_REBUILD)
    cutoff = utcnow() - timedelta(milliseconds=REBUILD_TIME_LIMIT_MS)
    for run in _active_runs(session):
        if run.created_at > cutoff:
            raise Conflict(
                f"A rebuild is already {run.status} ({run.done} of {run.total} done); "
                "wait for it to finish."
            )
        run.status, run.error, run.finished_at = FAILED, ABANDONED, utcnow()
        session.add(run)
    run = RebuildRun(started_by=principal.user_id, status=QUEUED)
    session.add(run)
    session.flush()
    audit.record(session, "ai.rebuild_started", run, by=principal, meta=meta)
    jobs.rebuild_started(session, run.id or 0)
    return _run_public(session, run)


def latest_rebuild(session: Session, principal: Principal | None) -> RebuildRunPublic | None:
    """The most recent rebuild (None when there has never been one)."""
    _admin(principal)
    run = session.exec(select(RebuildRun).order_by(col(RebuildRun.id).desc())).first()
    return _run_public(session, run) if run else None


def get_rebuild(session: Session, principal: Principal | None, run_id: int) -> RebuildRunPublic:
    """One rebuild's status and progress."""
    _admin(principal)
    run = session.get(RebuildRun, run_id)
    if run is None:
        raise NotFound("That rebuild does not exist.")
    return _run_public(session, run)


def ai_learner_ids(session: Session) -> list[int]:
    """Active learners who currently grant AI profiling: students, and anyone who already has a
    learner vector (e.g. took the profiler before a role change)."""
    return [int(uid) for uid in session.execute(ai_learners()).scalars().all()]


def ai_learners() -> Select[Any]:
    """SQL: the ids of `ai_learner_ids`, by id (to use as a subquery)."""
    is_student = exists().where(
        col(RoleAssignment.user_id) == col(User.id), col(RoleAssignment.role) == Role.student
    )
    has_vector = exists().where(col(LearnerEmbedding.user_id) == col(User.id))
    return (
        sa_select(col(User.id))
        .where(
            granted_sql(AI_PROFILING, col(User.id)),
            col(User.is_active).is_(True),
            is_student | has_vector,
        )
        .order_by(col(User.id))
    )


def _replaced(session: Session, run_id: int) -> bool:
    """Whether another run is active, or one was started after this one (whatever its end):
    then retrying this failed run's job must not start it again (a second full rebuild, which
    the console, showing the latest run, would not even show)."""
    later = session.exec(select(RebuildRun.id).where(col(RebuildRun.id) > run_id)).first()
    return later is not None or bool(_active_runs(session, exclude=run_id))


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _still_mine(session: Session, run_id: int) -> bool:
    """False when someone else ended this run meanwhile (marked abandoned): then stop."""
    status = session.exec(select(RebuildRun.status).where(RebuildRun.id == run_id)).first()
    return status == RUNNING


def _advance(session: Session, run_id: int, by: int) -> None:
    run = session.get(RebuildRun, run_id, populate_existing=True)
    assert run is not None
    run.done = min(run.total, run.done + by)
    session.add(run)


def run_rebuild(
    session: Session,
    run_id: int,
    embedder: Embedder,
    checkpoint: Callable[[], None],
    batch: int = REBUILD_BATCH,
) -> RebuildRunPublic:
    """Do a rebuild (the worker's side; no principal: the admin was checked when it started).

    Every mission is re-embedded in batches (one encode call each), then every learner with AI
    consent is re-embedded, their recommendations recomputed and their work-style analysis
    queued; `checkpoint()` (the worker's
    commit) runs after each batch so the progress is visible and a crash loses one batch at most.
    Running it again (a redelivered message) resumes near where it stopped; a retried failed run
    starts over, cheaply: unchanged texts are not encoded again. A run already done, or a
    failed one another run has replaced (`_replaced`), is left alone.
    """
    # Whether this run (re)starts is decided under start_rebuild's lock (held until the first
    # checkpoint commits it running): a new run being started at this moment is seen, or sees
    # this one active and is refused.
    locks.hold(session, locks.Lock.AI_REBUILD)
    run = session.get(RebuildRun, run_id, with_for_update=True)
    if run is None:
        raise NotFound(f"Rebuild {run_id} does not exist.")
    if run.status == DONE or (run.status == FAILED and _replaced(session, run_id)):
        return _run_public(session, run)
    # In text-length order: each batch of 64 then holds texts of similar length, so the model
    # pads little (in id order it padded ~9 % more positions: bench/embedding_pipeline.py).
    length = (
        func.char_length(col(Mission.title))
        + func.char_length(col(Mission.summary))
        + func.char_length(col(Mission.brief))
    )
    mission_ids = [
        int(m)
        for m in session.execute(
            sa_select(col(Mission.id)).order_by(length, col(Mission.id))
        ).scalars()
    ]
    learner_ids = ai_learner_ids(session)
    # A redelivered message (the worker died mid-run) resumes where the last committed batch
    # ended, one batch early in case a few rows were added or removed meanwhile.
    skip = max(0, run.done - batch) if run.status == RUNNING else 0
    run.status, run.error, run.finished_at = RUNNING, "", None
    run.total = len(mission_ids) + len(learner_ids)
    run.done = skip = min(skip, run.total)
    session.add(run)
    checkpoint()
    if skip:
        log.info("rebuild %s resumes after %s of %s", run_id, skip, run.total)
    learner_ids = learner_ids[max(0, skip - len(mission_ids)) :]
    mission_ids = mission_ids[skip:]

    for ids in _batches(mission_ids, batch):
        if not _still_mine(session, run_id):
            return _fresh_public(session, run_id)
        embeddings.embed_missions(session, ids, embedder)
        _advance(session, run_id, len(ids))
        checkpoint()
    for ids in _batches(learner_ids, batch):
        if not _still_mine(session, run_id):
            return _fresh_public(session, run_id)
        for user_id in ids:
            try:
                embeddings.embed_learner(session, user_id, embedder)
                recommendations.compute(session, user_id)
            except NotFound:  # deleted since the run started: nothing to rebuild
                continue
            # The work-style analysis in its own job after the batch commits (under the
            # learner's AI lock there; a no-op when its sources are unchanged): an analysis
            # made before the staff one existed (migration 0032) is made again.
            jobs.analysis_requested(session, user_id)
        _advance(session, run_id, len(ids))
        checkpoint()

    run = session.get(RebuildRun, run_id, populate_existing=True)
    assert run is not None
    if run.status == RUNNING:
        run.status, run.done, run.finished_at = DONE, run.total, utcnow()
        session.add(run)
        checkpoint()
    return _run_public(session, run)


def _fresh_public(session: Session, run_id: int) -> RebuildRunPublic:
    run = session.get(RebuildRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(f"Rebuild {run_id} does not exist.")
    return _run_public(session, run)


def fail_rebuild(session: Session, run_id: int, error: str) -> None:
    """Mark a rebuild failed with a short error (the worker calls it when run_rebuild raised)."""
    run = session.get(RebuildRun, run_id, with_for_update=True)
    if run is None or run.status in (DONE, FAILED):
        return
    run.status, run.error, run.finished_at = FAILED, error[:500], utcnow()
    session.add(run)


# --- the page's one call ----------------------------------------------------------------------


def overview(session: Session, principal: Principal | None) -> JobsOverview:
    """Everything the /admin/jobs page shows. When Redis can't be read, `redis_error` says why
    and the database parts (failed jobs, rebuild) are still there."""
    _admin(principal)
    data = JobsOverview(
        failures=failures(session, principal), rebuild=latest_rebuild(session, principal)
    )
    try:
        data.queues = queue_depths(principal)
        data.workers = workers(principal)
        data.last_runs = last_runs(principal)
    except Exception as exc:
        log.warning("admin jobs: redis unavailable", exc_info=True)
        data.queues, data.workers, data.last_runs = [], WorkersPublic(), []
        data.redis_error = f"Redis can't be read right now ({type(exc).__name__})."
    return data
