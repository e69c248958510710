"""cohort enrolment modes, applications and a waitlist

Issue 12 item 5: `cohorts.enrolment_mode` (director — every existing cohort, as before —,
application or open) and `cohort_applications`, one row per learner and cohort holding the way
to a seat (applied, enrolled, waitlisted, rejected, withdrawn) and the waitlist's arrival order.
Seats stay `enrollments` rows, so nothing existing moves.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.add_column(
        "cohorts",
        sa.Column("enrolment_mode", sa.String(16), nullable=False, server_default="director"),
    )
    op.create_check_constraint(
        "ck_cohort_enrolment_mode",
        "cohorts",
        "enrolment_mode IN ('director', 'application', 'open')",
    )
    op.create_table(
        "cohort_applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "cohort_id",
            sa.Integer(),
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "student_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applied_at", ts, nullable=False),
        sa.Column("waitlist_seq", sa.Integer(), nullable=True),
        sa.Column("waitlisted_at", ts, nullable=True),
        sa.Column("decided_at", ts, nullable=True),
        sa.Column(
            "decided_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("cohort_id", "student_id", name="uq_cohort_application"),
        sa.CheckConstraint(
            "status IN ('applied', 'enrolled', 'waitlisted', 'rejected', 'withdrawn')",
            name="ck_cohort_application_status",
        ),
    )
    op.create_index(
        "ix_cohort_applications_queue",
        "cohort_applications",
        ["cohort_id", "status", "waitlist_seq"],
    )
    op.create_index("ix_cohort_applications_student_id", "cohort_applications", ["student_id"])


def downgrade() -> None:
    op.drop_table("cohort_applications")
    op.drop_constraint("ck_cohort_enrolment_mode", "cohorts", type_="check")
    op.drop_column("cohorts", "enrolment_mode")
