"""The frame of an admin console page about one record (a user, an organization): the admin
navigation, a link back to the list, and once the record is found its name as the heading, the
page's notice and its sections."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_found, page_column


def admin_record_page(
    state: Any,
    list_route: str,
    list_name: str,
    *,
    loading: str,
    missing: str,
    name: rx.Var[str],
    about: list[Any],
    sections: list[rx.Component],
) -> rx.Component:
    """`state` (a page state class with the vars `loading`, `error` and `notice`) holds the
    record; `list_route` is the list it belongs to, called `list_name` in the links back ("← All
    users"); `loading` and `missing` are what shows while it loads and when it can't be found;
    `about` goes under its `name`, then the notice and the page's `sections`."""
    return rx.box(
        admin_nav(list_route),
        rx.link(f"← All {list_name}", href=list_route, size="2"),
        once_found(
            state.loading,
            loading,
            state.error,
            missing,
            link_button(f"Back to {list_name}", href=list_route),
            page_column(
                rx.vstack(rx.heading(name, size="7", as_="h1"), *about, spacing="1"),
                notice_callout(state.notice, icon="circle_check", full_width=False),
                *sections,
                margin_top="0.75em",
            ),
        ),
    )
