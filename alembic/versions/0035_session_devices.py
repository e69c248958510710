"""refresh_tokens.started_at, user_agent, ip, last_used_at: where each sign-in is

Settings -> Security lists every signed-in session (a refresh-token family) with its device (from
the user agent), address, start and last use, and lets the user end one. These are recorded when
a session starts (and carried along when an API client rotates its refresh token); rows issued
before stay NULL and show as "Unknown device".

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import INET

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("started_at", sa.DateTime(timezone=True)))
    op.add_column("refresh_tokens", sa.Column("user_agent", sa.String(length=400)))
    op.add_column("refresh_tokens", sa.Column("ip", INET()))
    op.add_column("refresh_tokens", sa.Column("last_used_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for column in ("last_used_at", "ip", "user_agent", "started_at"):
        op.drop_column("refresh_tokens", column)
