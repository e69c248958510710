"""Send an actor once the transaction commits: the worker-side spelling of cyberhub/jobs.py.

Services use `cyberhub.jobs` (by name, no actor imported); this helper is for worker code and
tests that hold an actor object. Same mechanism: sent on the outer commit, dropped on rollback.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from sqlalchemy.orm import Session as SASession

from cyberhub import jobs


def enqueue_after_commit(session: SASession, actor: dramatiq.Actor[Any, Any], *args: Any) -> None:
    """Queue `actor.send(*args)` to run once `session`'s transaction commits; dropped on rollback."""
    jobs.send_after_commit(session, actor.queue_name, actor.actor_name, tuple(args))
