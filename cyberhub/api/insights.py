"""/api/v1: a learner's work-style analysis (/personality), computed by the worker and only read
here, and the old goal and reflection notes (/me/notes) — deprecated since issue 16: goals and
reflections are /coaching/goals and /coaching/reflections (migration 0022 copied the notes
there), and only those steer recommendations and the analysis."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from cyberhub.api.deps import CurrentUser, Id, SessionDep
from cyberhub.models.base import MAX_ID
from cyberhub.schemas.ai import WorkStylePublic, WorkStyleStored
from cyberhub.schemas.notes import NoteCreate, NotePublic, NoteUpdate
from cyberhub.services.ai import personality
from cyberhub.services.learning import learner_notes

router = APIRouter(tags=["insights"])


# -- the old goal and reflection notes (deprecated: /coaching/goals, /coaching/reflections) -------


@router.get("/me/notes", response_model=list[NotePublic], deprecated=True)
def list_notes(
    session: SessionDep,
    principal: CurrentUser,
    kind: str | None = Query(default=None, max_length=32),
) -> list[NotePublic]:
    """Deprecated (use /coaching/goals and /coaching/reflections): the caller's old goal and
    reflection notes, newest first (`?kind=goal|reflection` to filter)."""
    return learner_notes.list_notes(session, principal, kind)


@router.post("/me/notes", status_code=201, response_model=NotePublic, deprecated=True)
def add_note(body: NoteCreate, session: SessionDep, principal: CurrentUser) -> NotePublic:
    """Deprecated (use /coaching/goals and /coaching/reflections): add a note. It is kept but
    no longer read by recommendations or the work-style analysis."""
    return learner_notes.add_note(session, principal, kind=body.kind, body=body.body)


@router.patch("/me/notes/{note_id}", response_model=NotePublic, deprecated=True)
def edit_note(
    note_id: Id, body: NoteUpdate, session: SessionDep, principal: CurrentUser
) -> NotePublic:
    """Deprecated: edit the text, the kind, or both of one of the caller's old notes."""
    return learner_notes.update_note(session, principal, note_id, kind=body.kind, body=body.body)


@router.delete(
    "/me/notes/{note_id}",
    status_code=204,
    response_class=Response,
    deprecated=True,
)
def delete_note(note_id: Id, session: SessionDep, principal: CurrentUser) -> None:
    """Deprecated: delete one of the caller's old notes."""
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
    user: int | None = Query(
        default=None, ge=1, le=MAX_ID, description="a learner's id (staff with access)"
    ),
) -> WorkStyleStored:
    """The stored analysis: dimensions, each a scale from `low` (0) to `high` (100), with score,
    label ("Not enough evidence yet", "Balanced", "Leans …", "Strongly …"), `confidence` (none,
    low, medium, high: from the amount and agreement of the evidence), `evidence_items` and
    `agreeing_items`, description and evidence. `pending` is true while an update for changed
    answers or reflections is on its way."""
    return personality.stored(session, principal, user)
