"""A learner's goals and reflections (services/learning/learner_notes.py, /api/v1/me/notes):
what the service hands out (`NotePublic`) and what it takes (`NoteCreate`, `NoteUpdate`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cyberhub.schemas.datetimes import IsoDatetime

NOTE_KINDS = ("goal", "reflection")
BODY_MAX = 2000  # characters of one note (the service's rule)
MAX_NOTES = 50  # notes one learner may keep
# A request body may carry up to twice BODY_MAX: the service, not the parser, says what the
# real limit is (with the note's actual length in the message).
BODY_CAP = BODY_MAX * 2


class NotePublic(BaseModel):
    """One goal or reflection, as its learner sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    body: str
    created_at: IsoDatetime
    updated_at: IsoDatetime
    edited: bool  # updated after it was written


class NoteCreate(BaseModel):
    kind: str = Field(max_length=32, description='"goal" or "reflection"')
    body: str = Field(max_length=BODY_CAP, description=f"1 to {BODY_MAX} characters")


class NoteUpdate(BaseModel):
    kind: str | None = Field(default=None, max_length=32)
    body: str | None = Field(default=None, max_length=BODY_CAP)

    @model_validator(mode="after")
    def one_of(self) -> NoteUpdate:
        if self.kind is None and self.body is None:
            raise ValueError('send "body", "kind" or both')
        return self
