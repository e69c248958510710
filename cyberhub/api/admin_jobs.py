"""/api/v1/admin/jobs: background jobs for admins — queue depth, workers, last run per actor,
jobs that failed for good (retry, dismiss) and "rebuild everything" with its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from cyberhub.api.deps import Id, MetaDep, SessionDep, require_roles
from cyberhub.services.ai import ai_jobs
from cyberhub.services.errors import NotFound
from cyberhub.services.identity.permissions import Principal

router = APIRouter(prefix="/admin/jobs", tags=["admin"])

AdminUser = Annotated[Principal, Depends(require_roles("admin"))]


@router.get("")
def overview(principal: AdminUser, session: SessionDep) -> dict[str, Any]:
    """Everything the admin console shows: queues, workers, last runs, failed jobs, the latest
    rebuild. `redis_error` is set (and the Redis parts empty) when Redis can't be read."""
    return ai_jobs.overview(session, principal)


@router.get("/queues")
def queues(principal: AdminUser) -> dict[str, Any]:
    """Per queue: waiting, running (fetched, not acknowledged), delayed (retry backoff) and
    dead-lettered messages; and how many workers have a fresh heartbeat."""
    return {"queues": ai_jobs.queue_depths(principal), "workers": ai_jobs.workers(principal)}


@router.get("/last-runs")
def last_runs(principal: AdminUser) -> list[dict[str, Any]]:
    """Each actor's last run: when (unix time), outcome and error."""
    return ai_jobs.last_runs(principal)


@router.get("/failures")
def failures(
    principal: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = ai_jobs.FAILURES_LIMIT,
) -> dict[str, Any]:
    """Jobs that failed for good, newest first, with their error (type and message)."""
    return ai_jobs.failures(session, principal, limit)


@router.post("/failures/{failure_id}/retry", status_code=202)
def retry(
    failure_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Send the same job again (same actor, same arguments). 409 if it was already retried."""
    return ai_jobs.retry_failure(session, principal, failure_id, meta)


@router.delete("/failures/{failure_id}")
def dismiss(
    failure_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Remove a failed job from the list without running it again."""
    ai_jobs.dismiss_failure(session, principal, failure_id, meta)
    return {"id": failure_id, "status": "dismissed"}


@router.post("/rebuild", status_code=202, response_model=None)
def start_rebuild(principal: AdminUser, session: SessionDep, meta: MetaDep) -> JSONResponse:
    """Re-embed every mission and learner and recompute every list, in the worker. 409 while
    another rebuild is queued or running. Follow it with GET /admin/jobs/rebuild/{id}."""
    run = ai_jobs.start_rebuild(session, principal, meta)
    return JSONResponse(run, status_code=202)


@router.get("/rebuild")
def latest_rebuild(principal: AdminUser, session: SessionDep) -> dict[str, Any]:
    """The latest rebuild: status (queued, running, done, failed), done of total, error."""
    run = ai_jobs.latest_rebuild(session, principal)
    if run is None:
        raise NotFound("No rebuild has been started yet.")
    return run


@router.get("/rebuild/{run_id}")
def get_rebuild(run_id: Id, principal: AdminUser, session: SessionDep) -> dict[str, Any]:
    """One rebuild's status and progress."""
    return ai_jobs.get_rebuild(session, principal, run_id)
