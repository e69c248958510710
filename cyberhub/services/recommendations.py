"""Mission recommendations: computed by the worker, stored, and only read by the app.

compute() is the whole algorithm:

1. Candidates. With a learner vector: the nearest published missions by cosine distance (an
   HNSW index scan, iterative so filters never starve it). Without one (no activity and no
   profiler yet, or the worker has not run): missions of the profiler's tracks, easiest first,
   then any track — never an empty list while something is published.
2. Re-rank each candidate on similarity, track match, difficulty fit (one step above the
   hardest mission the learner has had approved), prerequisites met, and distance from missions
   they marked "not interested"; already-approved and dismissed missions are excluded.
3. Diversity by maximal marginal relevance over the mission vectors.
4. A reason a person can read, built from the same facts ("Builds on X, which you completed;
   fits your Builders track; one step harder").

Nothing is computed for a learner who does not grant "AI profiling" (their derived data is
deleted instead).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import (
    LearnerEmbedding,
    Mission,
    MissionEmbedding,
    MissionPrerequisite,
    MissionStatus,
    Recommendation,
    RecommendationFeedback,
    Submission,
    SubmissionStatus,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.services import consents, profiler
from cyberhub.services.ai_locks import lock_learner
from cyberhub.services.errors import NotFound
from cyberhub.services.learning_access import viewable_learner
from cyberhub.services.permissions import Principal, require_signed_in
from cyberhub.services.progress import student_programs

log = logging.getLogger(__name__)

TOP_K = 10
CANDIDATES = 100
MMR_LAMBDA = 0.75
# HNSW candidate list size for the learner's ANN query: learner vectors mix several interests
# and sit far from every mission, where a wider search is what keeps recall@10 >= 0.95 at
# 100,000 missions (p95 < 10 ms; bench/recommendations.py).
EF_SEARCH = 300

# Relevance = weighted facts (each in 0..1) minus the pull of dismissed missions.
W_SIMILARITY = 0.45
W_TRACK = 0.2
W_DIFFICULTY = 0.2
W_PREREQS = 0.15
W_DISMISSED = 0.3

AI_OFF = (
    "Recommendations are off because you have not given (or have withdrawn) consent to AI "
    "profiling. You can turn it on in Settings → Privacy."
)


@dataclass
class Candidate:
    id: int
    title: str
    difficulty: int
    track: str
    track_name: str
    similarity: float = 0.0
    vector: np.ndarray | None = None
    prerequisites: list[int] = field(default_factory=list)
    relevance: float = 0.0
    reason: str = ""


@dataclass
class LearnerFacts:
    user_id: int
    primary: str | None
    secondary: str | None
    approved: dict[int, str]  # mission id -> title
    level: int  # the hardest approved difficulty (0: none yet)
    dismissed: set[int]
    programs: list[int]
    in_flight: set[int]  # missions with an open attempt (draft .. changes requested)

    @property
    def target_difficulty(self) -> int:
        return min(5, self.level + 1)


def learner_facts(session: Session, user_id: int) -> LearnerFacts:
    latest = profiler.latest_result(session, user_id)
    rows = session.execute(
        sa_select(
            col(Submission.mission_id),
            col(Submission.status),
            col(Mission.title),
            col(Mission.difficulty),
        )
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .where(col(Submission.student_id) == user_id)
    ).all()
    approved = {mid: title for mid, status, title, _ in rows if status == SubmissionStatus.approved}
    level = max((d for mid, status, _, d in rows if status == SubmissionStatus.approved), default=0)
    in_flight = {mid for mid, _, _, _ in rows} - set(approved)
    dismissed = set(
        session.exec(
            select(RecommendationFeedback.mission_id).where(
                RecommendationFeedback.user_id == user_id
            )
        ).all()
    )
    return LearnerFacts(
        user_id=user_id,
        primary=latest["primary_track"] if latest else None,
        secondary=latest["secondary_track"] if latest else None,
        approved=approved,
        level=level,
        dismissed=dismissed,
        programs=student_programs(session, user_id),
        in_flight=in_flight,
    )


def _mission_query() -> Any:
    return (
        sa_select(
            col(Mission.id),
            col(Mission.title),
            col(Mission.difficulty),
            col(Track.key),
            col(Track.name),
        )
        .join(Track, col(Track.id) == col(Mission.track_id))
        .where(col(Mission.status) == MissionStatus.published)
    )


def _scope(stmt: Any, facts: LearnerFacts) -> Any:
    # Approved ones are done, dismissed ones unwanted, open attempts already on the dashboard.
    excluded = set(facts.approved) | facts.dismissed | facts.in_flight
    if excluded:
        stmt = stmt.where(col(Mission.id).not_in(excluded))
    if facts.programs:  # enrolled: their programmes' missions; otherwise the whole catalog
        stmt = stmt.where(col(Mission.program_id).in_(facts.programs))
    return stmt


def nearest_missions(
    session: Session, vector: list[float] | np.ndarray, facts: LearnerFacts, limit: int = CANDIDATES
) -> list[Candidate]:
    """The published missions nearest to `vector` (HNSW; iterative scan keeps filters fed)."""
    session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, limit)}"))
    session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    distance = MissionEmbedding.embedding.cosine_distance(vector)  # type: ignore[attr-defined]
    stmt = _scope(
        _mission_query()
        .add_columns(distance.label("distance"), col(MissionEmbedding.embedding))
        .join(MissionEmbedding, col(MissionEmbedding.mission_id) == col(Mission.id)),
        facts,
    )
    rows = session.execute(stmt.order_by(distance).limit(limit)).all()
    # relaxed_order may return a few rows slightly out of order: sort what we got.
    out = [
        Candidate(
            id=mid,
            title=title,
            difficulty=d,
            track=key,
            track_name=name,
            similarity=1.0 - float(dist),
            vector=np.asarray(vec, dtype=np.float32),
        )
        for mid, title, d, key, name, dist, vec in rows
    ]
    out.sort(key=lambda c: -c.similarity)
    return out


def _profile_candidates(session: Session, facts: LearnerFacts, limit: int) -> list[Candidate]:
    """Cold start: the profiler's tracks first, easiest first; then anything published."""
    order = []
    if facts.primary:
        order.append((col(Track.key) == facts.primary).desc())
    if facts.secondary:
        order.append((col(Track.key) == facts.secondary).desc())
    stmt = _scope(_mission_query(), facts).order_by(
        *order, col(Mission.difficulty), col(Mission.id)
    )
    rows = session.execute(stmt.limit(limit)).all()
    ids = [r[0] for r in rows]
    vectors = {
        mid: np.asarray(vec, dtype=np.float32)
        for mid, vec in session.execute(
            sa_select(col(MissionEmbedding.mission_id), col(MissionEmbedding.embedding)).where(
                col(MissionEmbedding.mission_id).in_(ids)
            )
        ).all()
    }
    return [
        Candidate(id=mid, title=t, difficulty=d, track=k, track_name=n, vector=vectors.get(mid))
        for mid, t, d, k, n in rows
    ]


