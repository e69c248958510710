"""Thin, id-only actors: open a session, call the service, commit. Idempotent by design.

The entry module of `dramatiq worker.actors`: it declares the mail and review actors and
imports the other domains' modules so one worker process serves every queue."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import Shutdown

import worker.broker  # noqa: F401  (installs the broker before actors are declared)
from cyberhub import jobs
from cyberhub.db import session_scope
from cyberhub.services.admin import exports
from cyberhub.services.coaching import reminders
from cyberhub.services.errors import NotFound
from cyberhub.services.learning import analytics, applications, reviews, schedule, submissions
from cyberhub.services.messaging import mail
from worker.ai import (  # noqa: F401  (declared there; re-exported for callers and tests)
    analyze_personality,
    embed_learner,
    embed_mission,
    rebuild_all,
    recompute_recommendations,
)
from worker.coach import (  # noqa: F401  (declared there; re-exported for callers and tests)
    compute_coach_plan,
    sweep_coach_plans,
)
from worker.middleware import job_stopped

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


@dramatiq.actor(
    queue_name="default",
    max_retries=0,
    time_limit=jobs.RUN_EXPORT.time_limit_ms,
    # A worker told to stop interrupts the export (Shutdown), which goes back to the queue for
    # another worker at once, rather than holding the shutdown for up to the export's hour.
    notify_shutdown=True,
)
def run_export(export_id: int) -> None:
    """Write one export's file (idempotent: a second delivery finds the row claimed and does
    nothing). Failures are recorded on the export, shown to its requester, not retried."""
    try:
        status = exports.run_export(session_scope, export_id)
        log.info("export %s: %s", export_id, status or "already taken")
    except Shutdown:
        # The worker is stopping: exports.run_export handed the export on (its job sent again
        # for another worker; failing that, the sweep sends one), so this message is done
        # with: counted as stopped, not as a failed job nor a success.
        log.info("export %s: stopped as the worker shuts down; handed on", export_id)
        job_stopped()


@dramatiq.actor(queue_name="default", max_retries=3)
def sweep_exports() -> None:
    """Delete expired exports (file and row), fail those whose worker died and re-send the job
    of those queued too long (id-free sweep; safe at any interval or twice at once: rows another
    sweep holds are skipped, and a job sent twice runs once)."""
    with session_scope() as session:
        result = exports.sweep(session)
    if result.deleted or result.stale or result.resent:
        log.info(
            "exports: %d expired deleted, %d stale failed, %d queued sent again",
            result.deleted,
            result.stale,
            result.resent,
        )


@dramatiq.actor(queue_name="default", max_retries=3)
def send_habit_reminders() -> None:
    """Remind learners of habits whose reminder time has come (bell + e-mail; id-free sweep,
    once per habit per local day even if run twice at once)."""
    with session_scope() as session:
        sent = reminders.send_due_reminders(session)
    if sent:
        log.info("sent %d habit reminder(s)", sent)


@dramatiq.actor(queue_name="default", max_retries=3)
def send_due_reminders() -> None:
    """Remind learners of missions due within REMINDER_DAYS_BEFORE days that they have not
    handed in (id-free sweep; each reminder is sent once, even by two sweeps at once)."""
    with session_scope() as session:
        result = schedule.send_reminders(session)
    if result.sent:
        log.info("sent %d due-date reminder(s)", result.sent)


@dramatiq.actor(queue_name="default", max_retries=1)
def refresh_program_analytics() -> None:
    """Recompute the unfiltered analytics snapshot of every big programme (id-free; two at
    once both write, the later one stays)."""
    with session_scope() as session:
        result = analytics.refresh_snapshots(session)
    if result.refreshed or result.dropped:
        log.info(
            "analytics snapshots: %s (ms per programme), %d dropped",
            result.refreshed,
            result.dropped,
        )


@dramatiq.actor(queue_name="default", max_retries=3)
def expire_ended_applications() -> None:
    """Close the applications still pending in cohorts past their last day, each learner told
    once (id-free sweep; a second run, or two at once, changes nothing more)."""
    with session_scope() as session:
        expired = applications.expire_ended_applications(session)
    if expired:
        log.info("expired %d application(s) of ended cohorts", expired)
