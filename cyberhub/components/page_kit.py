"""Small shared pieces of the pages: registering a page in one call, the column of its content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.components.shell import guarded_page
from cyberhub.components.ui import empty_state, icon_button, loading_state
from cyberhub.routes import Page, register
from cyberhub.services.identity.permissions import Access

__all__ = [
    "icon_button",
    "once_found",
    "once_listed",
    "once_loaded",
    "page_column",
    "register_guarded_page",
    "register_page",
    "stack_card",
    "two_columns",
]


def register_page(
    route: str,
    title: str,
    component: Callable[[], rx.Component],
    access: Access,
    *on_load: Any,
    **more: Any,
) -> Page:
    """Register a page: `register(Page(...))` with its loaders as the trailing arguments.

    Every page module ended in the same nine-line keyword block; `more` passes the rest of
    Page's fields (live, nav_label, nav_order, description) through unchanged."""
    return register(Page(route, title, component, access, on_load, **more))


def register_guarded_page(
    route: str,
    title: str,
    content: Callable[[], rx.Component],
    access: Access,
    *on_load: Any,
    **more: Any,
) -> Page:
    """register_page for a signed-in page: `content()` in the shell, once the guard grants
    `route` (see `shell.guarded_page`)."""
    return register_page(route, title, guarded_page(route, content), access, *on_load, **more)


def page_column(*children: rx.Component, **props: Any) -> rx.Component:
    """The full-width column a page's content stands in, its parts a step 4 apart (`props`:
    max_width, align, data_testid, ...)."""
    return rx.vstack(*children, spacing="4", width="100%", **props)


def once_loaded(loading: Any, label: str, body: rx.Component) -> rx.Component:
    """`body` once the page's data is in; until then the spinner saying what is coming."""
    return rx.cond(loading, loading_state(label), body)


def once_listed(loading: Any, rows: Any, label: str, body: rx.Component) -> rx.Component:
    """once_loaded for a page whose list reloads in place (a filter, another page): the spinner
    only while its first `rows` (a list var) are coming; a later load keeps the rows shown."""
    return once_loaded(loading & (rows.length() == 0), label, body)


def once_found(
    loading: Any,
    label: str,
    error: rx.Var[str],
    missing: str,
    back: rx.Component,
    body: rx.Component,
) -> rx.Component:
    """once_loaded for a page about one record (a learner, a cohort, an account): while its
    `error` says why it can't be shown, an empty state titled `missing` with the link `back`."""
    return once_loaded(
        loading, label, rx.cond(error != "", empty_state(missing, error, back), body)
    )


def stack_card(*children: rx.Component, testid: str = "", **stack_props: Any) -> rx.Component:
    """A full-width card holding one column of `children` (`stack_props`: spacing, align, ...;
    `testid` names the card for the tests)."""
    card_props = {"data_testid": testid} if testid else {}
    return rx.card(rx.vstack(*children, **stack_props), width="100%", **card_props)


def two_columns(*children: rx.Component, wide_from: str = "md", **props: Any) -> rx.Component:
    """A full-width grid: `children` side by side from the `wide_from` breakpoint up, stacked on
    a phone; `props` go to the grid (its gap is 1em unless it is given a gap or a spacing)."""
    if "spacing" in props:
        between = {"spacing": props.pop("spacing")}
    else:
        between = {"gap": props.pop("gap", "1em")}
    columns = rx.breakpoints(initial="1", **{wide_from: "2"})
    return rx.grid(*children, columns=columns, **between, width="100%", **props)
