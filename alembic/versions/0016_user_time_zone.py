"""user time zone

Issue 13: the IANA time zone a user reads dates and times in (e.g. "Africa/Nairobi"). NULL until
the user chooses one or their browser's zone is stored on first sign-in; UTC is used meanwhile.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("time_zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("users", "time_zone")
