"""/dashboard: kept so old links and bookmarks work — it sends each user to their role's home
(browser_sessions.home_for, keeping the query, e.g. "?welcome=true"). An account with no role yet
stays here and is told what to do next."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import page_column, register_page
from cyberhub.components.panels import grey_text
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import loading_state, page_heading
from cyberhub.routes import SIGNED_IN
from cyberhub.services.identity.browser_sessions import DEFAULT_NEXT, home_for
from cyberhub.state.session import SessionState

ROUTE = DEFAULT_NEXT


class DashboardState(rx.State):
    @rx.event
    async def go_home(self) -> Any:
        """After the guard: on to the role's home (replacing this entry, so Back skips it)."""
        session = await self.get_state(SessionState)
        home = home_for(session.roles)
        if home == ROUTE:
            return None
        query = self.router.url.query
        return rx.redirect(f"{home}?{query}" if query else home, replace=True)


def dashboard_content() -> rx.Component:
    return page_column(
        page_heading(
            rx.cond(
                SessionState.display_name != "", "Welcome, " + SessionState.display_name, "Welcome"
            ),
            "Your account has no role yet.",
        ),
        grey_text(
            "A programme director or an administrator gives you a role (learner, mentor, …) "
            "in your organization. Until then, browse the missions or explore the career tracks.",
        ),
        rx.hstack(
            link_button(rx.icon("target"), "Browse missions", href="/missions"),
            link_button(rx.icon("compass"), "Explore tracks", variant="soft", href="/tracks"),
            wrap="wrap",
        ),
    )


def dashboard_page() -> rx.Component:
    # Someone with a role is on their way home: no flash of the no-role text meanwhile.
    return shell(
        guarded(
            ROUTE,
            rx.cond(
                SessionState.roles.length() > 0,
                loading_state("Taking you to your home…"),
                dashboard_content(),
            ),
        )
    )


page = register_page(ROUTE, "Home · CyberHub", dashboard_page, SIGNED_IN, DashboardState.go_home)
