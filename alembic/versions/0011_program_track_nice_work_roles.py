"""a programme's NICE work roles per track

Tracks are still stored per programme (one row per programme and key), so the programme's
choice of NICE work roles for a track lives on that row: `tracks.nice_work_roles`, the role
ids (a subset of nice_work_roles.json for the key). Existing rows get every standard role of
their key, which is what they showed before. Downgrade drops the column.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of the data file's ids at upgrade time (the migration must not import the app).
NICE_FILE = Path(__file__).resolve().parents[2] / "cyberhub" / "data" / "nice_work_roles.json"


def upgrade() -> None:
    op.add_column(
        "tracks",
        sa.Column("nice_work_roles", JSONB(), nullable=False, server_default=sa.text("'[]'")),
    )
    tracks = json.loads(NICE_FILE.read_text(encoding="utf-8"))["tracks"]
    for key, roles in tracks.items():
        op.get_bind().execute(
            sa.text("UPDATE tracks SET nice_work_roles = CAST(:ids AS jsonb) WHERE key = :key"),
            {"ids": json.dumps([r["id"] for r in roles]), "key": key},
        )


def downgrade() -> None:
    op.drop_column("tracks", "nice_work_roles")
