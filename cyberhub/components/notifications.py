"""The notification bell in the header: unread count, a popover with the latest items."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.markdown import safe_markdown
from cyberhub.components.sections import heading_row
from cyberhub.components.ui import muted, thin_rule
from cyberhub.state.notifications import NotificationItem, NotificationState

# The count arrives live (state/live.py) on signed-in pages; this slow tick only catches up where
# no listener runs (public pages, or while Redis is unreachable).
REFRESH_MS = 300_000


def _item(n: rx.Var[NotificationItem]) -> rx.Component:
    S = NotificationState
    title = rx.text(n.title, weight=rx.cond(n.read, "regular", "bold"), size="2")
    return rx.box(
        rx.hstack(
            rx.box(
                width="8px",
                height="8px",
                min_width="8px",
                border_radius="50%",
                margin_top="0.45em",
                background=rx.cond(n.read, "transparent", rx.color("accent", 9)),
                aria_hidden="true",
            ),
            rx.vstack(
                rx.cond(
                    n.link != "",
                    rx.link(
                        title,
                        href=n.link,
                        underline="hover",
                        color=rx.color("gray", 12),
                        on_click=S.open_item(n.id),
                    ),
                    title,
                ),
                rx.cond(
                    n.body != "",
                    rx.box(
                        safe_markdown(n.body),
                        font_size="var(--font-size-1)",
                        color=rx.color("gray", 11),
                        style={
                            "display": "-webkit-box",
                            "WebkitLineClamp": "2",
                            "WebkitBoxOrient": "vertical",
                            "overflow": "hidden",
                            "overflowWrap": "anywhere",
                            "& p, & ul, & ol, & pre": {"margin": "0", "display": "inline"},
                        },
                    ),
                ),
                muted(n.at, size="1"),
                spacing="1",
                align="start",
                min_width="0",
            ),
            spacing="2",
            align="start",
        ),
        padding="0.5em 0.25em",
        border_bottom=thin_rule(),
        width="100%",
        data_testid="notification-item",
    )


def _popover_body() -> rx.Component:
    S = NotificationState
    return rx.vstack(
        heading_row(
            rx.heading("Notifications", size="3", as_="h2", id="notifications-popover-title"),
            rx.button(
                "Mark all read",
                size="1",
                variant="ghost",
                min_height="24px",
                disabled=S.unread == 0,
                on_click=S.mark_all,
            ),
        ),
        rx.cond(S.error != "", rx.text(S.error, color_scheme="red", size="2", role="alert")),
        rx.cond(
            S.items_loaded,
            rx.cond(
                S.items.length() > 0,
                rx.box(
                    rx.foreach(S.items, _item), width="100%", max_height="24rem", overflow_y="auto"
                ),
                muted("No notifications yet.", padding_y="0.5em"),
            ),
            rx.hstack(rx.spinner(size="2"), rx.text("Loading…", size="2"), role="status"),
        ),
        rx.popover.close(
            rx.link("See all", href="/notifications", size="2", weight="medium"),
        ),
        spacing="2",
        width="100%",
    )


def notification_bell() -> rx.Component:
    """Icon button with the unread badge; counted on mount, then live (and every 5 min)."""
    S = NotificationState
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(
                    rx.icon("bell", size=18, aria_hidden="true"),
                    # Named "Notifications 3 unread": the visible count is part of the name.
                    rx.el.span("Notifications", class_name="visually-hidden"),
                    rx.cond(
                        S.unread > 0,
                        rx.badge(
                            S.unread_label,
                            color_scheme="red",
                            variant="solid",
                            radius="full",
                            size="1",
                            position="absolute",
                            top="-6px",
                            right="-8px",
                            # One line, wider than the bell if need be ("99+"): badges may wrap
                            # elsewhere, this one's box is the bell (assets/styles.css).
                            class_name="bell-count",
                            data_testid="unread-count",
                        ),
                    ),
                    rx.cond(S.unread > 0, rx.el.span(" unread", class_name="visually-hidden")),
                    variant="ghost",
                    position="relative",
                    data_testid="notification-bell",
                ),
            ),
            rx.popover.content(
                _popover_body(),
                # A dialog is named (axe aria-dialog-name): by its heading.
                aria_labelledby="notifications-popover-title",
                width="22rem",
                max_width="calc(100vw - 2em)",
                align="end",
            ),
            on_open_change=S.opened,
        ),
        # Invisible ticker: fires on mount (page load) and every REFRESH_MS (the fallback).
        rx.moment(interval=REFRESH_MS, on_change=S.refresh, display="none", aria_hidden="true"),
        position="relative",
    )
