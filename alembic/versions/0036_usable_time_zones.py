"""Data: every stored users.time_zone is one the picker offers and PostgreSQL knows, or empty

A zone is checked when a user sets it (services/identity/time_zones: an IANA name the picker
offers, which the database server knows too). Rows stored before may hold a file
of the tz database zoneinfo could open ("posix/Europe/Paris", "right/UTC", "localtime") or
anything at all: SQL reading days in such a zone had to compare it with PostgreSQL's zone names
on every query (services/pg_zones) so `AT TIME ZONE` would not fail on it.

Each such zone becomes the zone it copies when that is usable ("posix/X" and "right/X" → "X"),
else empty: no zone chosen, read as UTC (formatting.zone), and the user's browser's zone is
stored at their next sign-in as for a new account (time_zones.remember_browser_zone). Each change
is audited as the setting's own ("user.time_zone_changed" with the zone and the previous one),
source "migration", no actor (the system).

Usable: the names the picker offered when this was written (Python's tz database: "UTC" and the
"Area/Location" names, not the posix/ and right/ copies, at most 64 characters) that the server's
pg_timezone_names holds. A frozen copy of the rule, so this migration reads the same later.

The downgrade changes nothing back: the odd names were never usable.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from zoneinfo import available_timezones

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _offered() -> list[str]:
    names = {
        n
        for n in available_timezones()
        if len(n) <= 64 and "/" in n and not n.startswith(("posix/", "right/"))
    }
    return sorted(names | {"UTC"})


def upgrade() -> None:
    op.get_bind().execute(
        sa.text(
            """
            WITH usable AS (
              SELECT unnest(CAST(:offered AS text[])) AS name
              INTERSECT SELECT name FROM pg_timezone_names
            ), odd AS (
              SELECT u.id, u.time_zone AS previous,
                     regexp_replace(u.time_zone, '^(posix|right)/', '') AS copied
              FROM users u
              WHERE u.time_zone <> '' AND u.time_zone NOT IN (SELECT name FROM usable)
            ), fixed AS (
              UPDATE users u
              SET time_zone = CASE WHEN odd.copied IN (SELECT name FROM usable)
                                   THEN odd.copied ELSE '' END
              FROM odd
              WHERE u.id = odd.id
              RETURNING u.id, u.time_zone, odd.previous
            )
            INSERT INTO audit_logs
              (created_at, actor_id, action, target_type, target_id, user_agent, details)
            SELECT now(), NULL, 'user.time_zone_changed', 'user', id::text, '',
                   jsonb_build_object('time_zone', time_zone, 'previous', previous,
                                      'source', 'migration')
            FROM fixed
            ORDER BY id
            """
        ),
        {"offered": _offered()},
    )


def downgrade() -> None:
    pass  # the odd names stay replaced: no SQL could use them
