"""Scoring the AI career profiler: pure functions, no database.

Track scores
    For the answered questions A (question -> chosen option) and a track t::

        raw(t)   = sum over q in A of  cw(q) * w(q, A[q], t)
        max(t)   = sum over q in A of  cw(q) * max over options o of w(q, o, t)
        score(t) = 100 * raw(t) / max(t)                     (0 when max(t) is 0)

    cw is the weight of the question's category (Technical Aptitude 1.2, Problem-Solving Style
    1.1, Scenario Preferences 1.0, Work Style 0.9) and w an option's weight 0-3 for the track.
    So a score is the share of the points the track could have earned on the same questions.
    The sums use exact fractions, so neither question order nor float rounding can change a
    score; results are rounded to one decimal only for display.

Ranking and ties
    primary = highest score, secondary = second highest. Every track within TIE_THRESHOLD
    points of the top score is listed in ``tie`` (when that is two or more tracks): a tie is
    reported, never silently broken. Equal scores are ordered by the canonical track order,
    which only fixes the display order.

Confidence (high / medium / low), computed from components that are returned too:
    differentiation      primary score minus the mean of the other four scores
    margin               primary score minus secondary score
    consistency          per answered category, the largest share of its answers that favour
                         the same track (an option favours its top-weighted track(s));
                         ``consistency`` is the mean over categories, ``weakest_consistency``
                         the lowest category
    coverage             answered questions / questions in the bank

    high    differentiation >= 30, margin >= 10, consistency >= 0.6, weakest >= 0.4, all answered
    medium  differentiation >= 20, consistency >= 0.45, at least half answered
    low     otherwise

    A tie (margin <= TIE_THRESHOLD) therefore caps confidence at medium. Every rule is
    "component >= threshold", so the level never rises when differentiation (or margin,
    consistency, coverage) falls and the other components stay equal.

    Calibrated by simulation on bank v1: random answers come out low about 70% of the time and
    high under 1%; a learner who picks one track's option on ~60% of the questions comes out high
    about half the time, ~75% of the questions nearly always.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services.ai.profiler_bank import Option, Question, QuestionBank

TIE_THRESHOLD = Fraction(3)  # points on the 0-100 scale

HIGH_DIFFERENTIATION = Fraction(30)
HIGH_MARGIN = Fraction(10)
HIGH_CONSISTENCY = Fraction(6, 10)
HIGH_WEAKEST_CONSISTENCY = Fraction(4, 10)
MEDIUM_DIFFERENTIATION = Fraction(20)
MEDIUM_CONSISTENCY = Fraction(45, 100)
MEDIUM_COVERAGE = Fraction(1, 2)

CONFIDENCE_LEVELS = ("low", "medium", "high")  # ascending

TRACK_NAMES = {
    "builders": "Builders",
    "leaders": "Leaders",
    "entrepreneurs": "Entrepreneurs",
    "researchers": "Researchers",
    "educators": "Educators",
}


@lru_cache(maxsize=256)  # a bank uses a handful of distinct weights
def _exact(x: float) -> Fraction:
    # repr() is the shortest decimal that round-trips, so 1.2 becomes exactly 6/5.
    return Fraction(repr(float(x)))


def _display(x: Fraction, digits: int = 1) -> float:
    return round(float(x), digits)


@dataclass(frozen=True)
class Contribution:
    """What one answer gave one track: category weight x option weight."""

    question_id: str
    option_id: str
    category: str
    question_text: str
    option_text: str
    points: Fraction


@dataclass(frozen=True)
class TrackScores:
    """Scores 0-100 per track (exact and as float) with the answers that produced them."""

    version: str
    exact: dict[str, Fraction]
    answered: int
    total: int
    # Per track, the answers that gave it points, biggest first (question id breaks ties, so
    # the order of questions in the bank or in the answers cannot change the reasoning).
    contributions: dict[str, tuple[Contribution, ...]]
    # The answered (question, option) pairs in bank order.
    answers: tuple[tuple[Question, Option], ...]

    @property
    def scores(self) -> dict[str, float]:
        return {t: float(self.exact[t]) for t in TRACK_KEYS}


def _resolve(bank: QuestionBank, answers: Mapping[str, str]) -> tuple[tuple[Question, Option], ...]:
    by_id = {q.id: q for q in bank.questions}
    chosen: dict[str, Option] = {}
    for question_id, option_id in answers.items():
        question = by_id.get(question_id)
        if question is None:
            raise ValueError(f"Unknown question id {question_id!r}")
        option = question.option(option_id)
        if option is None:
            raise ValueError(f"Unknown option id {option_id!r} for question {question_id!r}")
        chosen[question_id] = option
    # Bank order, whatever order the answers came in.
    return tuple((q, chosen[q.id]) for q in bank.questions if q.id in chosen)


def _ratio(raw: Fraction, best: Fraction) -> Fraction:
    return 100 * raw / best if best else Fraction(0)


def compute_track_scores(bank: QuestionBank, answers: Mapping[str, str]) -> TrackScores:
    """Score every track 0-100 from ``answers`` (question id -> option id); see module docs.

    Unanswered questions are left out of both the points and the maximum, so partial answer
    sets are scored on what was answered. Unknown ids raise ``ValueError`` naming the id.
    """
    pairs = _resolve(bank, answers)
    raw = dict.fromkeys(TRACK_KEYS, Fraction(0))
    best = dict.fromkeys(TRACK_KEYS, Fraction(0))
    contributions: dict[str, list[Contribution]] = {t: [] for t in TRACK_KEYS}
    for question, option in pairs:
        cw = _exact(bank.category_weight(question.category))
        for track in TRACK_KEYS:
            points = cw * _exact(option.weights[track])
            raw[track] += points
            best[track] += cw * _exact(question.max_weight(track))
            if points > 0:
                contributions[track].append(
                    Contribution(
                        question_id=question.id,
                        option_id=option.id,
                        category=question.category,
                        question_text=question.text,
                        option_text=option.text,
                        points=points,
                    )
                )
    return TrackScores(
        version=bank.version,
        exact={t: _ratio(raw[t], best[t]) for t in TRACK_KEYS},
        answered=len(pairs),
        total=len(bank.questions),
        contributions={
            t: tuple(sorted(contributions[t], key=lambda c: (-c.points, c.question_id)))
            for t in TRACK_KEYS
        },
        answers=pairs,
    )


def rank_tracks(scores: Mapping[str, Fraction | float]) -> tuple[str, ...]:
    """Tracks from highest to lowest score; equal scores in canonical track order."""
    return tuple(sorted(TRACK_KEYS, key=lambda t: (-scores[t], TRACK_KEYS.index(t))))


def find_tie(scores: Mapping[str, Fraction | float]) -> tuple[str, ...]:
    """The tracks within TIE_THRESHOLD of the top score, in canonical order; () if only one."""
    top = max(scores[t] for t in TRACK_KEYS)
    tied = tuple(t for t in TRACK_KEYS if top - scores[t] <= TIE_THRESHOLD)
    return tied if len(tied) >= 2 else ()


def category_consistency(scores: TrackScores) -> dict[str, Fraction]:
    """Per answered category: the largest share of its answers that favour the same track."""
    votes: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for question, option in scores.answers:
        counts[question.category] = counts.get(question.category, 0) + 1
        tally = votes.setdefault(question.category, dict.fromkeys(TRACK_KEYS, 0))
        for track in option.top_tracks:
            tally[track] += 1
    return {cat: Fraction(max(votes[cat].values()), n) for cat, n in counts.items()}


def category_scores(bank: QuestionBank, scores: TrackScores) -> dict[str, dict[str, Fraction]]:
    """Per answered category, each track's 0-100 score on that category's questions alone."""
    raw: dict[str, dict[str, Fraction]] = {}
    best: dict[str, dict[str, Fraction]] = {}
    for question, option in scores.answers:
        r = raw.setdefault(question.category, dict.fromkeys(TRACK_KEYS, Fraction(0)))
        b = best.setdefault(question.category, dict.fromkeys(TRACK_KEYS, Fraction(0)))
        for track in TRACK_KEYS:
            r[track] += _exact(option.weights[track])
            b[track] += _exact(question.max_weight(track))
    # Keep bank category order for stable output.
    return {
        c.key: {t: _ratio(raw[c.key][t], best[c.key][t]) for t in TRACK_KEYS}
        for c in bank.categories
        if c.key in raw
    }


def confidence_level(
    *,
    differentiation: Fraction | float,
    margin: Fraction | float,
    consistency: Fraction | float,
    weakest_consistency: Fraction | float,
    coverage: Fraction | float = 1,
) -> str:
    """high / medium / low from the components (thresholds in the module docs).

    Non-decreasing in every argument: lowering any component never raises the level. Floats
    are taken at their decimal value (0.6 means exactly 3/5), like the bank's weights.
    """
    differentiation, margin, consistency, weakest_consistency, coverage = (
        x if isinstance(x, Fraction) else _exact(x)
        for x in (differentiation, margin, consistency, weakest_consistency, coverage)
    )
    if (
        differentiation >= HIGH_DIFFERENTIATION
        and margin >= HIGH_MARGIN
        and consistency >= HIGH_CONSISTENCY
        and weakest_consistency >= HIGH_WEAKEST_CONSISTENCY
        and coverage >= 1
    ):
        return "high"
    if (
        differentiation >= MEDIUM_DIFFERENTIATION
        and consistency >= MEDIUM_CONSISTENCY
        and coverage >= MEDIUM_COVERAGE
    ):
        return "medium"
    return "low"


_CONFIDENCE_TEXT = {
    "high": "Your answers point clearly to one track; a strong place to start.",
    "medium": "Your answers lean towards this track, with others close behind; explore the "
    "secondary track too.",
    "low": "Your answers fit several tracks; consider a retake.",
}


def explain_confidence(level: str, tie: Sequence[str] = ()) -> str:
    """One sentence telling the learner what a confidence level means for them."""
    if level not in _CONFIDENCE_TEXT:
        raise ValueError(f"Unknown confidence level {level!r}")
    if len(tie) >= 2 and level != "low":
        names = _join([TRACK_NAMES[t] for t in tie])
        return f"Your answers fit {names} equally well; try a mission from each, or retake."
    return _CONFIDENCE_TEXT[level]


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


def explain_track(track: str, score: Fraction, contributions: Sequence[Contribution]) -> str:
    """A sentence naming the (at most two) answers that moved ``track`` most."""
    head = f"{TRACK_NAMES[track]} {float(score):.0f}/100"
    if not contributions:
        return f"{head}: none of your answers leaned this way."
    parts = [
        f"“{_clip(c.question_text, 48)}” → “{_clip(c.option_text, 60)}”" for c in contributions[:2]
    ]
    return f"{head}: most from {' and '.join(parts)}."


@dataclass(frozen=True)
class ProfileResult:
    """Everything the results page shows, except the persona (see :func:`build_persona`)."""

    version: str
    scores: dict[str, float]  # 0-100, one decimal, canonical track order
    ranking: tuple[str, ...]
    primary_track: str
    secondary_track: str
    tie: tuple[str, ...]  # canonical order; () when the top is not tied
    confidence: str
    differentiation: float
    margin: float
    consistency: float
    weakest_consistency: float
    category_consistency: dict[str, float]
    category_scores: dict[str, dict[str, float]]
    coverage: float
    answered: int
    total: int
    reasoning: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; keys follow the API contract of issue 4 plus the components."""
        return {
            "version": self.version,
            "primary_track": self.primary_track,
            "secondary_track": self.secondary_track,
            "tie": list(self.tie),
            "confidence": self.confidence,
            "confidence_explanation": explain_confidence(self.confidence, self.tie),
            "scores": dict(self.scores),
            "ranking": list(self.ranking),
            "reasoning": dict(self.reasoning),
            "components": {
                "differentiation": self.differentiation,
                "margin": self.margin,
                "consistency": self.consistency,
                "weakest_consistency": self.weakest_consistency,
                "category_consistency": dict(self.category_consistency),
                "coverage": self.coverage,
                "tie_threshold": float(TIE_THRESHOLD),
            },
            "answered": self.answered,
            "total": self.total,
        }


