"""review comments per criterion and feedback snippets

Issue 17 item 4: `reviews.comments`, an optional comment (markdown) per rubric criterion key
(existing reviews get none), and `feedback_snippets`, reusable feedback per mission shared by the
mentors of one organisation.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "reviews",
        sa.Column("comments", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.create_table(
        "feedback_snippets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "mission_id",
            sa.Integer(),
            sa.ForeignKey("missions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "organization_id",
            sa.Integer(),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "author_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_feedback_snippets_mission_org", "feedback_snippets", ["mission_id", "organization_id"]
    )
    op.create_index("ix_feedback_snippets_author_id", "feedback_snippets", ["author_id"])


def downgrade() -> None:
    op.drop_table("feedback_snippets")
    op.drop_column("reviews", "comments")
