"""The Coaching OS (services/coaching, /api/v1/coaching/*): what the services hand out
(`...Public`, `CoachingOverview`, `WeekSummary`) and what they take (`...Create`, `...Update`).

Inputs accept up to twice each limit: the service, not the parser, says what the real limit is
(with the text's actual length in the message)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from pydantic import BaseModel, Field

from cyberhub.models.base import MAX_ID
from cyberhub.schemas.datetimes import IsoDatetime, LocalTime
from cyberhub.schemas.paging import Paged

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]  # an id that can name a row

TITLE_MAX = 120  # a habit's title
GOAL_TITLE_MAX = 160
TEXT_MAX = 2000  # a goal's why, a reflection, a check-in's note (NOTE_MAX)
NOTE_MAX = 500
SKILL_MAX = 80
BACKFILL_DAYS = 2  # a check-in may be for today or up to this many days before
MAX_HABITS = 20  # active habits one learner may keep
MAX_GOALS = 30  # active goals one learner may keep
REFLECTION_PROMPTS = (
    "What was hard this week?",
    "What went well, and why?",
    "What did you learn that surprised you?",
    "What will you do differently next week?",
    "Who helped you, or whom could you ask?",
)


# -- habits ------------------------------------------------------------------------------------


class StreakPublic(BaseModel):
    current: int  # periods in a row up to now (today / this week still open)
    longest: int
    unit: str  # "day" or "week"


class CheckinPublic(BaseModel):
    id: int
    habit_id: int
    day: date  # the learner's local day it was for
    # The period it fills under the habit's cadence now: its week's Monday (weekly), else its day.
    period_start: date
    note: str
    created_at: IsoDatetime


class HabitPublic(BaseModel):
    id: int
    title: str
    cadence: str  # daily | weekly | n_per_week
    per_week: int
    cadence_label: str  # "Every day", "Once a week", "3 times a week"
    reminder_time: LocalTime | None
    track_key: str  # "" when not linked
    track_name: str = ""  # "Builders"; "" when not linked
    skill: str
    archived: bool
    created_at: IsoDatetime
    streak: StreakPublic
    done_today: bool  # today's (or this week's, for weekly) period is checked in
    week_count: int  # check-ins this ISO week
    open_days: list[date]  # days (today and the back-fill window) still open for a check-in
    # The last few check-ins with their notes, newest first: in the learner's own views only
    # (check-in notes are not marked shared, so staff — the mentee page — get an empty list).
    recent: list[CheckinPublic] = Field(default_factory=list)


class HabitCreate(BaseModel):
    title: str = Field(max_length=TITLE_MAX * 2)
    cadence: str = Field(default="daily", max_length=16, description="daily|weekly|n_per_week")
    per_week: int = Field(default=1, ge=0, le=100)
    reminder_time: time | None = None
    track_key: str = Field(default="", max_length=32)
    skill: str = Field(default="", max_length=SKILL_MAX * 2)


class HabitUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=TITLE_MAX * 2)
    cadence: str | None = Field(default=None, max_length=16)
    per_week: int | None = Field(default=None, ge=0, le=100)
    reminder_time: time | None = None
    clear_reminder: bool = False
    skill: str | None = Field(default=None, max_length=SKILL_MAX * 2)


class CheckinCreate(BaseModel):
    day: date | None = Field(default=None, description="today (default) or up to 2 days before")
    note: str = Field(default="", max_length=NOTE_MAX * 2)


# -- goals -------------------------------------------------------------------------------------


class GoalMissionPublic(BaseModel):
    mission_id: int
    title: str
    approved: bool


class GoalHabitPublic(BaseModel):
    habit_id: int
    title: str
    target_checkins: int
    checkins: int  # since the goal was set, at most the target counts


class GoalPublic(BaseModel):
    id: int
    title: str
    why: str
    target_date: date | None
    # Still active after its target date (a day before the learner's today, in their zone).
    overdue: bool = False
    status: str
    progress_source: str
    manual_percent: int
    percent: int  # 0..100, from the source
    progress_label: str  # "2 of 3 missions approved", "14 of 20 check-ins", "40 % (your estimate)"
    missions: list[GoalMissionPublic]
    habits: list[GoalHabitPublic]
    created_at: IsoDatetime
    updated_at: IsoDatetime
    achieved_at: IsoDatetime | None = None  # when it was marked achieved (None unless it is)


class GoalCreate(BaseModel):
    title: str = Field(max_length=GOAL_TITLE_MAX * 2)
    why: str = Field(default="", max_length=TEXT_MAX * 2)
    target_date: date | None = None
    progress_source: str = Field(default="manual", max_length=16)
    manual_percent: int = Field(default=0, ge=-1000, le=1000)
    mission_ids: list[RowId] = Field(default_factory=list, max_length=50)
    habit_ids: list[RowId] = Field(default_factory=list, max_length=20)
    habit_target: int = Field(default=10, ge=-1000, le=100_000)


class GoalUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=GOAL_TITLE_MAX * 2)
    why: str | None = Field(default=None, max_length=TEXT_MAX * 2)
    # Left out: kept; null: the goal has no target date any more.
    target_date: date | None = None
    status: str | None = Field(default=None, max_length=16)
    manual_percent: int | None = Field(default=None, ge=-1000, le=1000)


class GoalsPage(Paged[GoalPublic]):
    """A page of the learner's closed goals (achieved or dropped), newest first
    (GET /coaching/goals/closed)."""


# -- reflections -------------------------------------------------------------------------------


class ReflectionPublic(BaseModel):
    id: int
    user_id: int
    body: str
    prompt: str
    mood: int | None
    energy: int | None
    visibility: str  # private | mentor
    created_at: IsoDatetime


class ReflectionsPage(Paged[ReflectionPublic]):
    """A page of the learner's reflections, newest first (GET /coaching/reflections)."""


