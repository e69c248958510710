"""/api/v1/recommendations: the stored list (the worker computes it), refresh, "not interested"
(and its undo)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cyberhub.api.deps import CurrentUser, Id, SessionDep
from cyberhub.models.base import MAX_ID
from cyberhub.schemas.ai import (
    DismissalUndone,
    Dismissed,
    RecommendationBrief,
    RecommendationList,
    RefreshQueued,
    UnlockBrief,
)
from cyberhub.services.ai import recommendations
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity import consents

router = APIRouter(prefix="/recommendations", tags=["ai"])

# `?user=`: whose list, for their mentor, a director of their organization or an admin.
LearnerParam = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="staff: another learner's list")
]


def _stored_or_403(
    session: SessionDep, principal: CurrentUser, user: int | None
) -> RecommendationList:
    data = recommendations.stored_or_queue(session, principal, user)
    if not data.enabled:
        me = principal.user_id
        raise Forbidden(consents.ai_consent_missing(user or me, me))
    return data


# The response models keep only their own fields of each stored item (FastAPI filters).
@router.get("", response_model=list[RecommendationBrief])
def get_recommendations(
    session: SessionDep,
    principal: CurrentUser,
    user: LearnerParam = None,
) -> list[RecommendationBrief]:
    """The caller's recommendations (or, for their mentor, a director of their organization or
    an admin, a learner's), best first, each with the reason it was chosen. Read from storage:
    an empty list means the worker has not computed it yet (a computation is then queued, at
    most once a minute per learner)."""
    items = _stored_or_403(session, principal, user).items
    return [RecommendationBrief.model_validate(i.model_dump()) for i in items]


@router.get("/unlocks", response_model=list[UnlockBrief])
def get_unlocks(
    session: SessionDep,
    principal: CurrentUser,
    user: LearnerParam = None,
) -> list[UnlockBrief]:
    """Missions that match one of the learner's goals but are still locked, each with what
    unlocks it ("Unlocks after “…”; matches your goal “…”"). Same access as the list; kept
    apart from it: the list never holds a mission its learner cannot start."""
    unlocks = _stored_or_403(session, principal, user).unlocks
    return [UnlockBrief.model_validate(i.model_dump()) for i in unlocks]


@router.post("/refresh", status_code=202, response_model=RefreshQueued)
def refresh(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> RefreshQueued:
    """Queue a recomputation; the list is fresh within seconds."""
    return RefreshQueued(user=recommendations.request_refresh(session, principal, user))


@router.post("/{mission_id}/not-interested", response_model=Dismissed)
def not_interested(mission_id: Id, session: SessionDep, principal: CurrentUser) -> Dismissed:
    """Drop a mission from the caller's list; similar missions rank lower from now on."""
    recommendations.not_interested(session, principal, mission_id)
    return Dismissed(mission_id=mission_id)


@router.delete("/{mission_id}/not-interested", response_model=DismissalUndone)
def undo_not_interested(
    mission_id: Id, session: SessionDep, principal: CurrentUser
) -> DismissalUndone:
    """Undo "not interested": the mission can be recommended again (idempotent)."""
    recommendations.undo_not_interested(session, principal, mission_id)
    return DismissalUndone(mission_id=mission_id)
