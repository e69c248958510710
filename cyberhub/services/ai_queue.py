"""Queue the AI worker's jobs for a learner once the current transaction commits.

Kept free of service imports so any service (reviews, profiler, consents, notes) can call it
without import cycles."""

from __future__ import annotations

from sqlmodel import Session


def refresh_after_commit(session: Session, user_id: int) -> None:
    """Re-embed the learner, then recompute their recommendations (one job: embed_learner)."""
    from worker.ai import embed_learner
    from worker.enqueue import enqueue_after_commit

    enqueue_after_commit(session, embed_learner, user_id)


def recompute_after_commit(session: Session, user_id: int) -> None:
    """Recompute the learner's recommendations from their current vector."""
    from worker.ai import recompute_recommendations
    from worker.enqueue import enqueue_after_commit

    enqueue_after_commit(session, recompute_recommendations, user_id)
