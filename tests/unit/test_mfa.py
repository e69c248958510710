"""MFA service: TOTP codes and their window, replay protection, recovery codes (single use)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from sqlmodel import Session, select

from cyberhub.models import AuditLog, OutboxMail, RecoveryCode, User
from cyberhub.services.errors import Conflict, Invalid, RateLimited, Unauthenticated
from cyberhub.services.identity import mfa
from cyberhub.services.identity.permissions import Principal, load_principal
from tests.factories import PASSWORD
from tests.totp import Clock, code

pytestmark = [pytest.mark.auth]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = 1_800_000_015.0  # the middle of a 30-second step


class TestCodes:
    @pytest.mark.parametrize("offset", [-1, 0, 1])
    def test_the_current_step_and_one_either_side_match(self, offset: int) -> None:
        step = mfa.matching_step(SECRET, code(SECRET, offset, at=T0), at=T0)
        assert step == int(T0 // 30) + offset

    @pytest.mark.parametrize("offset", [-3, -2, 2, 3])
    def test_codes_further_away_do_not(self, offset: int) -> None:
        assert mfa.matching_step(SECRET, code(SECRET, offset, at=T0), at=T0) is None

    @pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
    def test_malformed_codes_do_not_match(self, typed: str) -> None:
        assert mfa.matching_step(SECRET, typed, at=T0) is None

    def test_spaces_and_dashes_are_ignored(self) -> None:
        c = code(SECRET, at=T0)
        assert mfa.matching_step(SECRET, f" {c[:3]} {c[3:]} ", at=T0) is not None
        assert mfa.matching_step(SECRET, f"{c[:3]}-{c[3:]}", at=T0) is not None

    def test_a_code_of_another_secret_does_not_match(self) -> None:
        other = code("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", at=T0)
        if other != code(SECRET, at=T0):
            assert mfa.matching_step(SECRET, other, at=T0) is None

    def test_recovery_codes_hash_the_same_however_typed(self) -> None:
        h = mfa.hash_recovery_code("abcde-fghjk")
        assert h == mfa.hash_recovery_code(" ABCDE FGHJK ") == mfa.hash_recovery_code("abcdefghjk")
        assert len(h) == 64 and h != mfa.hash_recovery_code("abcde-fghjm")


# -- the service, against a database and Redis --------------------------------------------------


@pytest.fixture
def principal(session: Session, student_user: User) -> Principal:
    p = load_principal(session, student_user.id or 0)
    assert p is not None
    return p


def enrol(session: Session, principal: Principal, clock: Clock) -> tuple[str, list[str]]:
    """Turn MFA on; the confirming code is from the previous step (so `now` is still unused)."""
    secret = mfa.begin_enrollment(session, principal).secret
    codes = mfa.confirm_enrollment(
        session, principal, code(secret, -1, at=clock.now), password=PASSWORD
    )
    session.commit()
    return secret, codes


class TestEnrollment:
    def test_begin_gives_a_secret_uri_and_local_qr(
        self, session: Session, principal: Principal, student_user: User
    ) -> None:
        e = mfa.begin_enrollment(session, principal)
        secret, uri, qr = e  # a plain tuple too
        assert len(secret) >= 16
        parsed = urlparse(uri)
        assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
        assert unquote(parsed.path) == f"/CyberHub:{student_user.email}"
        assert parse_qs(parsed.query)["issuer"] == ["CyberHub"]
        assert parse_qs(parsed.query)["secret"] == [secret]
        assert qr.startswith("data:image/svg+xml;base64,")
        assert b"<svg" in base64.b64decode(qr.split(",", 1)[1])
        session.commit()
        session.refresh(student_user)
        assert student_user.mfa_pending_secret == secret and student_user.mfa_secret is None

    def test_confirm_turns_mfa_on_and_returns_ten_hashed_codes(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret, codes = enrol(session, principal, clock)
        assert len(codes) == 10 and len(set(codes)) == 10
        session.refresh(student_user)
        assert student_user.mfa_secret == secret and student_user.mfa_pending_secret is None
        assert student_user.mfa_enabled_at is not None
        stored = {r.code_hash for r in session.exec(select(RecoveryCode)).all()}
        assert stored == {mfa.hash_recovery_code(c) for c in codes}
        assert not stored & set(codes)  # never the codes themselves
        assert "mfa.enabled" in session.exec(select(AuditLog.action)).all()
        notice = session.exec(select(OutboxMail)).one()
        assert notice.to_email == student_user.email and "turned on" in notice.body
        assert mfa.status(session, principal).recovery_codes_left == 10

    def test_wrong_code_keeps_it_off(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret = mfa.begin_enrollment(session, principal).secret
        with pytest.raises(Invalid, match="not valid"):
            mfa.confirm_enrollment(
                session, principal, code(secret, 3, at=clock.now), password=PASSWORD
            )
        with pytest.raises(Invalid, match="6-digit"):
            mfa.confirm_enrollment(session, principal, "abc", password=PASSWORD)
        assert student_user.mfa_secret is None

    def test_confirm_without_begin_and_begin_when_on(
        self, session: Session, principal: Principal, clock: Clock
    ) -> None:
        with pytest.raises(Invalid, match="Start the set-up"):
            mfa.confirm_enrollment(session, principal, "123456", password=PASSWORD)
        enrol(session, principal, clock)
        with pytest.raises(Conflict):
            mfa.begin_enrollment(session, principal)

    def test_anonymous_is_refused(self, session: Session) -> None:
        with pytest.raises(Unauthenticated):
            mfa.begin_enrollment(session, None)

    def test_guessing_is_throttled(
        self, session: Session, principal: Principal, clock: Clock
    ) -> None:
        secret = mfa.begin_enrollment(session, principal).secret
        wrong = code(secret, 5, at=clock.now)
        for _ in range(mfa.MAX_CODE_FAILURES):
            with pytest.raises(Invalid):
                mfa.confirm_enrollment(session, principal, wrong, password=PASSWORD)
        with pytest.raises(RateLimited):
            mfa.confirm_enrollment(
                session, principal, code(secret, at=clock.now), password=PASSWORD
            )


class TestSecondFactor:
    def test_a_code_works_once(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(session, principal, clock)
        now_code = code(secret, at=clock.now)
        assert mfa.verify_second_factor(session, student_user, now_code)
        assert not mfa.verify_second_factor(session, student_user, now_code)  # replay

    def test_an_older_step_is_refused_after_a_newer_one(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(session, principal, clock)
        assert mfa.verify_second_factor(session, student_user, code(secret, 1, at=clock.now))
        assert not mfa.verify_second_factor(session, student_user, code(secret, 0, at=clock.now))
        clock.advance(2)
        assert mfa.verify_second_factor(session, student_user, code(secret, at=clock.now))

    def test_the_enrolment_code_cannot_be_replayed(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret = mfa.begin_enrollment(session, principal).secret
        c = code(secret, at=clock.now)
        mfa.confirm_enrollment(session, principal, c, password=PASSWORD)
        assert not mfa.verify_second_factor(session, student_user, c)

    def test_a_recovery_code_works_once(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        _, codes = enrol(session, principal, clock)
        assert mfa.verify_second_factor(session, student_user, codes[0].upper())
        session.commit()
        assert not mfa.verify_second_factor(session, student_user, codes[0])
        assert mfa.verify_second_factor(session, student_user, codes[1])
        used = session.exec(select(AuditLog).where(AuditLog.action == "mfa.recovery_code_used"))
        assert [e.details["remaining"] for e in used.all()] == [9, 8]
        assert mfa.status(session, principal).recovery_codes_left == 8

    def test_nothing_passes_when_mfa_is_off(self, session: Session, student_user: User) -> None:
        assert not mfa.verify_second_factor(session, student_user, "123456")

    def test_garbage_is_refused(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        enrol(session, principal, clock)
        for typed in ("", None, "x", "abcde-fghjk", "12345678901234567890"):
            assert not mfa.verify_second_factor(session, student_user, typed)


class TestDisableAndRegenerate:
    def test_disable_needs_a_valid_code(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(session, principal, clock)
        with pytest.raises(Invalid):
            mfa.disable(session, principal, code(secret, 4, at=clock.now))
        with pytest.raises(Invalid):
            mfa.disable(session, principal, "")
        mfa.disable(session, principal, code(secret, at=clock.now))
        session.refresh(student_user)
        assert student_user.mfa_secret is None and student_user.mfa_enabled_at is None
        assert session.exec(select(RecoveryCode)).all() == []
        assert "mfa.disabled" in session.exec(select(AuditLog.action)).all()
        subjects = session.exec(select(OutboxMail.subject)).all()
        assert "Two-factor authentication is off" in subjects
        with pytest.raises(Conflict):
            mfa.disable(session, principal, code(secret, 1, at=clock.now))

    def test_disable_with_a_recovery_code(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        _, codes = enrol(session, principal, clock)
        mfa.disable(session, principal, codes[3])
        assert student_user.mfa_secret is None

    def test_regenerate_replaces_every_code(
        self, session: Session, principal: Principal, student_user: User, clock: Clock
    ) -> None:
        secret, old = enrol(session, principal, clock)
        new = mfa.regenerate_recovery_codes(session, principal, code(secret, at=clock.now))
        assert len(new) == 10 and not set(new) & set(old)
        assert not mfa.verify_second_factor(session, student_user, old[0])
        assert mfa.verify_second_factor(session, student_user, new[0])
