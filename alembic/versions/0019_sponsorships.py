"""sponsorships and the sponsor_sharing consent

Issue 15 item 2: a sponsor organisation funds seats in a cohort (`sponsorships`); learners may
share their profile and progress with the sponsors of their cohort (consent document
`sponsor_sharing` 1.0 — a frozen copy of consents.DOCUMENTS_V1, a test keeps them equal).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED_AT = datetime(2026, 12, 3, tzinfo=UTC)

SPONSOR_SHARING = {
    "kind": "sponsor_sharing",
    "version": "1.0",
    "title": "Share my profile and progress with the sponsors of my cohort",
    "required": False,
    "body": "Some cohorts are funded by sponsors: companies and foundations that pay for seats. "
    "Without this consent a sponsor sees only figures about the whole cohort (seats "
    "used, activity, approvals, completions), never you by name.\n"
    "\n"
    "With it, the sponsors of the cohorts you are enrolled in also see your name, your "
    "track and your progress (missions approved out of those your programme runs). They "
    "never see your answers, files, reviews or profiler answers.\n"
    "\n"
    "This consent is optional and has no effect on your learning. Withdraw it at any "
    "time under Settings → Privacy & consents: sponsors stop seeing you at once.",
}

consent_documents = sa.table(
    "consent_documents",
    sa.column("kind", sa.String),
    sa.column("version", sa.String),
    sa.column("title", sa.String),
    sa.column("body", sa.String),
    sa.column("required", sa.Boolean),
    sa.column("published_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "sponsorships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id",
            sa.Integer(),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "cohort_id",
            sa.Integer(),
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("organization_id", "cohort_id", name="uq_sponsorship_org_cohort"),
        sa.CheckConstraint("seats >= 1", name="ck_sponsorship_seats"),
        sa.CheckConstraint("amount >= 0", name="ck_sponsorship_amount"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_sponsorship_dates"),
    )
    op.create_index("ix_sponsorships_organization_id", "sponsorships", ["organization_id"])
    op.create_index("ix_sponsorships_cohort_id", "sponsorships", ["cohort_id"])
    op.bulk_insert(consent_documents, [{**SPONSOR_SHARING, "published_at": PUBLISHED_AT}])


def downgrade() -> None:
    op.execute(
        "DELETE FROM consent_records WHERE document_id IN "
        "(SELECT id FROM consent_documents WHERE kind = 'sponsor_sharing')"
    )
    op.execute("DELETE FROM consent_documents WHERE kind = 'sponsor_sharing'")
    op.drop_table("sponsorships")
