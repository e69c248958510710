"""The AI side: stored embeddings (pgvector), recommendations, personality, AI jobs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pgvector.sqlalchemy import Vector
from sqlalchemy import CheckConstraint, Column, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from cyberhub.models.base import enum_column, ts_column, utcnow


class InterestKind(StrEnum):
    goal = "goal"  # one of the learner's goal notes (ref = the note's id)
    track = "track"  # their profiler track's description
    work = "work"  # their recent approved work


class FeedbackKind(StrEnum):
    not_interested = "not_interested"


class NoteKind(StrEnum):
    goal = "goal"
    reflection = "reflection"


class RebuildStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


EMBEDDING_DIMENSIONS = 384
# The mission index is denser than the default (ef_construction 64): recommendations need
# recall@10 >= 0.95 at 100,000 missions (migration 0010, bench/recommendations.py).
MISSION_HNSW = {"m": 16, "ef_construction": 400}


class MissionEmbedding(SQLModel, table=True):
    """The vector of a mission's text, with the model and text hash it came from."""

    __tablename__ = "mission_embeddings"
    __table_args__ = (
        Index(
            "ix_mission_embeddings_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with=MISSION_HNSW,
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(max_length=120)
    text_hash: str = Field(max_length=64)
    embedding: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIMENSIONS), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


def _vector_index(name: str) -> Index:
    return Index(
        name,
        "embedding",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )


class LearnerEmbedding(SQLModel, table=True):
    """A learner's vector: their profiler result, goals, reflections and approved work."""

    __tablename__ = "learner_embeddings"
    __table_args__ = (_vector_index("ix_learner_embeddings_hnsw"),)
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(max_length=120)
    text_hash: str = Field(max_length=64)
    embedding: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIMENSIONS), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class LearnerInterestVector(SQLModel, table=True):
    """One of a learner's interests kept apart (issue 14): a goal, their profiler track, or their
    recent approved work, each embedded on its own so a niche goal is never averaged away."""

    __tablename__ = "learner_interest_vectors"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "ref", name="uq_learner_interest"),
        CheckConstraint("kind IN ('goal', 'track', 'work')", name="ck_learner_interest_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: InterestKind = Field(sa_column=enum_column(InterestKind, 16))
    ref: int = 0  # the goal's note id; 0 for the track and the work
    label: str = Field(max_length=200)  # what a reason quotes: the goal, the track's name
    model: str = Field(max_length=120)
    text_hash: str = Field(max_length=64)
    embedding: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIMENSIONS), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Recommendation(SQLModel, table=True):
    """One stored recommendation (the dashboard and the API only read these)."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("user_id", "mission_id", name="uq_recommendation"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", ondelete="CASCADE")
    rank: int
    score: float
    reason: str = Field(max_length=500)
    source: str = Field(max_length=16)  # "vector" | "profile" | "fallback"
    computed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class RecommendationRun(SQLModel, table=True):
    """When a learner's list was last computed, stored or not: a learner with nothing left to
    recommend (every open mission started or done) has no Recommendation row, and the card
    says so instead of "being prepared" for ever."""

    __tablename__ = "recommendation_runs"
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    computed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class RecommendationFeedback(SQLModel, table=True):
    """A learner's "not interested" on a mission: excluded from their list and pushes
    similar missions down."""

    __tablename__ = "recommendation_feedback"
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")
    kind: FeedbackKind = Field(
        default=FeedbackKind.not_interested, sa_column=enum_column(FeedbackKind, 16)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class LearnerNote(SQLModel, table=True):
    """A learner's goal or reflection (feeds their vector and the personality analysis)."""

    __tablename__ = "learner_notes"
    __table_args__ = (
        CheckConstraint("kind IN ('goal', 'reflection')", name="ck_learner_note_kind"),
        Index("ix_learner_notes_user_created", "user_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: NoteKind = Field(sa_column=enum_column(NoteKind, 16))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PersonalityProfile(SQLModel, table=True):
    """The latest work-style analysis of a learner, with the evidence for each dimension: the
    learner's own (`dimensions`, of everything they wrote) and the one staff read
    (`staff_dimensions`, of their profiler and shared reflections alone: empty when there is
    nothing shared to analyse), each with the hash of its sources."""

    __tablename__ = "personality_profiles"
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    version: str = Field(max_length=16)
    source_hash: str = Field(max_length=64)
    dimensions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    staff_source_hash: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    staff_dimensions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    computed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class JobFailure(SQLModel, table=True):
    """A job that failed for good (after its retries), for the admin console's retry button."""

    __tablename__ = "job_failures"
    audit_type: ClassVar[str] = "job_failure"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=64, unique=True)
    actor: str = Field(max_length=120, index=True)
    queue: str = Field(max_length=64)
    args: list[Any] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    failed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    retried_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    retried_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class RebuildRun(SQLModel, table=True):
    """ "Rebuild everything": re-embed every mission and learner, recompute every list."""

    __tablename__ = "ai_rebuilds"
    audit_type: ClassVar[str] = "ai_rebuild"
    id: int | None = Field(default=None, primary_key=True)
    started_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    status: RebuildStatus = Field(
        default=RebuildStatus.queued, sa_column=enum_column(RebuildStatus, 16)
    )
    total: int = 0
    done: int = 0
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    finished_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