def score_profile(bank: QuestionBank, answers: Mapping[str, str]) -> ProfileResult:
    """Scores, ranking, tie, confidence with its components, and reasoning for ``answers``."""
    ts = compute_track_scores(bank, answers)
    exact = ts.exact
    ranking = rank_tracks(exact)
    primary, secondary = ranking[0], ranking[1]
    others = [exact[t] for t in TRACK_KEYS if t != primary]
    differentiation = exact[primary] - sum(others, Fraction(0)) / len(others)
    margin = exact[primary] - exact[secondary]
    per_category = category_consistency(ts)
    consistency = (
        sum(per_category.values(), Fraction(0)) / len(per_category) if per_category else Fraction(0)
    )
    weakest = min(per_category.values(), default=Fraction(0))
    coverage = Fraction(ts.answered, ts.total) if ts.total else Fraction(0)
    level = confidence_level(
        differentiation=differentiation,
        margin=margin,
        consistency=consistency,
        weakest_consistency=weakest,
        coverage=coverage,
    )
    return ProfileResult(
        version=ts.version,
        scores={t: _display(exact[t]) for t in TRACK_KEYS},
        ranking=ranking,
        primary_track=primary,
        secondary_track=secondary,
        tie=find_tie(exact),
        confidence=level,
        differentiation=_display(differentiation),
        margin=_display(margin),
        consistency=_display(consistency, 3),
        weakest_consistency=_display(weakest, 3),
        category_consistency={c: _display(v, 3) for c, v in per_category.items()},
        category_scores={
            c: {t: _display(v) for t, v in row.items()}
            for c, row in category_scores(bank, ts).items()
        },
        coverage=_display(coverage, 3),
        answered=ts.answered,
        total=ts.total,
        reasoning={t: explain_track(t, exact[t], ts.contributions[t]) for t in TRACK_KEYS},
    )


