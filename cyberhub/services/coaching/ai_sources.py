"""What the AI readers take from the Coaching OS, and telling them something changed.

Since migration 0022 a learner's goals and reflections live in the coaching tables (the old
/insights notes were copied there). The learner's vector (services/ai/embeddings.py), their
interests (services/ai/learner_interests.py) and their work-style analysis
(services/ai/personality.py) read them here:

- goals: the active ones (achieved and dropped goals no longer say what the learner is after),
  each as its title and its why;
- reflections: all of the learner's own, the private ones included. A private reflection is
  hidden from other people (mentors, directors, admins); it is still the learner's own writing,
  used only for the learner's own recommendations and analysis — and only while they grant AI
  profiling. The analysis staff read is a second one, of the shared reflections alone
  (`shared_only`): nothing staff see is made from a private reflection.

Creating, editing or deleting a goal, or writing or deleting a reflection, queues the same
fan-out the notes did (jobs.learner_changed: re-embed, recommend, re-analyse) after commit.
Sharing a reflection or making it private again changes only what staff read: it queues the
analysis alone (`sharing_changed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models.coaching import Goal, GoalStatus, Reflection, Visibility
from cyberhub.services.identity import consents


@dataclass(frozen=True)
class GoalText:
    """An active goal as the AI reads it."""

    id: int
    title: str
    text: str  # the title and the why


@dataclass(frozen=True)
class ReflectionText:
    id: int
    body: str


def goal_text(title: str, why: str) -> str:
    """A goal's title and its why as one text. A goal migrated from a note has the note's first
    line as its title and the whole note as its why: then the why alone says it all."""
    title, why = title.strip(), why.strip()
    if not why:
        return title
    if why.startswith(title):
        return why
    return f"{title.rstrip('.!?')}. {why}"


def active_goals(session: Session, user_id: int, limit: int) -> list[GoalText]:
    """The learner's active goals, newest first (at most `limit`)."""
    rows = session.exec(
        select(Goal)
        .where(Goal.user_id == user_id, Goal.status == GoalStatus.active)
        .order_by(col(Goal.created_at).desc(), col(Goal.id).desc())
        .limit(limit)
    ).all()
    return [GoalText(g.id or 0, g.title, goal_text(g.title, g.why)) for g in rows]


def own_reflections(
    session: Session, user_id: int, limit: int, *, shared_only: bool = False
) -> list[ReflectionText]:
    """The learner's reflections, private and shared alike, newest first (at most `limit`).
    For the learner's own recommendations and analysis only (see the module docstring);
    `shared_only`: those shared with their mentor alone, for what staff read."""
    where = [Reflection.user_id == user_id]
    if shared_only:
        where.append(Reflection.visibility == Visibility.mentor)
    rows = session.exec(
        select(Reflection.id, Reflection.body)
        .where(*where)
        .order_by(col(Reflection.created_at).desc(), col(Reflection.id).desc())
        .limit(limit)
    ).all()
    return [ReflectionText(rid or 0, body) for rid, body in rows]


def changed(session: Session, user_id: int) -> None:
    """A goal or reflection changed: after commit, re-embed the learner, recompute their
    recommendations and redo their analysis — only for a learner who grants AI profiling (the
    worker checks again)."""
    if consents.has_consent(session, user_id, consents.AI_PROFILING):
        jobs.learner_changed(session, user_id)


def sharing_changed(session: Session, user_id: int) -> None:
    """A reflection was shared or made private again: after commit, redo the learner's analysis
    (the one staff read is of the shared reflections alone); their vector, recommendations and
    own analysis read every reflection alike. Only for a learner who grants AI profiling."""
    if consents.has_consent(session, user_id, consents.AI_PROFILING):
        jobs.analysis_requested(session, user_id)
