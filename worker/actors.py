"""Thin, id-only actors: open a session, call the service, commit. Idempotent by design."""

from __future__ import annotations

import logging

import dramatiq

import worker.broker  # noqa: F401  (installs the broker before actors are declared)
from cyberhub.db import session_scope
from cyberhub.services import embeddings
from cyberhub.services.errors import NotFound

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="ai", max_retries=5)
def embed_mission(mission_id: int) -> None:
    """(Re)compute a mission's vector; a no-op when its text and the model are unchanged."""
    from worker.model import get_embedder

    with session_scope() as session:
        try:
            changed = embeddings.embed_mission(session, mission_id, get_embedder())
        except NotFound:
            log.info("mission %s no longer exists; nothing to embed", mission_id)
            return
    log.info("mission %s embedding %s", mission_id, "updated" if changed else "already current")


@dramatiq.actor(queue_name="default", max_retries=5)
def deliver_mail(mail_id: int) -> None:
    """Send one outbox message by SMTP (a no-op once sent). SMTP errors are retried."""
    from cyberhub.services import mail

    with session_scope() as session:
        try:
            mail.deliver(session, mail_id)
        except NotFound:
            log.info("mail %s no longer exists", mail_id)


@dramatiq.actor(queue_name="default", max_retries=5)
def expire_review_claims() -> None:
    """Return review claims older than 24 h to the queue and tell their mentors (id-free sweep;
    safe to run at any interval or twice at once: rows being changed are skipped)."""
    from cyberhub.services import reviews

    with session_scope() as session:
        expired = reviews.expire_claims(session)
    if expired:
        log.info("returned %d expired review claims to the queue", len(expired))
