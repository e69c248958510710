"""personality_profiles.staff_dimensions: the work-style analysis staff read

Staff who may read a learner (their mentor, a director of their programme, an admin) read the
learner's work-style analysis with the evidence quoting a private reflection left out, but its
scores, labels and counts were made from the private reflections too: a learner who wrote only
privately "I prefer working alone" showed their mentor "Leans independent". The analysis staff
read is now a second one, of the profiler and the shared reflections alone, kept beside the
learner's with the hash of its sources.

Data: none can be computed here (the embedding model is the worker's): until a learner's
analysis is next made, staff read "no analysis has been made yet".

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "personality_profiles",
        sa.Column("staff_source_hash", sa.String(length=64), nullable=False, server_default=""),
    )
    op.add_column(
        "personality_profiles",
        sa.Column("staff_dimensions", JSONB(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    op.drop_column("personality_profiles", "staff_dimensions")
    op.drop_column("personality_profiles", "staff_source_hash")
