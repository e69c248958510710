"""goals.achieved_at: when a goal was marked achieved

The week's summary took a goal's `updated_at` for the moment it was achieved: an achieved goal
whose target date was cleared or whose words were edited weeks later counted as achieved that
week (and its progress as gained that week). The moment is now kept: set when a goal is marked
achieved, cleared when it is reopened or dropped.

Data: each achieved goal takes its `updated_at`, the best record of it there is.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("goals", sa.Column("achieved_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE goals SET achieved_at = updated_at WHERE status = 'achieved'")


def downgrade() -> None:
    op.drop_column("goals", "achieved_at")
