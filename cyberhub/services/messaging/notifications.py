"""In-app notifications (the bell), each also sent by mail through services/messaging/mail.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cyberhub.models import Notification, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.notifications import MAX_IDS, NotificationPublic, NotificationsPage
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.rows import from_row
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.messaging import live, mail
from cyberhub.services.paging import fetch_page
from cyberhub.settings import get_settings

PAGE_SIZE = 20

# Kinds used by the learning core.
SUBMISSION_RECEIVED = "submission_received"
REVIEW_DONE = "review_done"
CLAIM_EXPIRED = "claim_expired"

# What each role is notified of (every notify call's recipient and kind, worded for the
# /notifications page), in order; a new kind of notification joins its role's line here.
# learner: reviews.py (review_done), schedule.py (due_soon), applications.py (application,
# waitlist_promoted), certificates.py (issued, revoked), coaching/reminders.py (habit_reminder),
# analytics.py (director_nudge); mentor: submissions.py, reviews.py (claim_expired); director:
# applications.py (a new application). Sponsors and admins are sent only invitations.
TOLD_OF: dict[str, tuple[str, ...]] = {
    "student": (
        "reviews of your work",
        "due dates",
        "answers to your applications",
        "certificates awarded or revoked",
        "habit reminders",
        "notes from your programme team",
    ),
    "mentor": ("submissions to review", "expired claims"),
    "director": ("applications to your cohorts",),
}
TOLD_EVERYONE = "invitations"  # memberships.invite: whoever is invited, whatever their roles


def notify(
    session: Session,
    user_id: int,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    send_mail: bool = True,
    organization_id: int | None = None,
) -> Notification:
    """Add a notification for `user_id` and mail the same message (link made absolute).
    `organization_id`: the organisation it comes from, kept where it matters (nudges)."""
    note = Notification(
        user_id=user_id,
        organization_id=organization_id,
        kind=kind[:40],
        title=title[:200],
        body=body,
        link=link,
    )
    session.add(note)
    live.changed(session, user_id, live.NOTIFICATIONS)  # the bell of their open pages
    if send_mail:
        user = session.get(User, user_id)
        if user is not None and user.is_active:
            text = body
            if link:
                url = link if link.startswith("http") else get_settings().base_url + link
                text = f"{body}\n\n{url}" if body else url
            mail.send(session, to=user.email, subject=title, body=text, kind=kind)
    session.flush()
    return note


def public(n: Notification) -> NotificationPublic:
    """A notification's public face (read as a flag)."""
    return from_row(NotificationPublic, n, read=n.read_at is not None)


def unread_count(session: Session, user_id: int) -> int:
    """Unread notifications of the user (index: user_id, read_at)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        ).one()
    )


@dataclass
class NotificationPage(PageOf[NotificationPublic]):
    unread: int

    def public(self) -> NotificationsPage:
        """The page as the API sends it."""
        return from_row(NotificationsPage, self)


def list_for(
    session: Session,
    principal: Principal | None,
    page: int = 1,
    *,
    page_size: int = PAGE_SIZE,
    unread_only: bool = False,
) -> NotificationPage:
    """The signed-in user's notifications, newest first."""
    actor = require_signed_in(principal)
    where: list[Any] = [col(Notification.user_id) == actor.user_id]
    if unread_only:
        where.append(col(Notification.read_at).is_(None))
    found = fetch_page(
        session,
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc()),
        page,
        page_size,
    )
    return NotificationPage(
        items=[public(n) for n in found.items],
        total=found.total,
        unread=unread_count(session, actor.user_id),
        page=page,
        page_size=page_size,
    )


def mark_read(
    session: Session, principal: Principal | None, ids: list[int] | Literal["all"]
) -> int:
    """Mark the user's notifications read (the given ids, or "all"); returns how many changed.

    Ids of other users' notifications are ignored rather than reported, so nothing leaks.
    """
    actor = require_signed_in(principal)
    stmt = update(Notification).where(
        col(Notification.user_id) == actor.user_id, col(Notification.read_at).is_(None)
    )
    if ids != "all":
        if not ids:
            raise Invalid("Say which notifications to mark read (ids, or all).")
        if len(ids) > MAX_IDS:
            raise Invalid(f"Mark at most {MAX_IDS} notifications at a time.")
        stmt = stmt.where(col(Notification.id).in_(ids))
    result = session.execute(stmt.values(read_at=utcnow()))
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        live.changed(session, actor.user_id, live.NOTIFICATIONS)  # the user's other tabs
    return count
