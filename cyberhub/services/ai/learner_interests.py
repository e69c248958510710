"""A learner's interests kept apart (issue 14): one vector per goal, one for their profiler
track, one for their recent approved work.

One averaged learner vector sat far from every mission, where hundreds of missions are almost
equally near, so a niche goal ("reverse engineer malware") was drowned by the rest. Each
interest here is embedded on its own (by the worker, with model + text hash: unchanged text is
not re-embedded, a new model re-embeds) and recommendations query the catalog once per interest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, select

from cyberhub.models import (
    LearnerInterestVector,
)
from cyberhub.models.ai import InterestKind
from cyberhub.models.base import utcnow
from cyberhub.services.ai import profiler
from cyberhub.services.ai.embeddings import Embedder, approved_work, text_hash
from cyberhub.services.ai.profiler_bank import load_tracks_info
from cyberhub.services.coaching import ai_sources

MAX_GOALS = 5  # the most recent active goals; older ones are usually superseded
MAX_WORK = 5  # recent approved missions that make up "your recent work"
LABEL_MAX = 200
GOAL, TRACK, WORK = "goal", "track", "work"


@dataclass(frozen=True)
class InterestText:
    """What one interest is made of, before embedding."""

    kind: str
    ref: int
    label: str
    text: str


@dataclass
class Interest:
    """A stored interest with its vector (unit length)."""

    kind: str
    ref: int
    label: str
    vector: np.ndarray


def short_label(text: str, limit: int = 60) -> str:
    """A goal as a reason quotes it: its first sentence, cut at a word near `limit`."""
    first = " ".join(text.split())
    for stop in (". ", "! ", "? ", "\n"):
        if stop in first:
            first = first.split(stop, 1)[0]
    first = first.rstrip(" .!?")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def interest_texts(session: Session, user_id: int) -> list[InterestText]:
    """The learner's interests as texts: each active coaching goal (its title and why; `ref` is
    the goal's id), the profiler track, recent approved work. Empty when they have none yet."""
    goals = ai_sources.active_goals(session, user_id, MAX_GOALS)
    out = [InterestText(GOAL, g.id, short_label(g.title)[:LABEL_MAX], g.text) for g in goals]
    latest = profiler.latest_result(session, user_id)
    if latest:
        info = {t["key"]: t for t in load_tracks_info()}.get(latest["primary_track"])
        if info:
            out.append(
                InterestText(
                    TRACK,
                    0,
                    info["name"][:LABEL_MAX],
                    f"{info['name']}. {info['tagline']}. {info['description']}",
                )
            )
    work = approved_work(session, user_id, MAX_WORK)
    if work:
        text = "\n".join(f"{title}. {summary}" for title, summary in work)
        out.append(InterestText(WORK, 0, "your recent work", text))
    return out


def embed_interests(session: Session, user_id: int, embedder: Embedder) -> int:
    """Store a vector per current interest (one encode call for those whose text or model
    changed) and delete interests that are gone (a deleted goal). Returns how many were
    written. The caller holds the learner's lock and has checked consent."""
    wanted = interest_texts(session, user_id)
    current: dict[tuple[str, int], LearnerInterestVector] = {
        (r.kind, r.ref): r
        for r in session.exec(
            select(LearnerInterestVector).where(LearnerInterestVector.user_id == user_id)
        ).all()
    }
    keep = {(w.kind, w.ref) for w in wanted}
    stale = [r.id for key, r in current.items() if key not in keep]
    if stale:
        session.execute(
            sa_delete(LearnerInterestVector).where(col(LearnerInterestVector.id).in_(stale))
        )
    todo: list[tuple[InterestText, str]] = []
    for w in wanted:
        digest = text_hash(w.text)
        have = current.get((w.kind, w.ref))
        if have is not None and have.text_hash == digest and have.model == embedder.name:
            if have.label != w.label:  # e.g. the track's name changed, not its text
                have.label = w.label
                session.add(have)
            continue
        todo.append((w, digest))
    if todo:
        vectors = embedder.encode([w.text for w, _ in todo])
        for (w, digest), vector in zip(todo, vectors, strict=True):
            row = current.get((w.kind, w.ref))
            if row is None:
                row = LearnerInterestVector(
                    user_id=user_id,
                    kind=InterestKind(w.kind),
                    ref=w.ref,
                    label=w.label,
                    model=embedder.name,
                    text_hash=digest,
                    embedding=vector,
                )
            else:
                row.label, row.model, row.text_hash = w.label, embedder.name, digest
                row.embedding = vector
                row.updated_at = utcnow()
            session.add(row)
    session.flush()
    return len(todo)


def interests(session: Session, user_id: int) -> list[Interest]:
    """The learner's stored interests: goals (newest first), then the track, then the work."""
    order = {GOAL: 0, TRACK: 1, WORK: 2}
    rows = session.exec(
        select(LearnerInterestVector).where(LearnerInterestVector.user_id == user_id)
    ).all()
    out = [
        Interest(r.kind, r.ref, r.label, np.asarray(r.embedding, dtype=np.float32)) for r in rows
    ]
    out.sort(key=lambda i: (order.get(i.kind, 9), -i.ref))
    return out


def purge(session: Session, user_id: int) -> None:
    """Delete every interest vector of a learner (consent withdrawn)."""
    session.execute(
        sa_delete(LearnerInterestVector).where(col(LearnerInterestVector.user_id) == user_id)
    )