# --- Future-You persona -----------------------------------------------------------------------

PERSONA_TITLES = {
    "builders": "Future You: a Security Engineer who ships hardened systems",
    "leaders": "Future You: a Security Leader who turns risk into clear decisions",
    "entrepreneurs": "Future You: a Founder who builds the security products people need",
    "researchers": "Future You: a Security Researcher who finds what others miss",
    "educators": "Future You: a Security Educator who grows the next generation of defenders",
}

_PRIMARY_SENTENCE = {
    "builders": "You design, build and harden the systems other people rely on, and security "
    "is part of every release you ship.",
    "leaders": "You decide what your organisation protects first, steer teams through "
    "incidents and explain risk so that others can act on it.",
    "entrepreneurs": "You spot the security problems people will pay to have solved and turn "
    "them into products and services.",
    "researchers": "You take malware, vulnerabilities and incidents apart until you understand "
    "them, and publish findings others act on.",
    "educators": "You design labs, awareness programmes and challenges that change how people "
    "behave, and you mentor new defenders.",
}

_SECONDARY_CLAUSE = {
    "builders": "you still enjoy building tools with your own hands",
    "leaders": "people look to you when a decision has to be made",
    "entrepreneurs": "you keep noticing problems worth turning into products",
    "researchers": "you dig until you understand why things break",
    "educators": "you make time to teach what you learn",
}

