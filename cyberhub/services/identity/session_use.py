"""Where and when each sign-in (refresh-token family) began and was last used.

A session's first token records its start, the browser's user agent (at most 400 characters, one
line, without control characters or bidi overrides: it is the visitor's own text, shown on the
Security page and in the JSON API, where an ESC sequence would run in the terminal printing it)
and address; an API client's rotated tokens carry them along (a refresh counts as a use). "Last
active" is written at most once per TOUCH_EVERY per session (never a write per websocket event):
the time shown is within TOUCH_EVERY of the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col

from cyberhub.models import RefreshToken
from cyberhub.models.base import utcnow
from cyberhub.services import locks, text
from cyberhub.services.admin.audit import NO_META, RequestMeta

TOUCH_EVERY = timedelta(minutes=10)
USER_AGENT_MAX = 400


@dataclass(frozen=True)
class Origin:
    """Where a sign-in began; None where it is not known (rows issued before it was kept)."""

    started_at: datetime | None
    user_agent: str | None
    ip: str | None
    last_used_at: datetime | None = None

    def stamp(self, row: RefreshToken) -> RefreshToken:
        """`row` with this origin written on it."""
        row.started_at, row.user_agent, row.ip = self.started_at, self.user_agent, self.ip
        row.last_used_at = self.last_used_at
        return row


def clean_agent(agent: str | None) -> str | None:
    """A user agent as kept and shown: one line of at most USER_AGENT_MAX characters, without
    control characters or bidi overrides (None when nothing is left)."""
    kept = " ".join(text.printable(agent or "", multiline=False).split())[:USER_AGENT_MAX]
    return kept or None


def origin_of(meta: RequestMeta = NO_META) -> Origin:
    """A sign-in starting now, from the request `meta` describes."""
    return Origin(utcnow(), clean_agent(meta.user_agent), meta.clean_ip())


def carried(row: RefreshToken) -> Origin:
    """The origin of the sign-in `row` belongs to, for the token that replaces it now."""
    return Origin(row.started_at, row.user_agent, row.ip, utcnow())


def touch(session: Session, row: RefreshToken) -> None:
    """Note that the session of `row` is in use, unless that was noted within TOUCH_EVERY.

    In the caller's transaction (a second connection per event could exhaust the pool under
    load), skipping the row while another transaction holds it (ending that session, or another
    event noting the same use): the note is only ever late, never a wait."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at < TOUCH_EVERY:
        return
    locks.update_unheld(
        session,
        RefreshToken,
        col(RefreshToken.jti),
        (
            col(RefreshToken.jti) == row.jti,
            or_(
                col(RefreshToken.last_used_at).is_(None),
                col(RefreshToken.last_used_at) < now - TOUCH_EVERY,
            ),
        ),
        last_used_at=now,
    )
