"""The recommendation ranker (issue 14): named features, the weights in one place, the reason.

Every candidate gets these features, each in 0..1:

- goal: its best cosine similarity to one of the learner's goals (which goal is kept for the
  reason);
- track_sim / work_sim: similarity to their profiler track's description / recent approved work;
- track_fit: 1 for their primary track, 0.5 for their secondary;
- leads_to: how much better a mission it unlocks matches a goal than it does itself (a
  stepping stone towards a goal whose missions are still locked);
- first_step: the easiest unlocked mission(s) within a goal's area (the missions nearest that
  goal) — a stepping stone into what they asked for, not any easy mission;
- difficulty: closeness to one step above their hardest approved mission (a soft preference);
- popularity: approvals among learners of the same track (log-scaled), a weak prior;
- dismissed: closeness to missions they marked "not interested" (subtracted).

Locked missions (a prerequisite not approved) never enter the main list: those that match a
goal come back separately as "unlocks after …". A learner with goals sees missions that match
one (min_goal), topped up to MIN_LIST when too few do. MMR then trades relevance against
sameness.
WEIGHTS were chosen on the tuning half of bench/recs_judged/ only (bench/recs_tune.py: its
judgments for nDCG@10; goal sensitivity, which needs no judgment, over all contrast pairs).
mmr_lambda is 0.9 rather than the tuned 1.0 (no diversity at all) for 0.002 of nDCG@10; the
judged set has no "not interested" clicks, so `dismissed` keeps the earlier recommender's 0.3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cyberhub.services.ai.learner_interests import GOAL, TRACK, WORK, Interest


@dataclass(frozen=True)
class Weights:
    goal: float = 1.0
    track_sim: float = 0.0
    work_sim: float = 0.05
    track_fit: float = 0.06
    leads_to: float = 0.4
    first_step: float = 0.03
    difficulty: float = 0.15
    popularity: float = 0.02
    dismissed: float = 0.3
    # MMR: share of relevance against similarity to what is already picked.
    mmr_lambda: float = 0.9
    # A goal's area: missions within this similarity of the goal's nearest one (and above
    # GOAL_MATCH) — where the first step is looked for.
    area_band: float = 0.05
    # A learner with goals is shown missions that match one at least this much (the list may
    # then be shorter than TOP_K, never shorter than MIN_LIST): filling a list with missions
    # that match none of their goals made every learner of a track see the same ones.
    min_goal: float = 0.34


WEIGHTS = Weights()
GOAL_MATCH = 0.3  # a goal similarity a reason may call a match
UNLOCKS_MAX = 3
TOP_K = 10
MIN_LIST = 5


@dataclass
class Candidate:
    id: int
    title: str
    difficulty: int
    track: str
    track_name: str
    similarity: float = 0.0  # to the single learner vector (when there are no interests)
    vector: np.ndarray | None = None
    prerequisites: list[int] = field(default_factory=list)
    # missions this one is a prerequisite of: id -> (title, vector)
    unlocks: dict[int, tuple[str, np.ndarray]] = field(default_factory=dict)
    goal: float = 0.0
    goal_label: str = ""
    goal_ref: int = 0
    track_sim: float = 0.0
    work_sim: float = 0.0
    leads_to: float = 0.0  # the best goal similarity among the missions it unlocks
    leads_to_title: str = ""
    popularity: float = 0.0
    dismissed: float = 0.0
    first_step: bool = False
    features: dict[str, float] = field(default_factory=dict)  # weighted contributions
    relevance: float = 0.0
    reason: str = ""


@dataclass
class Context:
    """What the ranker knows about the learner."""

    approved: dict[int, str]  # mission id -> title
    level: int  # the hardest approved difficulty (0: none yet)
    primary: str | None = None
    secondary: str | None = None
    interests: list[Interest] = field(default_factory=list)
    dismissed_vectors: np.ndarray | None = None
    track_names: dict[str, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)  # prerequisite titles, for "unlocks"

    @property
    def target_difficulty(self) -> int:
        return min(5, self.level + 1)

    def goals(self) -> list[Interest]:
        return [i for i in self.interests if i.kind == GOAL]


# --- features ---------------------------------------------------------------------------------


def is_locked(c: Candidate, ctx: Context) -> bool:
    return any(p not in ctx.approved for p in c.prerequisites)


def track_fit(c: Candidate, ctx: Context) -> float:
    if c.track == ctx.primary:
        return 1.0
    return 0.5 if c.track == ctx.secondary else 0.0


def difficulty_fit(c: Candidate, ctx: Context) -> float:
    return 1.0 - abs(c.difficulty - ctx.target_difficulty) / 4.0


def popularity(approvals: int, most: int) -> float:
    """Log-scaled share of the most approved candidate's count (0 when nobody did any)."""
    if approvals <= 0 or most <= 0:
        return 0.0
    return math.log1p(approvals) / math.log1p(most)