def _attach_prerequisites(session: Session, cands: list[Candidate]) -> None:
    by_id = {c.id: c for c in cands}
    for mid, pid in session.exec(
        select(MissionPrerequisite.mission_id, MissionPrerequisite.prerequisite_id).where(
            col(MissionPrerequisite.mission_id).in_(list(by_id))
        )
    ).all():
        by_id[mid].prerequisites.append(pid)


def _dismissed_vectors(session: Session, facts: LearnerFacts) -> np.ndarray | None:
    if not facts.dismissed:
        return None
    rows = session.exec(
        select(MissionEmbedding.embedding).where(
            col(MissionEmbedding.mission_id).in_(facts.dismissed)
        )
    ).all()
    return np.asarray([np.asarray(v, dtype=np.float32) for v in rows]) if rows else None


def _difficulty_fit(c: Candidate, facts: LearnerFacts) -> float:
    return 1.0 - abs(c.difficulty - facts.target_difficulty) / 4.0


def _track_fit(c: Candidate, facts: LearnerFacts) -> float:
    if c.track == facts.primary:
        return 1.0
    return 0.5 if c.track == facts.secondary else 0.0


def score(cands: list[Candidate], facts: LearnerFacts, dismissed: np.ndarray | None) -> None:
    """Relevance of every candidate, in place."""
    for c in cands:
        prereqs_met = all(p in facts.approved for p in c.prerequisites)
        pull = 0.0
        if dismissed is not None and c.vector is not None:
            pull = max(0.0, float(np.max(dismissed @ c.vector)))
        c.relevance = (
            W_SIMILARITY * max(0.0, c.similarity)
            + W_TRACK * _track_fit(c, facts)
            + W_DIFFICULTY * _difficulty_fit(c, facts)
            + W_PREREQS * (1.0 if prereqs_met else 0.0)
            - W_DISMISSED * pull
        )


