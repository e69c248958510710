"""Background jobs as the admin console and /api/v1/admin/jobs show them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from cyberhub.schemas.datetimes import IsoDatetime


class QueueDepth(BaseModel):
    """One Dramatiq queue's messages: waiting, being worked on, delayed, dead-lettered."""

    queue: str
    waiting: int
    running: int
    delayed: int
    dead: int


class WorkersPublic(BaseModel):
    """Worker processes with a fresh heartbeat, and the freshest beat (unix time)."""

    alive: int = 0
    last_heartbeat: float | None = None
    seconds_ago: float | None = None


class LastRun(BaseModel):
    """An actor's last run: when (unix time), outcome ("never" if it has not run) and error."""

    actor: str
    at: float | None = None
    outcome: str = "never"
    error: str | None = None


class QueuesPublic(BaseModel):
    queues: list[QueueDepth]
    workers: WorkersPublic


class JobFailurePublic(BaseModel):
    """A job that failed for good (retry or dismiss it)."""

    id: int
    message_id: str
    actor: str
    queue: str
    # The actor's own arguments, as it was sent (any JSON values).
    args: list[Any]
    error: str
    summary: str
    failed_at: IsoDatetime | None = None
    retried_at: IsoDatetime | None = None
    retried_by: str | None = None


class FailuresPage(BaseModel):
    total: int
    items: list[JobFailurePublic]


class FailureDismissed(BaseModel):
    id: int
    status: str = "dismissed"


class RebuildRunPublic(BaseModel):
    """A "rebuild everything" run and its progress."""

    id: int
    status: str
    done: int
    total: int
    percent: int
    error: str
    started_by: str | None = None
    created_at: IsoDatetime | None = None
    finished_at: IsoDatetime | None = None


class JobsOverview(BaseModel):
    """Everything /admin/jobs shows; `redis_error` set (and the Redis parts empty) when Redis
    can't be read."""

    queues: list[QueueDepth] = []
    workers: WorkersPublic = WorkersPublic()
    last_runs: list[LastRun] = []
    redis_error: str = ""
    failures: FailuresPage
    rebuild: RebuildRunPublic | None = None
