"""What /api/v1/health answers."""

from __future__ import annotations

from pydantic import BaseModel


class HealthReport(BaseModel):
    """Each part "ok" or a short reason it is not; `status` "ok" only when the database, Redis
    and a worker are. `workers` counts worker processes with a fresh heartbeat; `scheduler` is
    "ok" while one scheduler holds the lease, `schedulers` counts the running copies (one active,
    the others standing by). The scheduler does not change `status`: a web process stays in its
    load balancer while the periodic jobs wait for a scheduler. `search_model` is this web
    process's embedding model for search ("ready", "loading", "not loaded" or an error); it does
    not change `status` either: search answers by full text until the model is ready."""

    status: str = "ok"
    database: str = "ok"
    redis: str = "ok"
    worker: str = "ok"
    workers: int = 0
    scheduler: str = "ok"
    schedulers: int = 0
    search_model: str = "ready"
    version: str = ""
