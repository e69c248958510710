"""The view of /settings/security: the two-step sign-in cards, changing the password, the time
zone, the calendar feed, where you're signed in (sessions.py), sign-out-everywhere."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.dialogs import dialog_actions
from cyberhub.components.fields import field_label
from cyberhub.components.labelled import labelled
from cyberhub.components.layout import described_input, flow, settings_column
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import icon_button, stack_card
from cyberhub.components.ui import error_callout, muted, page_heading
from cyberhub.pages.settings_security.calendar import calendar_card
from cyberhub.pages.settings_security.password import password_card
from cyberhub.pages.settings_security.sessions import sign_ins_card
from cyberhub.pages.settings_security.state import SecurityState, TimeZoneState
from cyberhub.services.identity import time_zones

ROUTE = "/settings/security"


def _section(
    heading: str, *children: rx.Component, badge: rx.Component | None = None, spacing: str = "3"
) -> rx.Component:
    """One card of the page: its heading (with a status badge), then its content."""
    title = rx.heading(heading, size="5", as_="h2")
    if badge is not None:
        title = rx.hstack(title, badge, align="center")
    return stack_card(title, *children, spacing=spacing)


def _code_input(field_id: str, label: str, help_id: str) -> rx.Component:
    code = described_input(
        field_id,
        "code",
        help_id,
        max_length=32,
        max_width="16rem",
        auto_complete="one-time-code",
        input_mode="numeric",
    )
    return labelled(label, field_id, code, width="100%")


def _recovery_codes_card() -> rx.Component:
    S = SecurityState
    return _section(
        "Save your recovery codes",
        rx.text(
            "If you lose your phone, each of these codes signs you in once instead of the "
            "6-digit code. They are shown only now: save them in a password manager or print "
            "them.",
        ),
        rx.el.ol(
            rx.foreach(
                S.recovery_codes,
                lambda c: rx.el.li(
                    rx.code(c, size="3"), data_testid="recovery-code", padding="0.15em 0"
                ),
            ),
            columns="2",
            padding_left="1.5em",
            width="100%",
            max_width="24rem",
        ),
        rx.hstack(
            icon_button("copy", "Copy", variant="soft", on_click=rx.set_clipboard(S.recovery_text)),
            icon_button(
                "download",
                "Download",
                variant="soft",
                on_click=rx.download(data=S.recovery_text, filename="cyberhub-recovery.txt"),
            ),
            rx.button("I saved them", on_click=S.saved_codes),
            wrap="wrap",
            spacing="3",
        ),
    )


def _enrol_card() -> rx.Component:
    S = SecurityState
    return _section(
        "Set up your authenticator app",
        rx.el.ol(
            rx.el.li(
                "Open an authenticator app (Google Authenticator, Microsoft Authenticator, "
                "1Password, Aegis…) and add an account."
            ),
            rx.el.li("Scan this QR code, or type the secret key below."),
            rx.el.li("Enter the 6-digit code the app shows to finish."),
            padding_left="1.5em",
        ),
        flow(
            rx.image(
                src=S.qr,
                alt="QR code to add CyberHub to your authenticator app",
                width="200px",
                height="200px",
                background="white",
                padding="0.5em",
                border_radius="8px",
            ),
            rx.vstack(
                rx.text("Secret key (type it if you can't scan):", size="2", weight="medium"),
                rx.code(
                    S.secret_grouped,
                    size="4",
                    data_testid="mfa-secret",
                    word_break="break-all",
                ),
                icon_button(
                    "copy",
                    "Copy secret",
                    variant="soft",
                    size="2",
                    on_click=rx.set_clipboard(S.secret),
                ),
                spacing="2",
                max_width="22rem",
            ),
            gap="1.5em",
            align="center",
        ),
        rx.form(
            rx.vstack(
                _code_input("mfa-enrol-code", "Authentication code", "mfa-enrol-help"),
                muted(
                    "The 6-digit code from your app; it changes every 30 seconds.",
                    id="mfa-enrol-help",
                    size="1",
                ),
                rx.el.label("Current password", html_for="mfa-enrol-password", font_weight="500"),
                described_input(
                    "mfa-enrol-password",
                    "password",
                    "mfa-enrol-password-help",
                    max_length=256,
                    max_width="20rem",
                    type="password",
                    auto_complete="current-password",
                ),
                muted(
                    "Confirms it's you: nobody using a session you left open can turn this on.",
                    id="mfa-enrol-password-help",
                    size="1",
                ),
                rx.hstack(
                    rx.button("Turn on two-factor authentication", type="submit", loading=S.busy),
                    rx.button(
                        "Cancel", type="button", variant="soft", on_click=S.cancel_enrollment
                    ),
                    wrap="wrap",
                ),
                spacing="2",
            ),
            on_submit=S.confirm,
            reset_on_submit=True,
        ),
        spacing="4",
    )


def _code_dialog(
    name: str, trigger: str, title: str, description: str, action: str, color: str
) -> rx.Component:
    S = SecurityState
    field_id = f"mfa-{name}-code"
    return rx.alert_dialog.root(
        # Opened by the state (not a Radix trigger: Reflex wraps a trigger child that has an
        # on_click in a <div>, which then carries the button's ARIA); focus comes back here on
        # close through assets/a11y.js.
        rx.button(trigger, color_scheme=color, variant="soft", on_click=S.open_dialog(name)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, id=f"{field_id}-help"),
            rx.form(
                rx.vstack(
                    error_callout(S.dialog_error),
                    _code_input(field_id, "Authentication or recovery code", f"{field_id}-help"),
                    dialog_actions(
                        rx.button(action, type="submit", color_scheme=color, loading=S.busy),
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="1em",
                ),
                on_submit=S.submit_dialog,
                reset_on_submit=True,
            ),
        ),
        open=S.dialog == name,
        on_open_change=S.set_dialog_open,
    )


def _two_factor_card(on: bool, *children: rx.Component) -> rx.Component:
    """The two-factor card, its heading badged On (green) or Off (gray)."""
    badge = rx.badge("On" if on else "Off", color_scheme="green" if on else "gray", size="2")
    return _section("Two-factor authentication", *children, badge=badge)


def _enabled_card() -> rx.Component:
    S = SecurityState
    return _two_factor_card(
        True,
        rx.text("On since ", S.enabled_at, ". Signing in asks for a code from your app."),
        rx.text(
            S.recovery_codes_left,
            " of 10 recovery codes left.",
            color=rx.cond(S.recovery_codes_left < 3, rx.color("red", 11), rx.color("gray", 11)),
        ),
        rx.hstack(
            _code_dialog(
                "regenerate",
                "Replace recovery codes",
                "Replace your recovery codes?",
                "You get ten new codes and every old one stops working. Enter a code from "
                "your authenticator app (or a recovery code) to confirm.",
                "Replace codes",
                "teal",
            ),
            _code_dialog(
                "disable",
                "Turn off two-factor authentication",
                "Turn off two-factor authentication?",
                "Your account will be protected by your password only, and your recovery "
                "codes stop working. Enter a code from your authenticator app (or a recovery "
                "code) to confirm.",
                "Turn off",
                "red",
            ),
            wrap="wrap",
            spacing="3",
        ),
    )


def _disabled_card() -> rx.Component:
    S = SecurityState
    return _two_factor_card(
        False,
        rx.text(
            "Add a second step to signing in: a 6-digit code from an authenticator app on "
            "your phone. Someone who learns your password still can't get in."
        ),
        icon_button(
            "shield_check",
            "Set up two-factor authentication",
            on_click=S.start_enrollment,
            loading=S.busy,
        ),
    )


def _sessions_card() -> rx.Component:
    S = SecurityState
    return _section(
        "Sessions and API keys",
        rx.text(
            "Lost a device, or signed in somewhere you shouldn't have? Sign out everywhere: "
            "every session ends (this one too), and every API key and your calendar feed's "
            "address stop working."
        ),
        rx.alert_dialog.root(
            icon_button(
                "log_out",
                "Sign out everywhere",
                color_scheme="red",
                variant="soft",
                on_click=S.open_dialog("everywhere"),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Sign out everywhere?"),
                rx.alert_dialog.description(
                    "Every browser and app signed in to your account is signed out, this "
                    "one included, and all your API keys and your calendar feed's address "
                    "are revoked. You then sign in again."
                ),
                rx.vstack(
                    error_callout(S.dialog_error),
                    dialog_actions(
                        rx.button(
                            "Sign out everywhere",
                            color_scheme="red",
                            loading=S.busy,
                            on_click=S.sign_out_everywhere,
                        ),
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="1em",
                ),
            ),
            open=S.dialog == "everywhere",
            on_open_change=S.set_dialog_open,
        ),
    )


def _zone_options() -> rx.Component:
    """Every zone name, offered as the user types (a native, searchable suggestion list)."""
    return rx.el.datalist(
        *[rx.el.option(value=name) for name in time_zones.choices()], id="time-zone-options"
    )


def _time_zone_card() -> rx.Component:
    T = TimeZoneState
    return _section(
        "Time zone",
        rx.text(
            "Dates and times on CyberHub are shown in ",
            rx.text.strong(T.time_zone, data_testid="time-zone-current"),
            ": it is now ",
            rx.text.span(T.example, data_testid="time-zone-example"),
            ".",
        ),
        error_callout(T.error),
        notice_callout(T.notice, full_width=False),
        rx.form(
            rx.vstack(
                field_label("Time zone", "time-zone-input"),
                rx.hstack(
                    described_input(
                        "time-zone-input",
                        "time_zone",
                        "time-zone-help",
                        max_length=time_zones.MAX_LENGTH,
                        max_width="20rem",
                        list="time-zone-options",
                        placeholder="Type a city, e.g. Africa/Nairobi",
                        default_value=T.time_zone,
                        key=T.time_zone,
                        auto_complete="off",
                    ),
                    rx.button("Save time zone", type="submit", size="3"),
                    wrap="wrap",
                ),
                muted(
                    "Start typing a region or city and pick from the list.",
                    id="time-zone-help",
                    size="1",
                ),
                _zone_options(),
                spacing="1",
            ),
            on_submit=T.save,
        ),
    )


def settings_security_content() -> rx.Component:
    S = SecurityState
    return settings_column(
        page_heading("Security", "How you sign in to CyberHub."),
        S,
        "Loading your security settings…",
        rx.cond(
            S.recovery_codes.length() > 0,
            _recovery_codes_card(),
            rx.cond(
                S.enabled,
                _enabled_card(),
                rx.cond(S.enrolling, _enrol_card(), _disabled_card()),
            ),
        ),
        rx.cond(S.loading, rx.fragment(), password_card()),
        rx.cond(S.loading, rx.fragment(), _time_zone_card()),
        rx.cond(S.loading, rx.fragment(), calendar_card()),
        rx.cond(S.loading, rx.fragment(), sign_ins_card()),
        rx.cond(S.loading, rx.fragment(), _sessions_card()),
        muted(
            "Manage what you agreed to under ",
            rx.link("Privacy & consents", href="/settings/privacy"),
            ".",
        ),
    )
