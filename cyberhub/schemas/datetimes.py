"""Datetime fields that keep the API's JSON text: `datetime.isoformat()` ("...+00:00").

Pydantic would write a UTC datetime as "...Z"; the API has always sent `isoformat()`, and clients
compare those strings, so public models declare their datetimes with these types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

IsoDatetime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
