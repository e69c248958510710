"""Feedback snippets: reusable pieces of review feedback (markdown) for one mission.

Rules:
- a snippet belongs to a mission and an organisation — the organisation of the programme in which
  the learner's work is reviewed — and is seen by the mentors who may review that work (the same
  check as claiming it), so two organisations running one library mission never see each other's;
- any such mentor saves the feedback they wrote as a snippet; only its author deletes it;
- text is stored as typed (markdown, NUL characters removed) and shown through the safe renderer.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cyberhub.formatting import person_name
from cyberhub.models import FeedbackSnippet, Role, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.reviews import SnippetPublic
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks
from cyberhub.services import text as free_text
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning import reviews
from cyberhub.services.learning.submissions import load_visible

SNIPPET_MAX = 5_000
SNIPPETS_PER_MISSION = 50  # per organisation: a list a mentor can still scan


def _context(session: Session, principal: Principal | None, submission_id: int) -> tuple[int, int]:
    """(mission id, organisation id) of the snippets a mentor reviewing the submission uses."""
    actor = require_role(principal, Role.mentor)
    sub, mission, seen = load_visible(session, actor, submission_id)
    program = reviews.review_program(session, actor, sub, prefer=seen)
    if program is None:
        raise Forbidden("Only a mentor of this student's cohort can use feedback snippets here.")
    return mission.id or 0, program.organization_id


def _public(s: FeedbackSnippet, author: User | None, me: int) -> SnippetPublic:
    name = person_name(author.full_name, author.email) if author else "A mentor"
    return from_row(SnippetPublic, s, author=name, mine=s.author_id == me)


def list_snippets(
    session: Session, principal: Principal | None, submission_id: int
) -> list[SnippetPublic]:
    """The snippets for the submission's mission in its organisation, newest first."""
    mission_id, org_id = _context(session, principal, submission_id)
    assert principal is not None
    rows = session.exec(
        select(FeedbackSnippet, User)
        .join(User, col(User.id) == col(FeedbackSnippet.author_id), isouter=True)
        .where(FeedbackSnippet.mission_id == mission_id, FeedbackSnippet.organization_id == org_id)
        .order_by(col(FeedbackSnippet.created_at).desc(), col(FeedbackSnippet.id).desc())
    ).all()
    return [_public(s, u, principal.user_id) for s, u in rows]


def create_snippet(
    session: Session, principal: Principal | None, submission_id: int, body: str
) -> SnippetPublic:
    """Save `body` as a snippet for the submission's mission, shared with its mentors."""
    mission_id, org_id = _context(session, principal, submission_id)
    assert principal is not None
    text = free_text.block((body or "").replace("\x00", ""), "snippet", SNIPPET_MAX)
    if not text:
        raise Invalid("Write the feedback first: an empty snippet can't be saved.")
    # Two saves at once take turns, so the second sees the first's snippet (same text, limit).
    locks.hold(session, locks.Lock.MISSION_SNIPPETS, mission_id)
    existing = session.exec(
        select(FeedbackSnippet.body).where(
            FeedbackSnippet.mission_id == mission_id, FeedbackSnippet.organization_id == org_id
        )
    ).all()
    if text in existing:
        raise Conflict("That snippet is already saved for this mission.")
    if len(existing) >= SNIPPETS_PER_MISSION:
        raise Conflict(
            f"This mission already has {SNIPPETS_PER_MISSION} snippets: delete one first."
        )
    snippet = FeedbackSnippet(
        mission_id=mission_id,
        organization_id=org_id,
        author_id=principal.user_id,
        body=text,
        created_at=utcnow(),
    )
    session.add(snippet)
    session.flush()
    return _public(snippet, session.get(User, principal.user_id), principal.user_id)


def delete_snippet(session: Session, principal: Principal | None, snippet_id: int) -> None:
    """Delete a snippet the mentor wrote (another organisation's is not found)."""
    actor = require_role(principal, Role.mentor)
    snippet = session.get(FeedbackSnippet, snippet_id, with_for_update=True)
    if snippet is None:
        raise NotFound("That snippet does not exist.")
    if snippet.author_id != actor.user_id:
        if snippet.organization_id not in actor.organizations(Role.mentor):
            raise NotFound("That snippet does not exist.")
        raise Forbidden("Only the mentor who saved a snippet can delete it.")
    session.delete(snippet)
    session.flush()
