"""/api/v1/recommendations: the stored list (the worker computes it), refresh, "not interested"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from cyberhub.api.deps import CurrentUser, Id, SessionDep
from cyberhub.services.ai import recommendations
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity import consents

router = APIRouter(prefix="/recommendations", tags=["ai"])


def _stored_or_403(session: SessionDep, principal: CurrentUser, user: int | None) -> dict[str, Any]:
    data = recommendations.stored_or_queue(session, principal, user)
    if not data["enabled"]:
        raise Forbidden(consents.AI_CONSENT_MISSING)
    return data


@router.get("")
def get_recommendations(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, description="staff: another learner's list"),
) -> list[dict[str, Any]]:
    """The caller's recommendations (or, for their mentor, a director of their organization or
    an admin, a learner's), best first, each with the reason it was chosen. Read from storage:
    an empty list means the worker has not computed it yet (a computation is then queued, at
    most once a minute per learner)."""
    data = _stored_or_403(session, principal, user)
    return [
        {k: item[k] for k in ("mission_id", "title", "score", "reason", "difficulty", "track")}
        for item in data["items"]
    ]


@router.get("/unlocks")
def get_unlocks(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, description="staff: another learner's list"),
) -> list[dict[str, Any]]:
    """Missions that match one of the learner's goals but are still locked, each with what
    unlocks it ("Unlocks after “…”; matches your goal “…”"). Same access as the list; kept
    apart from it: the list never holds a mission its learner cannot start."""
    data = _stored_or_403(session, principal, user)
    return [
        {k: item[k] for k in ("mission_id", "title", "reason", "difficulty", "track")}
        for item in data["unlocks"]
    ]


@router.post("/refresh", status_code=202, response_model=None)
def refresh(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1),
) -> JSONResponse:
    """Queue a recomputation; the list is fresh within seconds."""
    target = recommendations.request_refresh(session, principal, user)
    return JSONResponse({"status": "queued", "user": target}, status_code=202)


@router.post("/{mission_id}/not-interested")
def not_interested(mission_id: Id, session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    """Drop a mission from the caller's list; similar missions rank lower from now on."""
    recommendations.not_interested(session, principal, mission_id)
    return {"mission_id": mission_id, "status": "dismissed"}
