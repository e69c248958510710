"""Work a write leaves for after its transaction commits: jobs to send (jobs.py), live changes to
publish (services/messaging/live.py).

Each kind of work is a named `AfterCommit` list on the session. What is added belongs to the
session's outermost transaction: a savepoint rolling back keeps it, the outer rollback (or close)
drops it, and the outer commit hands everything added to the list's `run`, in order. `run` must
not raise: the write it follows has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session as SASession
from sqlalchemy.orm import SessionTransaction

T = TypeVar("T")

_LISTS: list[AfterCommit[Any]] = []


class AfterCommit(Generic[T]):
    """A list of `T` kept on each session until its outermost transaction ends."""

    def __init__(self, key: str, run: Callable[[list[T]], object]) -> None:
        self.key, self.run = key, run
        _LISTS.append(self)

    def add(self, session: SASession, item: T) -> None:
        """Keep `item` until the session's outermost transaction commits (or drop it)."""
        txn = session.get_transaction() or session.begin()
        while txn.parent is not None:
            txn = txn.parent
        session.info.setdefault(self.key, []).append((txn, item))


@event.listens_for(SASession, "after_commit")
def _run(session: SASession) -> None:
    # Fires for the outermost transaction only: everything kept belongs to it.
    for kept in _LISTS:
        pending = session.info.pop(kept.key, [])
        if pending:
            kept.run([item for _txn, item in pending])


@event.listens_for(SASession, "after_transaction_end")
def _drop(session: SASession, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: its outer transaction decides
        return
    for kept in _LISTS:
        pending = session.info.get(kept.key)
        if pending:
            session.info[kept.key] = [p for p in pending if p[0] is not transaction]
