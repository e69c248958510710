"""/api/v1: a learner's goals and reflections (/me/notes) and their work-style analysis
(/personality), computed by the worker and only read here."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from cyberhub.api.deps import CurrentUser, Id, SessionDep
from cyberhub.schemas.ai import WorkStylePublic, WorkStyleStored
from cyberhub.schemas.notes import NoteCreate, NotePublic, NoteUpdate
from cyberhub.services.ai import personality
from cyberhub.services.learning import learner_notes

router = APIRouter(tags=["insights"])


# -- goals and reflections ---------------------------------------------------------------------


@router.get("/me/notes", response_model=list[NotePublic])
def list_notes(
    session: SessionDep,
    principal: CurrentUser,
    kind: str | None = Query(default=None, max_length=32),
) -> list[NotePublic]:
    """The caller's goals and reflections, newest first (`?kind=goal|reflection` to filter)."""
    return learner_notes.list_notes(session, principal, kind)


@router.post("/me/notes", status_code=201, response_model=NotePublic)
def add_note(body: NoteCreate, session: SessionDep, principal: CurrentUser) -> NotePublic:
    """Add a goal or a reflection; the learner's recommendations and analysis follow."""
    return learner_notes.add_note(session, principal, kind=body.kind, body=body.body)


@router.patch("/me/notes/{note_id}", response_model=NotePublic)
def edit_note(
    note_id: Id, body: NoteUpdate, session: SessionDep, principal: CurrentUser
) -> NotePublic:
    """Edit the text, the kind, or both of one of the caller's notes."""
    return learner_notes.update_note(session, principal, note_id, kind=body.kind, body=body.body)


@router.delete("/me/notes/{note_id}", status_code=204, response_class=Response)
def delete_note(note_id: Id, session: SessionDep, principal: CurrentUser) -> None:
    """Delete one of the caller's notes."""
    learner_notes.delete_note(session, principal, note_id)


# -- work-style analysis -----------------------------------------------------------------------


@router.post("/personality/analyze", status_code=202, response_model=WorkStylePublic)
def analyze(session: SessionDep, principal: CurrentUser) -> WorkStylePublic:
    """Queue the caller's work-style analysis (ready within seconds; read it with GET)."""
    return personality.request_analysis(session, principal)


@router.get("/personality", response_model=WorkStyleStored)
def get_personality(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, description="a learner's id (staff with access)"),
) -> WorkStyleStored:
    """The stored analysis: dimensions with score, label, description and evidence.
    `pending` is true while an update for changed answers or reflections is on its way."""
    return personality.stored(session, principal, user)
