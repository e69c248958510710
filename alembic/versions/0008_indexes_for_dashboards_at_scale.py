"""indexes for dashboards at scale

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_cohort_mentors_mentor_id"), "cohort_mentors", ["mentor_id"], unique=False
    )
    op.create_index(
        "ix_enrollments_cohort_status",
        "enrollments",
        ["cohort_id", "status"],
        unique=False,
        postgresql_include=["student_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_enrollments_cohort_status", table_name="enrollments", postgresql_include=["student_id"]
    )
    op.drop_index(op.f("ix_cohort_mentors_mentor_id"), table_name="cohort_mentors")
