from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cyberhub.api.deps import metrics_reader, public
from cyberhub.api.responses import file_or_text
from cyberhub.schemas.health import HealthReport
from cyberhub.services.admin import health, metrics

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    dependencies=[Depends(public)],
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "A part is down (it says which)."}},
)
async def get_health() -> JSONResponse:
    """200 when the database, Redis and a worker are all ok; 503 naming the failing part."""
    ok, report = await run_in_threadpool(health.check)
    return JSONResponse(report.model_dump(), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    dependencies=[Depends(metrics_reader)],
    response_class=Response,
    responses=file_or_text(
        "Prometheus text exposition format 0.0.4.", "text/plain; version=0.0.4", binary=False
    ),
)
async def get_metrics() -> Response:
    """Prometheus text: request counts, queue depth, job outcomes and failures. Read on this
    machine, with `Authorization: Bearer <METRICS_TOKEN>`, or by an admin."""
    body = await run_in_threadpool(metrics.render)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
