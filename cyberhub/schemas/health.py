"""What /api/v1/health answers."""

from __future__ import annotations

from pydantic import BaseModel


class HealthReport(BaseModel):
    """Each part "ok" or a short reason it is not; `status` "ok" only when all are."""

    status: str = "ok"
    database: str = "ok"
    redis: str = "ok"
    worker: str = "ok"
    version: str = ""
