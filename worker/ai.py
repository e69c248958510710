"""AI actors: embeddings, recommendations, the rebuild. Thin and id-only: each opens a
session, calls a service, commits. All idempotent (a vector is only rewritten when its text or
the model changed; a list is recomputed from scratch), so a redelivered message is harmless."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import TimeLimitExceeded
from sqlmodel import Session

import worker.broker  # noqa: F401  (installs the broker before actors are declared)
from cyberhub import jobs
from cyberhub.db import session_scope
from cyberhub.services.ai import ai_jobs, embeddings, personality, recommendations
from cyberhub.services.errors import NotFound
from cyberhub.services.identity import consents
from cyberhub.services.messaging import live
from worker.model import get_embedder

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="ai", max_retries=5)
def embed_mission(mission_id: int) -> None:
    """(Re)compute a mission's vector; a no-op when its text and the model are unchanged."""
    with session_scope() as session:
        try:
            changed = embeddings.embed_mission(session, mission_id, get_embedder())
        except NotFound:
            log.info("mission %s no longer exists; nothing to embed", mission_id)
            return
    log.info("mission %s embedding %s", mission_id, "updated" if changed else "already current")


@dramatiq.actor(queue_name="ai", max_retries=5)
def embed_learner(user_id: int) -> None:
    """(Re)compute a learner's vector, then their recommendations. Without AI-profiling consent
    nothing is computed and what was derived before is deleted."""
    jobs.learner_job_started(jobs.EMBED_LEARNER, user_id)  # a change from now on sends a new job
    with session_scope() as session:
        try:
            changed = embeddings.embed_learner(session, user_id, get_embedder())
            rows = recommendations.compute(session, user_id)
            _plan_follows(session, user_id)
        except NotFound:
            log.info("user %s no longer exists", user_id)
            return
    log.info(
        "learner %s: vector %s, %d recommendations stored",
        user_id,
        "updated" if changed else "unchanged",
        len(rows),
    )


@dramatiq.actor(queue_name="ai", max_retries=5)
def recompute_recommendations(user_id: int) -> None:
    """Recompute a learner's stored recommendations from their current vector and facts."""
    with session_scope() as session:
        try:
            recommendations.compute(session, user_id)
            _plan_follows(session, user_id)
        except NotFound:
            log.info("user %s no longer exists", user_id)


def _plan_follows(session: Session, user_id: int) -> None:
    """The coach's plan suggests missions from the list just stored: its job, sent with the
    change that asked for this list, may have run first (this queue was busy) and read the one
    before. Another plan job is sent after this commit, unless one is still waiting (the
    pending mark: it will read this list)."""
    if consents.has_consent(session, user_id, consents.AI_PROFILING):
        jobs.coaching_changed(session, user_id)


# --- rebuild everything (the admin console's button; services/ai/ai_jobs.py) -------------------


@dramatiq.actor(queue_name="ai", max_retries=3, time_limit=jobs.REBUILD_ALL.time_limit_ms)
def rebuild_all(run_id: int) -> None:
    """Re-embed every mission and every consenting learner and recompute their lists, committing
    after each batch (the admin's progress bar). Safe to redeliver: it resumes near the last
    committed batch, and texts already embedded with this model are skipped."""
    try:
        with session_scope() as session:
            run = ai_jobs.run_rebuild(session, run_id, get_embedder(), checkpoint=session.commit)
    except NotFound:
        log.info("rebuild %s no longer exists", run_id)
        return
    except (Exception, TimeLimitExceeded) as exc:
        with session_scope() as session:
            ai_jobs.fail_rebuild(session, run_id, ai_jobs.describe_error(exc))
        raise
    log.info("rebuild %s: %s (%s of %s)", run_id, run.status, run.done, run.total)


# --- personality (work-style) analysis ---------------------------------------------------------


@dramatiq.actor(queue_name="ai", max_retries=5)
def analyze_personality(user_id: int) -> None:
    """(Re)compute a learner's work-style analysis; a no-op when their profiler answers and
    reflections are unchanged. Without AI-profiling consent nothing is computed and a stored
    analysis is deleted."""
    jobs.learner_job_started(jobs.ANALYZE_PERSONALITY, user_id)  # a change now sends a new job
    with session_scope() as session:
        try:
            outcome = personality.analyze(session, user_id, get_embedder())
        except NotFound:
            log.info("user %s no longer exists", user_id)
            return
        # Their open /insights page shows the result (or that nothing changed) after the commit.
        live.changed(session, user_id, live.INSIGHTS)
    log.info("user %s work-style analysis: %s", user_id, outcome)
