"""Hybrid mission search (full text + meaning): GET /api/v1/search/missions?q=."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from cyberhub.api.deps import CurrentUser, SessionDep
from cyberhub.services.ai import search

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/missions")
def search_missions(
    session: SessionDep,
    principal: CurrentUser,
    q: str = Query(min_length=1, max_length=search.MAX_QUERY_LENGTH),
    limit: int = Query(default=search.DEFAULT_LIMIT, ge=1, le=search.MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Published missions best matching `q`, best first. `matched` names the rankings a mission
    came from: "text" (its words) and/or "vector" (its meaning); `score` is the fused RRF score."""
    return [
        {
            "id": h.mission.id,
            "title": h.mission.title,
            "summary": h.mission.summary,
            "track": h.track.key,
            "difficulty": h.mission.difficulty,
            "score": round(h.score, 6),
            "matched": h.matched,
        }
        for h in search.search_missions(session, principal, q, limit=limit)
    ]
