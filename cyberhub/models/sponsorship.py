"""Sponsorships (issue 15, item 2): a sponsor organisation funds seats in a cohort."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cyberhub.models.base import ts_column, utcnow


class Sponsorship(SQLModel, table=True):
    """Organisation `organization_id` (the sponsor) funds `seats` seats in cohort `cohort_id`,
    which may belong to another organisation. Created by a director of the cohort's
    organisation (services/learning/sponsorships.py). The sponsor's members with the sponsor
    role see the cohort's aggregates, and the learners who consented (`sponsor_sharing`)."""

    __tablename__ = "sponsorships"
    __table_args__ = (
        UniqueConstraint("organization_id", "cohort_id", name="uq_sponsorship_org_cohort"),
        CheckConstraint("seats >= 1", name="ck_sponsorship_seats"),
        CheckConstraint("amount >= 0", name="ck_sponsorship_amount"),
        CheckConstraint("ends_on >= starts_on", name="ck_sponsorship_dates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    cohort_id: int = Field(foreign_key="cohorts.id", index=True, ondelete="CASCADE")
    seats: int
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(max_length=3)  # ISO 4217, upper case
    starts_on: date
    ends_on: date
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # The director's own note (shown as plain text to the cohort's directors and the sponsor).
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
