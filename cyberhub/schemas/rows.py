"""Building a public schema from a database row: the fields the row holds are read from it by
name, the ones worked out by the service are given, so a service names only what it adds."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

S = TypeVar("S", bound=BaseModel)


def from_row(schema: type[S], row: object, /, **computed: object) -> S:
    """`schema` with each field read from `row`'s attribute of that name, unless `computed` gives
    it (a value the service works out, or one that replaces the stored value)."""
    stored = {name: getattr(row, name) for name in schema.model_fields if name not in computed}
    return schema.model_validate({**stored, **computed})
