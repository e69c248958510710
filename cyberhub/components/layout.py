"""Layout pieces the pages share: rows that wrap on a phone (wrap_row, spread_row, flow), full-width
columns, rows and callouts, a percent bar, the large described input, a confirmation bound to a
state's flag, small user markdown, an invitation's sentence and a settings page's column. Each
says once a shape the pages used to spell out prop by prop."""

from __future__ import annotations

from typing import Any, Protocol

import reflex as rx

from cyberhub.components.confirm import confirm_dialog
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, page_column
from cyberhub.components.ui import error_callout


def _named(testid: str) -> dict[str, str]:
    """The `data_testid` prop for a non-empty `testid` (none otherwise)."""
    return {"data_testid": testid} if testid else {}


def wrap_row(*children: Any, testid: str = "", align: str = "center", **props: Any) -> rx.Component:
    """A row of inline pieces (a link, badges, a note) centred on one line (or aligned as
    `align` says), wrapping under each other on a narrow screen; `props` go to the row (spacing,
    width, ...)."""
    return rx.hstack(*children, wrap="wrap", align=align, **props, **_named(testid))


def spread_row(*children: Any, **props: Any) -> rx.Component:
    """A full-width wrap_row whose first and last pieces are pushed to either end (a title and
    its badge or button)."""
    return wrap_row(*children, justify="between", width="100%", **props)


def wide_callout(*children: Any, icon: str, testid: str = "", **props: Any) -> rx.Component:
    """A callout as wide as its column, with its `icon`; `props` go to the callout
    (color_scheme, role, ...)."""
    return rx.callout(*children, icon=icon, width="100%", **props, **_named(testid))


def percent_bar(value: Any, aria_label: Any) -> rx.Component:
    """A full-width progress bar for a percentage, named for screen readers by `aria_label`."""
    return rx.progress(value=value, max=100, width="100%", aria_label=aria_label)


def large_input(field_id: str, name: str, max_width: str, **props: Any) -> rx.Component:
    """A large (size 3) form input as wide as its column, up to `max_width`."""
    return rx.input(id=field_id, name=name, size="3", width="100%", max_width=max_width, **props)


def described_input(
    field_id: str, name: str, help_id: str, *, max_length: Any, max_width: str, **props: Any
) -> rx.Component:
    """A required large_input whose help text (the element `help_id`) is read with it; `props`
    go to the input (type, auto_complete, ...)."""
    return large_input(
        field_id,
        name,
        max_width,
        aria_describedby=help_id,
        required=True,
        max_length=max_length,
        **props,
    )


def flag_confirm(
    state: type[rx.State],
    flag: str,
    title: Any,
    description: Any,
    *,
    confirm: str,
    on_confirm: Any,
    cancel: str = "Cancel",
) -> rx.Component:
    """A confirm_dialog open while `state`'s bool var `flag` is true, closed through its
    setter `set_<flag>`."""
    return confirm_dialog(
        title,
        description,
        confirm=confirm,
        on_confirm=on_confirm,
        open=getattr(state, flag),
        on_open_change=getattr(state, f"set_{flag}"),
        cancel=cancel,
    )


def flow(*children: Any, gap: str = "1em", **props: Any) -> rx.Component:
    """Pieces side by side, `gap` apart (1em unless said), flowing onto a new line when the row
    is full; `props` go to the flex box (align, margin_bottom, ...)."""
    return rx.flex(*children, gap=gap, wrap="wrap", **props)


def full_column(*children: Any, spacing: str | None = None, **props: Any) -> rx.Component:
    """A column as wide as its container, its children `spacing` apart (the stack's default
    when None); `props` go to the stack (align, data_testid, ...)."""
    between = {} if spacing is None else {"spacing": spacing}
    return rx.vstack(*children, width="100%", **between, **props)


def full_row(*children: Any, **props: Any) -> rx.Component:
    """A row as wide as its container, its pieces centred on one line; `props` go to the row
    (spacing, justify, ...)."""
    return rx.hstack(*children, align="center", width="100%", **props)


def compact_markdown(text: Any, margin: str, **props: Any) -> rx.Component:
    """User-written `text` (through the safe renderer) in small type, its paragraphs and lists
    `margin` apart; `props` go to the box (overflow_wrap, color, data_testid, ...)."""
    tight = {"& p, & ul, & ol": {"margin": margin}}
    return rx.box(safe_markdown(text), font_size="var(--font-size-2)", style=tight, **props)


def invitation_line(organization: Any, joins_as: str, role: Any, then: str) -> rx.Component:
    """A sentence about an organisation's invitation: its name and the role in bold, joined by
    `joins_as`, and `then` what accepting it means."""
    return rx.text(rx.text.strong(organization), joins_as, rx.text.strong(role), then)


class SettledState(Protocol):
    """A page's state that loads, then says how its last action went."""

    loading: rx.Var[bool]
    error: rx.Var[str]
    notice: rx.Var[str]


def settings_column(
    heading: rx.Component,
    state: type[SettledState],
    label: str,
    body: rx.Component,
    *after: rx.Component,
) -> rx.Component:
    """A settings page's 48rem column: its `heading`, the error and the notice of `state`'s last
    action, `body` once `state` has loaded (a spinner saying `label` until then), then `after`."""
    return page_column(
        heading,
        error_callout(state.error),
        notice_callout(state.notice, full_width=False),
        once_loaded(state.loading, label, body),
        *after,
        max_width="48rem",
    )
