"""Datetime fields that keep the API's JSON text: `datetime.isoformat()` ("...+00:00").

Pydantic would write a UTC datetime as "...Z"; the API has always sent `isoformat()`, and clients
compare those strings, so public models declare their datetimes with these types.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

IsoDatetime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

# A time of day on the user's own clock ("19:30:00"), with no offset: their zone decides. JSON
# Schema's "time" format is RFC 3339's, which requires an offset, so it is not declared.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
            "description": "a time of day in the user's own time zone (HH:MM:SS), no offset",
        }
    ),
]
