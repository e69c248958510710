"""A user's stored time zone as PostgreSQL can use it, for SQL that reads days in that zone.

A zone is checked against Python's tz database when a user sets it (identity/time_zones: only
the IANA names its picker offers), which may still hold a zone newer than the database server's
tz data; a name stored before that check ("localtime", "posix/Europe/Paris", which it once
accepted, or anything) is not checked at all. `AT TIME ZONE` (timezone()) with a name PostgreSQL does not know fails the whole query, so
SQL that turns a stored zone into a zone reads it through here: the name when PostgreSQL knows
it, else UTC (as migration 0033 did for certificates' dates), the rule `formatting.zone` follows
in Python for a name it does not know.

PostgreSQL's names (pg_timezone_names, tens of milliseconds to list) are read once per database
and process; the SQL compares with them as one bound array.
"""

from __future__ import annotations

from sqlalchemy import Text, any_, case, cast, literal, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

PARAM = "pg_zones"
_NAMES = text("SELECT name FROM pg_timezone_names")
_KNOWN: dict[str, tuple[str, ...]] = {}


def known_zones(session: Session) -> tuple[str, ...]:
    """The zone names the session's database knows, sorted (read once per database)."""
    key = str(session.get_bind().engine.url)
    names = _KNOWN.get(key)
    if names is None:
        names = tuple(sorted(str(n) for n in session.execute(_NAMES).scalars()))
        _KNOWN[key] = names
    return names


def zone_or_utc(session: Session, name: str | None) -> str:
    """`name` when PostgreSQL knows it, else "UTC": for a zone passed to SQL as a parameter."""
    return name if name and name in known_zones(session) else "UTC"


def params(session: Session) -> dict[str, list[str]]:
    """The bound array `zone_or_utc_sql` reads: pass it with the query's other parameters."""
    return {PARAM: list(known_zones(session))}


def zone_or_utc_sql(column: str) -> str:
    """Text SQL: the zone named in `column` (a stored users.time_zone) when PostgreSQL knows
    it, else 'UTC' (an empty or NULL one too). The query takes `params(session)`."""
    return f"CASE WHEN {column} = ANY(CAST(:{PARAM} AS text[])) THEN {column} ELSE 'UTC' END"


def zone_or_utc_column(session: Session, column: ColumnElement[str | None]) -> ColumnElement[str]:
    """`zone_or_utc_sql` as an expression, its array bound in it."""
    known = cast(literal(list(known_zones(session)), ARRAY(Text)), ARRAY(Text))
    return case((column == any_(known), column), else_=literal("UTC"))
