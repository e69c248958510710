"""The notification bell's state: the unread count, the latest items, marking them read.

The count is refreshed when a page mounts the bell and every 30 s (one indexed COUNT); the items
are read only when the popover opens.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import reflex as rx

from cyberhub import db
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning.submissions import display_time
from cyberhub.services.messaging import notifications
from cyberhub.state.session import SessionState

LATEST = 8


def _unread(principal: Principal) -> int:
    with db.session_scope() as session:
        return notifications.unread_count(session, principal.user_id)


def item_view(n: Any) -> dict[str, Any]:
    """A notification as the screens render it (dates for display, read as a flag)."""
    return {
        "id": n.id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "at": display_time(n.created_at),
        "read": n.read_at is not None,
    }


def _latest(principal: Principal) -> tuple[int, list[dict[str, Any]]]:
    with db.session_scope() as session:
        page = notifications.list_for(session, principal, 1, page_size=LATEST)
        return page.unread, [item_view(n) for n in page.items]


def _mark(principal: Principal, ids: list[int] | Literal["all"]) -> int:
    with db.session_scope() as session:
        notifications.mark_read(session, principal, ids)
        return notifications.unread_count(session, principal.user_id)


class NotificationState(rx.State):
    unread: int = 0
    items: list[dict[str, Any]] = []
    items_loaded: bool = False
    error: str = ""

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    @rx.event
    async def refresh(self, _tick: Any = None) -> None:
        """The unread count (page load, and the 30 s tick)."""
        principal = await self._principal()
        if principal is None:
            self.unread, self.items, self.items_loaded = 0, [], False
            return
        try:
            self.unread = await asyncio.to_thread(_unread, principal)
        except DomainError:
            self.unread = 0

    @rx.event
    async def load_latest(self) -> None:
        principal = await self._principal()
        if principal is None:
            self.unread, self.items, self.items_loaded = 0, [], False
            return
        try:
            self.unread, self.items = await asyncio.to_thread(_latest, principal)
        except DomainError as exc:
            self.error = exc.message
            return
        self.error, self.items_loaded = "", True

    @rx.event
    async def opened(self, is_open: bool) -> Any:
        if is_open:
            return NotificationState.load_latest
        return None

    @rx.event
    async def open_item(self, item: dict[str, Any]) -> Any:
        """Mark one read; the link itself navigates (an <a href>)."""
        principal = await self._principal()
        if principal is None:
            return None
        note_id = int(item.get("id") or 0)
        if note_id and not item.get("read"):
            try:
                self.unread = await asyncio.to_thread(_mark, principal, [note_id])
            except DomainError as exc:
                self.error = exc.message
                return None
            self.items = [{**x, "read": x["read"] or x["id"] == note_id} for x in self.items]
        return None

    @rx.event
    async def mark_all(self) -> None:
        principal = await self._principal()
        if principal is None:
            return
        try:
            self.unread = await asyncio.to_thread(_mark, principal, "all")
        except DomainError as exc:
            self.error = exc.message
            return
        self.items = [{**x, "read": True} for x in self.items]
        self.error = ""
