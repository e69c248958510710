"""The notification bell's state: the unread count, the latest items, marking them read.

The count is read when a page mounts the bell, again whenever a notification is added or read
(live: state/live.py queues `refresh`), and every 5 minutes as a fallback (one indexed COUNT);
the items are read only when the popover opens.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.notifications import NotificationPublic
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.messaging import notifications
from cyberhub.state.service import ServiceState

LATEST = 8


@dataclass(frozen=True)
class NotificationItem:
    """A notification as the bell and /notifications render it (its time already formatted)."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    at: str
    read: bool


def item_view(n: NotificationPublic, tz: str | None) -> NotificationItem:
    """A notification for the screen, its time in the reader's zone `tz`."""
    return NotificationItem(**n.model_dump(exclude={"created_at"}), at=when(n.created_at, tz))


def _unread(session: Session, principal: Principal | None) -> int:
    return notifications.unread_count(session, require_signed_in(principal).user_id)


def _latest(session: Session, principal: Principal | None) -> tuple[int, list[NotificationItem]]:
    page = notifications.list_for(session, principal, 1, page_size=LATEST)
    tz = principal.time_zone if principal else None
    return page.unread, [item_view(n, tz) for n in page.items]


def _mark(session: Session, principal: Principal | None, ids: list[int] | Literal["all"]) -> int:
    notifications.mark_read(session, principal, ids)
    return _unread(session, principal)


class NotificationState(ServiceState, rx.State):
    unread: int = 0
    items: list[NotificationItem] = []
    items_loaded: bool = False
    error: str = ""

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    async def _run(self, fn: Any, *args: Any) -> Any:
        """`fn` for the signed-in user: its value, or None after showing why it failed (signed
        out: everything cleared, no message)."""
        out = await self._try(fn, *args)
        if out:
            return out.value
        if out.code == Unauthenticated.__name__:
            self.unread, self.items, self.items_loaded = 0, [], False
        else:
            self.error = out.error
        return None

    @rx.event
    async def refresh(self, _tick: Any = None) -> Any:
        """The unread count (page load, a live change, the fallback tick)."""
        count = await self._try(_unread)
        if count:
            changed = count.value != self.unread
            self.unread = count.value
            if changed and self.items_loaded:  # the list already read is out of date
                return NotificationState.load_latest
        elif count.code == Unauthenticated.__name__:
            self.unread, self.items, self.items_loaded = 0, [], False
        else:
            self.unread = 0
        return None

    @rx.event
    async def load_latest(self) -> None:
        latest = await self._run(_latest)
        if latest is not None:
            self.unread, self.items = latest
            self.error, self.items_loaded = "", True

    @rx.event
    async def opened(self, is_open: bool) -> Any:
        if is_open:
            return NotificationState.load_latest
        return None

    @rx.event
    async def open_item(self, note_id: int) -> None:
        """Mark one read; the link itself navigates (an <a href>)."""
        note_id = int(note_id or 0)
        if not note_id or any(x.id == note_id and x.read for x in self.items):
            return
        unread = await self._run(_mark, [note_id])
        if unread is not None:
            self.unread = unread
            self.items = [
                dataclasses.replace(x, read=True) if x.id == note_id else x for x in self.items
            ]

    @rx.event
    async def mark_all(self) -> None:
        unread = await self._run(_mark, "all")
        if unread is not None:
            self.unread = unread
            self.items = [dataclasses.replace(x, read=True) for x in self.items]
            self.error = ""
