"""Two-factor authentication: TOTP (RFC 6238, via pyotp) plus ten single-use recovery codes.

Enrolment is two steps: `begin_enrollment` makes a pending secret (shown as a QR code and typed
out), `confirm_enrollment` turns it on once the user proves their app produces valid codes, and
hands back the recovery codes exactly once (only their SHA-256 is stored). Sign-in calls
`verify_second_factor`, which accepts a current TOTP code or an unused recovery code.

A TOTP code is accepted for the current 30-second step and one step either side (clock drift),
but never twice: the last accepted step per user is kept in Redis, and a code from that step or an
earlier one is refused, so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import secrets
import time
from typing import NamedTuple

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cyberhub.models import RecoveryCode, User, crypto
from cyberhub.models.base import utcnow
from cyberhub.redis_client import get_redis
from cyberhub.schemas.identity import MfaStatusPublic
from cyberhub.services import text as free_text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, RateLimited, Unauthenticated
from cyberhub.services.identity.permissions import DEACTIVATED, Principal, require_interactive
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings

ISSUER = "CyberHub"
DIGITS = 6
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps accepted either side of the current one
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: recovery codes are read off paper and typed by hand.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_LENGTH = 10  # ~49 bits each, shown as xxxxx-xxxxx
# Wrong codes while enrolling or disabling (the user is signed in, so lockout does not apply).
MAX_CODE_FAILURES = 10
CODE_FAILURE_WINDOW = 15 * 60

BAD_CODE = "That code is not valid. Check your authenticator app (and its clock) and try again."
KEY_CHANGED = (
    "Two-step sign-in can't be checked right now: the server's key changed. "
    "Use one of your recovery codes, or ask an admin."
)
RESTART_SETUP = "Start the set-up again: the server's key changed since you began."

log = logging.getLogger(__name__)

# Atomically move "last used step" forward; refuse a step that is not newer (a replay).
_ADVANCE_STEP = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""


class Enrollment(NamedTuple):
    secret: str
    otpauth_uri: str
    qr: str  # an SVG data URI, rendered locally (no network)


# -- codes ---------------------------------------------------------------------------------------


def normalize_code(code: str | None) -> str:
    """What the user typed, without spaces and dashes, lower-cased."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


def is_totp_format(code: str) -> bool:
    return len(code) == DIGITS and free_text.digits(code)


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (within the accepted window) whose TOTP equals `code`, or None."""
    code = normalize_code(code)
    if not is_totp_format(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = time.time() if at is None else at
    current = int(now // STEP_SECONDS)
    found = None
    # Check every candidate (no early exit) so timing does not tell which step matched.
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _last_step_key(user_id: int) -> str:
    return f"cyberhub:mfa:last:{user_id}"


def _accept_step(user_id: int, step: int) -> bool:
    """Record `step` as used; False if it (or a later step) was already used: a replay."""
    ttl = STEP_SECONDS * (2 * VALID_WINDOW + 2)
    return bool(get_redis().eval(_ADVANCE_STEP, 1, _last_step_key(user_id), step, ttl))


def _plain_secret(user_id: int, secret: str) -> str:
    """The decrypted TOTP secret, or Conflict (a clear 409, not a 500) if no key can read it.

    That happens when SECRET_KEY was changed without listing the old one in SECRET_KEY_PREVIOUS;
    recovery codes (hashed, not encrypted) still work, so the user can sign in and set up again.
    """
    try:
        return crypto.reveal(secret)
    except crypto.SecretKeyChanged as exc:
        log.error(
            "MFA secret of user %s cannot be decrypted: SECRET_KEY changed and the old key is "
            "not in SECRET_KEY_PREVIOUS",
            user_id,
        )
        raise Conflict(KEY_CHANGED) from exc


def _verify_totp(user_id: int, secret: str, code: str) -> bool:
    step = matching_step(_plain_secret(user_id, secret), code)
    return step is not None and _accept_step(user_id, step)


def verify_totp_code(user: User, code: str | None) -> bool:
    """True for a current, unused TOTP code of the user's confirmed secret (no recovery codes)."""
    normalized = normalize_code(code)
    if not user.mfa_secret or user.id is None or not is_totp_format(normalized):
        return False
    return _verify_totp(user.id, user.mfa_secret, normalized)


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=hash_recovery_code(code)))
    session.flush()
    return codes


