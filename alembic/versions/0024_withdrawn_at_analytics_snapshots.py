"""enrolments keep their withdrawal date; programme analytics snapshots

Issue 15 item 1 (the roster shows withdrawn learners with their date): enrollments.withdrawn_at,
set when an enrolment is withdrawn and cleared when the learner is enrolled again. And
program_analytics_snapshots: a big programme's unfiltered analytics, kept by the worker.

Data: each withdrawn enrolment takes the latest record of its withdrawal, as the roster read it
until now: the director's "enrollment.withdrawn" audit entry or the learner's withdrawn
application (its decision date). Without either (rows loaded by hand, audit entries purged) it
stays NULL and the roster says "date unknown".

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "enrollments", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        """
UPDATE enrollments e SET withdrawn_at = found.at
FROM (
  SELECT e2.id,
         greatest(
           (SELECT max(a.created_at) FROM audit_logs a
            WHERE a.action = 'enrollment.withdrawn' AND a.target_type = 'cohort'
              AND a.target_id = CAST(e2.cohort_id AS text)
              AND a.details ->> 'student_id' = CAST(e2.student_id AS text)),
           (SELECT max(ca.decided_at) FROM cohort_applications ca
            WHERE ca.cohort_id = e2.cohort_id AND ca.student_id = e2.student_id
              AND ca.status = 'withdrawn')
         ) AS at
  FROM enrollments e2 WHERE e2.status = 'withdrawn'
) found
WHERE found.id = e.id AND found.at IS NOT NULL
"""
    )

    op.create_table(
        "program_analytics_snapshots",
        sa.Column(
            "program_id",
            sa.Integer(),
            sa.ForeignKey("programs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("program_analytics_snapshots")
    op.drop_column("enrollments", "withdrawn_at")
