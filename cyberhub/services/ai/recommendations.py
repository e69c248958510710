"""Mission recommendations: computed by the worker, stored, and only read by the app.

compute() is the whole pipeline (issue 14):

1. Candidates: the union of an HNSW query per interest of the learner — each goal, their
   profiler track, their recent approved work (services/ai/learner_interests.py) — all through
   `_scope()`, so a niche goal is never drowned by an average. Without interests yet: their
   single learner vector; without that either (cold start): missions of the profiler's tracks,
   easiest first, then any track — never an empty list while something is published.
2. The explicit ranker (services/ai/ranking.py): named features with their weights in one place;
   locked missions never enter the main list, those matching a goal are stored apart as
   "unlocks after …" (source "unlocks"); MMR for diversity.
3. A reason a person can read naming the features that placed it ("Matches your goal “…”; the
   first step in that area; fits your Researchers track").

Nothing is computed for a learner who does not grant "AI profiling" (their derived data is
deleted instead).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from redis import RedisError
from sqlalchemy import Text, cast, func, text, true
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from cyberhub import jobs, redis_client
from cyberhub.models import (
    LearnerEmbedding,
    Mission,
    MissionEmbedding,
    MissionPrerequisite,
    MissionStatus,
    ProfilerResult,
    Recommendation,
    RecommendationFeedback,
    RecommendationRun,
    Submission,
    SubmissionStatus,
    Track,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.ai import RecommendationList, RecommendationPublic
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import learner_interests, profiler, ranking
from cyberhub.services.ai.ai_locks import lock_learner, lock_learner_for_ai
from cyberhub.services.ai.embeddings import purge_learner
from cyberhub.services.ai.ranking import Candidate
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import mission_scope, progress
from cyberhub.services.learning.learning_access import viewable_learner
from cyberhub.services.messaging import live

log = logging.getLogger(__name__)

TOP_K = ranking.TOP_K
CANDIDATES = 100
# Nearest missions fetched per interest (a goal, the track, the work): the union is ranked.
PER_INTEREST = 40
# An interest sits near its own missions (unlike the averaged vector), where a narrower HNSW
# search list finds them: several queries per learner stay within compute()'s time budget.
INTEREST_EF_SEARCH = 100
UNLOCKS = "unlocks"  # Recommendation.source of the "unlocks after …" rows
UNLOCKS_RANK = 100  # their ranks start after it, so "by rank" never mixes them in
# HNSW candidate list size for the learner's ANN query: learner vectors mix several interests
# and sit far from every mission, where a wider search is what keeps recall@10 >= 0.95 at
# 100,000 missions (p95 < 10 ms; bench/recommendations.py).
EF_SEARCH = 300

AI_OFF = (
    "Recommendations are off because you have not given (or have withdrawn) consent to AI "
    "profiling. You can turn it on in Settings → Privacy."
)


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
        programs=sorted(
            set(session.exec(mission_scope.learner_programs(user_id)).all())
        ),  # actively enrolled
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
    # The one rule (services/mission_scope), inside the ANN query: enrolled, what they may
    # take; otherwise what they may see (the library and their organisations' missions).
    return stmt.where(mission_scope.recommendable_condition(facts.user_id, bool(facts.programs)))


def _parse_vector(value: str) -> np.ndarray:
    """pgvector's text form "[0.1,0.2,...]" as a float32 array."""
    return np.array(value.strip("[]").split(","), dtype=np.float32)


