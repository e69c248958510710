"""Matching what a person typed into a search box against text columns."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

_WILDCARDS = re.compile(r"([\\%_])")


def contains(column: Any, typed: str) -> ColumnElement[bool]:
    """`column` contains `typed`, ignoring case, as typed: its % and _ match themselves (an
    e-mail search for "j_doe" does not also find "jxdoe")."""
    return column.ilike("%" + _WILDCARDS.sub(r"\\\1", typed) + "%", escape="\\")
