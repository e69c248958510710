"""A learner's old goal and reflection notes (the deprecated /api/v1/me/notes): list, add, edit
and delete their own.

Legacy since issue 16: migration 0022 copied the notes into the coaching goals and reflections,
which /coaching writes and which the AI reads (services/coaching/ai_sources.py); nothing reads
these notes for recommendations or the analysis any more, so a change queues no AI work (it
queued a re-embedding and an analysis that had nothing new to read). Kept until the endpoint and
the table are removed.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from cyberhub.models import LearnerNote, Role
from cyberhub.models.ai import NoteKind
from cyberhub.models.base import utcnow
from cyberhub.schemas.notes import BODY_MAX, MAX_NOTES, NOTE_KINDS, NotePublic
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks, text
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_role

KINDS = NOTE_KINDS
NOT_A_LEARNER = "Goals and reflections are kept by learners (the student role)."


def note_public(n: LearnerNote) -> NotePublic:
    """The note as its learner sees it ("edited": changed after it was written)."""
    return from_row(NotePublic, n, edited=n.updated_at > n.created_at)


def _learner(principal: Principal | None) -> Principal:
    return require_role(principal, Role.student, refused=NOT_A_LEARNER)


def _kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise Invalid("Choose whether this is a goal or a reflection.")
    return kind


def _body(body: str) -> str:
    """A note's text, on several lines if need be (services/text.block), not empty."""
    body = text.block(body, "note", BODY_MAX)
    if not body:
        raise Invalid("Write something first: the note is empty.")
    return body


def _own(session: Session, actor: Principal, note_id: int) -> LearnerNote:
    note = session.get(LearnerNote, note_id)
    # Someone else's note is reported as missing: its existence is nobody else's business.
    if note is None or note.user_id != actor.user_id:
        raise NotFound("That note does not exist.")
    return note


def newest_first(
    user_id: int, kind: str | None = None, limit: int | None = None
) -> SelectOfScalar[LearnerNote]:
    """A learner's notes newest first (of one kind, at most `limit`): the order every reader
    (the API's list, the learner's data export) takes them in."""
    stmt = select(LearnerNote).where(LearnerNote.user_id == user_id)
    if kind:
        stmt = stmt.where(LearnerNote.kind == kind)
    stmt = stmt.order_by(col(LearnerNote.created_at).desc(), col(LearnerNote.id).desc())
    return stmt.limit(limit) if limit else stmt


def list_notes(
    session: Session, principal: Principal | None, kind: str | None = None
) -> list[NotePublic]:
    """The learner's own notes, newest first (optionally only goals or only reflections)."""
    actor = _learner(principal)
    rows = session.exec(newest_first(actor.user_id, _kind(kind) if kind else None)).all()
    return [note_public(n) for n in rows]


def add_note(session: Session, principal: Principal | None, *, kind: str, body: str) -> NotePublic:
    """Add a goal or a reflection (1..2000 characters; at most MAX_NOTES per learner)."""
    actor = _learner(principal)
    kind, body = _kind(kind), _body(body)
    # Two adds at once take turns, so they can't both pass the count.
    locks.hold(session, locks.Lock.LEARNER_COACHING, actor.user_id)
    count = session.exec(
        select(func.count()).select_from(LearnerNote).where(LearnerNote.user_id == actor.user_id)
    ).one()
    if count >= MAX_NOTES:
        raise Invalid(
            f"You have {MAX_NOTES} goals and reflections, the most you can keep. "
            "Delete or edit an old one first."
        )
    now = utcnow()  # one instant: "edited" means updated_at moved past created_at
    note = LearnerNote(
        user_id=actor.user_id, kind=NoteKind(kind), body=body, created_at=now, updated_at=now
    )
    session.add(note)
    session.flush()
    return note_public(note)


def update_note(
    session: Session,
    principal: Principal | None,
    note_id: int,
    *,
    kind: str | None = None,
    body: str | None = None,
) -> NotePublic:
    """Edit one of the learner's own notes (its text, its kind, or both)."""
    actor = _learner(principal)
    note = _own(session, actor, note_id)
    new_kind = _kind(kind) if kind is not None else note.kind
    new_body = _body(body) if body is not None else note.body
    if (new_kind, new_body) == (note.kind, note.body):
        return note_public(note)
    note.kind, note.body, note.updated_at = NoteKind(new_kind), new_body, utcnow()
    session.add(note)
    session.flush()
    return note_public(note)


def delete_note(session: Session, principal: Principal | None, note_id: int) -> None:
    """Delete one of the learner's own notes."""
    actor = _learner(principal)
    note = _own(session, actor, note_id)
    session.delete(note)
    session.flush()
