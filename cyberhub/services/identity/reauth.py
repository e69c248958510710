"""Fresh re-authentication for account-security changes (turning two-step sign-in on or off,
creating an API key): the request itself carries the current password or a current TOTP code.

A stolen session (or anything riding on an open browser tab) can't make those changes without
the secret the owner knows; an API key can't make them at all (services refuse key principals).
A TOTP code is fresh by construction (its 30-second step, never accepted twice); a password is
fresh because it is typed for this request. Wrong attempts are throttled per user.

`check_password` is the one rule "the signed-in person typed their current password" (the
password change calls it too): no password yet, the throttle before the check, counting a wrong
one, and the answer. What holds wrong attempts back is its `guard` (see Guard for why two).
"""

from __future__ import annotations

import enum

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.redis_client import get_redis
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import RateLimited, ReauthRequired
from cyberhub.services.identity import lockout, mfa, passwords

MAX_FAILURES = 10
FAILURE_WINDOW = 15 * 60

NO_PASSWORD = (
    "Your account has no password yet. Set one with “Forgot your password?” on the sign-in "
    "page, then try again."
)
NOT_CONFIRMED = (
    "That didn't confirm it's you: the password is wrong, or the code is wrong, expired or "
    "already used. Try again."
)


class Guard(enum.Enum):
    """What holds back wrong attempts at the current password, and counts them."""

    # Changing the password: getting past the check sets a password the owner doesn't know,
    # which shuts them out of password sign-in, the prize of a sign-in guess. So a wrong current
    # password is a failed sign-in: refused while this address is locked out of the account (or
    # password sign-in paused), counted toward the same locks (lockout.py: 423 after
    # LOCKOUT_THRESHOLD from one address, for signing in too) and audited as "login.failure".
    SIGN_IN_LOCKOUT = "sign-in lockout"
    # "Confirm it's you" (two-step sign-in, API keys): the password or a TOTP code, and a
    # mistyped or already-used code (a new one every 30 s, none accepted twice) is an everyday
    # slip, not a password guess; it must not lock the owner's own network out of signing in.
    # Its own count instead: MAX_FAILURES wrong in FAILURE_WINDOW per account, from every
    # address together, then 429. Each wrong one is audited as "reauth.failure".
    CONFIRMATION = "confirmation"


def _failures_key(user_id: int) -> str:
    return f"cyberhub:reauth:failures:{user_id}"


def _throttled(user_id: int) -> None:
    redis = get_redis()
    if int(redis.get(_failures_key(user_id)) or 0) >= MAX_FAILURES:
        retry = max(1, int(redis.ttl(_failures_key(user_id))))
        raise RateLimited("Too many wrong attempts. Wait a few minutes and try again.", retry)


def _count_failure(user_id: int) -> int:
    """One more wrong confirmation in the window; how many there are in it now."""
    redis = get_redis()
    failures = int(redis.incr(_failures_key(user_id)))
    if failures == 1:
        redis.expire(_failures_key(user_id), FAILURE_WINDOW)
    return failures


def _hold_back(session: Session, user: User, meta: RequestMeta, guard: Guard) -> None:
    """Refuse before any check while `guard` says wrong attempts must wait."""
    assert user.id is not None
    if guard is Guard.SIGN_IN_LOCKOUT:
        lockout.check_password_sign_in(session, user, meta)
    else:
        _throttled(user.id)


def _count_wrong(
    session: Session, user: User, meta: RequestMeta, guard: Guard, audit_reason: str
) -> None:
    assert user.id is not None
    if guard is Guard.SIGN_IN_LOCKOUT:
        lockout.record_failure(session, user, meta, reason=audit_reason)
        return
    failures = _count_failure(user.id)
    # Committed, as a failed sign-in is: the caller's request fails (and rolls back).
    audit.record(
        session,
        "reauth.failure",
        user,
        by=user.id,
        meta=meta,
        reason=audit_reason,
        failures=failures,
    )
    session.commit()


def hold_back_confirmation(session: Session, user: User, meta: RequestMeta = NO_META) -> None:
    """RateLimited while the user's wrong confirmations are over the limit (Guard.CONFIRMATION),
    for a check made elsewhere (mfa: the code that turns two-step off or replaces its codes)."""
    _hold_back(session, user, meta, Guard.CONFIRMATION)


def count_wrong_confirmation(
    session: Session, user: User, meta: RequestMeta = NO_META, *, audit_reason: str
) -> None:
    """Count and audit ("reauth.failure", committed) a wrong confirmation checked elsewhere."""
    _count_wrong(session, user, meta, Guard.CONFIRMATION, audit_reason)


def check_password(
    session: Session,
    user: User,
    password: str,
    meta: RequestMeta = NO_META,
    *,
    guard: Guard,
    wrong: str,
    audit_reason: str = "bad current password",
) -> None:
    """Pass when `password` is the signed-in `user`'s current password.

    Else ReauthRequired: NO_PASSWORD when the account has none (not counted), `wrong` when it
    isn't theirs (counted by `guard`, and audited with `audit_reason`: a failed sign-in
    under SIGN_IN_LOCKOUT, a "reauth.failure" under CONFIRMATION; both commit). The guard may
    refuse first: Locked (SIGN_IN_LOCKOUT) or RateLimited.
    """
    if not user.password_hash:
        raise ReauthRequired(NO_PASSWORD)
    _hold_back(session, user, meta, guard)
    if passwords.verify_password(password, user.password_hash):
        return
    _count_wrong(session, user, meta, guard, audit_reason)
    raise ReauthRequired(wrong)


def prompt(user: User) -> str:
    """What to ask this user for."""
    if user.mfa_secret and user.password_hash:
        return "your current password or a code from your authenticator app"
    if user.mfa_secret:
        return "a code from your authenticator app"
    return "your current password"


def confirm(
    session: Session,
    user: User,
    *,
    password: str | None = None,
    code: str | None = None,
    meta: RequestMeta = NO_META,
) -> None:
    """Pass when `password` is the user's (check_password, Guard.CONFIRMATION) or `code` is a
    current TOTP code; else ReauthRequired, or RateLimited after too many wrong attempts. A
    wrong password or code is audited ("reauth.failure", committed: the request fails).

    Recovery codes are not accepted here: they are for a lost phone, not for everyday changes.
    """
    _hold_back(session, user, meta, Guard.CONFIRMATION)
    password = password or ""
    code_given = mfa.normalize_code(code)
    if not password and not code_given:
        if not user.password_hash and not user.mfa_secret:
            raise ReauthRequired(NO_PASSWORD)
        raise ReauthRequired(f"Confirm it's you: enter {prompt(user)}.")
    if code_given and user.mfa_secret and mfa.verify_totp_code(user, code_given):
        return
    if password:
        check_password(
            session,
            user,
            password,
            meta,
            guard=Guard.CONFIRMATION,
            wrong=NOT_CONFIRMED,
            audit_reason="bad password",
        )
        return
    _count_wrong(session, user, meta, Guard.CONFIRMATION, "bad code")
    raise ReauthRequired(NOT_CONFIRMED)
