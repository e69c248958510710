"""Shared pieces for the rows pages show: a row dataclass built from a service's public model,
and the table cells several pages' rows hold."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

import reflex as rx

from cyberhub.components.ui import pager

if TYPE_CHECKING:  # typeshed-only protocol: "any dataclass", not importable at run time
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def row_from(cls: type[R], source: object, **computed: Any) -> R:
    """A `cls` row: the fields given in `computed` as they are, every other one copied from
    `source`'s attribute of the same name."""
    copied = {f.name: getattr(source, f.name) for f in fields(cls) if f.name not in computed}
    return cls(**copied, **computed)


def time_cell(at: rx.Var[str]) -> rx.Component:
    """A table cell holding a time already formatted for the reader, kept on one line."""
    return rx.table.cell(rx.text(at, size="2", white_space="nowrap"))


def pager_if_many(page: rx.Var[int], pages: rx.Var[int], go_to: Any) -> rx.Component:
    """The pager under a list's rows, shown only while the list has more than one page."""
    return rx.cond(pages > 1, pager(page, pages, go_to))


def audit_details_cell(details: rx.Var[str], size: str) -> rx.Component:
    """An audit entry's details cell: long words wrapped, its line breaks kept."""
    return rx.table.cell(
        rx.text(details, size=size, word_break="break-word", white_space="pre-line"),
        data_testid="audit-details",
    )
