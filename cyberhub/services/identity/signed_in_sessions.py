""" "Where you're signed in": your live sessions (refresh-token families), and ending one of them.

A session is one sign-in: a browser's cookie, or an app's rotating refresh tokens. The one a
request is made with is "current"; it is not ended here (that is Sign out, which also clears the
browser's cookie). Ending another revokes its family at once: that browser's next websocket
event or request finds its row revoked and goes to sign-in (browser_sessions._live_row), an
app's access token is refused (accounts.principal_from_access_token).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.models import RefreshToken
from cyberhub.models.base import utcnow
from cyberhub.schemas.identity import Detail, SignedInSessionPublic
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, NotFound, Unauthenticated
from cyberhub.services.identity import accounts, browser_sessions, devices, session_use, tokens
from cyberhub.services.identity.permissions import Principal, require_interactive

NO_SUCH_SESSION = "That session does not exist or has already ended."
THIS_SESSION = (
    "That is the session you are using now. To end it, use Sign out (in the menu); "
    "“Sign out everywhere” ends every session."
)
SESSION_ID_MAX = 64  # as RefreshToken.family_id


def current_id(session: Session, user_id: int, credential: str) -> str | None:
    """The session id of `credential` (a browser session token, or an app's access token) when
    it is a session of `user_id`; None otherwise."""
    credential = (credential or "").strip()
    if not credential:
        return None
    try:
        claims = tokens.decode(credential, "access")
    except Unauthenticated:
        return browser_sessions.family_of(session, credential, user_id)
    return claims.session_id if claims.user_id == user_id else None


def _live_heads(user_id: int) -> tuple[ColumnElement[bool], ...]:
    """Conditions for the newest live token of each of the user's sessions (a rotated token is
    not one)."""
    return (
        col(RefreshToken.user_id) == user_id,
        col(RefreshToken.revoked_at).is_(None),
        col(RefreshToken.rotated_at).is_(None),
        col(RefreshToken.expires_at) > utcnow(),
    )


def list_sessions(
    session: Session, principal: Principal | None, credential: str = ""
) -> list[SignedInSessionPublic]:
    """Your live sessions, the newest first; `credential` (this request's session token or
    access token) marks the current one. Raises Unauthenticated, or Forbidden for an API key."""
    actor = require_interactive(principal)
    current = current_id(session, actor.user_id, credential)
    # A session begun before its start was kept: its first token's issue.
    earlier = aliased(RefreshToken)
    first_issued = (
        select(func.min(earlier.issued_at))
        .where(earlier.family_id == RefreshToken.family_id)
        .correlate(RefreshToken)
        .scalar_subquery()
    )
    started = func.coalesce(RefreshToken.started_at, first_issued)
    rows = session.exec(
        select(RefreshToken, started.label("started"))
        .where(*_live_heads(actor.user_id))
        .order_by(started.desc(), col(RefreshToken.jti))
    ).all()
    # A user agent kept before session_use cleaned it may hold an ESC sequence: shown without.
    return [
        SignedInSessionPublic(
            id=row.family_id,
            device=devices.summary(row.user_agent),
            user_agent=session_use.clean_agent(row.user_agent),
            ip=None if row.ip is None else str(row.ip),
            started_at=started_at,
            last_active_at=row.last_used_at,
            current=row.family_id == current,
        )
        for row, started_at in rows
    ]


def end_session(
    session: Session,
    principal: Principal | None,
    session_id: str,
    credential: str = "",
    meta: RequestMeta = NO_META,
) -> Detail:
    """End one of your other sessions at once, audited; what to tell the user. Raises NotFound (no live session of
    yours has that id: someone else's answers the same), Conflict (it is the current one:
    `credential` is this request's session token or access token), Unauthenticated or
    Forbidden (an API key)."""
    actor = require_interactive(principal)
    session_id = (session_id or "").strip()
    if not session_id or len(session_id) > SESSION_ID_MAX:
        raise NotFound(NO_SUCH_SESSION)
    row = session.exec(
        select(RefreshToken)
        .where(*_live_heads(actor.user_id), RefreshToken.family_id == session_id)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(NO_SUCH_SESSION)
    if session_id == current_id(session, actor.user_id, credential):
        raise Conflict(THIS_SESSION)
    accounts.revoke_family(session, actor.user_id, session_id)
    device = devices.summary(row.user_agent)
    audit.record(
        session,
        "logout.session",
        ("user", actor.user_id),
        by=actor,
        meta=meta,
        session_id=session_id,
        device=device,
    )
    return Detail(detail=f"Signed out: {device}. It has to sign in again to use your account.")
