"""Enrollments, mentor assignments, submissions, reviews (and their feedback snippets), hint
reveals and notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class EnrollmentStatus(StrEnum):
    active = "active"
    completed = "completed"
    withdrawn = "withdrawn"


class Enrollment(SQLModel, table=True):
    """A student in a cohort."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "student_id", name="uq_enrollment"),
        # Seat counts and rosters per cohort read only this index (bench/dashboards.py).
        Index(
            "ix_enrollments_cohort_status",
            "cohort_id",
            "status",
            postgresql_include=["student_id"],
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True, ondelete="CASCADE")
    student_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    status: EnrollmentStatus = Field(
        default=EnrollmentStatus.active, sa_column=enum_column(EnrollmentStatus, 16)
    )
    enrolled_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # When the learner completed their track's required missions (status `completed`).
    completed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # When the enrolment was withdrawn (status `withdrawn`; NULL when enrolled again, and for
    # withdrawals older than migration 0024 that left no record of their date).
    withdrawn_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class CohortMentor(SQLModel, table=True):
    """A mentor serving a cohort, with how many mentees they can take there."""

    __tablename__ = "cohort_mentors"
    cohort_id: int = Field(foreign_key="cohorts.id", primary_key=True, ondelete="CASCADE")
    # A mentor's cohorts are looked up on every mentor page (the primary key leads by cohort).
    mentor_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    capacity: int = Field(default=10, ge=1)


class MentorAssignment(SQLModel, table=True):
    """Mentor <-> student within a cohort (one mentor per student per cohort)."""

    __tablename__ = "mentor_assignments"
    __table_args__ = (UniqueConstraint("cohort_id", "student_id", name="uq_mentor_assignment"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True, ondelete="CASCADE")
    mentor_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    student_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    assigned_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class SubmissionStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"


class Submission(SQLModel, table=True):
    """One attempt at a mission. A resubmission is a new row with attempt + 1 (history kept)."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("student_id", "mission_id", "attempt", name="uq_submission_attempt"),
        Index("ix_submissions_student_mission", "student_id", "mission_id"),
        Index("ix_submissions_status_submitted", "status", "submitted_at"),
        Index(
            "ix_submissions_claimed_by",
            "claimed_by_id",
            postgresql_where=text("claimed_by_id IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", index=True, ondelete="CASCADE")
    attempt: int = Field(default=1, ge=1)
    status: SubmissionStatus = Field(
        default=SubmissionStatus.draft, sa_column=enum_column(SubmissionStatus, 20)
    )
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    links: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    file_name: str | None = Field(default=None, max_length=200)
    file_path: str | None = Field(
        default=None, max_length=400
    )  # under DATA_DIR/uploads, never user-chosen
    file_type: str | None = Field(default=None, max_length=100)
    file_size: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    submitted_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    claimed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    claim_expires_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    decided_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class Review(SQLModel, table=True):
    """A mentor's decision on a submission: points per rubric criterion and feedback (markdown)."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("decision IN ('approved', 'changes_requested')", name="ck_review_decision"),
    )
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id", unique=True, ondelete="CASCADE")
    mentor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    decision: str = Field(max_length=20)  # approved | changes_requested
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    total: int = 0
    feedback: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # An optional comment (markdown) per rubric criterion key, shown to the learner beside its score.
    comments: dict[str, str] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class FeedbackSnippet(SQLModel, table=True):
    """A reusable piece of review feedback (markdown) for one mission, shared by the mentors of
    one organisation (the organisation of the programme whose learner's work they review)."""

    __tablename__ = "feedback_snippets"
    __table_args__ = (Index("ix_feedback_snippets_mission_org", "mission_id", "organization_id"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="missions.id", ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organizations.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class SubmissionEventKind(StrEnum):
    submitted = "submitted"
    claimed = "claimed"
    released = "released"
    claim_expired = "claim_expired"
    approved = "approved"
    changes_requested = "changes_requested"


class SubmissionEvent(SQLModel, table=True):
    """The status timeline of a submission (submitted, claimed, released, expired, decided)."""

    __tablename__ = "submission_events"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: SubmissionEventKind = Field(sa_column=enum_column(SubmissionEventKind, 32))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class HintReveal(SQLModel, table=True):
    """A hint a student chose to see (recorded: mentors see how much help was used)."""

    __tablename__ = "hint_reveals"
    student_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")
    hint_index: int = Field(primary_key=True)
    revealed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Notification(SQLModel, table=True):
    """An in-app notification (the bell); the same event is also mailed."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    # The organisation it came from, where that matters (a director's nudge: once a day per
    # learner and organisation); None for the rest.
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", ondelete="CASCADE"
    )
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="")
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    read_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
