"""Send jobs only after the transaction that made them necessary has committed.

An actor enqueued before commit could run before its rows exist (or for rows rolled back).
Jobs belong to the session's outermost transaction: a savepoint rolling back keeps them, the
outer rollback (or close) drops them, and the outer commit sends them.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from sqlalchemy import event
from sqlalchemy.orm import Session as SASession
from sqlalchemy.orm import SessionTransaction

_KEY = "cyberhub_pending_jobs"


def _root(txn: SessionTransaction) -> SessionTransaction:
    while txn.parent is not None:
        txn = txn.parent
    return txn


def enqueue_after_commit(session: SASession, actor: dramatiq.Actor[Any, Any], *args: Any) -> None:
    """Queue `actor.send(*args)` to run once `session`'s transaction commits; dropped on rollback."""
    txn = session.get_transaction() or session.begin()
    session.info.setdefault(_KEY, []).append((_root(txn), actor, args))


@event.listens_for(SASession, "after_commit")
def _send_pending(session: SASession) -> None:
    # Fires for the outermost transaction only: everything pending belongs to it.
    jobs = session.info.pop(_KEY, [])
    for _txn, actor, args in jobs:
        actor.send(*args)


@event.listens_for(SASession, "after_transaction_end")
def _drop_pending(session: SASession, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: its outer transaction decides
        return
    pending = session.info.get(_KEY)
    if pending:
        session.info[_KEY] = [job for job in pending if job[0] is not transaction]
