"""/api/v1/admin/jobs: background jobs for admins — queue depth, workers, last run per actor,
jobs that failed for good (retry, dismiss) and "rebuild everything" with its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cyberhub.api.deps import AdminUser, Id, MetaDep, SessionDep
from cyberhub.schemas.jobs import (
    FailureDismissed,
    FailuresPage,
    JobFailurePublic,
    JobsOverview,
    LastRun,
    QueuesPublic,
    RebuildRunPublic,
)
from cyberhub.services.ai import ai_jobs
from cyberhub.services.errors import NotFound

router = APIRouter(prefix="/admin/jobs", tags=["admin"])


@router.get("", response_model=JobsOverview)
def overview(principal: AdminUser, session: SessionDep) -> JobsOverview:
    """Everything the admin console shows: queues, workers, last runs, failed jobs, the latest
    rebuild. `redis_error` is set (and the Redis parts empty) when Redis can't be read."""
    return ai_jobs.overview(session, principal)


@router.get("/queues", response_model=QueuesPublic)
def queues(principal: AdminUser) -> QueuesPublic:
    """Per queue: waiting, running (fetched, not acknowledged), delayed (retry backoff) and
    dead-lettered messages; and how many workers have a fresh heartbeat."""
    return QueuesPublic(queues=ai_jobs.queue_depths(principal), workers=ai_jobs.workers(principal))


@router.get("/last-runs", response_model=list[LastRun])
def last_runs(principal: AdminUser) -> list[LastRun]:
    """Each actor's last run: when (unix time), outcome and error."""
    return ai_jobs.last_runs(principal)


@router.get("/failures", response_model=FailuresPage)
def failures(
    principal: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = ai_jobs.FAILURES_LIMIT,
) -> FailuresPage:
    """Jobs that failed for good, newest first, with their error (type and message)."""
    return ai_jobs.failures(session, principal, limit)


@router.post("/failures/{failure_id}/retry", status_code=202, response_model=JobFailurePublic)
def retry(
    failure_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> JobFailurePublic:
    """Send the same job again (same actor, same arguments). 409 if it was already retried."""
    return ai_jobs.retry_failure(session, principal, failure_id, meta)


@router.delete("/failures/{failure_id}", response_model=FailureDismissed)
def dismiss(
    failure_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> FailureDismissed:
    """Remove a failed job from the list without running it again."""
    ai_jobs.dismiss_failure(session, principal, failure_id, meta)
    return FailureDismissed(id=failure_id)


@router.post("/rebuild", status_code=202, response_model=RebuildRunPublic)
def start_rebuild(principal: AdminUser, session: SessionDep, meta: MetaDep) -> RebuildRunPublic:
    """Re-embed every mission and learner and recompute every list, in the worker. 409 while
    another rebuild is queued or running. Follow it with GET /admin/jobs/rebuild/{id}."""
    return ai_jobs.start_rebuild(session, principal, meta)


@router.get("/rebuild", response_model=RebuildRunPublic)
def latest_rebuild(principal: AdminUser, session: SessionDep) -> RebuildRunPublic:
    """The latest rebuild: status (queued, running, done, failed), done of total, error."""
    run = ai_jobs.latest_rebuild(session, principal)
    if run is None:
        raise NotFound("No rebuild has been started yet.")
    return run


@router.get("/rebuild/{run_id}", response_model=RebuildRunPublic)
def get_rebuild(run_id: Id, principal: AdminUser, session: SessionDep) -> RebuildRunPublic:
    """One rebuild's status and progress."""
    return ai_jobs.get_rebuild(session, principal, run_id)
