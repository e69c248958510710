"""Ids typed into page URLs (/missions/<id>, /review/<id>, ...): anything that can name no row is
None, so the page shows its "not found" state instead of querying the database."""

from __future__ import annotations

import pytest

from cyberhub.models.base import MAX_ID
from cyberhub.state.forms import parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID), (7, 7), ("0042", 42)],
)
def test_plain_ids_in_range_parse(raw: object, expected: int) -> None:
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "0",
        "-1",
        "abc",
        "1.5",
        " 1",
        "1e3",
        "²",  # str.isdigit() says yes, int() raises
        "١٢",  # Arabic-Indic digits: int() would accept them
        str(MAX_ID + 1),
        "999999999999999999999",
        "1\x00",
    ],
)
def test_anything_else_is_none(raw: object) -> None:
    assert parse_id(raw) is None
