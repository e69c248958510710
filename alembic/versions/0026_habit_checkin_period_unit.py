"""habit_checkins.period_unit: the period a check-in fills is a day or a week

A check-in's `period_start` was unique per habit, whatever its cadence: after a weekly habit
checked in on a Tuesday (kept as the week of Monday) became daily, Monday could not be checked
in ("already checked in"), and a day could hold two check-ins (Tuesday again, as a day). The
unit is now kept with the period ("day" or "week") and the uniqueness is per habit, unit and
period; the service judges a new check-in by the days already checked in, under the habit's
cadence now.

Data: a check-in whose period is not its own day was weekly ("week"); one on a Monday of a habit
weekly now is taken as weekly too; every other is a day's. The old constraint already held one
row per habit and period, so the new one holds.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "habit_checkins",
        sa.Column("period_unit", sa.String(length=8), nullable=False, server_default="day"),
    )
    op.execute(
        """
        UPDATE habit_checkins c SET period_unit = 'week'
        FROM habits h
        WHERE h.id = c.habit_id
          AND (c.period_start <> c.day
               OR (h.cadence = 'weekly' AND extract(isodow FROM c.day) = 1))
        """
    )
    op.drop_constraint("uq_habit_checkin_period", "habit_checkins", type_="unique")
    op.create_unique_constraint(
        "uq_habit_checkin_period", "habit_checkins", ["habit_id", "period_unit", "period_start"]
    )


def downgrade() -> None:
    # Two check-ins of one habit may now share a period_start (a week's and a day's): the
    # day's is kept, as the one the learner made under a daily cadence.
    op.execute(
        """
        DELETE FROM habit_checkins w USING habit_checkins d
        WHERE w.habit_id = d.habit_id AND w.period_start = d.period_start
          AND w.period_unit = 'week' AND d.period_unit = 'day'
        """
    )
    op.drop_constraint("uq_habit_checkin_period", "habit_checkins", type_="unique")
    op.create_unique_constraint(
        "uq_habit_checkin_period", "habit_checkins", ["habit_id", "period_start"]
    )
    op.drop_column("habit_checkins", "period_unit")
