"""Small building blocks every page uses: empty, loading and error states, headings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.formatting import DIFFICULTY_NAMES


def thin_rule(shade: int = 4) -> str:
    """A one-pixel grey line (a border between items, under a bar): grey `shade` of Radix's 12."""
    return f"1px solid {rx.color('gray', shade)}"


def page_heading(
    title: str | rx.Var[str], subtitle: str | rx.Var[str] | None = None
) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="7", as_="h1"),
        rx.text(subtitle, color_scheme="gray", size="3") if subtitle is not None else rx.fragment(),
        spacing="1",
        margin_bottom="1.25em",
        width="100%",
        # A name of one long word (a cohort's, a learner's) breaks rather than widen the page.
        overflow_wrap="anywhere",
    )


def loading_state(label: str = "Loading…") -> rx.Component:
    return rx.hstack(
        rx.spinner(size="3"),
        rx.text(label, color_scheme="gray"),
        align="center",
        padding="2em 0",
        role="status",
        aria_live="polite",
    )


def empty_state(
    title: str, body: str | rx.Var[str], action: rx.Component | None = None
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("inbox", size=28, color=rx.color("gray", 9)),
            rx.heading(title, size="4", as_="h2"),
            rx.text(body, color_scheme="gray"),
            action if action is not None else rx.fragment(),
            align="center",
            spacing="2",
            padding="1.5em",
        ),
        width="100%",
    )


def alert_callout(message: Any) -> rx.Component:
    """The red, full-width callout saying what went wrong; announced to screen readers."""
    return rx.callout(
        message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"
    )


def error_callout(message: rx.Var[str]) -> rx.Component:
    """alert_callout, shown only when `message` is non-empty."""
    return rx.cond(message != "", alert_callout(message))


def info_callout(message: rx.Var[str] | str, icon: str = "info") -> rx.Component:
    return rx.callout(message, icon=icon, color_scheme="blue", width="100%")


def difficulty_badge(level: rx.Var[int]) -> rx.Component:
    """A mission's difficulty as a badge, worded like difficulty_label: "Beginner · 1/5"."""
    return rx.badge(
        rx.match(level, *DIFFICULTY_NAMES.items(), "Level"),
        " · ",
        level,
        "/5",
        color_scheme=rx.match(level, (1, "green"), (2, "teal"), (3, "amber"), (4, "orange"), "red"),
        variant="soft",
        data_testid="difficulty",
    )


def track_badge(name: Any) -> rx.Component:
    """The name of a mission's track as an outlined badge (beside its difficulty_badge)."""
    return rx.badge(name, variant="outline")


def cohort_status_badge(status: rx.Var[str]) -> rx.Component:
    """A cohort's status as a badge: running green, upcoming blue, any other grey."""
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("running", "green"), ("upcoming", "blue"), "gray"),
    )


def job_status_badge(label: Any, status: rx.Var[str], **props: Any) -> rx.Component:
    """A background job's state (an export, a rebuild) as a badge saying `label`: done green,
    failed red, still queued or running blue; `props` name it for the tests."""
    return rx.badge(
        label,
        color_scheme=rx.match(status, ("done", "green"), ("failed", "red"), "blue"),
        **props,
    )


def pager(page: rx.Var[int], pages: rx.Var[int], go_to: Any, of: str = "") -> rx.Component:
    """Previous / "Page n of m" / Next, for any state with page, pages and a go_to(page) event.
    `of` names the list where a page has several ("the waitlist"): its buttons are then read
    out as "Previous page of the waitlist", not as a second pair of bare Previous and Next."""
    named = {"aria_label": f"Pages of {of}"} if of else {}
    return rx.hstack(
        rx.button(
            "← Previous",
            variant="soft",
            disabled=page <= 1,
            on_click=go_to(page - 1),
            **({"aria_label": f"Previous page of {of}"} if of else {}),
        ),
        rx.text("Page ", page, " of ", pages, size="2"),
        rx.button(
            "Next →",
            variant="soft",
            disabled=page >= pages,
            on_click=go_to(page + 1),
            **({"aria_label": f"Next page of {of}"} if of else {}),
        ),
        justify="center",
        align="center",
        padding_top="1em",
        width="100%",
        **({"role": "group"} | named if of else {}),
    )


def danger_button(text: str, aria_label: Any, on_click: Any, **props: Any) -> rx.Component:
    """A table row's soft red button for an action that takes something away (Remove, Revoke,
    Withdraw, ...), named by `aria_label` for screen readers; on_click should open a
    confirmation, not act at once (`props`: size, type)."""
    return rx.button(
        text, variant="soft", color_scheme="red", on_click=on_click, aria_label=aria_label, **props
    )


def remove_button(name: rx.Var[str], on_click: Any) -> rx.Component:
    """A table row's red "Remove" button, labelled "Remove <name>" for screen readers."""
    return danger_button("Remove", "Remove " + name, on_click, size="2")


def badge_row(items: Any, badge: Callable[[Any], rx.Component], gap: str = "0.4em") -> rx.Component:
    """A wrapping row of badges: `badge(item)` for each of `items` (a list var)."""
    return rx.flex(rx.foreach(items, badge), gap=gap, wrap="wrap")


def muted(*children: Any, size: str = "2", **props: Any) -> rx.Component:
    """Grey secondary text: what a section is for, a detail under a value (`size` "1" smaller)."""
    return rx.text(*children, size=size, color_scheme="gray", **props)


def icon_button(icon: str, *children: Any, icon_size: int = 16, **props: Any) -> rx.Component:
    """A button led by its `icon` (16 px unless `icon_size`); `props` are rx.button's (variant,
    on_click, ...)."""
    return rx.button(rx.icon(icon, size=icon_size), *children, **props)


def stat_card(label: str, value: Any, note: rx.Component, **card_props: Any) -> rx.Component:
    """A labelled figure in a card: the grey `label`, the value large and bold, then `note`
    (what it counts, in small grey text, or nothing); `card_props` size and name the card."""
    return rx.card(
        rx.vstack(muted(label), rx.text(value, size="6", weight="bold"), note, spacing="1"),
        **card_props,
    )
