"""Changing your own password while signed in (Settings → Security, POST auth/me/password).

The current password must be right (reauth.check_password, the rule "confirm it's you" uses
too): a wrong one counts as a failed sign-in toward the lockout (services/identity/lockout.py),
and attempts are rate limited per account and address like sign-in. The new one follows the sign-up rules (passwords.validate_password) and must differ
from the current one. Then, as after a password reset, every session ends, every API key and the
calendar feed are revoked — except the browser session that made the change, which stays signed
in — and the change is audited and mailed to the account's address.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.models.base import utcnow
from cyberhub.schemas.identity import PasswordChangedPublic
from cyberhub.services import rate_limit
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import accounts, browser_sessions, passwords, reauth
from cyberhub.services.identity.permissions import Principal, require_interactive
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings

WRONG_CURRENT = (
    "Your current password is not right. Try again, or choose “Forgot your password?” on the "
    "sign-in page to reset it."
)
SAME_AS_CURRENT = "Your new password is the same as your current one: choose a different one."
KEPT = "Your password was changed. Every other session was signed out and every API key revoked."
NOT_KEPT = "Your password was changed and every session was signed out. Sign in again."


def send_changed_notice(
    session: Session, user: User, meta: RequestMeta, at: datetime, *, how: str, ended: str
) -> None:
    """Mail the account's owner that its password was changed (`how`: "with a reset link"),
    what ended, and what to do if it wasn't them."""
    base = get_settings().base_url
    where = f" from {meta.ip}" if meta.ip else ""
    mail.send(
        session,
        to=user.email,
        subject="Your CyberHub password was changed",
        body=(
            f"Hello {user.full_name or user.email},\n\n"
            f"The password of your CyberHub account was changed {how}{where} at "
            f"{at:%Y-%m-%d %H:%M} UTC: {ended}.\n\n"
            "If this was you, there is nothing to do. If it wasn't, reset your password now at "
            f"{base}/password-reset and tell an administrator.\n\n"
            "— CyberHub"
        ),
        kind="security_notice",
    )


def change_password(
    session: Session,
    principal: Principal | None,
    current_password: str,
    new_password: str,
    meta: RequestMeta = NO_META,
    *,
    keep_session: str = "",
) -> PasswordChangedPublic:
    """Set the signed-in user's new password. `keep_session`: the browser session token of the
    request (its cookie), which stays signed in; every other session ends.

    Raises ReauthRequired (wrong current password, or the account has none), Locked, RateLimited,
    Invalid (the new password breaks the rules or is the current one) or Forbidden (an API key).
    """
    actor = require_interactive(principal)
    settings = get_settings()
    rate_limit.hit(
        f"password-change:{actor.user_id}:{meta.ip or 'unknown'}",
        settings.auth_rate_limit_per_account_per_minute,
        60,
    )
    # Lock the row: concurrent wrong guesses must all be counted, and two changes take turns.
    # FOR NO KEY UPDATE (no key changes): a waitlist promotion's FOR KEY SHARE on the row does
    # not wait, so a learner first in line is not passed over for changing their password.
    user = session.get(User, actor.user_id, with_for_update={"key_share": True})
    assert user is not None  # require_interactive found the active account
    current_password, new_password = current_password or "", new_password or ""
    # A wrong one is a failed sign-in (reauth.Guard.SIGN_IN_LOCKOUT says why).
    reauth.check_password(
        session,
        user,
        current_password,
        meta,
        guard=reauth.Guard.SIGN_IN_LOCKOUT,
        wrong=WRONG_CURRENT,
        audit_reason="bad current password (change)",
    )
    if new_password == current_password:
        raise Invalid(SAME_AS_CURRENT)
    passwords.validate_password(new_password, user.email)
    assert user.id is not None
    now = utcnow()
    user.password_hash = passwords.hash_password(new_password)
    session.add(user)
    kept = browser_sessions.family_of(session, keep_session, user.id) if keep_session else None
    accounts.revoke_all_sessions(
        session, user.id, reason="password change", meta=meta, keep_family=kept
    )
    audit.record(session, "password.changed", user, by=actor, meta=meta, kept_session=bool(kept))
    others = "every other session" if kept else "every session"
    send_changed_notice(
        session,
        user,
        meta,
        now,
        how="in its security settings",
        ended=f"{others} was signed out and every API key revoked",
    )
    session.flush()
    return PasswordChangedPublic(detail=KEPT if kept else NOT_KEPT, session_kept=kept is not None)
