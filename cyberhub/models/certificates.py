"""Completion certificates (issue 15, item 4): one per learner and cohort they completed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import ts_column, utcnow


class Certificate(SQLModel, table=True):
    """Issued when a learner completes their track's required missions in a cohort.

    `code` is the public verification code (`/certificates/<code>`), unguessable (secrets).
    `missions` keeps the titles of the missions approved at issue, so later edits to the
    programme do not change what was certified. A revoked certificate stays, marked revoked.
    `issued_on` and `revoked_on` are its dates, the days it was issued and revoked in its
    holder's time zone then, decided once and stored: a document's date never moves, even when
    its holder later changes their time zone.
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id", name="uq_certificate_cohort"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)  # a unique index (migration 0018)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    cohort_id: int = Field(foreign_key="cohorts.id", index=True, ondelete="CASCADE")
    track_id: int = Field(foreign_key="tracks.id", ondelete="RESTRICT")
    missions: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    issued_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # Issuing sets the holder's day (services/learning/certificates); the UTC day by default.
    issued_on: date = Field(default_factory=lambda: utcnow().date())
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    revoked_on: date | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    revoke_reason: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
