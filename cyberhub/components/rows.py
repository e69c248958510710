"""Shared pieces for the rows pages show: the table cells several pages' rows hold, and the pager
under a list. (A row dataclass is built from a service's public model with
`schemas/rows.from_row`.)"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.ui import pager


def time_cell(at: rx.Var[str]) -> rx.Component:
    """A table cell holding a time already formatted for the reader, kept on one line."""
    return rx.table.cell(rx.text(at, size="2", white_space="nowrap"))


def pager_if_many(page: rx.Var[int], pages: rx.Var[int], go_to: Any, of: str = "") -> rx.Component:
    """The pager under a list's rows, shown only while the list has more than one page (`of`:
    as ui.pager's, where a page holds several lists)."""
    return rx.cond(pages > 1, pager(page, pages, go_to, of))


def audit_details_cell(details: rx.Var[str], size: str) -> rx.Component:
    """An audit entry's details cell: long words wrapped, its line breaks kept."""
    return rx.table.cell(
        rx.text(details, size=size, word_break="break-word", white_space="pre-line"),
        data_testid="audit-details",
    )
