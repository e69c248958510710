"""Data: the pending applications and waitlist places of accounts deactivated earlier end

Since session 23 deactivating an account ends its pending applications and waitlist places
(services/identity/deactivation.py, through enrollment.end_pending_applications and
applications.withdraw_pending). Accounts deactivated before still held theirs: they counted on
the waitlist ahead of people who can sign in, and a freed seat could go to one of them.

Each such application (status applied or waitlisted of a user whose is_active is false) ends as
the service ends it: status withdrawn, off the waitlist (waitlist_seq NULL), decided now, with
one audit entry "application.withdrawn" against its cohort holding the same details the
service's has (application_id, student_id, was). No admin acted, so decided_by_id and the
entry's actor are NULL (the system, as the sweep that expires applications).

The learners behind them move up without more: a waitlist position counts the waitlisted
places ahead of it, and these are no longer waitlisted. Nobody is promoted to a seat: as in the
service, ending a pending place frees no seat (a cohort with a free seat has nobody waiting,
services/learning/applications.fill_seats). Seats they hold are kept, as in the service.

The downgrade changes nothing back: the places ended for good, as after a deactivation.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.get_bind().execute(
        sa.text(
            """
            WITH held AS (
              SELECT a.id, a.status AS was
              FROM cohort_applications a
              JOIN users u ON u.id = a.student_id
              WHERE u.is_active IS FALSE AND a.status IN ('applied', 'waitlisted')
            ), ended AS (
              UPDATE cohort_applications a
              SET status = 'withdrawn', waitlist_seq = NULL, decided_at = now(),
                  decided_by_id = NULL
              FROM held
              WHERE a.id = held.id
              RETURNING a.id, a.cohort_id, a.student_id, held.was
            )
            INSERT INTO audit_logs
              (created_at, actor_id, action, target_type, target_id, user_agent, details)
            SELECT now(), NULL, 'application.withdrawn', 'cohort', cohort_id::text, '',
                   jsonb_build_object('application_id', id, 'student_id', student_id, 'was', was)
            FROM ended
            ORDER BY id
            """
        )
    )


def downgrade() -> None:
    pass  # the places stay ended, as a deactivation leaves them
