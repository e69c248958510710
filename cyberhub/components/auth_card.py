"""The pieces of the signed-out pages (sign-in, sign-up, e-mailed links, password reset): one
centred card, labelled full-width fields, and the "this link can't be used" answer."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.link_button import link_button
from cyberhub.components.sections import titled_stack
from cyberhub.components.ui import alert_callout

# The longest e-mail address a field takes (the column and the API's limit).
EMAIL_MAX_LENGTH = 320


def auth_card(*children: rx.Component, max_width: str = "28rem") -> rx.Component:
    """The centred card a signed-out page shows its one form or answer in."""
    return rx.center(
        rx.card(*children, width="100%", max_width=max_width, padding="1.5em"),
        padding_y="2em",
    )


def auth_field(label: str, field_id: str, name: str, **input_props: Any) -> rx.Component:
    """A visible label and its full-width, large input (`input_props`: type, auto_complete, ...)."""
    return rx.fragment(
        field_label(label, field_id),
        rx.input(id=field_id, name=name, width="100%", size="3", **input_props),
    )


def email_auth_field(field_id: str, value: Any, **input_props: Any) -> rx.Component:
    """The required "Email" auth_field (name `email`, at most EMAIL_MAX_LENGTH characters), filled
    with `value` (what was typed); `input_props` add to the input."""
    return auth_field(
        "Email",
        field_id,
        "email",
        type="email",
        auto_complete="email",
        default_value=value,
        required=True,
        max_length=EMAIL_MAX_LENGTH,
        **input_props,
    )


def submit_button(text: str, loading: rx.Var[bool]) -> rx.Component:
    return rx.button(text, type="submit", loading=loading, width="100%", size="3")


def auth_column(heading: str, *children: rx.Component) -> rx.Component:
    """A sign-in page's column: its heading (the h1), then `children`, a step 3 apart."""
    return titled_stack(heading, *children, size="6", as_="h1", spacing="3")


def other_way_in(question: str, link: str, href: Any) -> rx.Component:
    """The line under a signed-out form that points to the other way in: "`question` `link`"
    ("Know your password? Sign in")."""
    return rx.text(f"{question} ", rx.link(link, href=href), size="2")


def link_unusable(
    error: rx.Var[str],
    request_href: str,
    back_text: str,
    renewable: rx.Var[bool] | bool = True,
) -> rx.Component:
    """An e-mailed link that is unknown, used or expired: why, and where to go instead (a new
    link only while `renewable`: none is sent to a deactivated account)."""
    new_link = link_button("Request a new link", href=request_href)
    return auth_column(
        "This link can't be used",
        alert_callout(error),
        rx.hstack(
            new_link if renewable is True else rx.cond(renewable, new_link),
            link_button(back_text, variant="soft", href="/signin"),
            wrap="wrap",
        ),
    )
