from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum

# Every id column is a PostgreSQL `integer`: no row has an id outside 1..MAX_ID.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(
    enum: type[StrEnum],
    length: int,
    *,
    nullable: bool = False,
    index: bool = False,
    server_default: str | None = None,
) -> Column[Any]:
    """A status or kind column typed with its StrEnum: stored as VARCHAR(length) holding the
    member's value (the same text as before; no PostgreSQL enum type, so adding a member needs no
    migration), read back as the enum member; writing a value outside the enum fails loudly."""
    return Column(
        SAEnum(
            enum,
            native_enum=False,
            create_constraint=False,
            length=length,
            validate_strings=True,
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=nullable,
        index=index,
        server_default=server_default,
    )


def ts_column(nullable: bool = False) -> Any:
    """A `timestamp with time zone` column (every moment CyberHub stores is timezone-aware)."""
    return Column(DateTime(timezone=True), nullable=nullable)
