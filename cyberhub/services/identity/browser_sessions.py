"""Browser sessions: an HttpOnly cookie set by an HTTP response, never readable by page script.

A sign-in page checks the credentials over its websocket, then records a single-use code (only
its SHA-256 is stored, valid for 60 seconds) and loads GET /api/v1/auth/browser/complete?code=
as a whole page: that response spends the code, starts the session and sets the cookie. The
cookie holds a signed token naming one refresh-token row (its family is the session id); every
websocket event and every cookie-authenticated API request checks that row, so revoking it
(sign-out, password reset, ending every session) ends the session at once. The token is not
rotated: a websocket can't replace a cookie. API clients keep their rotating refresh tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from sqlalchemy import update
from sqlmodel import Session, col

from cyberhub.models import OneTimeToken, RefreshToken, Role, User
from cyberhub.models.base import utcnow
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.identity import accounts, session_use, tokens
from cyberhub.services.identity.permissions import Principal, active_principal
from cyberhub.settings import get_settings

SESSION_COOKIE = "ch_session"
# Cookies that earlier versions set from page script; cleared whenever a session starts or ends.
LEGACY_COOKIES = ("ch_access", "ch_refresh")
TOKEN_TYPE = "session"
HANDOFF_PURPOSE = "browser_handoff"
HANDOFF_SECONDS = 60
MAX_CODE_LENGTH = 200
# The API routes a tab loads as a whole page (cyberhub/api/browser.py serves them).
COMPLETE_PATH = "/api/v1/auth/browser/complete"
SIGNOUT_PATH = "/api/v1/auth/browser/signout"
SIGNED_OUT_URL = "/signin?signed_out=1"
DEFAULT_NEXT = "/dashboard"
# Each role's home, in the order a user holding several lands on one: the work others wait on
# first (reviews, then programmes, then the console). The nav links to the others. "/dashboard"
# itself (kept for old links) sends a user on to this home; an account with no role stays there.
ROLE_HOMES: tuple[tuple[Role, str], ...] = (
    (Role.mentor, "/dashboard/mentor"),
    (Role.director, "/dashboard/director"),
    (Role.admin, "/admin/users"),
    (Role.sponsor, "/dashboard/sponsor"),
    (Role.student, "/dashboard/student"),
)
ENDED = "Your session has ended. Please sign in again."
HANDOFF_EXPIRED = (
    "That sign-in took too long to complete or was already used. Please sign in again."
)


@dataclass(frozen=True)
class StartedSession:
    """A browser session just started: the cookie's value and lifetime, and who it is."""

    token: str
    max_age_seconds: int
    principal: Principal


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def begin_sign_in(session: Session, user: User, meta: RequestMeta = NO_META) -> str:
    """Record a successful sign-in; return the single-use code the browser trades for its cookie."""
    assert user.id is not None
    # Every way in (password, two-step, magic link, invitation or sign-up) comes through here or
    # accounts.start_session (API tokens): "Last sign-in" is set in these two places only.
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, "login.success", user, by=user.id, meta=meta)
    code = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            purpose=HANDOFF_PURPOSE,
            token_hash=_hash(code),
            email=user.email,
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=HANDOFF_SECONDS),
        )
    )
    session.flush()
    return code


def completion_url(code: str, next_path: str | None) -> str:
    """Where a tab goes (as a whole page) to trade `code` for its cookie and land on `next_path`."""
    return f"{COMPLETE_PATH}?{urlencode({'code': code, 'next': safe_next(next_path)})}"


