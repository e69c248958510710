"""The signed-in user, their tokens (cookies) and the page guard every page runs first.

This module imports no page: pages register their access rules in `cyberhub.pages.registry`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import reflex as rx

from cyberhub import db
from cyberhub.services import accounts
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.permissions import Principal
from cyberhub.settings import get_settings

_settings = get_settings()
ACCESS_MAX_AGE = int(timedelta(minutes=_settings.access_token_minutes).total_seconds())
REFRESH_MAX_AGE = int(timedelta(days=_settings.refresh_token_days).total_seconds())


class SessionState(rx.State):
    """Who is signed in. Tokens live in cookies; the user is re-read from the database per event."""

    access_token: str = rx.Cookie("", name="ch_access", max_age=ACCESS_MAX_AGE, same_site="strict")
    refresh_token: str = rx.Cookie(
        "", name="ch_refresh", max_age=REFRESH_MAX_AGE, same_site="strict"
    )

    user_id: int = 0
    user_email: str = ""
    user_name: str = ""
    roles: list[str] = []
    # The route pattern whose guard passed / refused for this tab (pages render accordingly).
    granted_route: str = ""
    denied_route: str = ""

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
        from cyberhub.pages.registry import nav_for

        return nav_for(self.roles if self.user_id else None)

    # -- helpers for other states ------------------------------------------------------------

    def _load_principal(self) -> tuple[Principal | None, dict[str, str]]:
        """Principal for the current cookies; silently refreshes an expired access token.

        Returns the principal and the cookie values to store (empty strings sign out).
        Runs in a worker thread: it touches the database.
        """
        if not self.access_token and not self.refresh_token:
            return None, {}
        with db.session_scope() as session:
            if self.access_token:
                try:
                    return accounts.principal_from_access_token(session, self.access_token), {}
                except Unauthenticated:
                    pass
            if self.refresh_token:
                try:
                    pair = accounts.refresh_session(session, self.refresh_token)
                    return pair.principal, {
                        "access_token": pair.access_token,
                        "refresh_token": pair.refresh_token,
                    }
                except Unauthenticated:
                    pass
        return None, {"access_token": "", "refresh_token": ""}

    def _apply(self, principal: Principal | None, cookies: dict[str, str]) -> None:
        for name, value in cookies.items():
            setattr(self, name, value)
        if principal is None:
            self.user_id, self.user_email, self.user_name, self.roles = 0, "", "", []
        else:
            self.user_id = principal.user_id
            self.user_email = principal.email
            self.user_name = principal.full_name
            self.roles = principal.roles

    async def principal(self) -> Principal | None:
        """The current user as the services see them (checked against the database)."""
        principal, cookies = await asyncio.to_thread(self._load_principal)
        self._apply(principal, cookies)
        return principal

    def sign_in_with(self, pair: accounts.TokenPair) -> None:
        self.access_token = pair.access_token
        self.refresh_token = pair.refresh_token
        self._apply(pair.principal, {})

    # -- events ------------------------------------------------------------------------------

    @rx.event
    async def guard(self, route: str) -> Any:
        """First on_load handler of every page: enforce the page's declared access rule."""
        from cyberhub.pages.registry import page_for

        page = page_for(route)
        principal = await self.principal()
        if page.access.allows(principal):
            self.granted_route, self.denied_route = route, ""
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

    @rx.event
    async def sign_out(self) -> Any:
        token = self.refresh_token
        if token:
            await asyncio.to_thread(_logout, token)
        self._apply(None, {"access_token": "", "refresh_token": ""})
        return rx.redirect("/signin?signed_out=1")


def _logout(refresh_token: str) -> None:
    with db.session_scope() as session:
        accounts.logout(session, refresh_token)
