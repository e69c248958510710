"""The mail sent when two-step sign-in is turned on or off, or its recovery codes replaced, told
someone who did not do it to "change your password now and review your security settings" at
/settings/security — a page with no password to change: a signed-in learner has no way to change
it there. It now sends them to /password-reset (which signs every session out), as the mail
after a password reset does, and says to tell an administrator."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import OutboxMail
from cyberhub.settings import get_settings
from tests.factories import PASSWORD
from tests.totp import Clock, code

pytestmark = [pytest.mark.auth, pytest.mark.integration]

MFA = "/api/v1/auth/mfa"


def test_the_security_notices_point_to_what_the_learner_can_do(
    student_client: TestClient, session: Session, clock: Clock
) -> None:
    r = student_client.post(f"{MFA}/enroll")
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    r = student_client.post(
        f"{MFA}/verify", json={"code": code(secret, -1, at=clock.now), "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    r = student_client.post(f"{MFA}/disable", json={"code": code(secret, at=clock.now)})
    assert r.status_code == 200, r.text

    notices = session.exec(
        select(OutboxMail).where(OutboxMail.kind == "security_notice").order_by(col(OutboxMail.id))
    ).all()
    assert [n.subject for n in notices] == [
        "Two-factor authentication is on",
        "Two-factor authentication is off",
    ]
    base = get_settings().base_url
    for notice in notices:
        assert "change your password" not in notice.body
        assert f"reset your password now at {base}/password-reset" in notice.body
        assert "tell an administrator" in notice.body
