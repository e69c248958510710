"""recommendation_runs: when each learner's recommendations were last computed, stored or not

A learner with nothing left to recommend (every mission open to them started or done) has no
recommendations row, so the dashboard could not tell "not computed yet" from "computed, nothing
new": it said "being prepared" with a spinner for ever, and queued a computation at every visit.
Each computation now records its time here; lists computed before count from their rows.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_runs",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO recommendation_runs (user_id, computed_at) "
        "SELECT user_id, max(computed_at) FROM recommendations GROUP BY user_id"
    )


def downgrade() -> None:
    op.drop_table("recommendation_runs")