def nearest_missions(
    session: Session,
    vector: list[float] | np.ndarray,
    facts: LearnerFacts,
    limit: int = CANDIDATES,
    ef_search: int | None = None,
) -> list[Candidate]:
    """The published missions nearest to `vector` (HNSW; iterative scan keeps filters fed)."""
    ef = EF_SEARCH if ef_search is None else ef_search
    # One statement for both settings: a round trip less per query (compute() runs several).
    session.execute(
        text(
            f"SET LOCAL hnsw.ef_search = {max(ef, limit)}; "
            "SET LOCAL hnsw.iterative_scan = relaxed_order"
        )
    )
    distance = MissionEmbedding.embedding.cosine_distance(vector)  # type: ignore[attr-defined]
    # The vectors come back as text and are parsed by numpy (pgvector's own parser, float by
    # float in Python, took ~15 ms of each compute() at 160 candidates).
    as_text = cast(col(MissionEmbedding.embedding), Text)
    stmt = _scope(
        _mission_query()
        .add_columns(distance.label("distance"), as_text)
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
            vector=_parse_vector(vec),
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


def _attach_dependents(session: Session, cands: list[Candidate], facts: LearnerFacts) -> None:
    """For each candidate, the missions it is a prerequisite of that this learner may be
    recommended (through `_scope()`), with their vectors (the ranker's "leads to" feature)."""
    by_id = {c.id: c for c in cands}
    if not by_id:
        return
    stmt = _scope(
        sa_select(
            col(MissionPrerequisite.prerequisite_id),
            col(Mission.id),
            col(Mission.title),
            col(MissionEmbedding.embedding),
        )
        .join(Mission, col(Mission.id) == col(MissionPrerequisite.mission_id))
        .join(MissionEmbedding, col(MissionEmbedding.mission_id) == col(Mission.id))
        .where(
            col(MissionPrerequisite.prerequisite_id).in_(list(by_id)),
            col(Mission.status) == MissionStatus.published,
        ),
        facts,
    )
    rows = session.execute(stmt).all()
    for pid, mid, title, vec in rows:
        by_id[pid].unlocks[mid] = (title, np.asarray(vec, dtype=np.float32))


def _dismissed_vectors(session: Session, facts: LearnerFacts) -> np.ndarray | None:
    if not facts.dismissed:
        return None
    rows = session.exec(
        select(MissionEmbedding.embedding).where(
            col(MissionEmbedding.mission_id).in_(facts.dismissed)
        )
    ).all()
    return np.asarray([np.asarray(v, dtype=np.float32) for v in rows]) if rows else None


def _interest_candidates(
    session: Session, interests: list[learner_interests.Interest], facts: LearnerFacts
) -> list[Candidate]:
    """The union of the nearest missions to each interest (each query through `_scope()`)."""
    seen: dict[int, Candidate] = {}
    for interest in interests:
        for c in nearest_missions(
            session, interest.vector, facts, PER_INTEREST, INTEREST_EF_SEARCH
        ):
            seen.setdefault(c.id, c)
    return list(seen.values())


def _popularity(session: Session, cands: list[Candidate], facts: LearnerFacts) -> None:
    """Approvals of each candidate among learners whose profiler put them on the same primary
    track (all learners when this one has no track yet), log-scaled; in place."""
    if not cands:
        return
    peers = sa_select(col(ProfilerResult.user_id))
    if facts.primary:
        peers = peers.where(col(ProfilerResult.primary_track) == facts.primary)
    stmt = (
        sa_select(col(Submission.mission_id), func.count(func.distinct(col(Submission.student_id))))
        .where(
            col(Submission.status) == SubmissionStatus.approved,
            col(Submission.mission_id).in_([c.id for c in cands]),
            col(Submission.student_id) != facts.user_id,
        )
        .group_by(col(Submission.mission_id))
    )
    if facts.primary:
        stmt = stmt.where(col(Submission.student_id).in_(peers))
    counts: dict[int, int] = {mid: int(n) for mid, n in session.execute(stmt).all()}
    most = max(counts.values(), default=0)
    for c in cands:
        c.popularity = ranking.popularity(counts.get(c.id, 0), most)


def _prerequisite_titles(session: Session, cands: list[Candidate]) -> dict[int, str]:
    ids = {p for c in cands for p in c.prerequisites}
    if not ids:
        return {}
    rows = session.execute(
        sa_select(col(Mission.id), col(Mission.title)).where(col(Mission.id).in_(ids))
    ).all()
    return {int(mid): str(title) for mid, title in rows}


def candidates(
    session: Session, user_id: int, k: int = TOP_K
) -> tuple[list[Candidate], ranking.Context, str]:
    """Everything the ranker needs for one learner: the candidates (with prerequisites and
    popularity), what is known of the learner, and the list's source."""
    facts = learner_facts(session, user_id)
    interests = learner_interests.interests(session, user_id)
    source = "vector"
    cands: list[Candidate] = []
    if interests:
        cands = _interest_candidates(session, interests, facts)
    else:
        learner = session.get(LearnerEmbedding, user_id)
        if learner is not None:
            cands = nearest_missions(session, learner.embedding, facts)
    _attach_prerequisites(session, cands)
    if sum(1 for c in cands if all(p in facts.approved for p in c.prerequisites)) < k:
        # cold start, or a catalog without vectors yet: fill up from the profile
        source = "vector" if cands else ("profile" if facts.primary else "fallback")
        seen = {c.id for c in cands}
        extra = [c for c in _profile_candidates(session, facts, CANDIDATES) if c.id not in seen]
        _attach_prerequisites(session, extra)
        cands += extra
    _attach_dependents(session, cands, facts)
    _popularity(session, cands, facts)
    ctx = ranking.Context(
        approved=facts.approved,
        level=facts.level,
        primary=facts.primary,
        secondary=facts.secondary,
        interests=interests,
        dismissed_vectors=_dismissed_vectors(session, facts),
        track_names={c.track: c.track_name for c in cands},
        titles=_prerequisite_titles(session, cands),
    )
    return cands, ctx, source


def compute(session: Session, user_id: int, k: int = TOP_K) -> list[Recommendation]:
    """Recompute and store a learner's recommendations (replacing the old list, and the
    "unlocks after …" rows). Returns the main list's rows; none (and nothing stored) without
    AI-profiling consent."""
    # One computation per learner at a time: the list is replaced (delete, then insert) under
    # the lock, so two at once can't both insert (uq_recommendation) and the last one wins.
    consenting = lock_learner_for_ai(session, user_id)
    # Their open dashboard reads the new list (or that there is none) once this commits.
    live.changed(session, user_id, live.RECOMMENDATIONS)
    if not consenting:
        purge_learner(session, user_id)
        return []
    cands, ctx, source = candidates(session, user_id, k)
    ranked = ranking.rank(cands, ctx, k)
    now = utcnow()
    session.execute(sa_delete(Recommendation).where(col(Recommendation.user_id) == user_id))

    def row(c: Candidate, rank: int, source: str) -> Recommendation:
        return Recommendation(
            user_id=user_id,
            mission_id=c.id,
            rank=rank,
            score=round(c.relevance, 4),
            reason=c.reason[:500],
            source=source,
            computed_at=now,
        )

    rows = [row(c, i + 1, source) for i, c in enumerate(ranked.main)]
    later = [row(c, UNLOCKS_RANK + i + 1, UNLOCKS) for i, c in enumerate(ranked.unlocks)]
    session.add_all([*rows, *later])
    # Computed, even when nothing is left to recommend (no row above): the card says so.
    session.execute(
        pg_insert(RecommendationRun)
        .values(user_id=user_id, computed_at=now)
        .on_conflict_do_update(index_elements=["user_id"], set_={"computed_at": now})
    )
    session.flush()
    return rows


# --- reading (the app and the API) ------------------------------------------------------------


def _target(session: Session, principal: Principal | None, user_id: int | None) -> int:
    return viewable_learner(session, principal, user_id, "recommendations")


def still_offered(session: Session, user_id: int, mission_ids: Collection[int]) -> set[int]:
    """Which of `mission_ids` a list computed earlier may still offer the learner now (the
    `still_shown` rules about the mission: published, theirs to see or take, not dismissed, not
    started, not locked). The coach's plan reads its suggested missions through it, as the
    card reads its rows."""
    if not mission_ids:
        return set()
    unlocked = col(Mission.id).not_in(progress.locked_missions(user_id))
    found = session.exec(
        select(Mission.id).where(
            col(Mission.id).in_(list(mission_ids)), *_offerable(user_id), unlocked
        )
    ).all()
    return {i for i in found if i is not None}


def still_shown(user_id: int) -> list[Any]:
    """When a stored row of the learner's list (joined with its Mission) is still shown: the
    list was computed before their latest changes, and only a review decision recomputes it.
    The list (`stored`) and the coach's plan read the rows through these conditions."""
    return [
        *_offerable(user_id),
        # Not (as a next step) one that is locked for them; the "unlocks after …" rows are
        # locked on purpose.
        (col(Recommendation.source) == UNLOCKS)
        | col(Mission.id).not_in(progress.locked_missions(user_id)),
    ]


def _offerable(user_id: int) -> list[Any]:
    """`still_shown`'s rules about the mission itself."""
    return [
        col(Mission.status) == MissionStatus.published,
        # A list computed before a move (left a programme or an organisation) shows only
        # what the learner may still see.
        mission_scope.learner_visible_condition(user_id)
        | col(Mission.id).in_(mission_scope.takeable_missions(user_id)),
        # "Not interested" hides a stored row at once; the next computation drops it.
        col(Mission.id).not_in(
            sa_select(col(RecommendationFeedback.mission_id)).where(
                col(RecommendationFeedback.user_id) == user_id
            )
        ),
        # Never a mission they started since (a draft or an attempt, as compute() leaves out:
        # it is "In progress" on their dashboard) or completed.
        col(Mission.id).not_in(progress.started_missions(user_id)),
    ]


def stored(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> RecommendationList:
    """The stored list (never computed here): for the learner, their mentor, a director of
    their organization or an admin (staff: of the missions they may see themselves).
    `enabled` is False without AI-profiling consent."""
    target = _target(session, principal, user_id)
    if not consents.has_consent(session, target, consents.AI_PROFILING):
        return RecommendationList(enabled=False, message=AI_OFF)
    reader = require_signed_in(principal)
    # Staff read the learner's list through what they may see themselves: a learner in two
    # organisations is recommended the other one's missions, never named to outsiders.
    seen_by_reader = mission_scope.visible_condition(reader) if reader.user_id != target else true()
    rows = session.execute(
        _mission_query()  # published missions with their track
        .add_columns(Recommendation)
        .join(Recommendation, col(Recommendation.mission_id) == col(Mission.id))
        .where(col(Recommendation.user_id) == target, seen_by_reader, *still_shown(target))
        .order_by(col(Recommendation.rank))
    ).all()
    items = [
        from_row(
            RecommendationPublic,
            r,
            title=title,
            difficulty=difficulty,
            track=key,
            track_name=name,
        )
        for _, title, difficulty, key, name, r in rows
    ]
    # The "unlocks after …" rows (locked missions matching a goal) are kept apart from the list.
    unlocks = [i for i in items if i.source == UNLOCKS]
    items = [i for i in items if i.source != UNLOCKS]
    run = session.get(RecommendationRun, target)
    computed_at = run.computed_at if run else max((r.computed_at for *_, r in rows), default=None)
    return RecommendationList(
        enabled=True,
        message="" if items else NOTHING_NEW if computed_at else PREPARING,
        items=items,
        unlocks=unlocks,
        computed_at=computed_at,
    )


def request_refresh(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> int:
    """Queue a recomputation (after commit). Refused without AI-profiling consent."""
    target = _target(session, principal, user_id)
    consents.require_ai_consent(session, target, reader_id=principal.user_id if principal else None)
    jobs.refresh_asked(session, target)
    return target


PREPARING = "Your recommendations are being prepared."
NOTHING_NEW = (
    "Nothing new to recommend right now: every mission open to you is started or done. "
    "Your next approvals and new missions bring more."
)
PENDING_KEY = "cyberhub:recs:pending:{user}"
PENDING_SECONDS = 60  # one queued computation per learner per minute while the list is empty


def refresh_if_missing(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> bool:
    """For a reader who finds no stored list: queue a computation unless one was queued in the
    last minute (a client polling an empty list queues one job, not one per poll). True when
    this call queued it."""
    target = _target(session, principal, user_id)
    consents.require_ai_consent(session, target, reader_id=principal.user_id if principal else None)
    try:  # redis_client.get_redis looked up at call time: a test stands in for a Redis that is down
        fresh = redis_client.get_redis().set(
            PENDING_KEY.format(user=target), "1", nx=True, ex=PENDING_SECONDS
        )
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
) -> RecommendationList:
    """`stored()`, and when consent is given but the list was never computed (a new learner, a
    list deleted by a consent change), a computation queued for the worker (`refresh_if_missing`).
    A list computed with nothing in it (NOTHING_NEW) waits for the learner's next change."""
    data = stored(session, principal, user_id)
    if data.enabled and data.computed_at is None:
        refresh_if_missing(session, principal, user_id)
    return data


def _dismissing_learner(
    session: Session, principal: Principal | None, mission_id: int
) -> Principal:
    """The learner (their list locked) who dismisses a mission or takes that back: they consent
    to AI recommendations and may see the mission."""
    actor = require_signed_in(principal)
    lock_learner(session, actor.user_id)
    consents.require_ai_consent(session, actor.user_id)
    mission_scope.require_visible(session, actor, mission_id)
    return actor


def not_interested(session: Session, principal: Principal | None, mission_id: int) -> None:
    """The learner dismisses a mission: it leaves their list now, similar missions rank lower
    from the next computation (queued after commit). `undo_not_interested` takes it back."""
    actor = _dismissing_learner(session, principal, mission_id)
    # Idempotent: a second click (another tab, a retried request) changes nothing. The stored
    # row stays (hidden by `stored`) so that an undo brings it back as it was.
    session.execute(
        pg_insert(RecommendationFeedback)
        .values(
            user_id=actor.user_id, mission_id=mission_id, kind="not_interested", created_at=utcnow()
        )
        .on_conflict_do_nothing(index_elements=["user_id", "mission_id"])
    )
    session.flush()
    jobs.recommendations_stale(session, actor.user_id)


def undo_not_interested(session: Session, principal: Principal | None, mission_id: int) -> None:
    """Take back a "not interested": the mission is listed again (at once if the stored list
    still holds it, else after the recomputation queued here) and ranks as before. Idempotent;
    only the learner's own dismissals, of missions they can see."""
    actor = _dismissing_learner(session, principal, mission_id)
    session.execute(
        sa_delete(RecommendationFeedback).where(
            col(RecommendationFeedback.user_id) == actor.user_id,
            col(RecommendationFeedback.mission_id) == mission_id,
        )
    )
    session.flush()
    jobs.recommendations_stale(session, actor.user_id)
