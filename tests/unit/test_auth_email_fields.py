"""The Email field of every signed-out form takes at most 320 characters (the longest address
the account column and the API take)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import reflex as rx

from cyberhub.pages.magic_link.request import email_link_page
from cyberhub.pages.password_reset import reset_request_page
from cyberhub.pages.signin import signin_page
from cyberhub.pages.signup import signup_page

pytestmark = [pytest.mark.auth]


def _props_of(node: Any, field_id: str) -> list[str]:
    """The rendered props of the element with id `field_id` ([] when there is none)."""
    if isinstance(node, dict):
        props = [str(p) for p in node.get("props", [])]
        if f'id:"{field_id}"' in props:
            return props
        node = list(node.values())  # children, and both branches of a cond
    if isinstance(node, list):
        for child in node:
            if found := _props_of(child, field_id):
                return found
    return []


@pytest.mark.parametrize(
    ("page", "field_id"),
    [
        (signin_page, "signin-email"),
        (signup_page, "signup-email"),
        (email_link_page, "email-link-email"),
        (reset_request_page, "reset-email"),
    ],
)
def test_the_email_field_takes_at_most_320_characters(
    page: Callable[[], rx.Component], field_id: str
) -> None:
    """/signin and /signup let an address of any length be typed, unlike the e-mail request
    cards (/signin/email-link, /password-reset), which stop at 320."""
    props = _props_of(page().render(), field_id)
    assert props, f"no #{field_id} on the page"
    assert "maxLength:320" in props
