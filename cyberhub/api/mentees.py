"""A learner as their mentor or programme director sees them (issue 16, item 9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from cyberhub.api.deps import Id, SessionDep, require_roles
from cyberhub.schemas.mentees import MenteeOverview
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import mentees

router = APIRouter(tags=["mentees"])

# Staff only; which learners each may read is the service's rule (its relationship to them).
StaffUser = Annotated[Principal, Depends(require_roles("mentor", "director", "admin"))]


@router.get("/mentees/{user_id}", response_model=MenteeOverview)
def mentee(user_id: Id, session: SessionDep, principal: StaffUser) -> MenteeOverview:
    """Profiler result, track progress, cohorts, attempts and reviews, and recommendations of a
    learner you mentor or whose programme you direct (404 for anyone else)."""
    return mentees.mentee(session, principal, user_id)