class ReflectionCreate(BaseModel):
    body: str = Field(max_length=TEXT_MAX * 2)
    prompt: str = Field(default="", max_length=400)
    mood: int | None = Field(default=None, ge=-100, le=100)
    energy: int | None = Field(default=None, ge=-100, le=100)
    visibility: str = Field(default="private", max_length=16)


class ReflectionUpdate(BaseModel):
    visibility: str = Field(max_length=16)


# -- summary and overview ----------------------------------------------------------------------


class Figure(BaseModel):
    """One figure of a week beside the week before."""

    this_week: int
    last_week: int
    change: int  # this_week - last_week


class CheckinNote(BaseModel):
    """A check-in's note in the week's summary (the learner's own)."""

    habit_id: int
    habit_title: str
    day: date
    note: str


class HabitWeek(BaseModel):
    habit_id: int
    title: str
    checkins: int
    last_week: int
    streak: StreakPublic


class GoalWeek(BaseModel):
    goal_id: int
    title: str
    status: str
    percent: int  # now
    # Progress when the week began, and what the week added (to its end, or to now for this
    # week): None for a goal set during the week, or measured by the learner's own estimate
    # (its history is not kept).
    percent_at_start: int | None = None
    change: int | None = None


class WeekSummary(BaseModel):
    week_start: date  # the ISO week's Monday, in the learner's zone
    week_end: date  # its Sunday
    checkins: Figure
    reflections: Figure
    average_mood: float | None  # of this week's reflections with a mood
    average_mood_last_week: float | None
    submissions: Figure  # missions submitted (or resubmitted)
    approvals: Figure  # missions approved
    goals_achieved: Figure
    habits: list[HabitWeek]
    goals: list[GoalWeek]
    notes: list[CheckinNote] = Field(
        default_factory=list
    )  # the week's check-in notes, newest first


class CoachingOverview(BaseModel):
    today: date  # in the learner's zone
    habits: list[HabitPublic]
    goals: list[GoalPublic]  # the active ones; closed: GET /coaching/goals/closed
    reflections: list[ReflectionPublic]  # the newest few
    summary: WeekSummary
    prompts: list[str]


class CoachingGlance(BaseModel):
    """What the learner's home shows of coaching (its "Coaching" block): the habits with their
    streaks and the active goals — not the week's summary or reflections /coaching reads."""

    habits: list[HabitPublic]
    goals: list[GoalPublic]  # active only, newest first


class MissionChoice(BaseModel):
    """A mission a learner may link a goal to (one their programmes run)."""

    id: int
    title: str


class TrackChoice(BaseModel):
    """A career track a habit may be linked to."""

    key: str
    name: str
