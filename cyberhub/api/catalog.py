from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from cyberhub.api.deps import CurrentUser, Id, SessionDep, public
from cyberhub.models import Mission, Track
from cyberhub.services.learning import catalog

router = APIRouter(tags=["curriculum"])


def track_json(t: Track) -> dict[str, Any]:
    return {
        "key": t.key,
        "name": t.name,
        "tagline": t.tagline,
        "description": t.description,
        "focus": t.focus,
        "careers": t.careers,
    }


def mission_json(m: Mission, t: Track, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": m.id,
        "slug": m.slug,
        "title": m.title,
        "summary": m.summary,
        "track": t.key,
        "difficulty": m.difficulty,
        "skills": m.skills,
        "estimated_minutes": m.estimated_minutes,
    }
    if full:
        data.update(brief=m.brief, rubric=m.rubric, hint_count=len(m.hints))
    return data


@router.get("/tracks", dependencies=[Depends(public)])
def list_tracks(session: SessionDep) -> list[dict[str, Any]]:
    return [track_json(t) for t in catalog.list_tracks(session)]


@router.get("/missions")
def list_missions(
    session: SessionDep,
    principal: CurrentUser,
    track: str = Query(default="", max_length=32),
    difficulty: int | None = Query(default=None, ge=1, le=5),
    skill: str = Query(default="", max_length=80),
    q: str = Query(default="", max_length=200),
    status: str = Query(
        default="", max_length=20, description="your progress: " + ", ".join(catalog.STATUS_FILTERS)
    ),
    sort: Literal["", "recommended"] = Query(
        default="",
        description="'recommended': your stored recommendations first, in their order",
    ),
    page: int = Query(default=1, ge=1),
    page_size: int = Query(default=catalog.PAGE_SIZE, ge=1, le=100),
) -> dict[str, Any]:
    result = catalog.list_missions(
        session,
        principal,
        catalog.MissionFilter(
            track=track,
            difficulty=difficulty,
            skill=skill,
            q=q,
            status=status,
            sort=sort,
            page=page,
            page_size=page_size,
        ),
    )
    return {
        "items": [
            {**mission_json(m, t), "recommended_rank": result.recommended.get(m.id or 0)}
            for m, t in result.items
        ],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


@router.get("/missions/{mission_id}")
def get_mission(mission_id: Id, session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    detail = catalog.get_mission(session, principal, mission_id)
    data = mission_json(detail.mission, detail.track, full=True)
    data["prerequisites"] = [{"id": p.id, "title": p.title} for p in detail.prerequisites]
    return data
