"""encrypt mfa secrets

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cyberhub.models import crypto

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("mfa_secret", "mfa_pending_secret")
PLAIN_MAX_LENGTH = 64  # the old VARCHAR(64); a Fernet token of a TOTP secret is ~140 characters


def _rows(conn: sa.Connection) -> list[sa.Row]:
    return list(
        conn.execute(
            sa.text(
                "SELECT id, mfa_secret, mfa_pending_secret FROM users "
                "WHERE mfa_secret IS NOT NULL OR mfa_pending_secret IS NOT NULL"
            )
        )
    )


def _update(conn: sa.Connection, user_id: int, values: dict[str, str]) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in values)  # names from COLUMNS
    conn.execute(
        sa.text(f"UPDATE users SET {assignments} WHERE id = :id"), {"id": user_id, **values}
    )


def encrypt_existing(conn: sa.Connection) -> int:
    """Encrypt every plain secret; values that already decrypt are left alone (safe to re-run).

    Returns the number of users updated.
    """
    updated = 0
    for user_id, *values in _rows(conn):
        changes = {
            column: crypto.encrypt(value)
            for column, value in zip(COLUMNS, values, strict=True)
            if value is not None and not crypto.is_encrypted(value)
        }
        if changes:
            _update(conn, user_id, changes)
            updated += 1
    return updated


def decrypt_existing(conn: sa.Connection) -> int:
    """Turn every token back into the plain secret; plain values are left alone.

    Refuses (RuntimeError) a token no configured key decrypts: it would not fit VARCHAR(64), and
    dropping it would silently turn that user's two-factor sign-in off.
    """
    updated = 0
    for user_id, *values in _rows(conn):
        changes = {}
        for column, value in zip(COLUMNS, values, strict=True):
            if value is None:
                continue
            try:
                changes[column] = crypto.decrypt(value)
            except crypto.SecretKeyChanged:
                if len(value) <= PLAIN_MAX_LENGTH:
                    continue  # already plain
                raise RuntimeError(
                    f"users.{column} of user {user_id} cannot be decrypted: set SECRET_KEY "
                    "(or SECRET_KEY_PREVIOUS) to the key it was encrypted with, then retry."
                ) from None
        if changes:
            _update(conn, user_id, changes)
            updated += 1
    return updated


def upgrade() -> None:
    for column in COLUMNS:
        op.alter_column(
            "users",
            column,
            existing_type=sa.VARCHAR(length=PLAIN_MAX_LENGTH),
            type_=sa.Text(),
            existing_nullable=True,
        )
    encrypt_existing(op.get_bind())


def downgrade() -> None:
    decrypt_existing(op.get_bind())
    for column in reversed(COLUMNS):
        op.alter_column(
            "users",
            column,
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=PLAIN_MAX_LENGTH),
            existing_nullable=True,
        )
