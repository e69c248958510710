"""Live updates for an open tab: one background listener per tab, for as long as its page is open.

`cyberhub.py` puts `LiveState.listen` after the guard in the on_load of every signed-in
page. It waits on the process's shared pub/sub (services/messaging/live.py: no polling, no Redis
connection per tab) and, when the signed-in user's data changed, queues only the reloads that
matter: the bell's unread count on every page, and whatever the page declared for the topic
(`Page.live` in routes.py, e.g. the mission page's work on "submission").

Its lifetime is Reflex's: an on_load chain is cancelled by the tab's next navigation, by a
reconnect's rehydration and when the websocket disconnects (reflex_base's event processor), and
cancelling the chain cancels this task, so its `async with hub().listen(...)` unregisters.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.routes import Page, all_pages
from cyberhub.services.messaging import live
from cyberhub.state.notifications import NotificationState
from cyberhub.state.session import SessionState


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


class LiveState(rx.State):
    """The tab's listener (no vars: it only queues other states' reloads)."""

    @rx.event(background=True)
    async def listen(self) -> Any:  # an async generator: it yields the reloads
        """Until the page goes away: wait for the user's changes, then reload what changed."""
        async with self:
            route = self.router.page.path
            session = await self.get_state(SessionState)
            principal = await session.principal()
        if principal is None:
            return
        async with live.hub().listen(principal.user_id) as listener:
            while True:
                topics = await listener.next()
                if reloads := reloads_for(route, topics):
                    yield reloads
