"""completion and certificates

Issue 15 item 4: programme missions can be required; an enrolment records when the learner
completed; a cohort can be closed; certificates with a public verification code.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "program_missions",
        sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("enrollments", sa.Column("completed_at", sa.DateTime(timezone=True)))
    op.add_column("cohorts", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "cohort_id",
            sa.Integer(),
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "track_id",
            sa.Integer(),
            sa.ForeignKey("tracks.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("missions", postgresql.JSONB(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("revoke_reason", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("user_id", "cohort_id", name="uq_certificate_cohort"),
    )
    op.create_index("ix_certificates_code", "certificates", ["code"], unique=True)
    op.create_index("ix_certificates_user_id", "certificates", ["user_id"])
    op.create_index("ix_certificates_cohort_id", "certificates", ["cohort_id"])


def downgrade() -> None:
    op.drop_table("certificates")
    op.drop_column("cohorts", "closed_at")
    op.drop_column("enrollments", "completed_at")
    op.drop_column("program_missions", "required")
