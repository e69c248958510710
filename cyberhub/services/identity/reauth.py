"""Fresh re-authentication for account-security changes (turning two-step sign-in on or off,
creating an API key): the request itself carries the current password or a current TOTP code.

A stolen session (or anything riding on an open browser tab) can't make those changes without
the secret the owner knows; an API key can't make them at all (services refuse key principals).
A TOTP code is fresh by construction (its 30-second step, never accepted twice); a password is
fresh because it is typed for this request. Wrong attempts are throttled per user.
"""

from __future__ import annotations

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.redis_client import get_redis
from cyberhub.services.errors import RateLimited, ReauthRequired
from cyberhub.services.identity import mfa, passwords

MAX_FAILURES = 10
FAILURE_WINDOW = 15 * 60

NO_PASSWORD = (
    "Your account has no password yet. Set one with “Forgot your password?” on the sign-in "
    "page, then try again."
)


def _failures_key(user_id: int) -> str:
    return f"cyberhub:reauth:failures:{user_id}"


def _throttled(user_id: int) -> None:
    redis = get_redis()
    if int(redis.get(_failures_key(user_id)) or 0) >= MAX_FAILURES:
        retry = max(1, int(redis.ttl(_failures_key(user_id))))
        raise RateLimited("Too many wrong attempts. Wait a few minutes and try again.", retry)


def _count_failure(user_id: int) -> None:
    redis = get_redis()
    if int(redis.incr(_failures_key(user_id))) == 1:
        redis.expire(_failures_key(user_id), FAILURE_WINDOW)


def prompt(user: User) -> str:
    """What to ask this user for."""
    if user.mfa_secret and user.password_hash:
        return "your current password or a code from your authenticator app"
    if user.mfa_secret:
        return "a code from your authenticator app"
    return "your current password"


def confirm(
    session: Session, user: User, *, password: str | None = None, code: str | None = None
) -> None:
    """Pass when `password` is the user's or `code` is a current TOTP code; else ReauthRequired.

    Recovery codes are not accepted here: they are for a lost phone, not for everyday changes.
    """
    assert user.id is not None
    _throttled(user.id)
    password = password or ""
    code_given = mfa.normalize_code(code)
    if not password and not code_given:
        if not user.password_hash and not user.mfa_secret:
            raise ReauthRequired(NO_PASSWORD)
        raise ReauthRequired(f"Confirm it's you: enter {prompt(user)}.")
    if code_given and user.mfa_secret and mfa.verify_totp_code(user, code_given):
        return
    if password and user.password_hash and passwords.verify_password(password, user.password_hash):
        return
    _count_failure(user.id)
    if password and not user.password_hash:
        raise ReauthRequired(NO_PASSWORD)
    raise ReauthRequired(
        "That didn't confirm it's you: the password is wrong, or the code is wrong, expired or "
        "already used. Try again."
    )
