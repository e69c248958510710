"""How the OpenAPI document describes a route that answers a file or plain text, not JSON."""

from __future__ import annotations

from typing import Any


def file_or_text(
    description: str, *media_types: str, binary: bool = True
) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: its 200 is a body in one of `media_types`, described as a string
    (`"format": "binary"` unless `binary=False`: text such as a CSV report or a calendar)."""
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    content = {media_type: {"schema": dict(schema)} for media_type in media_types}
    return {200: {"description": description, "content": content}}