_TRACK_PERSON = {
    "builders": "builder",
    "leaders": "leader",
    "entrepreneurs": "entrepreneur",
    "researchers": "researcher",
    "educators": "educator",
}

# (track, category) -> a strength, phrased for the learner.
_STRENGTHS = {
    ("builders", "technical_aptitude"): "Hands-on technical instinct: you go to the root cause "
    "and fix it",
    ("builders", "problem_solving"): "Practical problem solving: you break problems down and "
    "build your way out",
    ("builders", "scenario_preferences"): "You gravitate to building: secure apps, clean "
    "rebuilds, working prototypes",
    ("builders", "work_style"): "Deep focus, and pride in systems that simply keep working",
    ("leaders", "technical_aptitude"): "You see the people side of technical problems: who owns "
    "what, and who decides",
    ("leaders", "problem_solving"): "Decisive under pressure: you weigh the risks and make the "
    "call with your team",
    ("leaders", "scenario_preferences"): "You step up to coordinate when things go wrong",
    ("leaders", "work_style"): "You take responsibility for results and bring people to a plan",
    ("entrepreneurs", "technical_aptitude"): "You spot the product hiding inside a technical "
    "problem",
    ("entrepreneurs", "problem_solving"): "You put effort where it creates the most value",
    ("entrepreneurs", "scenario_preferences"): "You like turning security into something "
    "people want",
    ("entrepreneurs", "work_style"): "Comfortable with uncertainty and quick to try new ideas",
    ("researchers", "technical_aptitude"): "Pattern-finding curiosity: you want to know exactly "
    "how things work",
    ("researchers", "problem_solving"): "Evidence first: you investigate before you conclude",
    ("researchers", "scenario_preferences"): "Drawn to investigation: malware, incidents and "
    "hidden flaws",
    ("researchers", "work_style"): "Patient, independent digging into hard questions",
    ("educators", "technical_aptitude"): "You turn technical puzzles into something others can "
    "learn from",
    ("educators", "problem_solving"): "You solve problems by making sure everyone understands them",
    ("educators", "scenario_preferences"): "You choose to change behaviour through teaching "
    "and training",
    ("educators", "work_style"): "Energised by helping people finally get it",
}

