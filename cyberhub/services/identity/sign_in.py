"""Signing in with a password: the one flow the /signin page and POST auth/login share.

Both check the password with the lockout and the two-step (MFA) rule (`accounts.authenticate`),
then start a session: an API client gets its token pair, a browser the single-use code its tab
trades for the HttpOnly session cookie (services/identity/browser_sessions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.schemas.identity import EMAIL_MAX
from cyberhub.services import rate_limit, text
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.identity import accounts, browser_sessions
from cyberhub.services.identity.accounts import TokenPair

LOGIN_ENDPOINT = "/auth/login"


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str
    # A TOTP or recovery code: needed when the account has two-step sign-in (else MfaRequired).
    mfa_code: str | None = None


def _check(session: Session, credentials: Credentials, meta: RequestMeta) -> User:
    # No account has a longer address: refused as such, before any lookup (Invalid, not the
    # "wrong e-mail or password" of an address that could exist).
    text.within(credentials.email or "", "email address", EMAIL_MAX)
    return accounts.authenticate(
        session,
        email=credentials.email,
        password=credentials.password,
        mfa_code=credentials.mfa_code,
        meta=meta,
    )


def for_api(session: Session, credentials: Credentials, meta: RequestMeta = NO_META) -> TokenPair:
    """Check the credentials; a new API session (access + refresh token). Raises DomainError.

    The route counts the per-address allowance itself (a dependency, before the body is read)."""
    return accounts.start_session(session, _check(session, credentials, meta), meta)


def for_browser(session: Session, credentials: Credentials, meta: RequestMeta = NO_META) -> str:
    """Check the credentials; the single-use code a tab trades for its cookie. Raises DomainError.

    Counts in the same per-address allowance as POST auth/login."""
    rate_limit.hit_auth(LOGIN_ENDPOINT, meta.ip)
    return browser_sessions.begin_sign_in(session, _check(session, credentials, meta), meta)
