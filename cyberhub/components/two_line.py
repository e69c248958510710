"""A table cell's two lines: a name in medium weight over a small grey detail (email, programme)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.ui import muted


def two_line(primary: Any, secondary: Any) -> rx.Component:
    """`primary` over `secondary`, tight."""
    return rx.vstack(
        rx.text(primary, weight="medium"),
        muted(secondary, size="1"),
        spacing="0",
    )