_GROWTH = {
    "builders": "Hands-on building: try a mission where you configure or code a defence yourself.",
    "leaders": "Leading and deciding: practise explaining a security trade-off to non-specialists.",
    "entrepreneurs": "Business sense: ask who would pay for a security fix, and why.",
    "researchers": "Investigation: practise digging into logs or a suspicious file before acting.",
    "educators": "Sharing knowledge: explain what you learn to someone newer than you.",
}

_CATEGORY_NAMES = {
    "technical_aptitude": "Technical Aptitude",
    "problem_solving": "Problem-Solving Style",
    "scenario_preferences": "Scenario Preferences",
    "work_style": "Work Style",
}


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _tracks_by_key(
    tracks_info: Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
) -> dict[str, Mapping[str, Any]]:
    if isinstance(tracks_info, Mapping):
        return {str(k): v for k, v in tracks_info.items()}
    return {str(t["key"]): t for t in tracks_info}


def build_persona(
    result: ProfileResult,
    tracks_info: Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
    nice_roles: Mapping[str, Sequence[Mapping[str, str]]],
) -> dict[str, Any]:
    """The Future-You persona for ``result``.

    ``tracks_info`` is tracks.json (a list of tracks with ``key``, ``name``, ``tagline``,
    ``focus`` and ``careers``, or the same keyed by track); ``nice_roles`` maps a track to its
    NICE Framework work roles (``profiler_bank.load_nice_roles()``).
    """
    tracks = _tracks_by_key(tracks_info)
    primary, secondary = result.primary_track, result.secondary_track
    info = tracks[primary]
    careers = [str(c) for c in info.get("careers", [])][:3]
    career = careers[0] if careers else "cybersecurity professional"

    if result.tie:
        closing = (
            f"Your answers fit {_join([TRACK_NAMES[t] for t in result.tie])} equally well, "
            "so this is one of several futures worth exploring."
        )
    elif result.confidence == "low":
        closing = (
            "Your answers spread across several tracks, so read this as one possible future, "
            "not a verdict."
        )
    else:
        tagline = str(info.get("tagline", "")).strip()
        closing = f"It started with the {TRACK_NAMES[primary]} track" + (
            f": {tagline[:1].lower()}{tagline[1:]}." if tagline else "."
        )
    narrative = " ".join(
        [
            f"A few years from now, you work as {_article(career)} {career} in cybersecurity.",
            _PRIMARY_SENTENCE[primary],
            f"Your {_TRACK_PERSON[secondary]} side shows too: {_SECONDARY_CLAUSE[secondary]}.",
            closing,
        ]
    )

    # Strengths: the categories where the learner's answers were strongest, each phrased for
    # the track that led that category.
    led = []
    for category, row in result.category_scores.items():
        leader = rank_tracks(row)[0]
        led.append((-row[leader], list(result.category_scores).index(category), leader, category))
    strengths = [_STRENGTHS[(track, cat)] for _, _, track, cat in sorted(led)][:3]
    for focus in info.get("focus", []):
        if len(strengths) >= 3:
            break
        strengths.append(f"Interest in {str(focus)[:1].lower()}{str(focus)[1:]}")

    # Growth areas: the two tracks the answers leaned away from most, plus the least
    # consistent category when the answers there pointed in different directions.
    growth = [_GROWTH[t] for t in result.ranking[-2:][::-1]]
    if result.category_consistency:
        weakest_cat = min(
            result.category_consistency,
            key=lambda c: (
                result.category_consistency[c],
                list(result.category_consistency).index(c),
            ),
        )
        if result.category_consistency[weakest_cat] < float(HIGH_CONSISTENCY):
            name = _CATEGORY_NAMES.get(weakest_cat, weakest_cat.replace("_", " ").title())
            growth.append(
                f"{name}: your answers here pointed in different directions; notice which of "
                "these situations give you energy."
            )

    roles = [
        {"name": str(r["name"]), "id": str(r["id"]), "category": str(r["category"])}
        for r in nice_roles.get(primary, [])
    ][:3]
    return {
        "track": primary,
        "secondary_track": secondary,
        "title": PERSONA_TITLES[primary],
        "narrative": narrative,
        "strengths": strengths,
        "growth_areas": growth,
        "careers": careers,
        "nice_work_roles": roles,
    }
