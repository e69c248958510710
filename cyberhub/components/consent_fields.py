"""The consent checkboxes of the sign-up forms (/signup, and a sign-in link that creates an
account): terms and privacy required, AI profiling and news optional, each with its document."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.ui import muted
from cyberhub.services.identity import consents

# (kind, label, help text), in the order the form shows them.
# The link to each document beside its box, by kind (every form that asks for consents).
READ_LINKS = {
    consents.TERMS: "Read the terms of use",
    consents.PRIVACY: "Read the privacy notice",
    consents.AI_PROFILING: "Read about AI profiling",
    consents.MARKETING: "Read about news e-mail",
}

_BOXES = (
    (consents.TERMS, "I accept the terms of use (required)", "How CyberHub may be used."),
    (consents.PRIVACY, "I accept the privacy notice (required)", "What we keep about you and why."),
    (
        consents.AI_PROFILING,
        "Use AI to suggest my career track and missions (optional)",
        "AI runs on CyberHub's own servers. Without it the profiler and AI feedback are "
        "off; you can change this any time.",
    ),
    (
        consents.MARKETING,
        "Send me news about programmes and jobs (optional)",
        "Occasional e-mail; withdraw any time.",
    ),
)


def ticked_consents(form: dict[str, Any]) -> list[str]:
    """The consent kinds ticked in a submitted form."""
    # A Radix checkbox submits its ref value (bool) under its id, or "on" through FormData.
    return [k for k in consents.KINDS if form.get(f"consent_{k}") in (True, "on", "true")]


def _consent_box(
    kind: str, label: str, help_text: str, ticked: rx.Var[list[str]], read: str
) -> rx.Component:
    box = f"consent_{kind}"  # id == name: the form submits the ref's checked state under it
    return rx.hstack(
        rx.checkbox(
            id=box,
            name=box,
            default_checked=ticked.contains(kind),
            size="3",
            aria_describedby=f"{box}-help",
            margin_top="0.15em",
        ),
        rx.vstack(
            rx.el.label(label, html_for=box, font_weight="500"),
            muted(
                help_text,
                " ",
                rx.link(read, href=f"/legal/{kind}", is_external=True),
                id=f"{box}-help",
                size="1",
            ),
            spacing="0",
        ),
        align="start",
        spacing="2",
    )


def consent_fieldset(ticked: rx.Var[list[str]], read_links: dict[str, str]) -> rx.Component:
    """The four boxes; `ticked` keeps them ticked after a failed submit, `read_links` names the
    link to each document by kind."""
    return rx.el.fieldset(
        rx.el.legend("Your consents", font_weight="600", margin_bottom="0.5em"),
        rx.vstack(
            *[
                _consent_box(kind, label, help_text, ticked, read_links[kind])
                for kind, label, help_text in _BOXES
            ],
            spacing="3",
        ),
        border="none",
        padding="0",
        margin="0",
    )
