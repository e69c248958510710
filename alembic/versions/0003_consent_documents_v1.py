"""consent documents: version 1.0 of terms, privacy, ai_profiling and marketing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Data only. The texts are a frozen copy of cyberhub.services.identity.consents.DOCUMENTS_V1 (a test checks
they stay equal); a changed text is published as a new version, never by editing this one.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED_AT = datetime(2026, 11, 1, tzinfo=UTC)

DOCUMENTS = [
    {
        "kind": "terms",
        "version": "1.0",
        "title": "Terms of use",
        "required": True,
        "body": "CyberHub is a training platform run by Ongoza to help people start careers in "
        "cybersecurity through hands-on missions, cohorts and mentor reviews. By creating "
        "an account you agree to use it for learning and to treat other learners, mentors "
        "and staff with respect.\n"
        "\n"
        "You keep the rights to the work you submit. You allow CyberHub to store it, show "
        "it to the mentors, directors and sponsors of your cohort, and use it to give you "
        "feedback.\n"
        "\n"
        "Missions teach offensive and defensive techniques. Use them only against the lab "
        "systems provided or systems you are explicitly authorised to test. Attacking "
        "CyberHub itself, other learners or third parties ends your account and may be "
        "reported.\n"
        "\n"
        "Keep your password and authenticator to yourself; you are responsible for what is "
        "done with your account. We may suspend accounts that break these terms. The "
        "service is provided as is, and we will tell you by e-mail before these terms "
        "change in a way that matters to you.",
    },
    {
        "kind": "privacy",
        "version": "1.0",
        "title": "Privacy notice",
        "required": True,
        "body": "We collect what you give us (name, e-mail address, password hash, the missions you "
        "work on and what you submit) and what using CyberHub produces (sign-in times, the "
        "IP address and browser of security-relevant actions, and your progress).\n"
        "\n"
        "We use it to run your account and your learning: to show your progress to you and "
        "to the mentors, directors and sponsors of your programme, to keep the service "
        "secure, and to meet legal obligations. We never sell your data.\n"
        "\n"
        "Your data is kept while your account exists; security records are kept for up to "
        "one year. You can see and change your consents at any time under Settings → "
        "Privacy & consents, and ask an administrator for a copy of your data, a "
        "correction, or the deletion of your account.\n"
        "\n"
        "Mail is sent through our own mail service. Optional processing, such as AI "
        "profiling and marketing e-mail, happens only if you agree to it separately.",
    },
    {
        "kind": "ai_profiling",
        "version": "1.0",
        "title": "AI profiling",
        "required": False,
        "body": "With this consent, CyberHub uses machine-learning models to analyse your answers "
        "to the career profiler, your mission work and your progress, in order to suggest a "
        "career track, recommend missions and give you automated coaching feedback.\n"
        "\n"
        "The models run on CyberHub's own servers; your data is not sent to outside AI "
        "providers. Suggestions are advice: mentors and directors make the decisions that "
        "matter, and you can always choose a different track.\n"
        "\n"
        "This consent is optional. Without it, or once you withdraw it, every AI feature "
        "stops for you: no profiler, no AI recommendations, no AI feedback. The rest of "
        "CyberHub keeps working, and mentors still review your work.",
    },
    {
        "kind": "marketing",
        "version": "1.0",
        "title": "News and offers by e-mail",
        "required": False,
        "body": "With this consent, CyberHub sends you occasional e-mail about new programmes, "
        "events, scholarships and job opportunities from Ongoza and its partners.\n"
        "\n"
        "We send it ourselves and do not give your address to partners. This consent is "
        "optional and has no effect on your learning; withdraw it at any time under "
        "Settings → Privacy & consents. Security notices about your account are always "
        "sent.",
    },
]

consent_documents = sa.table(
    "consent_documents",
    sa.column("kind", sa.String),
    sa.column("version", sa.String),
    sa.column("title", sa.String),
    sa.column("body", sa.Text),
    sa.column("required", sa.Boolean),
    sa.column("published_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.bulk_insert(consent_documents, [{**doc, "published_at": PUBLISHED_AT} for doc in DOCUMENTS])


def downgrade() -> None:
    # Records of users' consents reference these rows (ON DELETE RESTRICT): remove them first.
    op.execute(
        "DELETE FROM consent_records WHERE document_id IN "
        "(SELECT id FROM consent_documents WHERE version = '1.0')"
    )
    op.execute("DELETE FROM consent_documents WHERE version = '1.0'")
