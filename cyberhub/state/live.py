"""Live updates for an open tab: one background listener per tab, for as long as its page is open.

`cyberhub.py` puts `LiveState.listen` after the guard in the on_load of every signed-in
page. It waits on the process's shared pub/sub (services/messaging/live.py: no polling, no Redis
connection per tab) and, when the signed-in user's data changed, queues only the reloads that
matter: the bell's unread count on every page, and whatever the page declared for the topic
(`Page.live` in routes.py, e.g. the mission page's work on "submission").

Its lifetime is mostly Reflex's: an on_load chain is cancelled by the tab's next navigation, by
a reconnect's rehydration and when the websocket disconnects (reflex_base's event processor), and
cancelling the chain cancels this task, so its `async with hub().listen(...)` unregisters. Not
always: an event chained after its parent has finished is not attached to the chain's
cancellation tree (reflex_base's "late-chained event"), and such a listener would outlive its tab.
So the listener also ends itself: a tab's newer listener replaces the older one (one per tab; the
older is woken and returns), and every CHECK_S a listener with no news checks that its tab's
websocket is still connected to this process, ending when it is not.

The listener never takes the tab's state lock (it reads only the event's router data) and is
never cancelled by us, so it can't hold up the tab's next page, whose guard needs that lock. (A
journey once waited over 10 s on "Checking access…" right after a page with a listener opened;
the cause turned out to be Reflex's lock request cut by a cancelled event: reflex_fixes.py.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.utils import prerequisites

from cyberhub.routes import Page, all_pages
from cyberhub.services.messaging import live
from cyberhub.state.notifications import NotificationState
from cyberhub.state.session import principal_of_cookie_header

log = logging.getLogger(__name__)

# How often a listener with no news checks that its tab is still open (seconds).
CHECK_S = 5.0

# The listener of each tab (client token) in this process: one per tab.
_tab_listeners: dict[str, live.Listener] = {}


def tab_connected_here(token: str) -> bool:
    """Whether the tab `token` has its websocket connected to this process (True if unknown)."""
    try:
        namespace = prerequisites.get_app().app.event_namespace
    except Exception:  # no app (a unit test): assume the tab is there
        return True
    if namespace is None:
        return True
    manager = namespace._token_manager
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id


def _page_for(path: str) -> Page | None:
    """The registered page of a route pattern as the router gives it ("/missions/[mission_id]")."""
    path = path.rstrip("/") or "/"
    return next((p for p in all_pages() if (p.route.rstrip("/") or "/") == path), None)


def reloads_for(route: str, topics: frozenset[str]) -> list[Any]:
    """The events that bring `route`'s page up to date after `topics` changed."""
    everything = live.EVERYTHING in topics
    page = _page_for(route)
    # The page's own content first (the decision the learner waits for), then the bell.
    events: list[Any] = [
        handler
        for topic, handler in (page.live.items() if page else ())
        if everything or topic in topics
    ]
    if everything or live.NOTIFICATIONS in topics:
        events.append(NotificationState.refresh)
    return events


async def follow_tab(token: str, user_id: int, route: str) -> AsyncIterator[list[Any]]:
    """The reloads tab `token` (on `route`, signed in as `user_id`) needs, until the tab is gone
    or a newer listener of the same tab replaces this one."""
    async with live.hub().listen(user_id) as listener:
        previous = _tab_listeners.get(token)
        _tab_listeners[token] = listener
        if previous is not None:
            previous.wake()  # it sees it was replaced, and returns
        try:
            while True:
                try:
                    topics = await asyncio.wait_for(listener.next(), CHECK_S)
                except TimeoutError:
                    if not tab_connected_here(token):
                        log.debug("live: tab %s is gone; its listener ends", token[:8])
                        return
                    continue
                if _tab_listeners.get(token) is not listener:
                    return
                if reloads := reloads_for(route, topics):
                    yield reloads
        finally:
            if _tab_listeners.get(token) is listener:
                del _tab_listeners[token]


class LiveState(rx.State):
    """The tab's listener (no vars: it only queues other states' reloads)."""

    @rx.event(background=True)
    async def listen(self) -> Any:  # an async generator: it yields the reloads
        """Until the page goes away: wait for the user's changes, then reload what changed.
        Reads only the event's router data: no state lock (see the module's docstring)."""
        route = self.router.route_id  # the matched route pattern, as Page.route
        token = self.router.session.client_token
        principal = await asyncio.to_thread(principal_of_cookie_header, self.router.headers.cookie)
        if principal is None:
            return
        async for reloads in follow_tab(token, principal.user_id, route):
            yield reloads
