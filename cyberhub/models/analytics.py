"""Director analytics snapshots (issue 15): a big programme's whole-programme figures, kept by
the worker (services/learning/analytics.refresh_snapshots) so the page does not recompute
seconds of aggregates on every load."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from cyberhub.models.base import ts_column, utcnow


class ProgramAnalyticsSnapshot(SQLModel, table=True):
    """`payload`: the programme's unfiltered ProgramAnalytics (schemas/analytics.py) as JSON
    text, computed at `computed_at` in `took_ms`. Text, not JSONB: nothing queries inside it,
    and pydantic parses the text (~1 MB at 400 cohorts) several times faster than psycopg's
    json.loads followed by validating the dicts."""

    __tablename__ = "program_analytics_snapshots"
    program_id: int = Field(foreign_key="programs.id", primary_key=True, ondelete="CASCADE")
    computed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    took_ms: int = 0
    payload: str = Field(default="", sa_column=Column(Text, nullable=False))
