"""The one-column form of the sign-in pages (sign in, sign up, its code step, a reset or magic link).

Each of those pages built the same form around its fields: the page heading, the fields, the
submit button, in a full-width column; these keep that frame (and the password and code
inputs, which have the same rules everywhere) in one place."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.auth_card import auth_column, auth_field

__all__ = ["auth_form", "code_field", "for_email", "new_password_field"]


def auth_form(heading: str, *children: rx.Component, on_submit: Any, **props: Any) -> rx.Component:
    """The page heading (the h1), then `children` in one column; `props` go to the form."""
    return rx.form(auth_column(heading, *children), on_submit=on_submit, **props)


def for_email(before: str, email: rx.Var[str], after: str) -> rx.Component:
    """The line under the heading naming the account the link is for (the address in bold)."""
    return rx.text(before, rx.text.strong(email), after, size="2")


def new_password_field(label: str, field_id: str, name: str, **input_props: Any) -> rx.Component:
    """A required password input the browser may fill with a new (generated) password."""
    return auth_field(
        label,
        field_id,
        name,
        type="password",
        auto_complete="new-password",
        required=True,
        **input_props,
    )


def code_field(field_id: str, name: str, input_mode: str, **input_props: Any) -> rx.Component:
    """The 6-digit authenticator code (or a recovery code) the second sign-in step asks for."""
    return auth_field(
        "Authentication code",
        field_id,
        name,
        auto_complete="one-time-code",
        input_mode=input_mode,
        **input_props,
    )
