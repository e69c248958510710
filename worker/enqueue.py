"""Send jobs only after the transaction that made them necessary has committed.

An actor enqueued before commit could run before its rows exist (or for rows rolled back).
"""

from __future__ import annotations

from typing import Any

import dramatiq
from sqlalchemy import event
from sqlalchemy.orm import Session as SASession

_KEY = "cyberhub_pending_jobs"


def enqueue_after_commit(session: SASession, actor: dramatiq.Actor[Any, Any], *args: Any) -> None:
    """Queue `actor.send(*args)` to run once `session` commits; dropped on rollback."""
    session.info.setdefault(_KEY, []).append((actor, args))


@event.listens_for(SASession, "after_commit")
def _send_pending(session: SASession) -> None:
    jobs = session.info.pop(_KEY, [])
    for actor, args in jobs:
        actor.send(*args)


@event.listens_for(SASession, "after_rollback")
def _drop_pending(session: SASession) -> None:
    session.info.pop(_KEY, None)
