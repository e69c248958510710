"""Stored embeddings (pgvector)."""

from __future__ import annotations

from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from cyberhub.models.base import utcnow

EMBEDDING_DIMENSIONS = 384


class MissionEmbedding(SQLModel, table=True):
    """The vector of a mission's text, with the model and text hash it came from."""

    __tablename__ = "mission_embeddings"
    __table_args__ = (
        Index(
            "ix_mission_embeddings_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )
    mission_id: int = Field(foreign_key="missions.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(max_length=120)
    text_hash: str = Field(max_length=64)
    embedding: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIMENSIONS), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
