from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cyberhub.api.deps import CurrentUser, Id, Page, PageSize, SessionDep, public
from cyberhub.models import Mission, Track
from cyberhub.schemas.learning import (
    MissionDetailPublic,
    MissionList,
    MissionListItem,
    MissionPublic,
    MissionRef,
    TrackPublic,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.learning import catalog

router = APIRouter(tags=["curriculum"])


def track_json(t: Track) -> dict[str, Any]:
    """A track's JSON (api/director.py answers with it too)."""
    return TrackPublic.model_validate(t).model_dump()


def mission_fields(m: Mission, t: Track) -> MissionPublic:
    """The catalog's fields of a mission (`track` is its track's key)."""
    return MissionPublic.model_validate({**m.model_dump(), "track": t.key})


@router.get("/tracks", dependencies=[Depends(public)], response_model=list[TrackPublic])
def list_tracks(session: SessionDep) -> list[TrackPublic]:
    return [TrackPublic.model_validate(t) for t in catalog.list_tracks(session)]


class MissionQuery(BaseModel):
    """GET /missions' query parameters: a catalog.MissionFilter, field for field."""

    track: str = Field(default="", max_length=32)
    difficulty: int | None = Field(default=None, ge=1, le=5)
    skill: str = Field(default="", max_length=80)
    q: str = Field(default="", max_length=200)
    status: str = Field(
        default="", max_length=20, description="your progress: " + ", ".join(catalog.STATUS_FILTERS)
    )
    sort: Literal["", "recommended"] = Field(
        default="",
        description="'recommended': your stored recommendations first, in their order",
    )
    page: Page = 1
    page_size: PageSize = catalog.PAGE_SIZE


@router.get("/missions", response_model=MissionList)
def list_missions(
    session: SessionDep, principal: CurrentUser, query: Annotated[MissionQuery, Query()]
) -> MissionList:
    result = catalog.list_missions(session, principal, catalog.MissionFilter(**query.model_dump()))
    return from_row(
        MissionList,
        result,
        items=[
            MissionListItem(
                **mission_fields(m, t).model_dump(),
                recommended_rank=result.recommended.get(m.id or 0),
                my_status=result.statuses.get(m.id or 0),
            )
            for m, t in result.items
        ],
    )


@router.get("/missions/{mission_id}", response_model=MissionDetailPublic)
def get_mission(mission_id: Id, session: SessionDep, principal: CurrentUser) -> MissionDetailPublic:
    detail = catalog.get_mission(session, principal, mission_id)
    m = detail.mission
    return MissionDetailPublic(
        **mission_fields(m, detail.track).model_dump(),
        brief=m.brief,
        rubric=m.rubric,
        hint_count=len(m.hints),
        prerequisites=[MissionRef(id=p.id or 0, title=p.title) for p in detail.prerequisites],
    )