def mmr(cands: list[Candidate], k: int = TOP_K, lam: float = MMR_LAMBDA) -> list[Candidate]:
    """Maximal marginal relevance: each pick trades relevance against similarity to the picks
    so far (missions without a vector count as dissimilar to everything)."""
    pool = list(cands)
    picked: list[Candidate] = []
    while pool and len(picked) < k:

        def gain(c: Candidate) -> float:
            if c.vector is None or not picked:
                return lam * c.relevance
            sims = [float(c.vector @ p.vector) for p in picked if p.vector is not None]
            return lam * c.relevance - (1 - lam) * (max(sims) if sims else 0.0)

        best = max(pool, key=lambda c: (gain(c), -c.id))
        picked.append(best)
        pool.remove(best)
    return picked


def reason(c: Candidate, facts: LearnerFacts, track_names: dict[str, str]) -> str:
    parts: list[str] = []
    done_prereqs = [facts.approved[p] for p in c.prerequisites if p in facts.approved]
    if done_prereqs:
        parts.append(f"builds on “{done_prereqs[0]}”, which you completed")
    if c.track == facts.primary:
        parts.append(f"fits your {track_names.get(c.track, c.track_name)} track")
    elif c.track == facts.secondary:
        parts.append(f"matches your second track, {track_names.get(c.track, c.track_name)}")
    if facts.level == 0:
        parts.append("a gentle first step" if c.difficulty <= 2 else "a stretch to start with")
    else:
        step = c.difficulty - facts.level
        parts.append(
            {
                -1: "a little easier than your recent work",
                0: "the same level as your recent work",
                1: "one step harder",
            }.get(step, "a big step up" if step > 1 else "a quick refresher")
        )
    if c.similarity >= 0.35 and not done_prereqs:
        parts.append("close to your interests and goals")
    missing = [p for p in c.prerequisites if p not in facts.approved]
    if missing:
        parts.append("unlocks once its prerequisites are approved")
    text_ = "; ".join(parts)
    return text_[:1].upper() + text_[1:] + "."


def compute(session: Session, user_id: int, k: int = TOP_K) -> list[Recommendation]:
    """Recompute and store a learner's recommendations (replacing the old list). Returns the
    new rows; none (and nothing stored) without AI-profiling consent."""
    # One computation per learner at a time: the list is replaced (delete, then insert) under
    # the lock, so two at once can't both insert (uq_recommendation) and the last one wins.
    lock_learner(session, user_id)
    if session.get(User, user_id) is None:
        raise NotFound(f"User {user_id} does not exist.")
    if not consents.has_consent(session, user_id, consents.AI_PROFILING):
        from cyberhub.services.embeddings import purge_learner

        purge_learner(session, user_id)
        return []
    facts = learner_facts(session, user_id)
    learner = session.get(LearnerEmbedding, user_id)
    source = "vector"
    cands: list[Candidate] = []
    if learner is not None:
        cands = nearest_missions(session, learner.embedding, facts)
    if len(cands) < k:  # cold start, or a catalog without vectors yet
        source = "vector" if cands else ("profile" if facts.primary else "fallback")
        seen = {c.id for c in cands}
        cands += [c for c in _profile_candidates(session, facts, CANDIDATES) if c.id not in seen]
    _attach_prerequisites(session, cands)
    score(cands, facts, _dismissed_vectors(session, facts))
    picked = mmr(cands, k)
    track_names = {c.track: c.track_name for c in cands}
    now = utcnow()
    session.execute(sa_delete(Recommendation).where(col(Recommendation.user_id) == user_id))
    rows = [
        Recommendation(
            user_id=user_id,
            mission_id=c.id,
            rank=i + 1,
            score=round(c.relevance, 4),
            reason=reason(c, facts, track_names)[:500],
            source=source,
            computed_at=now,
        )
        for i, c in enumerate(picked)
    ]
    session.add_all(rows)
    session.flush()
    return rows


