"""Reflections: the learner's own writing, with an optional prompt and mood / energy (1-5),
each private or shared with their mentor.

Readers: the learner reads all of theirs. Staff with a relationship to the learner (their
mentor, a director of a programme they are enrolled in — learning_access.can_read_learner —,
or an admin) read only the shared ones; a private reflection is nobody else's, admins included.
The learner's own AI (their recommendations and analysis, consent permitting) reads all of them:
services/coaching/ai_sources.py.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Reflection, Visibility
from cyberhub.schemas.coaching import TEXT_MAX, ReflectionCreate, ReflectionPublic
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks, text
from cyberhub.services.coaching import access, ai_sources
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning.learning_access import viewable_learner
from cyberhub.services.paging import fetch_page

UNKNOWN_REFLECTION = "That reflection does not exist."
# Who reads what, as /coaching tells the learner (shared_reflections' readers; admins aside).
WHO_READS = (
    "Private reflections are yours alone; shared ones your mentor and your programme's "
    "directors can read."
)
PROMPT_MAX = 200
MAX_REFLECTIONS = 500
PAGE_SIZE = 10  # the reflections /coaching shows at a time
API_PAGE_SIZE = 50  # GET /coaching/reflections' page unless asked (it sent the newest 50 before)
VISIBILITIES = {v.value for v in Visibility}


def reflection_public(r: Reflection) -> ReflectionPublic:
    return from_row(ReflectionPublic, r)


def _scale(value: int | None, what: str) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise Invalid(f"Rate your {what} from 1 to 5, or leave it out.")
    return value


def _visibility(value: str) -> Visibility:
    value = (value or "").strip().lower()
    if value not in VISIBILITIES:
        raise Invalid('A reflection is "private" or shared with your mentor ("mentor").')
    return Visibility(value)


def recent(
    session: Session, user_id: int, limit: int = 20, *, shared_only: bool = False
) -> list[ReflectionPublic]:
    """A learner's newest reflections, or with `shared_only` those shared with their mentor (no
    permission check: callers have done it)."""
    where = [Reflection.user_id == user_id]
    if shared_only:
        where.append(Reflection.visibility == Visibility.mentor)
    rows = session.exec(
        select(Reflection)
        .where(*where)
        .order_by(col(Reflection.created_at).desc(), col(Reflection.id).desc())
        .limit(limit)
    ).all()
    return [reflection_public(r) for r in rows]


def reflection_page(
    session: Session, principal: Principal | None, page: int = 1, *, page_size: int = PAGE_SIZE
) -> PageOf[ReflectionPublic]:
    """The learner's own reflections, newest first, a page at a time (a page past the end, the
    list having shrunk, answers the last one): each of the MAX_REFLECTIONS they may keep can be
    read, shared or made private again, not only the newest few."""
    actor = access.learner(principal)
    mine = (
        select(Reflection)
        .where(Reflection.user_id == actor.user_id)
        .order_by(col(Reflection.created_at).desc(), col(Reflection.id).desc())
    )
    found = fetch_page(session, mine, page, page_size, last_if_past=True)
    return found.with_items([reflection_public(r) for r in found.items])


def shared_reflections(
    session: Session, principal: Principal | None, learner_id: int, limit: int = 50
) -> list[ReflectionPublic]:
    """A learner's reflections shared with their mentor, for staff who may read the learner
    (their mentor, a director of their programme, an admin). Never a private one."""
    actor = require_signed_in(principal)
    if actor.user_id != learner_id:  # the learner sees what their mentor sees
        viewable_learner(session, actor, learner_id, "reflections")
    return recent(session, learner_id, limit, shared_only=True)


def add_reflection(
    session: Session, principal: Principal | None, data: ReflectionCreate
) -> ReflectionPublic:
    """Write a reflection (private unless shared with the mentor)."""
    actor = access.learner(principal)
    body = text.block(data.body, "reflection", TEXT_MAX, required=True)
    prompt = text.line(data.prompt, "prompt", PROMPT_MAX, required=False)
    mood, energy = _scale(data.mood, "mood"), _scale(data.energy, "energy")
    visibility = _visibility(data.visibility)
    locks.hold(session, locks.Lock.LEARNER_COACHING, actor.user_id)  # two at once take turns
    count = session.exec(
        select(func.count()).select_from(Reflection).where(Reflection.user_id == actor.user_id)
    ).one()
    if count >= MAX_REFLECTIONS:
        raise Invalid(f"You have {MAX_REFLECTIONS} reflections, the most you can keep.")
    now = utcnow()
    row = Reflection(
        user_id=actor.user_id,
        body=body,
        prompt=prompt,
        mood=mood,
        energy=energy,
        visibility=visibility,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    ai_sources.changed(session, actor.user_id)
    jobs.coaching_changed(session, actor.user_id)  # "what changed": reflections this week
    return reflection_public(row)


def _own(session: Session, actor: Principal, reflection_id: int) -> Reflection:
    row = session.get(Reflection, reflection_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound(UNKNOWN_REFLECTION)
    return row


def set_visibility(
    session: Session, principal: Principal | None, reflection_id: int, visibility: str
) -> ReflectionPublic:
    """Share a reflection with the mentor, or make it private again."""
    actor = access.learner(principal)
    row = _own(session, actor, reflection_id)
    row.visibility, row.updated_at = _visibility(visibility), utcnow()
    session.add(row)
    session.flush()
    ai_sources.sharing_changed(session, actor.user_id)  # the analysis staff read
    return reflection_public(row)


def delete_reflection(session: Session, principal: Principal | None, reflection_id: int) -> None:
    """Delete one of the learner's reflections."""
    actor = access.learner(principal)
    session.delete(_own(session, actor, reflection_id))
    session.flush()
    ai_sources.changed(session, actor.user_id)
