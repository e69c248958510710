"""Form pieces shared by pages."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_label(text: Any, for_id: Any) -> rx.Component:
    """A visible <label> for the input with id `for_id`."""
    return rx.el.label(text, html_for=for_id, font_weight="500")
