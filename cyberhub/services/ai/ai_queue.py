"""Queue the first AI run after loading data in bulk (the demo). Services queue single jobs
through cyberhub/jobs.py (`jobs.learner_changed`, `jobs.mission_changed`, ...)."""

from __future__ import annotations

from sqlmodel import Session, select

from cyberhub import jobs
from cyberhub.models import Role, RoleAssignment
from cyberhub.services.ai.ai_jobs import ai_learner_ids
from cyberhub.services.identity.consents import AI_PROFILING, has_consent

# The first revision whose recommender reads per-interest vectors (issue 14): a database
# migrated across it has lists and vectors made the old way, recomputed once on start.
INTEREST_VECTORS_REVISION = "0015"
# The revision that added the AI coach's plans: a database migrated across it has none yet.
COACH_PLANS_REVISION = "0023"


def needs_relearning(before: str | None) -> bool:
    """Whether a database that was at revision `before` (None: empty) before this start's
    migrations holds AI data from before the current recommender."""
    return before is not None and before < INTEREST_VECTORS_REVISION


def bootstrap_after_commit(session: Session, mission_ids: list[int]) -> None:
    """After loading data in bulk (the demo): embed the missions, then every student who grants
    AI profiling gets a vector, recommendations and a work-style analysis. The missions go
    first on the FIFO "ai" queue, so the learners' lists are built on their vectors."""
    for mission_id in mission_ids:
        jobs.mission_changed(session, mission_id)
    students = session.exec(
        select(RoleAssignment.user_id).where(RoleAssignment.role == Role.student).distinct()
    ).all()
    for user_id in sorted(students):
        if has_consent(session, user_id, AI_PROFILING):
            jobs.learner_changed(session, user_id)


def coach_plans_after_upgrade(session: Session, before: str | None) -> int:
    """After an upgrade across COACH_PLANS_REVISION: queue the coach's first plan for every
    learner who grants AI profiling (they would otherwise wait for a change or the weekly run).
    Returns how many were queued."""
    if before is None or before >= COACH_PLANS_REVISION:
        return 0
    learners = ai_learner_ids(session)
    for user_id in learners:
        jobs.enqueue(session, jobs.COMPUTE_COACH_PLAN, user_id)
    return len(learners)


def relearn_after_commit(session: Session) -> int:
    """After an upgrade across INTEREST_VECTORS_REVISION: re-embed every learner who grants AI
    profiling (their interest vectors are new) and recompute their list, as "rebuild all" does
    for learners. Returns how many learners were queued."""
    learners = ai_learner_ids(session)
    for user_id in learners:
        jobs.learner_progressed(session, user_id)
    return len(learners)
