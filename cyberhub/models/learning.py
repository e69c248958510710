"""Programs, tracks, cohorts and missions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Column, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow
from cyberhub.models.enrolment import EnrolmentMode

TRACK_KEYS = ("builders", "leaders", "entrepreneurs", "researchers", "educators")


class MissionStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Program(SQLModel, table=True):
    __tablename__ = "programs"
    audit_type: ClassVar[str] = "program"
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    slug: str = Field(max_length=100, unique=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Track(SQLModel, table=True):
    """One of the five career tracks: a global reference row per key, shared by every programme."""

    __tablename__ = "tracks"
    audit_type: ClassVar[str] = "track"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)  # one of TRACK_KEYS
    name: str = Field(max_length=100)
    tagline: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    focus: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    careers: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


class ProgramTrack(SQLModel, table=True):
    """A track a programme runs, with the programme's own description and NICE work roles."""

    __tablename__ = "program_tracks"
    program_id: int = Field(foreign_key="programs.id", primary_key=True, ondelete="CASCADE")
    track_id: int = Field(foreign_key="tracks.id", primary_key=True, ondelete="CASCADE")
    # "" means the global track's description.
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # The NICE work role ids this programme uses for the track (a subset of
    # nice_work_roles.json for the key); empty means all of that track's standard roles.
    nice_work_roles: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )


class Cohort(SQLModel, table=True):
    __tablename__ = "cohorts"
    audit_type: ClassVar[str] = "cohort"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_cohort_dates"),)
    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    capacity: int = Field(default=30, ge=1)
    # director (only directors enrol), application (learners apply) or open (self-enrolment);
    # see models/enrolment.EnrolmentMode and services/learning/applications.py.
    enrolment_mode: EnrolmentMode = Field(
        default=EnrolmentMode.director,
        sa_column=enum_column(EnrolmentMode, 16, server_default=EnrolmentMode.director.value),
    )
    director_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # Set when a director closes the cohort: no enrolments or applications afterwards
    # (services/learning/certificates.close_cohort).
    closed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class Mission(SQLModel, table=True):
    __tablename__ = "missions"
    audit_type: ClassVar[str] = "mission"
    __table_args__ = (CheckConstraint("difficulty BETWEEN 1 AND 5", name="ck_mission_difficulty"),)
    id: int | None = Field(default=None, primary_key=True)
    # The owner: an organisation (authored by its directors) or NULL, CyberHub's public library.
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    track_id: int = Field(foreign_key="tracks.id", index=True, ondelete="RESTRICT")
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=400)
    brief: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    difficulty: int = Field(default=1)
    skills: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(80)), nullable=False)
    )
    estimated_minutes: int = Field(default=60, ge=1)
    rubric: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    hints: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    nice_work_roles: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    status: MissionStatus = Field(
        default=MissionStatus.draft, sa_column=enum_column(MissionStatus, 16, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class MissionPrerequisite(SQLModel, table=True):
    __tablename__ = "mission_prerequisites"
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")
    prerequisite_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")


class ProgramMission(SQLModel, table=True):
    """A mission a programme runs: its own organisation's or an adopted library mission."""

    __tablename__ = "program_missions"
    program_id: int = Field(foreign_key="programs.id", primary_key=True, ondelete="CASCADE")
    mission_id: int = Field(
        foreign_key="missions.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    added_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # A learner completes the programme when every required mission of their track is approved
    # (services/learning/certificates.py).
    required: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default="false")
    )
