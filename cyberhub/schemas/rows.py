"""Building a typed answer from the thing it describes: a public schema from its database row, or
a page's row dataclass from a public model. The fields the source holds are read from it by name;
the ones worked out (a joined name, a date formatted for the reader) are given, so the caller names
only what it adds."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:  # typeshed-only protocol: "any dataclass", not importable at run time
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="BaseModel | DataclassInstance")


def from_row(schema: type[S], row: object, /, **computed: Any) -> S:
    """`schema` (a pydantic model or a dataclass) with each field read from `row`'s attribute of
    that name, unless `computed` gives it (a value the caller works out, or one that replaces the
    stored value)."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        names = list(schema.model_fields)
        stored = {name: getattr(row, name) for name in names if name not in computed}
        return schema.model_validate({**stored, **computed})
    assert is_dataclass(schema)
    stored = {f.name: getattr(row, f.name) for f in fields(schema) if f.name not in computed}
    return schema(**stored, **computed)
