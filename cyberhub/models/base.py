from __future__ import annotations

from datetime import UTC, datetime

# Every id column is a PostgreSQL `integer`: no row has an id outside 1..MAX_ID.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)
