"""The 404 page."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import register_page
from cyberhub.components.panels import grey_text
from cyberhub.components.shell import dead_end_view, shell
from cyberhub.routes import PUBLIC

ROUTE = "404"


def not_found_page() -> rx.Component:
    return shell(
        dead_end_view(
            "404 — Page not found",
            grey_text(
                "We couldn't find that page. It may have moved, or the link may be mistyped.",
            ),
            rx.hstack(
                link_button("Go home", href="/"),
                link_button("Browse missions", variant="soft", href="/missions"),
            ),
            testid="not-found",
        )
    )


page = register_page(ROUTE, "Page not found · CyberHub", not_found_page, PUBLIC)
