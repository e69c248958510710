"""Delivering the outbox by SMTP (services/messaging/mail.deliver, the deliver_mail job): a relay
that says "try later" (4xx: greylisting, a rate limit) or a network that fails on the way is
tried again; a refusal (5xx) is final; a message the relay accepted is marked sent even if its
goodbye goes wrong. The 4xx and network errors failed the job at once, so a sign-in link or a
reminder was never sent unless an admin retried it by hand."""

from __future__ import annotations

import smtplib
import socket

import pytest
from sqlmodel import Session

from cyberhub.models import OutboxMail
from cyberhub.services.messaging import mail
from tests.fakes import FakeSmtp
from worker.broker import is_transient

pytestmark = [pytest.mark.integration]

TO = "amina@example.org"


def _queued(session: Session) -> OutboxMail:
    row = OutboxMail(to_email=TO, subject="Your sign-in link", body="Open it.", kind="magic_link")
    session.add(row)
    session.commit()
    return row


def _deliver(session: Session, row: OutboxMail) -> bool:
    try:
        return mail.deliver(session, row.id or 0)
    finally:
        session.commit()


@pytest.mark.parametrize(
    "relay",
    [
        {"refuse": smtplib.SMTPRecipientsRefused({TO: (450, b"greylisted, try later")})},
        {"refuse": smtplib.SMTPSenderRefused(451, b"rate limited", "noreply@x")},
        {"refuse": smtplib.SMTPDataError(452, b"mailbox busy")},
        {"on_connect": socket.gaierror(-3, "Temporary failure in name resolution")},
        {"on_connect": ConnectionRefusedError(111, "Connection refused")},
    ],
    ids=["450 recipient", "451 sender", "452 data", "DNS", "refused connection"],
)
def test_try_later_is_tried_again_and_the_mail_stays_unsent(
    session: Session, smtp: None, monkeypatch: pytest.MonkeyPatch, relay: dict[str, Exception]
) -> None:
    row = _queued(session)
    sent: list[str] = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp.relay(sent, **relay))
    with pytest.raises(mail.SendLater) as raised:
        _deliver(session, row)
    assert is_transient(0, raised.value)  # the job is retried with backoff
    session.refresh(row)
    assert row.sent_at is None and sent == []
    # The relay takes it on a later try.
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp.relay(sent))
    assert _deliver(session, row)
    session.refresh(row)
    assert row.sent_at is not None and sent == ["Your sign-in link"]


def test_a_final_refusal_is_not_tried_again(
    session: Session, smtp: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _queued(session)
    refused = smtplib.SMTPRecipientsRefused({TO: (550, b"no such mailbox")})
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp.relay([], refuse=refused))
    with pytest.raises(smtplib.SMTPRecipientsRefused) as raised:
        _deliver(session, row)
    assert not is_transient(0, raised.value)


def test_a_goodbye_gone_wrong_after_the_relay_took_the_mail_marks_it_sent(
    session: Session, smtp: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QUIT answered with an error after the message was accepted: the job failed and a retry
    sent the same mail again."""
    row = _queued(session)
    sent: list[str] = []
    goodbye = smtplib.SMTPResponseException(421, b"closing")
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp.relay(sent, on_quit=goodbye))
    assert _deliver(session, row)
    session.refresh(row)
    assert row.sent_at is not None and sent == ["Your sign-in link"]
    assert not _deliver(session, row)  # a redelivered job sends nothing more
    assert sent == ["Your sign-in link"]
