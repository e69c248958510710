"""Director analytics (issue 15, item 1): a programme's figures, a cohort's at-risk learners and
nudging one of them. Every route takes the signed-in user; the service allows the directors of
the programme's organisation and admins (403 for everyone else; 404 for what doesn't exist,
another organisation's programme or cohort included)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cyberhub.api.deps import CurrentUser, Id, MetaDep, SessionDep
from cyberhub.models.base import MAX_ID
from cyberhub.schemas.analytics import (
    AnalyticsFilters,
    AtRiskLearner,
    NudgeIn,
    NudgeResult,
    ProgramAnalytics,
)
from cyberhub.services.learning import analytics

router = APIRouter(tags=["director"])


@router.get("/director/programs/{program_id}/analytics", response_model=ProgramAnalytics)
def program_analytics(
    program_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    cohort: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    track: Annotated[str | None, Query(max_length=32)] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> ProgramAnalytics:
    """Every block (funnel, weekly activity, approvals, track mix, review backlog and
    turnaround, mentor load, at-risk learners), filtered by cohort, learner track and dates."""
    filters = AnalyticsFilters(
        cohort_id=cohort, track=track or None, date_from=date_from, date_to=date_to
    )
    return analytics.program_analytics(session, principal, program_id, filters)


@router.get("/director/cohorts/{cohort_id}/at-risk", response_model=list[AtRiskLearner])
def cohort_at_risk(
    cohort_id: Id, principal: CurrentUser, session: SessionDep
) -> list[AtRiskLearner]:
    """The cohort's active learners at risk, each with their reasons."""
    return analytics.cohort_at_risk(session, principal, cohort_id)


@router.post("/director/learners/{student_id}/nudge", response_model=NudgeResult)
def nudge(
    student_id: Id, body: NudgeIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> NudgeResult:
    """Notify (and e-mail) a learner of the cohort, at most once a day: `sent` says whether
    this request sent it."""
    return analytics.nudge(
        session, principal, student_id, cohort_id=body.cohort_id, message=body.message, meta=meta
    )
