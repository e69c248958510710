"""`Timestamp`: a datetime in a typed model that the JSON API writes as `datetime.isoformat()`
("2026-12-03T14:05:00+00:00", its format since v1) rather than pydantic's "...Z"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

Timestamp = Annotated[
    datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json")
]
