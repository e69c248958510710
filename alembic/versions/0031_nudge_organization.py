"""notifications.organization_id: the organisation a director's nudge came from

A director may nudge a learner once a day. The day's limit (and the "Nudged today" badge) was
the learner's across all organisations: Coast Campus's director saw "Nudged today", and could
not nudge, because a director of another organisation the learner studies at had, which told
Coast Campus of that relationship. A nudge now records its organisation, and the limit is per
learner and organisation.

Data: each existing nudge takes the organisation of the cohort named by its audit entry
("learner.nudged", the same learner, the entry nearest in time); none found, it stays NULL and
counts for no organisation.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("organization_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_notifications_organization_id",
        "notifications",
        "organizations",
        ["organization_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.execute(
        """
        UPDATE notifications n SET organization_id = (
            SELECT p.organization_id
            FROM audit_logs a
            JOIN cohorts c ON c.id::text = a.details->>'cohort_id'
            JOIN programs p ON p.id = c.program_id
            WHERE a.action = 'learner.nudged' AND a.target_type = 'user'
              AND a.target_id = n.user_id::text
            ORDER BY abs(extract(epoch FROM a.created_at - n.created_at))
            LIMIT 1
        )
        WHERE n.kind = 'director_nudge'
        """
    )


def downgrade() -> None:
    op.drop_constraint("fk_notifications_organization_id", "notifications", type_="foreignkey")
    op.drop_column("notifications", "organization_id")
