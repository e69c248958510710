"""Queue the first AI run after loading data in bulk (the demo). Services queue single jobs
through cyberhub/jobs.py (`jobs.learner_changed`, `jobs.mission_changed`, ...)."""

from __future__ import annotations

from sqlmodel import Session, select

from cyberhub import jobs
from cyberhub.models import Role, RoleAssignment
from cyberhub.services.consents import AI_PROFILING, has_consent


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
