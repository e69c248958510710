"""Cohort schedule (issue 15, item 3): due dates per mission and cohort, the reminders sent for
them, and each user's secret calendar-feed tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from cyberhub.models.base import ts_column, utcnow


class CohortDueDate(SQLModel, table=True):
    """When a mission of the cohort's programme is due (a moment, stored in UTC)."""

    __tablename__ = "cohort_due_dates"
    __table_args__ = (
        UniqueConstraint("cohort_id", "mission_id", name="uq_cohort_due_date"),
        # the reminder sweep reads the due dates of the next few days
        Index("ix_cohort_due_dates_due_at", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True, ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", index=True, ondelete="CASCADE")
    due_at: datetime = Field(sa_column=ts_column())
    set_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ScheduleReminder(SQLModel, table=True):
    """A reminder sent to one learner about one due date: the unique key is what makes the
    reminder sweep send each (user, cohort, mission, kind) exactly once, even run twice at once
    (INSERT ... ON CONFLICT DO NOTHING decides who sends)."""

    __tablename__ = "schedule_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "cohort_id", "mission_id", "kind", name="uq_schedule_reminder"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    cohort_id: int = Field(foreign_key="cohorts.id", ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    due_at: datetime = Field(sa_column=ts_column())
    sent_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class CalendarFeed(SQLModel, table=True):
    """A secret calendar-feed URL of a user. Only the SHA-256 of the token is stored; at most one
    feed per user is live (revoked_at NULL), enforced by a partial unique index."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index(
            "uq_calendar_feed_live",
            "user_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
