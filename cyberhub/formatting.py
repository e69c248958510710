"""Dates, times and counts for people: the one place they are formatted, in the reader's time
zone, with nouns in the right number.

Services hand out timezone-aware datetimes (UTC); a page formats them with `when(...)` using the
signed-in user's time zone (`Principal.time_zone`, `SessionState.time_zone`). Naive datetimes are
taken as UTC, ISO strings are accepted for data that arrives as JSON, and an unknown zone name
falls back to UTC rather than failing a page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Style = Literal["datetime", "date", "time", "seconds"]

# One look everywhere: "3 Dec 2026, 14:05 EAT", "3 Dec 2026", "14:05".
_FORMATS: dict[Style, str] = {
    "datetime": "%-d %b %Y, %H:%M %Z",
    "seconds": "%-d %b %Y, %H:%M:%S %Z",
    "date": "%-d %b %Y",
    "time": "%H:%M",
}


# What ZoneInfo raises for a name that is no zone: OSError for a folder of the tz database
# ("America" is a directory) or a name too long for a file name.
_NOT_A_ZONE = (ZoneInfoNotFoundError, ValueError, OSError)


@lru_cache(maxsize=512)
def zone(name: str | None) -> tzinfo:
    """The tzinfo of an IANA zone name; UTC when empty or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except _NOT_A_ZONE:
        return UTC


def is_known_zone(name: str) -> bool:
    """True for a zone name the server's tz database knows (used to validate settings)."""
    try:
        ZoneInfo(name)
    except _NOT_A_ZONE:
        return False
    return True


def _as_datetime(value: datetime | date | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):  # a plain date: midnight UTC
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(
    value: datetime | date | str | None,
    tz: str | None = None,
    style: Style = "datetime",
    empty: str = "",
) -> str:
    """`value` for people, in time zone `tz` (IANA name; UTC when None). `empty` when no value.

    A plain `date` with style "date" is printed as that calendar day (no zone shift)."""
    if value is None or value == "":
        return empty
    if isinstance(value, date) and not isinstance(value, datetime) and style == "date":
        return value.strftime(_FORMATS["date"])
    moment = _as_datetime(value).astimezone(zone(tz))
    return moment.strftime(_FORMATS[style])


def day_in(value: datetime | date | str, tz: str | tzinfo | None) -> date:
    """The calendar day `value` falls on in time zone `tz` (IANA name, UTC when None or
    unknown; or a tzinfo): the date a document bears for the person it is about, the day a
    learner checked in on (coaching.streaks.local_day). Naive values are UTC."""
    where = tz if isinstance(tz, tzinfo) else zone(tz)
    return _as_datetime(value).astimezone(where).date()


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 user", "2 users"; `many` for irregular nouns ("entry", "entries")."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def person_name(full_name: str | None, email: str) -> str:
    """What a list, a notice or an export calls a person: their full name, else their address
    before the "@" ("amina.k" for amina.k@example.org, never the whole address)."""
    return full_name or email.split("@")[0]


DIFFICULTY_NAMES: dict[int, str] = {
    1: "Beginner",
    2: "Foundation",
    3: "Intermediate",
    4: "Advanced",
    5: "Expert",
}


def difficulty_label(level: int) -> str:
    """The one wording of a difficulty, "Beginner · 1/5", in plain text (select items, the
    next best action); components.ui.difficulty_badge shows the same words."""
    return f"{DIFFICULTY_NAMES.get(level, 'Level')} · {level}/5"
