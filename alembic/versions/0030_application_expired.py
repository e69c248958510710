"""An application still pending when its cohort ended can be `expired`

The hourly sweep (services/learning/applications.expire_ended_applications) closes the
applications and waitlist places of a cohort whose last day has passed with the new status
`expired`, which the status check now allows. The downgrade turns them into `withdrawn` (what a
closed cohort's pending applications become) and restores the old check.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('applied', 'enrolled', 'waitlisted', 'rejected', 'withdrawn')"
NEW = "status IN ('applied', 'enrolled', 'waitlisted', 'rejected', 'withdrawn', 'expired')"


def upgrade() -> None:
    op.drop_constraint("ck_cohort_application_status", "cohort_applications", type_="check")
    op.create_check_constraint("ck_cohort_application_status", "cohort_applications", NEW)


def downgrade() -> None:
    op.get_bind().execute(
        sa.text("UPDATE cohort_applications SET status = 'withdrawn' WHERE status = 'expired'")
    )
    op.drop_constraint("ck_cohort_application_status", "cohort_applications", type_="check")
    op.create_check_constraint("ck_cohort_application_status", "cohort_applications", OLD)
