"""Exports (issue 15, item 5): a file a worker job writes for the person who asked for it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Column, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class ExportKind(StrEnum):
    roster = "roster"  # a cohort's or programme's learners with their progress
    gradebook = "gradebook"  # score per rubric criterion per attempt, from reviews
    mentor_workload = "mentor_workload"  # per mentor and cohort of a programme
    audit_log = "audit_log"  # admins only
    own_data = "own_data"  # everything about the requester (a zip of JSON + CSV)
    sponsor_report = "sponsor_report"  # the funded cohorts' figures (one cohort, or all)


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Export(SQLModel, table=True):
    """One requested export. Only the requester downloads it (an owner check, no token).

    `file_path` is relative to DATA_DIR ("exports/<random>.csv"), chosen by the server, never
    from user input. The worker claims a queued row with a conditional UPDATE, so a second
    delivery of the same job does nothing. Expired rows and their files are swept.
    """

    __tablename__ = "exports"
    audit_type: ClassVar[str] = "export"
    __table_args__ = (
        Index("ix_exports_requested_by_created", "requested_by_id", "created_at"),
        Index("ix_exports_expires_at", "expires_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: ExportKind = Field(sa_column=enum_column(ExportKind, 32))
    requested_by_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", ondelete="CASCADE"
    )
    program_id: int | None = Field(default=None, foreign_key="programs.id", ondelete="CASCADE")
    cohort_id: int | None = Field(default=None, foreign_key="cohorts.id", ondelete="CASCADE")
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    status: ExportStatus = Field(
        default=ExportStatus.queued, sa_column=enum_column(ExportStatus, 16)
    )
    rows_done: int = 0
    rows_total: int | None = None
    file_path: str | None = Field(default=None, max_length=400)
    file_name: str = Field(default="", max_length=200)  # the name offered on download
    file_size: int | None = None
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    started_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # Written every few seconds by the running job: a running export whose heartbeat is stale
    # lost its worker, and the next delivery of its job takes it over.
    heartbeat_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
