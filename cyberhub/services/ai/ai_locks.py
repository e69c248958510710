"""One lock per learner and one per mission for everything the AI writes about them.

Jobs for one learner run at the same moment (two worker threads, an `embed_learner` beside a
recompute and an analysis; the rebuild beside either). Each write path takes its learner's (or
mission's) transaction-scoped advisory lock before it reads anything, so they take turns: the
second sees what the first committed (READ COMMITTED reads afresh per statement) and the end
result is the one running them one after another gives. Without it both insert the vector row
(`learner_embeddings_pkey`) or both replace the list (`uq_recommendation`) and one fails.

Taken by: the learner's vector, list, work-style analysis, "not interested" and the purge on
consent withdrawal (learner); a mission's vector, alone or in a batch (mission). A transaction
taking several takes them in id order, so two batches can't deadlock. The lock is released at
commit or rollback; taking it again in the same transaction is free. The locks themselves
are Lock.LEARNER_AI and Lock.MISSION_AI (services/locks.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.services.errors import NotFound
from cyberhub.services.identity import consents
from cyberhub.services.locks import Lock, hold, hold_each


def lock_learner(session: Session, user_id: int) -> None:
    """Wait for (then hold until commit) the right to write a learner's AI data."""
    hold(session, Lock.LEARNER_AI, user_id)


def lock_learner_for_ai(session: Session, user_id: int) -> bool:
    """How every computation of a learner's AI data starts: take their lock (lock_learner);
    NotFound when there is no such user. Returns whether they grant AI profiling: without it
    the caller deletes what was derived before and computes nothing."""
    lock_learner(session, user_id)
    if session.get(User, user_id) is None:
        raise NotFound(f"User {user_id} does not exist.")
    return consents.has_consent(session, user_id, consents.AI_PROFILING)


def lock_missions(session: Session, mission_ids: Iterable[int]) -> None:
    """Wait for (then hold until commit) the right to write these missions' vectors."""
    hold_each(session, Lock.MISSION_AI, mission_ids)
