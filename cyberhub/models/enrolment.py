"""Cohort applications: a learner's request for a seat, and the waitlist (issue 12, item 5)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class EnrolmentMode(StrEnum):
    director = "director"  # only a director enrols (the default; today's behaviour)
    application = "application"  # a learner applies, a director approves or rejects
    open = "open"  # a learner enrols themselves while seats are left


class ApplicationStatus(StrEnum):
    applied = "applied"  # waiting for a director's decision
    enrolled = "enrolled"  # holds a seat (an active enrollments row exists)
    waitlisted = "waitlisted"  # accepted, waiting for a seat in arrival order
    rejected = "rejected"
    withdrawn = "withdrawn"
    # still applied or waitlisted when the cohort's last day passed: closed by the hourly sweep
    # (services/learning/applications.expire_ended_applications)
    expired = "expired"


class CohortApplication(SQLModel, table=True):
    """One learner's application to (or self-enrolment in) a cohort, with its current state.

    The seat itself stays an `enrollments` row, so every reader of enrolments is unchanged; this
    row tracks the way there and the waitlist. `waitlist_seq` is the arrival order on the
    waitlist, handed out under the cohort's row lock, so it has no ties.
    """

    __tablename__ = "cohort_applications"
    __table_args__ = (
        UniqueConstraint("cohort_id", "student_id", name="uq_cohort_application"),
        Index("ix_cohort_applications_queue", "cohort_id", "status", "waitlist_seq"),
    )
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", ondelete="CASCADE")
    student_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    status: ApplicationStatus = Field(
        default=ApplicationStatus.applied, sa_column=enum_column(ApplicationStatus, 16)
    )
    applied_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    waitlist_seq: int | None = Field(default=None)
    waitlisted_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    decided_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
