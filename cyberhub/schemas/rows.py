"""Filling a response schema from a database row, instead of copying it field by field."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

Schema = TypeVar("Schema", bound=BaseModel)


def from_row(schema: type[Schema], row: object, **values: object) -> Schema:
    """`schema` built from the row's attributes of the same names as its fields, with `values`
    for the fields the row does not hold as they are (joined names, computed figures)."""
    copied = {
        name: getattr(row, name)
        for name in schema.model_fields
        if name not in values and hasattr(row, name)
    }
    return schema.model_validate({**copied, **values})
