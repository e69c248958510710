"""Cohort schedule (issue 15, item 3), typed: what services return, the API declares as
`response_model` and pages hold. Every moment is UTC; pages format it in the reader's zone."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from cyberhub.schemas.datetimes import IsoDatetime

# overdue: the due date passed and nothing handed in; due: not handed in yet, not overdue;
# handed_in: a submission waits for or is in review; approved: done.
DueStatus = Literal["overdue", "due", "handed_in", "approved"]


class ScheduledMission(BaseModel):
    """One mission the cohort's programme runs, with its due date in that cohort (if any)."""

    mission_id: int
    title: str
    track: str  # the track's name
    due_at: IsoDatetime | None = None


class CohortSchedule(BaseModel):
    cohort_id: int
    cohort: str
    missions: list[ScheduledMission]


class DueDatePublic(BaseModel):
    """A due date as set (or cleared: `due_at` None)."""

    cohort_id: int
    mission_id: int
    title: str
    due_at: IsoDatetime | None = None


class DueDateRequest(BaseModel):
    """An ISO date and time. With an offset ("…+03:00" or "…Z") it is that moment; without one
    it is read in the signed-in user's time zone (their profile setting). Text, read by the
    service as the schedule page's field is (services/learning/schedule.parse_due): a date
    without a time, or a number, is refused there with the page's reason (parsed here as a
    datetime, "2026-12-12" was saved as that day's midnight and 1700000000 as a 2023 moment)."""

    due_at: str = Field(max_length=64, examples=["2026-12-12T17:00"])


class DueItem(BaseModel):
    """A due date as one learner sees it."""

    cohort_id: int
    cohort: str
    mission_id: int
    title: str
    due_at: IsoDatetime
    status: DueStatus
    url: str  # the mission page


class LearnerSchedule(BaseModel):
    """What the learner has due in the next 7 days, and what is overdue (not handed in)."""

    due_this_week: list[DueItem]
    overdue: list[DueItem]


class MissionDue(BaseModel):
    """The learner's nearest due date for one mission (the mission page's badge)."""

    mission_id: int
    cohort: str
    due_at: IsoDatetime
    status: DueStatus
    days_overdue: int = 0  # whole days past the due date, when overdue


class RosterOverdue(BaseModel):
    student_id: int
    overdue: int  # missions past their due date with nothing handed in


class ReminderSweep(BaseModel):
    sent: int  # reminders sent by this run (each one a notification and an e-mail)


class CalendarFeedStatus(BaseModel):
    """Whether the user has a live calendar feed. Its address is shown only when created: only
    a hash of the secret is stored. Without a live feed, `revoked_at` is when the last one was
    turned off (by the user, a password reset or "sign out everywhere"), None if they never had
    one."""

    active: bool
    created_at: IsoDatetime | None = None
    revoked_at: IsoDatetime | None = None


class CalendarFeedCreated(BaseModel):
    url: str  # the secret address (absolute), shown this once
    created_at: IsoDatetime
