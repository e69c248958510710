"""Hybrid mission search (full text + meaning): GET /api/v1/search/missions?q=."""

from __future__ import annotations

from fastapi import APIRouter, Query

from cyberhub.api.deps import CurrentUser, SessionDep
from cyberhub.schemas.ai import MissionHitPublic
from cyberhub.services.ai import search

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/missions", response_model=list[MissionHitPublic])
def search_missions(
    session: SessionDep,
    principal: CurrentUser,
    q: str = Query(min_length=1, max_length=search.MAX_QUERY_LENGTH),
    limit: int = Query(default=search.DEFAULT_LIMIT, ge=1, le=search.MAX_LIMIT),
) -> list[MissionHitPublic]:
    """Published missions best matching `q`, best first. `matched` names the rankings a mission
    came from: "text" (its words) and/or "vector" (its meaning); `score` is the fused RRF score."""
    return search.search_missions(session, principal, q, limit=limit)
