"""Pieces the director, sponsor and exports pages share: grey text, a grid of form fields, a form
that keeps what was typed, a filter bar, table rows of one cell per value, a labelled input kept
in a state's dict of values, a button-styled link led by an icon, and the registration of a
directors' page. Rows and columns that wrap are in `layout.py`, a row dataclass built from a
service's model is `schemas/rows.from_row`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.components.labelled import labelled_input
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.routes import Page, roles


def grey_text(*children: Any, **props: Any) -> rx.Component:
    """Grey text at the body size (ui.muted is the smaller one): a subtitle, or what a table
    says while it has no rows."""
    return rx.text(*children, color_scheme="gray", **props)


def field_grid(*fields: rx.Component, gap: str = "1em", **columns: str) -> rx.Component:
    """Form fields in a full-width grid: one column on a phone, `columns` (breakpoint=count,
    e.g. sm="2", md="4") on wider screens."""
    return rx.grid(*fields, columns=rx.breakpoints(initial="1", **columns), gap=gap, width="100%")


def keeping_form(*children: rx.Component, on_submit: Any, **props: Any) -> rx.Component:
    """A form laid out by its `children` that keeps what was typed when the submit is refused
    (labelled.kept_form is the one that stacks its fields)."""
    return rx.form(*children, on_submit=on_submit, reset_on_submit=False, **props)


def filter_bar(*children: Any, **props: Any) -> rx.Component:
    """Filters and their buttons side by side, bottoms lined up, wrapping on a narrow screen;
    `props` go to the row (margin_bottom)."""
    return rx.flex(*children, gap="0.75em", align="end", wrap="wrap", **props)


def named_row(name: Any, *cells: Any) -> rx.Component:
    """A table row named by its first cell (a row header, read out with each value), then one
    cell for each of `cells`."""
    return rx.table.row(rx.table.row_header_cell(name), *[rx.table.cell(c) for c in cells])


def cells_row(*cells: Any) -> rx.Component:
    """A table row of one plain cell for each of `cells`."""
    return rx.table.row(*[rx.table.cell(c) for c in cells])


def register_director_page(
    route: str, title: str, content: Callable[[], rx.Component], *on_load: Any, **more: Any
) -> Page:
    """register_guarded_page for a page of a programme's directors (admins may open it too)."""
    return register_guarded_page(
        route, title, content, roles(Role.director, Role.admin), *on_load, **more
    )


def kept_input(
    label: str, prefix: str, name: str, values: Any, set_value: Any, **props: Any
) -> rx.Component:
    """A labelled input (id `prefix-name`) showing the state's `values[name]` and writing each
    change back with `set_value(name, text)`; `props` go to the input."""
    return labelled_input(
        label,
        f"{prefix}-{name}",
        name=name,
        value=values[name],
        on_change=lambda v: set_value(name, v),
        **props,
    )


def icon_link(
    icon: str, *children: Any, href: str | rx.Var[str], icon_size: int = 16, **props: Any
) -> rx.Component:
    """link_button led by its `icon` (16 px unless `icon_size`), as ui.icon_button is for
    buttons; `props` are rx.button's (variant, size, ...)."""
    return link_button(rx.icon(icon, size=icon_size), *children, href=href, **props)
