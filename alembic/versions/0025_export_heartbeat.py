"""exports.heartbeat_at: a running export's proof of life

Issue 18: an export whose worker died (killed, restarted) stayed "running" for two hours,
and the redelivered job found it claimed and did nothing. The running job now writes
`heartbeat_at` every few seconds; a running export whose heartbeat is stale is taken over by
the next delivery of its job (and the sweep sends one).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("exports", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("exports", "heartbeat_at")
