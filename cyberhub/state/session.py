"""The signed-in user, read from the HttpOnly session cookie, and the page guard every page runs.

The cookie is set and cleared by HTTP responses (api/browser.py), never by page script; the
backend reads it from the websocket handshake, which Reflex hands every event as router headers.
Those are fixed for a connection, so signing in and out ends with a whole-page load (a new
websocket): `navigate_to`, followed by components/shell.py's `full_navigation`.

This module imports no page: pages register their access rules in `cyberhub.routes`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import reflex as rx
from reflex.state import BaseState
from sqlmodel import Session

from cyberhub import db
from cyberhub.routes import nav_for, page_for
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.identity import browser_sessions, time_zones
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import request_meta


class SessionState(rx.State):
    """Who is signed in. The session cookie is checked against the database on every event."""

    user_id: int = 0
    user_email: str = ""
    user_name: str = ""
    roles: list[str] = []
    # The time zone this user reads times in (IANA name), for cyberhub.formatting.when.
    time_zone: str = "UTC"
    # The route pattern whose guard passed / refused for this tab (pages render accordingly).
    granted_route: str = ""
    denied_route: str = ""
    # A URL this tab must load as a whole page (sign-in completion, sign-out); "" when none.
    navigate_to: str = ""
    # True while components/time_zone_probe.py should send the browser's time zone (the user
    # has none stored); asked at most once per tab (`_zone_asked`).
    ask_zone: bool = False
    _zone_asked: bool = False

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    @rx.var
    def display_name(self) -> str:
        return self.user_name or self.user_email

    @rx.var
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @rx.var
    def nav_items(self) -> list[dict[str, str]]:
        """The navigation this user may follow (the server still checks every page)."""
        return nav_for(self.roles if self.user_id else None)

    # -- helpers for other states ------------------------------------------------------------

    def _session_token(self) -> str:
        return browser_sessions.token_from_cookie_header(self.router.headers.cookie)

    def _load_principal(self) -> Principal | None:
        """Principal of this tab's session cookie. Runs in a worker thread (database)."""
        return principal_of_cookie_header(self.router.headers.cookie)

    def _apply(self, principal: Principal | None) -> None:
        """Show `principal` in this state. Only fields that differ are assigned: Reflex sends
        every assigned field (and recomputes the computed vars that read it) in the event's
        delta, and this runs on every event of every page, where nothing has usually changed."""
        if principal is None:
            values: dict[str, Any] = {
                "user_id": 0,
                "user_email": "",
                "user_name": "",
                "roles": [],
                "time_zone": "UTC",
            }
        else:
            values = {
                "user_id": principal.user_id,
                "user_email": principal.email,
                "user_name": principal.full_name,
                "roles": principal.roles,
                "time_zone": principal.time_zone,
            }
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    async def principal(self) -> Principal | None:
        """The current user as the services see them (checked against the database)."""
        principal = await asyncio.to_thread(self._load_principal)
        self._apply(principal)
        return principal

    def complete_sign_in(self, code: str, next_path: str | None) -> None:
        """After a sign-in page checked the credentials: load the page that sets the cookie."""
        self.navigate_to = browser_sessions.completion_url(code, next_path)

    def deny(self, route: str) -> None:
        """The page's object is not this user's to see (e.g. another organisation's cohort):
        `guarded(route, ...)` shows the 403 page instead of the content."""
        self.granted_route, self.denied_route = "", route

    def forget_user(self) -> None:
        """This tab's session was revoked elsewhere (e.g. a password reset): show nobody."""
        self._apply(None)

    # -- events ------------------------------------------------------------------------------

    @rx.event
    async def guard(self, route: str) -> Any:
        """First on_load handler of every page: enforce the page's declared access rule."""
        page = page_for(route)
        principal = await self.principal()
        if page.access.allows(principal):
            self.granted_route, self.denied_route = route, ""
            self._ask_browser_zone(principal)
            return page.on_load
        self.granted_route = ""
        if principal is None:
            target = self.router.url.path or route
            query = self.router.url.query
            if query:
                target = f"{target}?{query}"
            return rx.redirect(f"/signin?next={quote(target, safe='')}", replace=True)
        self.denied_route = route
        return None

    def _ask_browser_zone(self, principal: Principal | None) -> None:
        """A signed-in user with no zone stored (UTC) gets the browser's, once per tab."""
        if principal is not None and principal.time_zone == "UTC" and not self._zone_asked:
            self._zone_asked = self.ask_zone = True

    @rx.event
    async def store_browser_zone(self, zone: Any) -> None:
        """The browser's IANA zone: stored unless the user already has one (their choice stays)."""
        self.ask_zone = False
        principal = await self.principal()
        if principal is None or not isinstance(zone, str):
            return
        self.time_zone = await asyncio.to_thread(
            _remember_zone, principal, zone[: time_zones.MAX_LENGTH], request_meta(self)
        )

    @rx.event
    async def sign_out(self) -> None:
        """Revoke the session, reset every page state of this tab, then have the cookie removed.

        The whole-page load also gives the tab a new client token (full_navigation drops the old
        one), so reloading or going Back can't bring back the previous user's page states.
        """
        token = self._session_token()
        if token:
            await asyncio.to_thread(_end_session, token, request_meta(self))
        for state_cls in _app_states(rx.State):
            (await self.get_state(state_cls)).reset()
        self.navigate_to = browser_sessions.SIGNOUT_PATH


def _app_states(parent: type[BaseState]) -> Iterator[type[BaseState]]:
    """Every state class CyberHub defines (page states, components' states, this one)."""
    for cls in parent.get_substates():
        if cls.__module__.startswith("cyberhub."):
            yield cls
        yield from _app_states(cls)


def principal_of_cookie_header(cookie: str) -> Principal | None:
    """The user of the session cookie in a request's Cookie header (database: run it in a
    thread). None without a cookie or a live session."""
    token = browser_sessions.token_from_cookie_header(cookie)
    if not token:
        return None
    with db.session_scope() as session:
        return principal_of_token(session, token)


def principal_of_token(session: Session, token: str) -> Principal | None:
    """The user of a live browser session token, read in `session` (None when there is none, or
    it ended: revoked, expired, the account deactivated)."""
    if not token:
        return None
    try:
        return browser_sessions.principal_for(session, token)
    except Unauthenticated:
        return None


def _remember_zone(principal: Principal, zone: str, meta: RequestMeta) -> str:
    with db.session_scope() as session:
        return time_zones.remember_browser_zone(session, principal, zone, meta)


def _end_session(token: str, meta: RequestMeta) -> None:
    with db.session_scope() as session:
        browser_sessions.end(session, token, meta)
