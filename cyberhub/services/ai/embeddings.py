"""What gets embedded, and storing vectors idempotently (same text + model: nothing to do)."""

from __future__ import annotations

import hashlib
from typing import TypeVar

from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, select

from cyberhub.embedding_model import Embedder as Embedder  # the interface; re-exported here
from cyberhub.models import (
    CoachPlan,
    LearnerEmbedding,
    Mission,
    MissionEmbedding,
    PersonalityProfile,
    ProfilerAnswer,
    Recommendation,
    RecommendationRun,
    Submission,
    SubmissionStatus,
)
from cyberhub.models.base import utcnow
from cyberhub.services.ai import profiler
from cyberhub.services.ai.ai_locks import lock_learner, lock_learner_for_ai, lock_missions
from cyberhub.services.ai.profiler_bank import load_bank, load_tracks_info
from cyberhub.services.coaching import ai_sources
from cyberhub.services.errors import NotFound


def mission_text(mission: Mission) -> str:
    skills = ", ".join(mission.skills)
    return f"{mission.title}. {mission.summary} Skills: {skills}.\n{mission.brief}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embed_mission(session: Session, mission_id: int, embedder: Embedder) -> bool:
    """Store the mission's vector. Returns False when the stored one is already current."""
    lock_missions(session, [mission_id])
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise NotFound(f"Mission {mission_id} does not exist.")
    return _store(session, MissionEmbedding, mission_id, mission_text(mission), embedder)


StoredVector = TypeVar("StoredVector", MissionEmbedding, LearnerEmbedding)


def _store(
    session: Session,
    table: type[StoredVector],
    key: int,
    text: str,
    embedder: Embedder,
) -> bool:
    """Write the vector of `text` under `key` (row locked) unless the stored one came from the
    same text and model. Returns whether it was written."""
    digest = text_hash(text)
    current = session.get(table, key, with_for_update=True)
    if current is not None and current.text_hash == digest and current.model == embedder.name:
        return False
    [vector] = embedder.encode([text])
    if current is None:
        column = "mission_id" if table is MissionEmbedding else "user_id"
        current = table.model_validate(
            {column: key, "model": embedder.name, "text_hash": digest, "embedding": vector}
        )
    else:
        current.model, current.text_hash, current.embedding = embedder.name, digest, vector
        current.updated_at = utcnow()
    session.add(current)
    session.flush()
    return True


# --- batches (the pipeline the rebuild and the benchmark use) -------------------------------

EMBED_BATCH = 64


def embed_missions(session: Session, mission_ids: list[int], embedder: Embedder) -> int:
    """Embed many missions with one encode call; skips the ones already current.
    Returns how many vectors were written."""
    if not mission_ids:
        return 0
    lock_missions(session, mission_ids)
    missions = session.exec(select(Mission).where(col(Mission.id).in_(mission_ids))).all()
    current = {
        e.mission_id: e
        for e in session.exec(
            select(MissionEmbedding)
            .where(col(MissionEmbedding.mission_id).in_(mission_ids))
            .with_for_update()
        ).all()
    }
    todo: list[tuple[Mission, str, str]] = []
    for m in missions:
        text = mission_text(m)
        digest = text_hash(text)
        have = current.get(m.id or 0)
        if have is None or have.text_hash != digest or have.model != embedder.name:
            todo.append((m, text, digest))
    if not todo:
        return 0
    vectors = embedder.encode([t for _, t, _ in todo])
    for (m, _text, digest), vector in zip(todo, vectors, strict=True):
        assert m.id is not None
        row = current.get(m.id)
        if row is None:
            row = MissionEmbedding(
                mission_id=m.id, model=embedder.name, text_hash=digest, embedding=vector
            )
        else:
            row.model, row.text_hash, row.embedding = embedder.name, digest, vector
            row.updated_at = utcnow()
        session.add(row)
    session.flush()
    return len(todo)


# --- learners --------------------------------------------------------------------------------

