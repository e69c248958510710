"""The app shell: skip link, header with role-aware navigation, main landmark, footer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.vars import Var

from cyberhub.components.connection import server_error_notice
from cyberhub.components.link_button import link_button
from cyberhub.components.notifications import notification_bell
from cyberhub.components.time_zone_probe import browser_zone_probe
from cyberhub.components.ui import muted, thin_rule
from cyberhub.services.messaging.mail import mailbox_enabled
from cyberhub.state.session import SessionState


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("shield_check", size=26, color=rx.color("teal", 10)),
            rx.text("CyberHub", weight="bold", size="5"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        color=rx.color("gray", 12),
        aria_label="CyberHub home",
    )


def _nav_link(item: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.link(
        item["label"],
        href=item["href"],
        size="3",
        weight="medium",
        underline="hover",
        color=rx.color("gray", 12),
        padding="0.35em 0.25em",
    )


def _user_menu() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                # Named with what it shows (WCAG 2.5.3): "Account menu: Amina Njoroge"; on a
                # phone the name is hidden and "Account menu" remains.
                rx.button(
                    rx.icon("circle_user", size=18, aria_hidden="true"),
                    rx.el.span("Account menu: ", class_name="visually-hidden"),
                    rx.text(SessionState.display_name, class_name="user-name"),
                    variant="soft",
                ),
            ),
            rx.menu.content(
                rx.box(
                    rx.text(SessionState.user_email, size="2", weight="medium"),
                    muted("Roles: ", SessionState.roles.join(", "), size="1"),
                    padding="0.4em 0.75em",
                ),
                rx.menu.separator(),
                rx.menu.item("My home", on_click=rx.redirect("/dashboard")),
                rx.menu.item("Security", on_click=rx.redirect("/settings/security")),
                rx.menu.item("Privacy & consents", on_click=rx.redirect("/settings/privacy")),
                rx.menu.item("API keys", on_click=rx.redirect("/settings/api-keys")),
                rx.menu.item("Exports", on_click=rx.redirect("/exports")),
                rx.menu.item("Sign out", color_scheme="red", on_click=SessionState.sign_out),
            ),
        ),
        rx.hstack(
            link_button("Sign in", variant="soft", white_space="nowrap", href="/signin"),
            link_button("Sign up", white_space="nowrap", href="/signup", class_name="hide-sm"),
            spacing="2",
        ),
    )


def _theme_toggle() -> rx.Component:
    return rx.color_mode.button(aria_label="Switch between light and dark theme", variant="ghost")


def _mobile_nav() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open navigation")
        ),
        rx.menu.content(
            rx.foreach(
                SessionState.nav_items,
                lambda item: rx.menu.item(item["label"], on_click=rx.redirect(item["href"])),
            ),
        ),
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.hstack(
                rx.mobile_only(_mobile_nav()),
                _brand(),
                align="center",
                spacing="2",
            ),
            rx.tablet_and_desktop(
                rx.el.nav(
                    rx.hstack(
                        rx.foreach(SessionState.nav_items, _nav_link), spacing="4", align="center"
                    ),
                    aria_label="Main",
                ),
            ),
            rx.hstack(
                _theme_toggle(),
                rx.cond(SessionState.signed_in, notification_bell()),
                _user_menu(),
                align="center",
                spacing="3",
            ),
            justify="between",
            align="center",
            width="100%",
            max_width="72rem",
            margin="0 auto",
            padding="0.75em 1em",
        ),
        border_bottom=thin_rule(5),
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )


def footer() -> rx.Component:
    dev_links = (
        rx.link("Dev mailbox", href="/dev/mailbox", size="1")
        if mailbox_enabled()
        else rx.fragment()
    )
    return rx.el.footer(
        muted("Ongoza CyberHub — hands-on cybersecurity careers, mentored."),
        rx.hstack(
            rx.link("Terms", href="/legal/terms", size="1"),
            rx.link("Privacy", href="/legal/privacy", size="1"),
            dev_links,
            justify="center",
            spacing="4",
            margin_top="0.5em",
        ),
        padding="2em 1em",
        text_align="center",
        border_top=thin_rule(),
    )


def full_navigation() -> rx.Component:
    """Load `SessionState.navigate_to` as a whole page, in this tab, with a new client token.

    Sign-in and sign-out need a new websocket (the backend reads the session cookie from its
    handshake), which `rx.redirect` doesn't give for a same-host URL (it routes client-side).
    This element mounts when the URL is set; its script is compiled into the page bundle (no
    eval, so a strict CSP allows it), runs once per document, and drops the tab's Reflex
    client token so the next page starts from fresh page states.
    """
    url = SessionState.navigate_to
    go: Var[None] = Var(
        _js_expr=(
            "(window.__cyberhubNavigating || (window.__cyberhubNavigating = true, "
            f"window.sessionStorage.removeItem('token'), window.location.replace({url!s})))"
        ),
        _var_data=url._get_all_var_data(),
    )
    return rx.cond(
        SessionState.navigate_to != "",
        rx.box(on_mount=rx.run_script(go), display="none", data_testid="full-navigation"),
    )


def shell(*children: rx.Component) -> rx.Component:
    return rx.box(
        full_navigation(),
        browser_zone_probe(),
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        header(),
        rx.el.main(
            rx.box(
                server_error_notice(),
                *children,
                width="100%",
                max_width="72rem",
                margin="0 auto",
                padding="1.5em 1em",
            ),
            id="main",
            tab_index=-1,
            min_height="70vh",
        ),
        footer(),
        min_height="100vh",
        background=rx.color("gray", 1),
    )


def dead_end_view(
    title: Any, *body: rx.Component, testid: str, padded: bool = True
) -> rx.Component:
    """What stands in for a page that can't be shown (not found, no access): its h1 saying so,
    then `body` (why, in grey, and the links onwards); `padded` leaves room above and below."""
    padding = {"padding_y": "3em"} if padded else {}
    return rx.vstack(
        rx.heading(title, size="7", as_="h1"), *body, spacing="4", data_testid=testid, **padding
    )


def forbidden_view() -> rx.Component:
    return dead_end_view(
        "403 — You don't have access to this page",
        rx.text(
            "Your account doesn't include the role this page needs. If you think that's a mistake, "
            "ask an administrator to review your roles.",
            color_scheme="gray",
        ),
        rx.hstack(
            link_button("Go to your dashboard", href="/dashboard"),
            link_button("Home", variant="soft", href="/"),
        ),
        testid="forbidden",
    )


def guarded(route: str, content: rx.Component) -> rx.Component:
    """Render `content` only after the server-side guard granted this route."""
    from cyberhub.components.ui import loading_state  # noqa: PLC0415  (why: ui imports this module)

    return rx.cond(
        SessionState.granted_route == route,
        content,
        rx.cond(
            SessionState.denied_route == route, forbidden_view(), loading_state("Checking access…")
        ),
    )


def guarded_page(route: str, content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """A signed-in page's component for register_page: the shell around `content()`, shown once
    the server-side guard granted `route` (until then "Checking access…", or the forbidden
    view)."""

    def page() -> rx.Component:
        return shell(guarded(route, content()))

    # Reflex names the page in a build error by its component: name it after its content.
    page.__name__ = page.__qualname__ = f"guarded_page({content.__name__})"
    page.__module__ = content.__module__
    return page
