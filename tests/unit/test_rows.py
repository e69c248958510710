"""`from_row`: a page's row built from a public model copies the same-named fields and takes
the computed ones as given, so a row never shows a stale or missing value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from cyberhub.schemas.rows import from_row


class _Public(BaseModel):
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class _Row:
    id: int
    name: str
    created_at: str


def test_row_copies_same_named_fields_and_takes_computed_ones() -> None:
    source = _Public(id=7, name="Blue team", created_at=datetime(2026, 3, 1, tzinfo=UTC))
    row = from_row(_Row, source, created_at="1 Mar 2026")
    assert row == _Row(id=7, name="Blue team", created_at="1 Mar 2026")


def test_a_field_the_source_lacks_must_be_computed() -> None:
    @dataclass(frozen=True)
    class Wider:
        id: int
        label: str

    with pytest.raises(AttributeError):
        from_row(Wider, _Public(id=1, name="x", created_at=datetime.now(UTC)))
    assert from_row(Wider, _Public(id=1, name="x", created_at=datetime.now(UTC)), label="y") == (
        Wider(id=1, label="y")
    )
