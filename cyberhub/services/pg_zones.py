"""The time zone names the database server knows, and a stored zone as SQL reads it.

A stored users.time_zone is a name PostgreSQL knows, or empty for none chosen: a user sets only a
name the picker offers that the server knows too (identity/time_zones, against `known_zones`),
and migration 0036 replaced the names stored before that check ("localtime",
"posix/Europe/Paris", anything). So SQL reads the column itself (`AT TIME ZONE` with a name the
server does not know would fail the whole query); `zone_sql` and `zone_column` read an empty or
NULL one as UTC, the rule `formatting.zone` follows in Python.

PostgreSQL's names (pg_timezone_names, tens of milliseconds to list) are read once per database
and process.
"""

from __future__ import annotations

from sqlalchemy import func, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

_NAMES = text("SELECT name FROM pg_timezone_names")
_KNOWN: dict[str, frozenset[str]] = {}


def known_zones(session: Session) -> frozenset[str]:
    """The zone names the session's database knows (read once per database)."""
    key = str(session.get_bind().engine.url)
    names = _KNOWN.get(key)
    if names is None:
        names = frozenset(str(n) for n in session.execute(_NAMES).scalars())
        _KNOWN[key] = names
    return names


def zone_sql(column: str) -> str:
    """Text SQL: the zone stored in `column` (a users.time_zone), 'UTC' when empty or NULL."""
    return f"coalesce(nullif({column}, ''), 'UTC')"


def zone_column(column: ColumnElement[str | None]) -> ColumnElement[str]:
    """`zone_sql` as an expression."""
    return func.coalesce(func.nullif(column, ""), "UTC")
