"""The Coaching OS (issue 16): habits and their check-ins, goals, reflections.

Every date here is a calendar day in the learner's own time zone (users.time_zone): a check-in
belongs to the day (or ISO week) the learner lived it in, whatever the UTC clock said.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class Cadence(StrEnum):
    daily = "daily"
    weekly = "weekly"
    n_per_week = "n_per_week"  # at least `per_week` days of the ISO week


class GoalStatus(StrEnum):
    active = "active"
    achieved = "achieved"
    dropped = "dropped"


class ProgressSource(StrEnum):
    missions = "missions"  # approved linked missions / linked missions
    habits = "habits"  # check-ins of linked habits against their targets
    manual = "manual"  # the learner's own percentage


class Visibility(StrEnum):
    private = "private"
    mentor = "mentor"  # shared with the learner's mentor (and their programme's director)


class Habit(SQLModel, table=True):
    __tablename__ = "habits"
    __table_args__ = (
        CheckConstraint("per_week BETWEEN 1 AND 7", name="ck_habit_per_week"),
        Index("ix_habits_user", "user_id", "archived_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=120)
    cadence: Cadence = Field(sa_column=enum_column(Cadence, 16))
    per_week: int = 1  # for n_per_week: check-ins a week needs to count
    # Local time of day for a reminder (bell + e-mail), in the learner's zone; None: no reminder.
    reminder_time: time | None = None
    # The learner's local day the last reminder went out (one reminder per habit per day).
    reminded_on: date | None = None
    track_id: int | None = Field(default=None, foreign_key="tracks.id", ondelete="SET NULL")
    skill: str = Field(default="", max_length=80)
    archived_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class HabitCheckin(SQLModel, table=True):
    """One check-in. `period_start` is the unit it fills — the day (daily, n per week) or the
    ISO week's Monday (weekly), as `period_unit` says ("day" or "week", the habit's cadence when
    it was made) — and is unique per habit and unit; `day` is the local day it was for. The
    unit is kept because a habit's cadence can change: a weekly check-in made on a Tuesday
    ("week" of Monday) must not stand for Monday once the habit is daily."""

    __tablename__ = "habit_checkins"
    __table_args__ = (
        UniqueConstraint("habit_id", "period_unit", "period_start", name="uq_habit_checkin_period"),
        Index("ix_habit_checkins_user_day", "user_id", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    habit_id: int = Field(foreign_key="habits.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    period_unit: str = Field(
        default="day", sa_column=Column(String(8), nullable=False, server_default="day")
    )
    period_start: date
    day: date
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Goal(SQLModel, table=True):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("manual_percent BETWEEN 0 AND 100", name="ck_goal_manual_percent"),
        Index("ix_goals_user", "user_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=160)
    why: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    target_date: date | None = None
    status: GoalStatus = Field(default=GoalStatus.active, sa_column=enum_column(GoalStatus, 16))
    progress_source: ProgressSource = Field(
        default=ProgressSource.manual, sa_column=enum_column(ProgressSource, 16)
    )
    manual_percent: int = 0
    # The /insights goal note this goal was made from (migration 0022), if any.
    note_id: int | None = Field(default=None, foreign_key="learner_notes.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # When it was marked achieved (None unless achieved): the week's summary counts it then,
    # not when it was last edited (migration 0028).
    achieved_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class GoalMission(SQLModel, table=True):
    __tablename__ = "goal_missions"
    goal_id: int = Field(foreign_key="goals.id", primary_key=True, ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")


class GoalHabit(SQLModel, table=True):
    __tablename__ = "goal_habits"
    __table_args__ = (CheckConstraint("target_checkins >= 1", name="ck_goal_habit_target"),)
    goal_id: int = Field(foreign_key="goals.id", primary_key=True, ondelete="CASCADE")
    habit_id: int = Field(foreign_key="habits.id", primary_key=True, ondelete="CASCADE")
    target_checkins: int = 10  # check-ins (since the goal was set) that make 100 %


class Reflection(SQLModel, table=True):
    __tablename__ = "reflections"
    __table_args__ = (
        CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name="ck_reflection_mood"),
        CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5", name="ck_reflection_energy"),
        Index("ix_reflections_user_created", "user_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    body: str = Field(sa_column=Column(Text, nullable=False))
    prompt: str = Field(default="", max_length=200)
    mood: int | None = None
    energy: int | None = None
    visibility: Visibility = Field(
        default=Visibility.private, sa_column=enum_column(Visibility, 16)
    )
    note_id: int | None = Field(default=None, foreign_key="learner_notes.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class CoachPlan(SQLModel, table=True):
    """The AI coach's plan for a learner's week (issue 16 item 6), one row per learner, written
    by the worker (services/coaching/coach.py) and only read by the app.

    The plan is one JSON document (schemas/coach.StoredPlan validates it both ways; its evidence
    says what it is about, each reader's links are made when it is read): it is written whole,
    read whole and never queried by its parts, so child rows would only add joins and a
    multi-table replace. `input_fingerprint` hashes what it was built from: a
    recomputation over unchanged inputs is a no-op."""

    __tablename__ = "coach_plans"
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    week_start: date  # the Monday (learner's zone) of the week the plan is for
    input_fingerprint: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
