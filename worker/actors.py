"""Thin, id-only actors: open a session, call the service, commit. Idempotent by design.

The entry module of `dramatiq worker.actors`: it declares the mail and review actors and
imports the other domains' modules so one worker process serves every queue."""

from __future__ import annotations

import logging

import dramatiq

import worker.broker  # noqa: F401  (installs the broker before actors are declared)
from cyberhub.db import session_scope
from cyberhub.services.errors import NotFound
from cyberhub.services.learning import reviews, submissions
from cyberhub.services.messaging import mail
from worker.ai import (  # noqa: F401  (declared there; re-exported for callers and tests)
    analyze_personality,
    embed_learner,
    embed_mission,
    rebuild_all,
    recompute_recommendations,
)

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="default", max_retries=5)
def deliver_mail(mail_id: int) -> None:
    """Send one outbox message by SMTP (a no-op once sent). SMTP errors are retried."""
    with session_scope() as session:
        try:
            mail.deliver(session, mail_id)
        except NotFound:
            log.info("mail %s no longer exists", mail_id)


@dramatiq.actor(queue_name="default", max_retries=5)
def expire_review_claims() -> None:
    """Return review claims older than 24 h to the queue and tell their mentors (id-free sweep;
    safe to run at any interval or twice at once: rows being changed are skipped)."""
    with session_scope() as session:
        expired = reviews.expire_claims(session)
    if expired:
        log.info("returned %d expired review claims to the queue", len(expired))


@dramatiq.actor(queue_name="default", max_retries=3)
def sweep_orphan_uploads() -> None:
    """Delete uploaded files no submission references, older than an hour (id-free sweep; safe
    to run at any interval or twice at once)."""
    with session_scope() as session:
        result = submissions.sweep_orphan_uploads(session)
    if result.deleted:
        log.info("deleted %d orphaned upload(s)", result.deleted)