# --- reading (the app and the API) ------------------------------------------------------------


def _target(session: Session, principal: Principal | None, user_id: int | None) -> int:
    return viewable_learner(session, principal, user_id, "recommendations")


def stored(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> dict[str, Any]:
    """The stored list (never computed here): for the learner, their mentor, a director of
    their organization or an admin. `enabled` is False without AI-profiling consent."""
    target = _target(session, principal, user_id)
    if not consents.has_consent(session, target, consents.AI_PROFILING):
        return {"enabled": False, "message": AI_OFF, "items": [], "computed_at": None}
    rows = session.execute(
        sa_select(
            Recommendation,
            col(Mission.title),
            col(Mission.difficulty),
            col(Track.key),
            col(Track.name),
        )
        .join(Mission, col(Mission.id) == col(Recommendation.mission_id))
        .join(Track, col(Track.id) == col(Mission.track_id))
        .where(
            col(Recommendation.user_id) == target,
            col(Mission.status) == MissionStatus.published,
        )
        .order_by(col(Recommendation.rank))
    ).all()
    items = [
        {
            "mission_id": r.mission_id,
            "title": title,
            "score": r.score,
            "reason": r.reason,
            "difficulty": difficulty,
            "track": key,
            "track_name": name,
            "source": r.source,
        }
        for r, title, difficulty, key, name in rows
    ]
    computed = max((r.computed_at for r, *_ in rows), default=None)
    return {
        "enabled": True,
        "message": "" if items else "Your recommendations are being prepared.",
        "items": items,
        "computed_at": computed.isoformat() if computed else None,
    }


def request_refresh(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> int:
    """Queue a recomputation (after commit). Refused without AI-profiling consent."""
    target = _target(session, principal, user_id)
    consents.require_ai_consent(session, target)
    jobs.learner_progressed(session, target)
    return target


PENDING_KEY = "cyberhub:recs:pending:{user}"
PENDING_SECONDS = 60  # one queued computation per learner per minute while the list is empty


def refresh_if_missing(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> bool:
    """For a reader who finds no stored list: queue a computation unless one was queued in the
    last minute (a client polling an empty list queues one job, not one per poll). True when
    this call queued it."""
    from redis import RedisError

    from cyberhub.redis_client import get_redis

    target = _target(session, principal, user_id)
    consents.require_ai_consent(session, target)
    try:
        fresh = get_redis().set(PENDING_KEY.format(user=target), "1", nx=True, ex=PENDING_SECONDS)
    except RedisError:
        # The queue lives in Redis too: nothing can be queued now; the reader still gets the
        # (empty) stored list, and the next read tries again.
        log.warning("recommendations: Redis unavailable, no computation queued", exc_info=True)
        return False
    if not fresh:
        return False
    jobs.learner_progressed(session, target)
    return True


def stored_or_queue(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> dict[str, Any]:
    """`stored()`, and when consent is given but nothing is stored yet (a new learner, a list
    deleted by a consent change), a computation queued for the worker (`refresh_if_missing`)."""
    data = stored(session, principal, user_id)
    if data["enabled"] and not data["items"]:
        refresh_if_missing(session, principal, user_id)
    return data


def not_interested(session: Session, principal: Principal | None, mission_id: int) -> None:
    """The learner dismisses a mission: it leaves their list now, similar missions rank lower
    from the next computation (queued after commit)."""
    actor = require_signed_in(principal)
    lock_learner(session, actor.user_id)
    consents.require_ai_consent(session, actor.user_id)
    if session.get(Mission, mission_id) is None:
        raise NotFound("That mission does not exist.")
    # Idempotent: a second click (another tab, a retried request) changes nothing.
    session.execute(
        pg_insert(RecommendationFeedback)
        .values(
            user_id=actor.user_id, mission_id=mission_id, kind="not_interested", created_at=utcnow()
        )
        .on_conflict_do_nothing(index_elements=["user_id", "mission_id"])
    )
    session.execute(
        sa_delete(Recommendation).where(
            col(Recommendation.user_id) == actor.user_id,
            col(Recommendation.mission_id) == mission_id,
        )
    )
    session.flush()
    jobs.recommendations_stale(session, actor.user_id)
