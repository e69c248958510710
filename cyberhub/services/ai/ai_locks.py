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
commit or rollback; taking it again in the same transaction is free.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.services.errors import NotFound
from cyberhub.services.identity import consents

# Two-key advisory locks: (namespace, id). submissions.py uses 5001 for its per-student lock,
# admin/exports.py 5201 for its per-requester one, identity/accounts.py 5301 for its per-address
# one, identity/api_keys.py 5302 for its per-owner one, learning/programs.py 5401 for its
# per-programme cohort-names one and 5402 (key 0) for the one on programme names and slugs,
# learning/authoring.py 5403 (key 0) for the one on new missions' slugs, learning/snippets.py
# 5404 for its per-mission one, identity/organizations.py 5501 (key 0) for the one on
# organizations' names and slugs, identity/roles.py 5502 for its per-user one on roles and
# memberships, identity/memberships.py 5503 for its per-organisation one on invitations.
LEARNER_NAMESPACE = 5101
MISSION_NAMESPACE = 5102

_LOCK = text("SELECT pg_advisory_xact_lock(:ns, :id)")


def lock_learner(session: Session, user_id: int) -> None:
    """Wait for (then hold until commit) the right to write a learner's AI data."""
    session.execute(_LOCK, {"ns": LEARNER_NAMESPACE, "id": user_id})


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
    for mission_id in sorted(set(mission_ids)):
        session.execute(_LOCK, {"ns": MISSION_NAMESPACE, "id": mission_id})
