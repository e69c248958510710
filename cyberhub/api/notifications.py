"""/api/v1/notifications: the signed-in user's notifications (the bell), marking them read."""

from __future__ import annotations

from fastapi import APIRouter

from cyberhub.api.deps import CurrentUser, Page, PageSize, SessionDep
from cyberhub.schemas.notifications import NotificationsMarked, NotificationsPage, NotificationsRead
from cyberhub.services.errors import Invalid
from cyberhub.services.messaging import notifications

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationsPage)
def list_notifications(
    session: SessionDep,
    principal: CurrentUser,
    page: Page = 1,
    page_size: PageSize = notifications.PAGE_SIZE,
    unread: bool = False,
) -> NotificationsPage:
    """The user's notifications, newest first, a page at a time (`unread` for unread only)."""
    return notifications.list_for(
        session, principal, page, page_size=page_size, unread_only=unread
    ).public()


@router.post("/notifications/read", response_model=NotificationsMarked)
def mark_read(
    body: NotificationsRead, session: SessionDep, principal: CurrentUser
) -> NotificationsMarked:
    """Mark some (`ids`) or all (`all`) read; how many changed and how many stay unread."""
    if body.all and body.ids:
        raise Invalid('Send either "ids" or "all", not both.')
    changed = notifications.mark_read(session, principal, "all" if body.all else body.ids)
    return NotificationsMarked(
        marked=changed, unread=notifications.unread_count(session, principal.user_id)
    )
