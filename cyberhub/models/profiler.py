"""AI career profiler: sessions, answers as they are given, and results with their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class ProfilerStatus(StrEnum):
    in_progress = "in_progress"
    completed = "completed"


class ProfilerSession(SQLModel, table=True):
    """One attempt at the profiler; remembers the question-bank version it used."""

    __tablename__ = "profiler_sessions"
    audit_type: ClassVar[str] = "profiler_session"
    __table_args__ = (Index("ix_profiler_sessions_user_status", "user_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    bank_version: str = Field(max_length=20)
    status: ProfilerStatus = Field(
        default=ProfilerStatus.in_progress, sa_column=enum_column(ProfilerStatus, 16)
    )
    # Where the wizard stands (index into the bank's questions): resume here after a reload.
    current_index: int = 0
    started_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    completed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class ProfilerAnswer(SQLModel, table=True):
    __tablename__ = "profiler_answers"
    session_id: int = Field(
        foreign_key="profiler_sessions.id", primary_key=True, ondelete="CASCADE"
    )
    question_id: str = Field(primary_key=True, max_length=20)
    option_id: str = Field(max_length=20)
    answered_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ProfilerResult(SQLModel, table=True):
    """The scored outcome of a completed session (kept when the learner retakes)."""

    __tablename__ = "profiler_results"
    session_id: int = Field(
        foreign_key="profiler_sessions.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    primary_track: str = Field(max_length=32)
    secondary_track: str = Field(max_length=32)
    confidence: str = Field(max_length=8)
    tie: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    scores: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    reasoning: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    persona: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
