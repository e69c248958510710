"""/api/v1: a learner's goals and reflections (/me/notes) and their work-style analysis
(/personality), computed by the worker and only read here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from cyberhub.api.deps import CurrentUser, Id, SessionDep
from cyberhub.services.ai import personality
from cyberhub.services.learning import learner_notes

router = APIRouter(tags=["insights"])

# The body caps only bound the request; the service says what the real limit is.
BODY_CAP = learner_notes.BODY_MAX * 2


class NoteIn(BaseModel):
    kind: str = Field(max_length=32, description='"goal" or "reflection"')
    body: str = Field(max_length=BODY_CAP, description="1 to 2000 characters")


class NoteEdit(BaseModel):
    kind: str | None = Field(default=None, max_length=32)
    body: str | None = Field(default=None, max_length=BODY_CAP)

    @model_validator(mode="after")
    def one_of(self) -> NoteEdit:
        if self.kind is None and self.body is None:
            raise ValueError('send "body", "kind" or both')
        return self


# -- goals and reflections ---------------------------------------------------------------------


@router.get("/me/notes")
def list_notes(
    session: SessionDep,
    principal: CurrentUser,
    kind: str | None = Query(default=None, max_length=32),
) -> list[dict[str, Any]]:
    """The caller's goals and reflections, newest first (`?kind=goal|reflection` to filter)."""
    return learner_notes.list_notes(session, principal, kind)


@router.post("/me/notes", status_code=201)
def add_note(body: NoteIn, session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    """Add a goal or a reflection; the learner's recommendations and analysis follow."""
    return learner_notes.add_note(session, principal, kind=body.kind, body=body.body)


@router.patch("/me/notes/{note_id}")
def edit_note(
    note_id: Id, body: NoteEdit, session: SessionDep, principal: CurrentUser
) -> dict[str, Any]:
    return learner_notes.update_note(session, principal, note_id, kind=body.kind, body=body.body)


@router.delete("/me/notes/{note_id}", status_code=204)
def delete_note(note_id: Id, session: SessionDep, principal: CurrentUser) -> None:
    learner_notes.delete_note(session, principal, note_id)


# -- work-style analysis -----------------------------------------------------------------------


@router.post("/personality/analyze", status_code=202)
def analyze(session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    """Queue the caller's work-style analysis (ready within seconds; read it with GET)."""
    return personality.request_analysis(session, principal)


@router.get("/personality")
def get_personality(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, description="a learner's id (staff with access)"),
) -> dict[str, Any]:
    """The stored analysis: dimensions with score, label, description and evidence.
    `pending` is true while an update for changed answers or reflections is on its way."""
    return personality.stored(session, principal, user)
