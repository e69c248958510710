"""cohort schedule: due dates, reminders, calendar feeds

Issue 15 item 3: a due date per mission and cohort (stored UTC), one row per reminder sent
(unique per user, cohort, mission and kind: the sweep sends each once), and per-user secret
calendar-feed tokens (only their SHA-256 is stored; one live feed per user).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "cohort_due_dates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), _fk("cohorts"), nullable=False),
        sa.Column("mission_id", sa.Integer(), _fk("missions"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), _fk("users", "SET NULL")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cohort_id", "mission_id", name="uq_cohort_due_date"),
    )
    op.create_index("ix_cohort_due_dates_cohort_id", "cohort_due_dates", ["cohort_id"])
    op.create_index("ix_cohort_due_dates_mission_id", "cohort_due_dates", ["mission_id"])
    op.create_index("ix_cohort_due_dates_due_at", "cohort_due_dates", ["due_at"])
    op.create_table(
        "schedule_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), _fk("users"), nullable=False),
        sa.Column("cohort_id", sa.Integer(), _fk("cohorts"), nullable=False),
        sa.Column("mission_id", sa.Integer(), _fk("missions"), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "user_id", "cohort_id", "mission_id", "kind", name="uq_schedule_reminder"
        ),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), _fk("users"), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
    )
    op.create_index("ix_calendar_feeds_user_id", "calendar_feeds", ["user_id"])
    op.create_index(
        "uq_calendar_feed_live",
        "calendar_feeds",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_table("schedule_reminders")
    op.drop_table("cohort_due_dates")
