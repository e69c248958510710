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


def bootstrap_after_commit(session: Session, mission_ids: list[int]) -> None:
    """After loading data in bulk (the demo): embed the missions, then every student who grants
    AI profiling gets a vector, recommendations and a work-style analysis. The missions go
    first on the FIFO "ai" queue, so the learners' lists are built on their vectors."""
    from sqlmodel import select

    from cyberhub.models import Role, RoleAssignment
    from cyberhub.services.consents import AI_PROFILING, has_consent
    from worker.ai import analyze_personality, embed_mission
    from worker.enqueue import enqueue_after_commit

    for mission_id in mission_ids:
        enqueue_after_commit(session, embed_mission, mission_id)
    students = session.exec(
        select(RoleAssignment.user_id).where(RoleAssignment.role == Role.student).distinct()
    ).all()
    for user_id in sorted(students):
        if has_consent(session, user_id, AI_PROFILING):
            refresh_after_commit(session, user_id)
            enqueue_after_commit(session, analyze_personality, user_id)