def attach_similarities(cands: list[Candidate], ctx: Context) -> None:
    """goal / track_sim / work_sim / dismissed of every candidate with a vector, in place."""
    with_vec = [c for c in cands if c.vector is not None]
    if not with_vec:
        return
    matrix = np.stack([c.vector for c in with_vec])  # type: ignore[misc]
    goals = ctx.goals()
    if goals:
        sims = matrix @ np.stack([g.vector for g in goals]).T
        best = sims.argmax(axis=1)
        for row, c in enumerate(with_vec):
            c.goal = max(0.0, float(sims[row, best[row]]))
            c.goal_label, c.goal_ref = goals[best[row]].label, goals[best[row]].ref
    if goals:
        goal_matrix = np.stack([g.vector for g in goals])
        for c in cands:
            if c.unlocks:
                ids = list(c.unlocks)
                best_of = (np.stack([c.unlocks[i][1] for i in ids]) @ goal_matrix.T).max(axis=1)
                top = int(best_of.argmax())
                c.leads_to, c.leads_to_title = max(0.0, float(best_of[top])), c.unlocks[ids[top]][0]
    for kind, attr in ((TRACK, "track_sim"), (WORK, "work_sim")):
        vecs = [i.vector for i in ctx.interests if i.kind == kind]
        if vecs:
            col_ = matrix @ vecs[0]
            for row, c in enumerate(with_vec):
                setattr(c, attr, max(0.0, float(col_[row])))
    if ctx.dismissed_vectors is not None and len(ctx.dismissed_vectors):
        pulls = (matrix @ ctx.dismissed_vectors.T).max(axis=1)
        for row, c in enumerate(with_vec):
            c.dismissed = max(0.0, float(pulls[row]))


def mark_first_steps(cands: list[Candidate], ctx: Context, w: Weights | None = None) -> None:
    """Within each goal's area (unlocked missions whose similarity to that goal is within
    `area_band` of its nearest one, and a match), the easiest ones are its first step."""
    w = w or WEIGHTS
    for c in cands:
        c.first_step = False
    for g in ctx.goals():
        area = [
            c
            for c in cands
            if c.goal_ref == g.ref and c.goal >= GOAL_MATCH and not is_locked(c, ctx)
        ]
        if not area:
            continue
        top = max(c.goal for c in area)
        area = [c for c in area if c.goal >= top - w.area_band]
        easiest = min(c.difficulty for c in area)
        for c in area:
            c.first_step = c.difficulty == easiest


def score(cands: list[Candidate], ctx: Context, w: Weights | None = None) -> None:
    """Relevance of every candidate (in place), with each feature's weighted contribution kept
    in `features` for the reason. Similarities must be attached first."""
    w = w or WEIGHTS
    # Without any interest vector (cold start) the single learner vector stands in for them.
    use_learner = not ctx.interests
    for c in cands:
        f = {
            "goal": w.goal * c.goal,
            "track_sim": w.track_sim * c.track_sim,
            "work_sim": w.work_sim * c.work_sim,
            "learner_sim": w.goal * max(0.0, c.similarity) if use_learner else 0.0,
            "track_fit": w.track_fit * track_fit(c, ctx),
            "leads_to": w.leads_to * max(0.0, c.leads_to - c.goal),
            "first_step": w.first_step * (1.0 if c.first_step else 0.0),
            "difficulty": w.difficulty * difficulty_fit(c, ctx),
            "popularity": w.popularity * c.popularity,
            "dismissed": -w.dismissed * c.dismissed,
        }
        c.features = f
        c.relevance = float(sum(f.values()))


def mmr(cands: list[Candidate], k: int = TOP_K, lam: float | None = None) -> list[Candidate]:
    """Maximal marginal relevance: each pick trades relevance against similarity to the picks
    so far (missions without a vector count as dissimilar to everything)."""
    lam = WEIGHTS.mmr_lambda if lam is None else lam
    if not cands:
        return []
    dims = next((c.vector.shape[0] for c in cands if c.vector is not None), 1)
    vectors = np.stack(
        [c.vector if c.vector is not None else np.zeros(dims, dtype=np.float32) for c in cands]
    )
    has_vector = np.array([c.vector is not None for c in cands])
    relevance = np.array([c.relevance for c in cands], dtype=np.float64)
    ids = np.array([c.id for c in cands])
    closest = np.full(len(cands), -np.inf)  # similarity to the nearest pick with a vector
    free = np.ones(len(cands), dtype=bool)
    picked: list[Candidate] = []
    while free.any() and len(picked) < k:
        penalty = np.where(has_vector & np.isfinite(closest), closest, 0.0)
        gain = lam * relevance - (1 - lam) * penalty
        gain = np.where(free, gain, -np.inf)
        best_gain = gain.max()
        # ties: the lower id first (deterministic)
        best = int(np.flatnonzero(gain == best_gain)[np.argmin(ids[gain == best_gain])])
        picked.append(cands[best])
        free[best] = False
        if has_vector[best]:
            closest = np.maximum(closest, vectors @ vectors[best])
    return picked


