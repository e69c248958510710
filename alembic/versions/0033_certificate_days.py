"""certificates.issued_on, certificates.revoked_on: a certificate's dates, stored

A certificate's date was worked out each time it was read, from its holder's time zone at the
time of reading: a learner who changed their time zone afterwards saw their certificate (its
public page, its PDF) change date by a day. Its dates are now decided once, when it is issued
(and revoked), in its holder's zone then, and stored.

Data: each certificate made before takes the days it has shown until now, in its holder's time
zone as it is now (UTC for a holder with none, or with a name PostgreSQL does not know, so the
migration never fails on one).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The holder's zone when PostgreSQL knows it, else UTC.
HOLDER_ZONE = (
    "(SELECT CASE WHEN u.time_zone IN (SELECT name FROM pg_timezone_names) THEN u.time_zone"
    " ELSE 'UTC' END FROM users u WHERE u.id = certificates.user_id)"
)


def upgrade() -> None:
    op.add_column("certificates", sa.Column("issued_on", sa.Date(), nullable=True))
    op.add_column("certificates", sa.Column("revoked_on", sa.Date(), nullable=True))
    op.get_bind().execute(
        sa.text(
            "UPDATE certificates SET"
            f" issued_on = (issued_at AT TIME ZONE coalesce({HOLDER_ZONE}, 'UTC'))::date,"
            f" revoked_on = (revoked_at AT TIME ZONE coalesce({HOLDER_ZONE}, 'UTC'))::date"
        )
    )
    op.alter_column("certificates", "issued_on", nullable=False)


def downgrade() -> None:
    op.drop_column("certificates", "revoked_on")
    op.drop_column("certificates", "issued_on")
