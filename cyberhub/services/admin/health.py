"""Is every part of CyberHub working? Read by /api/v1/health and the metrics."""

from __future__ import annotations

import logging
import time

from cyberhub import db
from cyberhub.redis_client import (
    HEARTBEAT_KEY,
    SCHEDULER_HEARTBEAT_KEY,
    SCHEDULER_LEADER_KEY,
    get_redis,
)
from cyberhub.schemas.health import HealthReport
from cyberhub.services.ai import query_embedder
from cyberhub.settings import VERSION

log = logging.getLogger(__name__)

# The worker beats every 5 s; three missed beats and it is reported down.
HEARTBEAT_STALE_SECONDS = 15


def last_worker_heartbeat() -> float | None:
    """Unix time of the freshest worker heartbeat, or None if no worker ever beat."""
    beats = get_redis().zrevrange(HEARTBEAT_KEY, 0, 0, withscores=True)
    return float(beats[0][1]) if beats else None


def _scheduler_state(report: HealthReport, now: float) -> None:
    """Fill the scheduler fields: the lease (one active scheduler) and the fresh beats."""
    r = get_redis()
    report.schedulers = int(
        r.zcount(SCHEDULER_HEARTBEAT_KEY, now - HEARTBEAT_STALE_SECONDS, "+inf")
    )
    if r.get(SCHEDULER_LEADER_KEY) is None:
        report.scheduler = (
            "error: no scheduler running"
            if report.schedulers == 0
            else "error: no active scheduler yet"
        )


def check() -> tuple[bool, HealthReport]:
    """(all ok, report). Each part is "ok" or a short reason it is not."""
    report = HealthReport(version=VERSION, search_model=query_embedder.status())
    try:
        db.ping()
    except Exception as exc:
        log.warning("health: database down", exc_info=True)
        report.database = f"error: {type(exc).__name__}"
    try:
        r = get_redis()
        r.ping()
        now = time.time()
        report.workers = int(r.zcount(HEARTBEAT_KEY, now - HEARTBEAT_STALE_SECONDS, "+inf"))
        _scheduler_state(report, now)
        beat = last_worker_heartbeat()
        if beat is None:
            report.worker = "error: no worker heartbeat yet"
        elif time.time() - beat > HEARTBEAT_STALE_SECONDS:
            report.worker = f"error: last heartbeat {int(time.time() - beat)} s ago"
    except Exception as exc:
        log.warning("health: redis down", exc_info=True)
        report.redis = f"error: {type(exc).__name__}"
        report.worker = "unknown: redis unavailable"
        report.scheduler = "unknown: redis unavailable"
    ok = report.database == report.redis == report.worker == "ok"
    report.status = "ok" if ok else "error"
    return ok, report