@dataclass
class Ranked:
    main: list[Candidate]
    unlocks: list[Candidate]  # locked missions that match a goal, best match first


def rank(cands: list[Candidate], ctx: Context, k: int = TOP_K, w: Weights | None = None) -> Ranked:
    """The main list (unlocked only, diversified) and the "unlocks after …" list, with reasons."""
    w = w or WEIGHTS
    attach_similarities(cands, ctx)
    mark_first_steps(cands, ctx, w)
    score(cands, ctx, w)
    open_ = [c for c in cands if not is_locked(c, ctx)]
    if ctx.goals() and w.min_goal > 0:
        matching = [c for c in open_ if c.goal >= w.min_goal]
        if len(matching) < MIN_LIST:  # top up with the best of the rest
            rest = sorted((c for c in open_ if c.goal < w.min_goal), key=lambda c: -c.relevance)
            matching += rest[: MIN_LIST - len(matching)]
        open_ = matching
    main = mmr(open_, k, w.mmr_lambda)
    locked = sorted(
        (c for c in cands if is_locked(c, ctx) and c.goal >= GOAL_MATCH),
        key=lambda c: (-c.goal, c.id),
    )[:UNLOCKS_MAX]
    for c in main:
        c.reason = reason(c, ctx)
    for c in locked:
        c.reason = unlock_reason(c, ctx)
    return Ranked(main=main, unlocks=locked)


# --- reasons ------------------------------------------------------------------------------------


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _track_name(c: Candidate, ctx: Context) -> str:
    return ctx.track_names.get(c.track, c.track_name)


def _goal_match(c: Candidate) -> bool:
    """The goal placed it: a match, and more than the track's and the work's pull together."""
    return c.goal >= GOAL_MATCH and c.features.get("goal", 0.0) >= max(
        c.features.get("track_sim", 0.0), c.features.get("work_sim", 0.0)
    )


def reason(c: Candidate, ctx: Context) -> str:
    """Why it is on the list, naming the features that placed it, strongest first."""
    parts: list[str] = []
    goal = _goal_match(c)
    if goal:
        parts.append(f"matches your goal “{c.goal_label}”")
        if c.first_step:
            parts.append("the first step in that area")
    elif c.leads_to >= GOAL_MATCH and c.features.get("leads_to", 0.0) > 0.02:
        parts.append(f"unlocks “{c.leads_to_title}”, which matches your goal")
    done = [ctx.approved[p] for p in c.prerequisites if p in ctx.approved]
    if done:
        parts.append(f"builds on “{done[0]}”, which you completed")
    elif not goal and c.work_sim >= GOAL_MATCH and c.features.get("work_sim", 0) > 0:
        parts.append("close to the work you have had approved")
    if c.track == ctx.primary:
        parts.append(f"fits your {_track_name(c, ctx)} track")
    elif c.track == ctx.secondary:
        parts.append(f"matches your second track, {_track_name(c, ctx)}")
    if not (goal and c.first_step):
        parts.append(_difficulty_words(c, ctx))
    if c.popularity >= 0.5 and c.features.get("popularity", 0) > 0 and len(parts) < 3:
        parts.append("popular with learners on your track")
    return _sentence(parts)


def _difficulty_words(c: Candidate, ctx: Context) -> str:
    if ctx.level == 0:
        return "a gentle first step" if c.difficulty <= 2 else "a stretch to start with"
    step = c.difficulty - ctx.level
    return {
        -1: "a little easier than your recent work",
        0: "the same level as your recent work",
        1: "one step harder",
    }.get(step, "a big step up" if step > 1 else "a quick refresher")


def unlock_reason(c: Candidate, ctx: Context) -> str:
    """“Unlocks after “X”; matches your goal “…””: what to finish first, and why it is shown."""
    missing = [p for p in c.prerequisites if p not in ctx.approved]
    names = [f"“{ctx.titles[p]}”" for p in missing if p in ctx.titles]
    first = f"unlocks after {' and '.join(names)}" if names else "unlocks after its prerequisites"
    parts = [first]
    if c.goal >= GOAL_MATCH:
        parts.append(f"matches your goal “{c.goal_label}”")
    if c.track == ctx.primary:
        parts.append(f"fits your {_track_name(c, ctx)} track")
    return _sentence(parts)