def complete_sign_in(session: Session, code: str, meta: RequestMeta = NO_META) -> StartedSession:
    """Spend a handoff code and start the session it was made for, in the browser `meta`
    describes (the tab loading the completion URL). Raises Unauthenticated."""
    code = (code or "").strip()
    if not code or len(code) > MAX_CODE_LENGTH:
        raise Unauthenticated(HANDOFF_EXPIRED)
    now = utcnow()
    # One statement spends the code: two requests racing with it can't both succeed.
    spent = session.execute(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.token_hash) == _hash(code),
            col(OneTimeToken.purpose) == HANDOFF_PURPOSE,
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(OneTimeToken.user_id), col(OneTimeToken.created_at))
    ).one_or_none()
    user_id = spent[0] if spent else None
    if spent is None or user_id is None:
        raise Unauthenticated(HANDOFF_EXPIRED)
    # A sign-in made before every session of the account ended (a password reset, "sign out
    # everywhere", a deactivation) ended with them, completed or not. The account row is held
    # as those hold it (accounts.hold_sessions) and read afresh: one running at this moment
    # either ends the session started here or is seen here, never leaving it live.
    accounts.hold_sessions(session, user_id)
    user = session.get(User, user_id, populate_existing=True)
    if user is not None and user.sessions_valid_after and spent[1] < user.sessions_valid_after:
        raise Unauthenticated(HANDOFF_EXPIRED)
    principal = active_principal(session, user_id)
    token, lifetime = accounts.issue_refresh_token(
        session, principal, tokens.new_id(), TOKEN_TYPE, session_use.origin_of(meta)
    )
    return StartedSession(token, int(lifetime.total_seconds()), principal)


def _live_row(session: Session, token: str) -> RefreshToken:
    claims = tokens.decode(token, TOKEN_TYPE)
    row = session.get(RefreshToken, claims.jti)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthenticated(ENDED)
    return row


def principal_for(session: Session, token: str) -> Principal:
    """The user of a live browser session (checked against the database), noted as in use.
    Raises Unauthenticated."""
    row = _live_row(session, token)
    session_use.touch(session, row)
    return active_principal(session, row.user_id)


def family_of(session: Session, token: str, user_id: int) -> str | None:
    """The session id (refresh family) of `user_id`'s live browser session `token`; None when
    the token is not a live session of that user."""
    try:
        row = _live_row(session, token)
    except Unauthenticated:
        return None
    return row.family_id if row.user_id == user_id else None


def is_live(session: Session, token: str) -> bool:
    try:
        _live_row(session, token)
    except Unauthenticated:
        return False
    return True


def end(session: Session, token: str, meta: RequestMeta = NO_META) -> None:
    """Sign out: revoke this browser session. An unknown or already ended one is a no-op."""
    try:
        row = _live_row(session, token)
    except Unauthenticated:
        return
    accounts.end_family(session, row, meta)


def token_from_cookie_header(header: str | None) -> str:
    """The session token in a raw `Cookie:` header ("" when there is none).

    Split by hand: one malformed cookie set by something else on this host must not hide ours.
    """
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip().strip('"')
    return ""


def home_for(user_roles: Iterable[str]) -> str:
    """The home of the first role (in ROLE_HOMES order) the user holds; DEFAULT_NEXT without one."""
    held = set(user_roles)
    return next((home for role, home in ROLE_HOMES if role in held), DEFAULT_NEXT)


def landing(next_path: str | None, user_roles: Iterable[str]) -> str:
    """Where a sign-in ends: `next_path` if it is safe, but the generic "/dashboard" (the default)
    becomes the user's own home, keeping its query ("?welcome=true")."""
    target = safe_next(next_path)
    parts = urlsplit(target)
    if parts.path.rstrip("/") != DEFAULT_NEXT:
        return target
    home = home_for(user_roles)
    return f"{home}?{parts.query}" if parts.query else home


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not value or len(value) > 2000:
        return default
    if any(ord(c) < 0x20 or c == "\\" for c in value):
        return default  # browsers read "/\evil.example" as "//evil.example"
    parsed = urlsplit(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if value.startswith(("/signin", "/signup", "/api/")):
        return default
    return value


def origin_matches(origin: str | None, host: str | None) -> bool:
    """Whether a request's Origin is CyberHub itself: the Host it was sent to, or PUBLIC_URL."""
    if not origin or origin == "null":
        return False
    parsed = urlsplit(origin)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    if host and parsed.netloc.lower() == host.strip().lower():
        return True
    public = get_settings().public_url
    if public:
        own = urlsplit(public)
        return (parsed.scheme, parsed.netloc.lower()) == (own.scheme, own.netloc.lower())
    return False
