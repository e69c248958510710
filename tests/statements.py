"""Counting the SQL a piece of code runs: `with statements(session) as seen: ...` leaves every
statement sent through the session's engine in `seen`, for tests that hold a load to a number of
reads (one statement per list, not one per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

__all__ = ["statements"]


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL text of each statement run on the session's engine while the block runs."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
