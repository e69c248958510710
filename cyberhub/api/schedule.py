"""Cohort schedule (issue 15, item 3): a cohort's due dates (its directors set and clear them),
the learner's own due dates, and the secret calendar feed.

`GET /calendar/<token>.ics` is public (calendar apps can't sign in): the token is the secret,
an unknown or revoked one is 404, and requests are limited per address
(`CALENDAR_RATE_LIMIT_PER_MINUTE`, 429 with Retry-After beyond it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from cyberhub.api.deps import (
    CurrentUser,
    Id,
    MetaDep,
    SessionDep,
    SessionUser,
    public,
    request_meta,
)
from cyberhub.api.responses import file_or_text
from cyberhub.schemas.schedule import (
    CalendarFeedCreated,
    CalendarFeedStatus,
    CohortSchedule,
    DueDatePublic,
    DueDateRequest,
    LearnerSchedule,
    MissionDue,
    RosterOverdue,
)
from cyberhub.services import rate_limit
from cyberhub.services.learning import calendar_feed, schedule
from cyberhub.settings import get_settings

router = APIRouter(tags=["schedule"])

Token = Annotated[str, Path(max_length=64)]


def calendar_rate_limit(request: Request) -> None:
    """Per-address limit of the public calendar feed."""
    ip = request_meta(request).ip or "unknown"
    rate_limit.hit(f"calendar:{ip}", get_settings().calendar_rate_limit_per_minute, 60)


@router.get(
    "/calendar/{token}.ics",
    dependencies=[Depends(public), Depends(calendar_rate_limit)],
    response_class=Response,
    responses=file_or_text(
        "The user's due dates as an iCalendar file", "text/calendar", binary=False
    ),
)
def calendar_file(token: Token, session: SessionDep) -> Response:
    """The due dates of the feed owner's cohorts (anyone holding the secret address)."""
    body = calendar_feed.feed_ics(session, token)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get("/me/calendar-feed", response_model=CalendarFeedStatus)
def my_calendar_feed(principal: CurrentUser, session: SessionDep) -> CalendarFeedStatus:
    """Whether you have a live calendar feed (its address is shown only when made)."""
    return calendar_feed.feed_status(session, principal)


@router.post("/me/calendar-feed", response_model=CalendarFeedCreated)
def create_calendar_feed(
    principal: SessionUser, session: SessionDep, meta: MetaDep
) -> CalendarFeedCreated:
    """Make a new secret calendar address (shown this once); an older one stops working."""
    return calendar_feed.create_feed(session, principal, meta=meta)


@router.delete("/me/calendar-feed", response_model=CalendarFeedStatus)
def revoke_calendar_feed(
    principal: SessionUser, session: SessionDep, meta: MetaDep
) -> CalendarFeedStatus:
    """Stop your calendar feed: its address answers 404 from now on."""
    return calendar_feed.revoke_feed(session, principal, meta=meta)


@router.get("/me/schedule", response_model=LearnerSchedule)
def my_schedule(principal: CurrentUser, session: SessionDep) -> LearnerSchedule:
    """Your due dates of the next 7 days, and what is overdue (nothing handed in)."""
    return schedule.my_schedule(session, principal)


@router.get("/missions/{mission_id}/due", response_model=MissionDue | None)
def mission_due(mission_id: Id, principal: CurrentUser, session: SessionDep) -> MissionDue | None:
    """Your due date for a mission (null when none of your cohorts set one)."""
    return schedule.mission_due(session, principal, mission_id)


@router.get("/cohorts/{cohort_id}/schedule", response_model=CohortSchedule)
def cohort_schedule(cohort_id: Id, principal: CurrentUser, session: SessionDep) -> CohortSchedule:
    """The missions the cohort's programme runs with their due dates (its directors)."""
    return schedule.cohort_schedule(session, principal, cohort_id)


@router.get("/cohorts/{cohort_id}/overdue", response_model=list[RosterOverdue])
def cohort_overdue(
    cohort_id: Id, principal: CurrentUser, session: SessionDep
) -> list[RosterOverdue]:
    """Learners of the cohort with overdue missions, and how many (its directors)."""
    return schedule.roster_overdue(session, principal, cohort_id)


@router.put("/cohorts/{cohort_id}/schedule/{mission_id}", response_model=DueDatePublic)
def set_due_date(
    cohort_id: Id,
    mission_id: Id,
    body: DueDateRequest,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> DueDatePublic:
    """Set when a mission is due in the cohort (a time without offset: in your time zone)."""
    return schedule.set_due_date(session, principal, cohort_id, mission_id, body.due_at, meta=meta)


@router.delete("/cohorts/{cohort_id}/schedule/{mission_id}", response_model=DueDatePublic)
def clear_due_date(
    cohort_id: Id, mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> DueDatePublic:
    """Remove a mission's due date in the cohort."""
    return schedule.clear_due_date(session, principal, cohort_id, mission_id, meta=meta)
