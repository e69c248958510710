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


class SendLater(Exception):
    """The relay could not take the message now (a 4xx reply: greylisting, a rate limit, a busy
    mailbox; or the network: a name that did not resolve, a refused connection): the delivery
    job is tried again later (worker/broker.TRANSIENT_ERRORS). A 5xx reply is final."""


def _temporary(exc: OSError) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    # Any other SMTP error is the conversation's (no STARTTLS, a refused HELO): final. An
    # OSError that is not SMTP's is the network's.
    return not isinstance(exc, smtplib.SMTPException)


def _send(host: str, msg: EmailMessage) -> None:
    settings = get_settings()
    smtp = smtplib.SMTP(host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(msg)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            # A goodbye the relay got wrong: what it accepted is sent (a retry would send it
            # twice), and a failed conversation is reported as it was.
            smtp.close()


def deliver(session: Session, mail_id: int) -> bool:
    """Send one outbox message by SMTP; idempotent (an already sent message is skipped).
    SendLater when the relay or the network asks to try again later."""
    settings = get_settings()
    mail = session.get(OutboxMail, mail_id, with_for_update=True)
    if mail is None:
        raise NotFound(f"Mail {mail_id} does not exist.")
    host = settings.smtp_host
    if mail.sent_at is not None or not host:
        return False
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to_email
    msg["Subject"] = one_line(mail.subject)  # one queued before it was made one line
    msg.set_content(mail.body)
    try:
        _send(host, msg)
    except OSError as exc:  # (smtplib's errors are OSErrors)
        if _temporary(exc):
            raise SendLater(f"mail {mail_id} not sent yet: {exc!r}") from exc
        raise
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
