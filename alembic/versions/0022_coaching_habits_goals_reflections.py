"""coaching: habits, check-ins, goals, reflections

Issue 16 items 1-5: habits (daily, weekly, n per week) with one check-in per period, goals
(linked missions or habits, or a manual percentage), reflections (mood, energy, private or
shared with the mentor).

Data: every /insights goal note becomes a goal (its first line the title, the whole note its
"why", manual progress 0 %) and every reflection note a private reflection; both keep the note's
id and dates. The notes themselves stay: the learner's vector and work-style analysis still read
them (moving those readers to the new tables is the AI coach's step).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _note_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "note_id", sa.Integer(), sa.ForeignKey("learner_notes.id", ondelete="SET NULL")
    )


def upgrade() -> None:
    op.create_table(
        "habits",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_fk(),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("per_week", sa.Integer(), nullable=False),
        sa.Column("reminder_time", sa.Time(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("tracks.id", ondelete="SET NULL")),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        _ts("archived_at", nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("per_week BETWEEN 1 AND 7", name="ck_habit_per_week"),
    )
    op.create_index("ix_habits_user", "habits", ["user_id", "archived_at"])
    op.create_table(
        "habit_checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "habit_id",
            sa.Integer(),
            sa.ForeignKey("habits.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _user_fk(),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        _ts("created_at"),
        sa.UniqueConstraint("habit_id", "period_start", name="uq_habit_checkin_period"),
    )
    op.create_index("ix_habit_checkins_user_day", "habit_checkins", ["user_id", "day"])
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_fk(),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("why", sa.Text(), nullable=False, server_default=""),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_source", sa.String(length=16), nullable=False),
        sa.Column("manual_percent", sa.Integer(), nullable=False),
        _note_fk(),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("manual_percent BETWEEN 0 AND 100", name="ck_goal_manual_percent"),
    )
    op.create_index("ix_goals_user", "goals", ["user_id", "status"])
    op.create_table(
        "goal_missions",
        sa.Column(
            "goal_id", sa.Integer(), sa.ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "mission_id",
            sa.Integer(),
            sa.ForeignKey("missions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "goal_habits",
        sa.Column(
            "goal_id", sa.Integer(), sa.ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "habit_id",
            sa.Integer(),
            sa.ForeignKey("habits.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target_checkins", sa.Integer(), nullable=False),
        sa.CheckConstraint("target_checkins >= 1", name="ck_goal_habit_target"),
    )
    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_fk(),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prompt", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("energy", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        _note_fk(),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name="ck_reflection_mood"),
        sa.CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5", name="ck_reflection_energy"),
    )
    op.create_index("ix_reflections_user_created", "reflections", ["user_id", "created_at"])

    # The /insights notes, copied (see the module docstring).
    op.execute(
        """
        INSERT INTO goals (user_id, title, why, target_date, status, progress_source,
                           manual_percent, note_id, created_at, updated_at)
        SELECT user_id,
               left(coalesce(nullif(btrim(split_part(btrim(body), E'\\n', 1)), ''), 'My goal'),
                    160),
               body, NULL, 'active', 'manual', 0, id, created_at, updated_at
        FROM learner_notes WHERE kind = 'goal'
        """
    )
    op.execute(
        """
        INSERT INTO reflections (user_id, body, prompt, mood, energy, visibility, note_id,
                                 created_at, updated_at)
        SELECT user_id, body, '', NULL, NULL, 'private', id, created_at, updated_at
        FROM learner_notes WHERE kind = 'reflection'
        """
    )


def downgrade() -> None:
    op.drop_table("reflections")
    op.drop_table("goal_habits")
    op.drop_table("goal_missions")
    op.drop_table("goals")
    op.drop_table("habit_checkins")
    op.drop_table("habits")
