"""A learner's calendar feed (issue 15, item 3): a secret, revocable address that calendar apps
subscribe to, listing the due dates of the user's cohorts as an iCalendar (ICS) file.

- The address is `/api/v1/calendar/<token>.ics`; the token comes from `secrets` (192 bits) and
  only its SHA-256 is stored, so the address is shown once, when made. Anyone holding it reads
  the feed without signing in (that is what calendar apps need), so it says no more than the
  user's own due dates.
- One live feed per user: making a new one revokes the old (a partial unique index backs it);
  revoking leaves none. An unknown or revoked token is simply "not found". A password reset and
  "sign out everywhere" revoke it too (`revoke_all`, from `accounts.revoke_all_sessions`, as
  they revoke API keys): they say the account may be in other hands, and the address would go
  on showing the learner's schedule.
- Built with `icalendar`: one VEVENT per due date that applies to the user, with a stable UID
  (the same due date keeps its UID when moved, so calendar apps update it rather than add one),
  the mission title as summary, the mission page as URL and DTSTART in UTC (no DTEND: a due
  date is a moment).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

import icalendar
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cyberhub.models import CalendarFeed, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.schedule import CalendarFeedCreated, CalendarFeedStatus
from cyberhub.services import text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import NotFound, Unauthenticated
from cyberhub.services.identity import account_row
from cyberhub.services.identity.permissions import (
    DEACTIVATED,
    Principal,
    require_interactive,
    require_signed_in,
)
from cyberhub.services.learning import schedule
from cyberhub.settings import get_settings

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
UNKNOWN_FEED = "No calendar feed has this address. It may have been revoked: make a new one."
PRODID = "-//Ongoza CyberHub//Cohort schedule//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return f"/api/v1/calendar/{token}.ics"


def _live(session: Session, user_id: int) -> CalendarFeed | None:
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def _lock_user(session: Session, user_id: int) -> bool:
    """Take the user's row until commit before changing their feed: turning it on (twice, or
    while it is being turned off) and off take turns, the second seeing the first's feed. Both
    take it first, so neither holds a feed row while waiting for the other (they deadlocked:
    on waited for the feed row off had stopped, off's audit row for the user's row on held).
    Whether the account is active, read once the row is held (a deactivation holds it too, and
    revokes the feed: one made at that moment would outlive it)."""
    user = account_row.held(session, user_id)
    return bool(user and user.is_active)


def _revoke_live(session: Session, user_id: int) -> int:
    result = session.execute(
        update(CalendarFeed)
        .where(col(CalendarFeed.user_id) == user_id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_all(
    session: Session,
    user_id: int,
    *,
    reason: str,
    meta: RequestMeta = NO_META,
    actor_id: int | None = None,
) -> int:
    """Stop the user's calendar feed for `reason` (a password reset, sign out everywhere, a
    deactivation); audited when there was one, as done by `actor_id` (the user themselves unless
    given). Returns how many were live (0 or 1)."""
    _lock_user(session, user_id)
    revoked = _revoke_live(session, user_id)
    if revoked:
        audit.record(
            session,
            "calendar_feed.revoked",
            ("user", user_id),
            by=user_id if actor_id is None else actor_id,
            meta=meta,
            reason=reason,
        )
    return revoked


def feed_status(session: Session, principal: Principal | None) -> CalendarFeedStatus:
    """Whether the signed-in user has a live calendar feed, and since when; without one, when
    their last feed was turned off (None: they never had one)."""
    actor = require_signed_in(principal)
    feed = _live(session, actor.user_id)
    if feed is not None:
        return CalendarFeedStatus(active=True, created_at=feed.created_at)
    last = session.exec(
        select(func.max(CalendarFeed.revoked_at)).where(CalendarFeed.user_id == actor.user_id)
    ).one()
    return CalendarFeedStatus(active=False, revoked_at=last)


def create_feed(
    session: Session, principal: Principal | None, *, meta: RequestMeta = NO_META
) -> CalendarFeedCreated:
    """Make a new secret feed address for the signed-in user; any older one stops working.
    The address is returned this once. Audited."""
    actor = require_interactive(principal)
    # Two requests at once (two tabs, a double click) take turns on the user's row until
    # commit: the second then revokes the first's feed instead of breaking the one-live index.
    if not _lock_user(session, actor.user_id):
        raise Unauthenticated(DEACTIVATED)
    replaced = _revoke_live(session, actor.user_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(user_id=actor.user_id, token_hash=_hash(token))
    session.add(feed)
    session.flush()
    audit.record(
        session,
        "calendar_feed.created",
        ("user", actor.user_id),
        by=actor,
        meta=meta,
        replaced=replaced,
    )
    return CalendarFeedCreated(
        url=get_settings().base_url + feed_path(token), created_at=feed.created_at
    )


def revoke_feed(
    session: Session, principal: Principal | None, *, meta: RequestMeta = NO_META
) -> CalendarFeedStatus:
    """Stop the signed-in user's calendar feed (its address answers "not found"). Audited."""
    actor = require_interactive(principal)
    revoke_all(session, actor.user_id, reason="turned off", meta=meta)
    return feed_status(session, actor)


def feed_ics(session: Session, token: str, *, now: datetime | None = None) -> bytes:
    """The ICS file of the feed with this token (anyone holding it). NotFound when the token is
    unknown or revoked, or its user deactivated."""
    token = (token or "").strip()
    if not _TOKEN.fullmatch(token):
        raise NotFound(UNKNOWN_FEED)
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _hash(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    user = session.get(User, feed.user_id) if feed else None
    if feed is None or user is None or not user.is_active:
        raise NotFound(UNKNOWN_FEED)
    now = now or utcnow()
    base = get_settings().base_url
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "CyberHub due dates")
    host = base.split("://", 1)[-1].split("/", 1)[0] or "cyberhub"
    for d in schedule.applicable(session, student_id=feed.user_id, now=now):
        event = icalendar.Event()
        event.add("uid", f"due-{d.cohort_id}-{d.mission_id}@{host}")
        event.add("dtstamp", now)
        # A moment, so no DTEND: it must be later than DTSTART (RFC 5545 3.8.2.2), and an event
        # with a date-time DTSTART and none ends when it starts (3.6.1).
        event.add("dtstart", d.due_at)
        # Titles and names stored before services/text.py refused control characters may
        # still hold them (an ESC sequence, a right-to-left override): the feed leaves them out.
        event.add("summary", text.printable(d.title, multiline=False))
        cohort = text.printable(d.cohort, multiline=False)
        event.add("description", f"Due in {cohort}. {base}{schedule.mission_url(d.mission_id)}")
        event.add("url", base + schedule.mission_url(d.mission_id))
        cal.add_component(event)
    return bytes(cal.to_ical())
