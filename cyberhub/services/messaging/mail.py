"""Outgoing mail through one door: every message is written to the outbox table first.

With SMTP configured, a worker job delivers it after the transaction commits (and marks it sent);
without SMTP the outbox is the mailbox, shown on the dev mailbox page outside production.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import OutboxMail
from cyberhub.models.base import utcnow
from cyberhub.services import text
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Forbidden, NotFound
from cyberhub.settings import get_settings


def one_line(subject: str) -> str:
    """A subject as a mail header can hold it: one line (a title may carry a line break, which
    no header may: delivery would fail)."""
    return " ".join(text.printable(subject).split())[:200]


def send(session: Session, *, to: str, subject: str, body: str, kind: str = "notice") -> OutboxMail:
    """Queue a message (plain text). Delivered after commit when SMTP is configured."""
    mail = OutboxMail(to_email=to.strip().lower(), subject=one_line(subject), body=body, kind=kind)
    session.add(mail)
    session.flush()
    if get_settings().smtp_host:
        jobs.mail_queued(session, mail.id or 0)
    return mail


def deliver(session: Session, mail_id: int) -> bool:
    """Send one outbox message by SMTP; idempotent (an already sent message is skipped)."""
    settings = get_settings()
    mail = session.get(OutboxMail, mail_id, with_for_update=True)
    if mail is None:
        raise NotFound(f"Mail {mail_id} does not exist.")
    if mail.sent_at is not None or not settings.smtp_host:
        return False
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to_email
    msg["Subject"] = one_line(mail.subject)  # one queued before it was made one line
    msg.set_content(mail.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(msg)
    mail.sent_at = utcnow()
    session.add(mail)
    return True


def mailbox_enabled() -> bool:
    """The dev mailbox exists only when DEV_MAILBOX is on (never in production)."""
    settings = get_settings()
    return settings.dev_mailbox_enabled and not settings.is_production


def dev_mailbox(
    session: Session, meta: RequestMeta, *, to: str = "", limit: int = 50
) -> list[OutboxMail]:
    """Newest messages first, optionally for one address (development and tests only).

    Only for a request made on this machine (`meta.local`): the mailbox holds every sign-in and
    password-reset link, so anyone else reading it could take over any account.
    """
    if not mailbox_enabled():
        raise NotFound("There is no dev mailbox here: it is off (DEV_MAILBOX) or in production.")
    if not meta.local:
        raise Forbidden("The dev mailbox is only shown to browsers on this machine.")
    stmt = select(OutboxMail)
    if to.strip():
        stmt = stmt.where(OutboxMail.to_email == to.strip().lower())
    return list(session.exec(stmt.order_by(col(OutboxMail.id).desc()).limit(limit)).all())
