"""/notifications: every notification of the signed-in user, newest first, in pages; open one
(marks it read), mark one or all read, show only the unread ones."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx
from sqlmodel import Session

from cyberhub.components.layout import compact_markdown, full_column, spread_row, wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import page_column, register_guarded_page
from cyberhub.components.rows import pager_if_many
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    loading_state,
    muted,
    page_heading,
)
from cyberhub.formatting import plural
from cyberhub.routes import SIGNED_IN
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.messaging import live, notifications
from cyberhub.state import resubmit
from cyberhub.state.notifications import NotificationItem, NotificationState, item_view
from cyberhub.state.paging import PagedList
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

ROUTE = "/notifications"
PAGE_SIZE = 20


def told_of(roles: list[str]) -> str:
    """What the reader's notifications are about, for their roles: "Reviews of your work, due
    dates, … and invitations." (a learner never reads of submissions to review)."""
    told = notifications.TOLD_OF
    parts = [p for role, said in told.items() if role in roles for p in said]
    parts.append(notifications.TOLD_EVERYONE)
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:]


def _list(
    session: Session, principal: Principal | None, page: int, unread_only: bool
) -> tuple[notifications.NotificationPage, list[NotificationItem]]:
    result = notifications.list_for(
        session, principal, page, page_size=PAGE_SIZE, unread_only=unread_only
    )
    if result.items == [] and page > 1:  # the page emptied (marked read): the last one
        result = notifications.list_for(
            session, principal, result.pages, page_size=PAGE_SIZE, unread_only=unread_only
        )
    tz = principal.time_zone if principal else None
    return result, [item_view(n, tz) for n in result.items]


class NotificationsPageState(ServiceState, PagedList, rx.State):
    items: list[NotificationItem] = []
    total: int = 0
    unread: int = 0
    unread_only: bool = False
    loaded: bool = False
    error: str = ""
    notice: str = ""
    told_of: str = ""  # told_of(the reader's roles)
    # When "Mark all read" last marked some ("all" -> when): its repeat right after (a double
    # click) keeps the first one's notice (resubmit).
    _marked_all_at: dict[str, float] = {}

    async def _fetch(self) -> None:
        found = await self._call(_list, self.page, self.unread_only)
        self.loaded = True
        if not found:
            return
        data, self.items = found.value
        self.total, self.unread, self.page, self.pages = (
            data.total,
            data.unread,
            data.page,
            data.pages,
        )
        self.error = ""

    @rx.event
    async def load(self) -> None:
        # Each visit shows every notification: "Unread only" was left on from the last one.
        self.notice, self.loaded, self.unread_only = "", False, False
        self.told_of = told_of((await self.get_state(SessionState)).roles)
        await self._from_first_page()

    @rx.event
    async def refresh(self) -> None:
        """A notification was added or read elsewhere (live: the bell, another tab): the list
        and its counts follow, on the page and filter shown."""
        if self.loaded:
            await self._fetch()

    @rx.event
    async def set_unread_only(self, value: bool) -> None:
        self.unread_only, self.notice = bool(value), ""
        await self._from_first_page()

    async def _mark_and_reload(self, ids: list[int] | Literal["all"]) -> Any:
        marked = await self._call(notifications.mark_read, ids)
        if not marked:
            return None
        changed = marked.value
        await self._fetch()
        if ids == "all" and changed:
            self._marked_all_at = resubmit.made_now(self._marked_all_at, "all")
            self.notice = f"Marked {plural(changed, 'notification')} read."
        elif ids == "all" and not resubmit.sent_again(self._marked_all_at, "all"):
            self.notice = "Everything was already read."
        return NotificationState.refresh  # the bell's count follows

    @rx.event
    async def mark_read(self, note_id: int) -> Any:
        self.notice = ""
        return await self._mark_and_reload([int(note_id)])

    @rx.event
    async def open_item(self, note_id: int) -> Any:
        """Following a notification's link marks it read (the link navigates by itself)."""
        note_id = int(note_id or 0)
        if not note_id or any(x.id == note_id and x.read for x in self.items):
            return None
        marked = await self._try(notifications.mark_read, [note_id])
        return NotificationState.refresh if marked else None

    @rx.event
    async def mark_all(self) -> Any:
        return await self._mark_and_reload("all")


def _row(n: rx.Var[NotificationItem]) -> rx.Component:
    S = NotificationsPageState
    return rx.card(
        rx.hstack(
            rx.vstack(
                wrap_row(
                    rx.cond(
                        n.read,
                        rx.fragment(),
                        rx.badge("New", color_scheme="blue", variant="solid", size="1"),
                    ),
                    rx.heading(n.title, size="3", as_="h2", weight="medium"),
                    spacing="2",
                ),
                rx.cond(
                    n.body != "",
                    compact_markdown(n.body, "0.25em 0", overflow_wrap="anywhere"),
                ),
                muted(n.at, size="1"),
                spacing="1",
                align="start",
                min_width="0",
                flex="1",
            ),
            rx.hstack(
                rx.cond(
                    n.link != "",
                    rx.link(
                        "Open",
                        href=n.link,
                        on_click=S.open_item(n.id),
                        weight="medium",
                        display="inline-block",
                        padding="0.3em 0.6em",
                    ),
                ),
                rx.cond(
                    n.read,
                    rx.fragment(),
                    rx.button(
                        "Mark read",
                        size="2",
                        variant="ghost",
                        on_click=S.mark_read(n.id),
                        aria_label="Mark read: “" + n.title + "”",
                    ),
                ),
                spacing="2",
                align="center",
                flex_shrink="0",
            ),
            align="start",
            justify="between",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
        data_testid="notification-row",
        opacity=rx.cond(n.read, "0.8", "1"),
    )


def notifications_content() -> rx.Component:
    S = NotificationsPageState
    return page_column(
        page_heading("Notifications", rx.cond(S.told_of != "", S.told_of + ".", "")),
        spread_row(
            muted(S.unread, " unread of ", S.total, rx.cond(S.unread_only, " shown", "")),
            rx.hstack(
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            id="unread-only",
                            checked=S.unread_only,
                            on_change=S.set_unread_only,
                        ),
                        rx.text("Unread only", size="2"),
                        align="center",
                        spacing="2",
                    ),
                    html_for="unread-only",
                ),
                rx.button(
                    "Mark all read",
                    variant="soft",
                    disabled=S.unread == 0,
                    on_click=S.mark_all,
                ),
                spacing="4",
                align="center",
            ),
        ),
        error_callout(S.error),
        notice_callout(S.notice),
        rx.cond(
            S.loaded,
            rx.cond(
                S.items.length() > 0,
                full_column(
                    rx.foreach(S.items, _row),
                    pager_if_many(S.page, S.pages, S.go_to),
                    spacing="2",
                ),
                empty_state(
                    "No notifications",
                    rx.cond(
                        S.unread_only,
                        "Nothing unread: you're up to date.",
                        S.told_of + " show up here.",
                    ),
                ),
            ),
            loading_state(),
        ),
    )


page = register_guarded_page(
    ROUTE,
    "Notifications · CyberHub",
    notifications_content,
    SIGNED_IN,
    NotificationsPageState.load,
    live={live.NOTIFICATIONS: NotificationsPageState.refresh},
)