def _use_recovery_code(session: Session, user: User, code: str, meta: RequestMeta) -> bool:
    row = session.exec(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_recovery_code(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .with_for_update()
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    session.add(row)
    audit.record(
        session,
        "mfa.recovery_code_used",
        user,
        by=user.id,
        meta=meta,
        remaining=_recovery_codes_left(session, user.id or 0),
    )
    return True


def _recovery_codes_left(session: Session, user_id: int) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


# -- helpers -------------------------------------------------------------------------------------


def _user(session: Session, principal: Principal | None) -> User:
    principal = require_interactive(principal)  # never an API key
    # FOR NO KEY UPDATE: two-step changes take turns, while a waitlist promotion's FOR KEY SHARE
    # on the row does not wait (a learner setting it up is not passed over for a seat).
    user = session.get(User, principal.user_id, with_for_update={"key_share": True})
    if user is None or not user.is_active:
        raise Unauthenticated(DEACTIVATED)
    return user


def _count_code_failure(user_id: int) -> None:
    """Throttle guessing while signed in: too many wrong codes answer 429 for a while."""
    redis = get_redis()
    key = f"cyberhub:mfa:failures:{user_id}"
    failures = int(redis.incr(key))
    if failures == 1:
        redis.expire(key, CODE_FAILURE_WINDOW)
    if failures > MAX_CODE_FAILURES:
        retry = max(1, int(redis.ttl(key)))
        raise RateLimited("Too many wrong codes. Wait a few minutes and try again.", retry)


def _check_not_throttled(user_id: int) -> None:
    redis = get_redis()
    key = f"cyberhub:mfa:failures:{user_id}"
    if int(redis.get(key) or 0) >= MAX_CODE_FAILURES:
        retry = max(1, int(redis.ttl(key)))
        raise RateLimited("Too many wrong codes. Wait a few minutes and try again.", retry)


def _notice(
    session: Session, user: User, action: str, subject: str, what: str, meta: RequestMeta
) -> None:
    """Audit a change to the user's two-factor sign-in as `action` and mail them about it."""
    audit.record(session, action, user, by=user.id, meta=meta)
    base = get_settings().base_url
    where = f" from {meta.ip}" if meta.ip else ""
    body = (
        f"Hello {user.full_name or user.email},\n\n"
        f"{what}{where} at {utcnow():%Y-%m-%d %H:%M} UTC.\n\n"
        # As the mail after a password reset says: a signed-in user changes no password on
        # /settings/security, they reset it (which signs every session out).
        "If this was you, there is nothing to do. If it wasn't, reset your password now at "
        f"{base}/password-reset, review your security settings at {base}/settings/security "
        "and tell an administrator.\n\n"
        "— CyberHub"
    )
    mail.send(session, to=user.email, subject=subject, body=body, kind="security_notice")


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


# -- the service ---------------------------------------------------------------------------------


def status(session: Session, principal: Principal | None) -> MfaStatusPublic:
    """Whether two-factor authentication is on, since when, and how many recovery codes are left."""
    user = _user(session, principal)
    return MfaStatusPublic(
        enabled=bool(user.mfa_secret),
        enabled_at=user.mfa_enabled_at,
        pending=bool(user.mfa_pending_secret) and not user.mfa_secret,
        recovery_codes_left=_recovery_codes_left(session, user.id or 0) if user.mfa_secret else 0,
    )


def begin_enrollment(
    session: Session, principal: Principal | None, meta: RequestMeta = NO_META
) -> Enrollment:
    """Create a new pending TOTP secret; return it with its otpauth:// URI and a QR code.

    Starting again replaces an unconfirmed secret. Raises Conflict when MFA is already on.
    """
    user = _user(session, principal)
    if user.mfa_secret:
        raise Conflict(
            "Two-factor authentication is already on. Turn it off first to set up a new app."
        )
    secret = pyotp.random_base32()
    user.mfa_pending_secret = secret
    session.add(user)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )
    audit.record(session, "mfa.enrollment_started", user, by=user.id, meta=meta)
    return Enrollment(secret=secret, otpauth_uri=uri, qr=_qr_data_uri(uri))


def confirm_enrollment(
    session: Session,
    principal: Principal | None,
    code: str,
    meta: RequestMeta = NO_META,
    *,
    password: str | None = None,
) -> list[str]:
    """Turn MFA on if `code` matches the pending secret; return the ten recovery codes (once).

    Needs the current `password` too (a fresh re-authentication: services/identity/reauth.py), so a
    stolen session can't put the attacker's authenticator on the account.
    """
    from cyberhub.services.identity import reauth  # noqa: PLC0415  (why: reauth imports this module for its TOTP check)

    user = _user(session, principal)
    assert user.id is not None
    if user.mfa_secret:
        raise Conflict("Two-factor authentication is already on.")
    if not user.mfa_pending_secret:
        raise Invalid("Start the set-up first: there is no authenticator waiting to be confirmed.")
    reauth.confirm(session, user, password=password, meta=meta)
    if isinstance(user.mfa_pending_secret, crypto.UndecryptableSecret):
        raise Invalid(RESTART_SETUP)
    _check_not_throttled(user.id)
    if not is_totp_format(normalize_code(code)):
        raise Invalid("Enter the 6-digit code your authenticator app shows.")
    if not _verify_totp(user.id, user.mfa_pending_secret, code):
        _count_code_failure(user.id)
        raise Invalid(BAD_CODE)
    user.mfa_secret = user.mfa_pending_secret
    user.mfa_pending_secret = None
    user.mfa_enabled_at = utcnow()
    session.add(user)
    codes = _replace_recovery_codes(session, user.id)
    _notice(
        session,
        user,
        "mfa.enabled",
        "Two-factor authentication is on",
        "Two-factor authentication was turned on for your CyberHub account",
        meta,
    )
    return codes


def _check_code(session: Session, user: User, code: str, meta: RequestMeta) -> None:
    """For signed-in changes: a valid TOTP or recovery code, else Invalid.

    A "confirm it's you" like the others (reauth, Guard.CONFIRMATION): a wrong code counts toward
    the same limit (then RateLimited) and is audited as "reauth.failure".
    """
    from cyberhub.services.identity import reauth  # noqa: PLC0415  (why: reauth imports this module for its TOTP check)

    reauth.hold_back_confirmation(session, user, meta)
    if not normalize_code(code):
        raise Invalid("Enter a code from your authenticator app or one of your recovery codes.")
    if not verify_second_factor(session, user, code, meta):
        reauth.count_wrong_confirmation(session, user, meta, audit_reason="bad code")
        raise Invalid(BAD_CODE)


def _user_with_code(
    session: Session, principal: Principal | None, code: str, meta: RequestMeta
) -> User:
    """The signed-in user (locked), with MFA on and a right code given: what turning it off or
    replacing the recovery codes asks for. Conflict when MFA is off; Invalid for a wrong code."""
    user = _user(session, principal)
    if not user.mfa_secret:
        raise Conflict("Two-factor authentication is not on.")
    _check_code(session, user, code, meta)
    return user


def disable(
    session: Session, principal: Principal | None, code: str, meta: RequestMeta = NO_META
) -> None:
    """Turn MFA off; needs a current TOTP code or an unused recovery code."""
    user = _user_with_code(session, principal, code, meta)
    user.mfa_secret = None
    user.mfa_pending_secret = None
    user.mfa_enabled_at = None
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    _notice(
        session,
        user,
        "mfa.disabled",
        "Two-factor authentication is off",
        "Two-factor authentication was turned off for your CyberHub account",
        meta,
    )


def regenerate_recovery_codes(
    session: Session, principal: Principal | None, code: str, meta: RequestMeta = NO_META
) -> list[str]:
    """Replace every recovery code with ten new ones (old ones stop working); needs a code."""
    user = _user_with_code(session, principal, code, meta)
    assert user.id is not None
    codes = _replace_recovery_codes(session, user.id)
    _notice(
        session,
        user,
        "mfa.recovery_codes_regenerated",
        "New recovery codes",
        "New two-factor recovery codes were created for your CyberHub account (the old ones no "
        "longer work)",
        meta,
    )
    return codes


def verify_second_factor(
    session: Session, user: User, code: str | None, meta: RequestMeta = NO_META
) -> bool:
    """True for a fresh TOTP code of the user's confirmed secret or an unused recovery code.

    A recovery code is spent (marked used, audited) when it matches; a TOTP code cannot be used
    twice. False when MFA is off.
    """
    if not user.mfa_secret or user.id is None:
        return False
    normalized = normalize_code(code)
    if is_totp_format(normalized):
        return _verify_totp(user.id, user.mfa_secret, normalized)
    if len(normalized) == _RECOVERY_LENGTH:
        return _use_recovery_code(session, user, normalized, meta)
    return False
