"""The AI coach's actors: one learner's weekly plan, and the sweep renewing plans as days begin.
Thin and id-only; safe to run twice or at once (the plan is written under the learner's AI lock
and a computation over unchanged inputs is a no-op)."""

from __future__ import annotations

import logging

import dramatiq

import worker.broker  # noqa: F401  (installs the broker before actors are declared)
from cyberhub import jobs
from cyberhub.db import session_scope
from cyberhub.services.coaching import coach
from cyberhub.services.errors import NotFound
from worker.model import get_embedder

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name=jobs.COMPUTE_COACH_PLAN.queue, max_retries=5)
def compute_coach_plan(user_id: int) -> None:
    """(Re)compute a learner's plan for this week. Without AI-profiling consent nothing is
    computed and a stored plan is deleted."""
    jobs.coach_plan_started(user_id)  # a change from now on sends a new job
    with session_scope() as session:
        try:
            plan = coach.compute_plan(session, user_id, get_embedder())
        except NotFound:
            log.info("user %s no longer exists", user_id)
            return
    log.info("user %s coach plan: %s", user_id, plan.basis if plan else "no consent")


@dramatiq.actor(queue_name=jobs.SWEEP_COACH_PLANS.queue, max_retries=3)
def sweep_coach_plans() -> None:
    """Queue a plan for every active learner who grants AI profiling and whose plan was written
    on an earlier day than their own current one, or who has none (hourly: each plan is renewed
    within the hour its learner's day begins, coach.plans_due)."""
    with session_scope() as session:
        learners = coach.plans_due(session)
        for user_id in learners:
            jobs.coach_week_began(session, user_id)
    if learners:
        log.info("queued the coach's plan for %d learner(s)", len(learners))