MAX_APPROVED_IN_TEXT = 20
MAX_NOTES_IN_TEXT = 10


def learner_text(session: Session, user_id: int) -> str:
    """What a learner's vector is made of: the profiler result (track and the answers given),
    their active coaching goals (title and why) and their reflections (services/coaching/
    ai_sources.py; at most MAX_NOTES_IN_TEXT together, goals first), and the missions they have
    had approved. Empty when there is nothing yet (no profiler, goals, reflections or work)."""
    parts: list[str] = []
    latest = profiler.latest_result(session, user_id)
    if latest:
        tracks = {t["key"]: t for t in load_tracks_info()}
        primary = tracks.get(latest["primary_track"])
        if primary:
            parts.append(
                f"Track: {primary['name']}. {primary['tagline']}. {primary['description']}"
            )
        answers = session.exec(
            select(ProfilerAnswer).where(ProfilerAnswer.session_id == latest["session_id"])
        ).all()
        bank = load_bank(latest.get("version") or "1")
        for a in sorted(answers, key=lambda a: a.question_id):
            q = bank.question(a.question_id)
            o = q.option(a.option_id) if q else None
            if o is not None:
                parts.append(o.text)
    goals = ai_sources.active_goals(session, user_id, MAX_NOTES_IN_TEXT)
    parts.extend(f"Goal: {g.text}" for g in goals)
    kept = MAX_NOTES_IN_TEXT - len(goals)
    if kept > 0:  # private ones too: the learner's own writing, for their own list
        reflections = ai_sources.own_reflections(session, user_id, kept)
        parts.extend(f"Reflection: {r.body}" for r in reflections)
    for title, summary in approved_work(session, user_id, MAX_APPROVED_IN_TEXT):
        parts.append(f"Completed: {title}. {summary}")
    return "\n".join(parts)


def approved_work(session: Session, user_id: int, limit: int) -> list[tuple[str, str]]:
    """(title, summary) of the learner's approved missions, the most recently approved first."""
    rows = session.exec(
        select(Mission.title, Mission.summary)
        .join(Submission, col(Submission.mission_id) == col(Mission.id))
        .where(Submission.student_id == user_id, Submission.status == SubmissionStatus.approved)
        .order_by(col(Submission.decided_at).desc().nulls_last(), col(Mission.id))
        .limit(limit)
    ).all()
    return [(title, summary) for title, summary in rows]


def purge_learner(session: Session, user_id: int) -> None:
    """Delete everything the AI derived about a learner (on consent withdrawal)."""
    from cyberhub.services.ai import learner_interests  # noqa: PLC0415  (why: learner_interests imports this module at its top)

    lock_learner(session, user_id)  # a job computing for them now commits first, then goes
    for model in (
        LearnerEmbedding,
        Recommendation,
        RecommendationRun,
        PersonalityProfile,
        CoachPlan,
    ):
        session.execute(sa_delete(model).where(col(model.user_id) == user_id))
    learner_interests.purge(session, user_id)


def embed_learner(session: Session, user_id: int, embedder: Embedder) -> bool:
    """Store the learner's vector and their interest vectors (services/ai/learner_interests.py).
    Returns False when all are already current, when there is nothing to embed yet, or when the
    learner does not grant AI profiling (then whatever was derived before is deleted and
    nothing is computed)."""
    from cyberhub.services.ai import learner_interests  # noqa: PLC0415  (why: learner_interests imports this module at its top)

    if not lock_learner_for_ai(session, user_id):
        purge_learner(session, user_id)
        return False
    interests_written = learner_interests.embed_interests(session, user_id, embedder)
    text = learner_text(session, user_id)
    if not text:  # nothing left to describe them (e.g. their only profiler result was deleted)
        session.execute(sa_delete(LearnerEmbedding).where(col(LearnerEmbedding.user_id) == user_id))
        return False
    return _store(session, LearnerEmbedding, user_id, text, embedder) or interests_written > 0
