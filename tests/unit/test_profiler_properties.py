"""Properties of profiler scoring that must hold for every answer set (hypothesis)."""

from __future__ import annotations

import random
from fractions import Fraction
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services.ai.profiler_bank import (
    QuestionBank,
    load_bank,
    load_nice_roles,
    load_tracks_info,
)
from cyberhub.services.ai.profiler_scoring import (
    CONFIDENCE_LEVELS,
    build_persona,
    category_consistency,
    compute_track_scores,
    confidence_level,
    score_profile,
)

pytestmark = [pytest.mark.profiler]

BANK = load_bank()
N = len(BANK.questions)


@st.composite
def answer_sets(draw: st.DrawFn, min_answers: int = 0) -> dict[str, str]:
    """Any subset of the real bank's questions, each with any of its options."""
    picks = draw(st.lists(st.integers(0, 3), min_size=N, max_size=N))
    skipped = draw(st.sets(st.integers(0, N - 1), max_size=N - min_answers))
    return {
        q.id: q.options[i].id
        for n, (q, i) in enumerate(zip(BANK.questions, picks, strict=True))
        if n not in skipped
    }


def rank(level: str) -> int:
    return CONFIDENCE_LEVELS.index(level)


@lru_cache(maxsize=64)
def shuffled_bank(seed: int) -> QuestionBank:
    questions = list(BANK.questions)
    random.Random(seed).shuffle(questions)
    return QuestionBank.model_validate(
        {
            "version": BANK.version,
            "categories": [c.model_dump() for c in BANK.categories],
            "questions": [q.model_dump() for q in questions],
        }
    )


@settings(max_examples=150, deadline=None)
@given(answers=answer_sets(), order=st.randoms(use_true_random=False), seed=st.integers(0, 63))
def test_scores_do_not_depend_on_question_order(
    answers: dict[str, str], order: random.Random, seed: int
) -> None:
    items = list(answers.items())
    order.shuffle(items)
    reordered_answers = dict(items)
    baseline = score_profile(BANK, answers)
    assert score_profile(BANK, reordered_answers) == baseline
    other_bank = shuffled_bank(seed)
    assert compute_track_scores(other_bank, reordered_answers).exact == (
        compute_track_scores(BANK, answers).exact
    )
    assert score_profile(other_bank, answers).to_dict() == baseline.to_dict()


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets())
def test_scores_are_between_0_and_100(answers: dict[str, str]) -> None:
    ts = compute_track_scores(BANK, answers)
    assert all(0 <= ts.exact[t] <= 100 for t in TRACK_KEYS)
    result = score_profile(BANK, answers)
    assert all(0 <= v <= 100 for v in result.scores.values())
    assert 0 <= result.consistency <= 1 and 0 <= result.coverage <= 1


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets())
def test_primary_is_the_top_score_and_secondary_the_next(answers: dict[str, str]) -> None:
    result = score_profile(BANK, answers)
    exact = compute_track_scores(BANK, answers).exact
    assert exact[result.primary_track] == max(exact.values())
    rest = [exact[t] for t in TRACK_KEYS if t != result.primary_track]
    assert exact[result.secondary_track] == max(rest)
    assert result.scores[result.primary_track] == max(result.scores.values())
    if result.tie:
        assert result.primary_track in result.tie and result.secondary_track in result.tie
        assert result.confidence != "high"
    else:
        assert result.margin > 3 - 0.05  # outside the threshold (display rounding aside)


@settings(max_examples=100, deadline=None)
@given(answers=answer_sets())
def test_scoring_is_deterministic(answers: dict[str, str]) -> None:
    first = score_profile(BANK, answers)
    second = score_profile(BANK, dict(answers))
    assert first == second
    assert first.to_dict() == second.to_dict()
    tracks, roles = load_tracks_info(), load_nice_roles()
    assert build_persona(first, tracks, roles) == build_persona(second, tracks, roles)


components = st.fixed_dictionaries(
    {
        "differentiation": st.floats(0, 100),
        "margin": st.floats(0, 100),
        "consistency": st.floats(0, 1),
        "weakest_consistency": st.floats(0, 1),
        "coverage": st.floats(0, 1),
    }
)


@settings(max_examples=500)
@given(base=components, d_drop=st.floats(0, 100), m_drop=st.floats(0, 100))
def test_confidence_never_rises_when_differentiation_falls(
    base: dict[str, float], d_drop: float, m_drop: float
) -> None:
    lower = {
        **base,
        "differentiation": max(0.0, base["differentiation"] - d_drop),
        "margin": max(0.0, base["margin"] - m_drop),
    }
    assert rank(confidence_level(**lower)) <= rank(confidence_level(**base))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(answers=answer_sets(min_answers=N // 2), data=st.data())
def test_confidence_never_rises_for_a_less_differentiated_answer_set(
    answers: dict[str, str], data: st.DataObject
) -> None:
    # Pair: the same answers with a few changed. When consistency and coverage stay the
    # same and differentiation (and margin) fall, confidence must not rise.
    changed = dict(answers)
    for qid in data.draw(st.lists(st.sampled_from(sorted(answers)), min_size=1, max_size=4)):
        q = BANK.question(qid)
        assert q is not None
        changed[qid] = data.draw(st.sampled_from([o.id for o in q.options]))
    # Compared exactly: the result shows differentiation and margin rounded to 0.1, and two
    # answer sets can both show 20.0 either side of the threshold (19.96 low, 20.05 medium).
    a, b = _exact_components(answers), _exact_components(changed)
    if a[:2] < b[:2]:
        a, b = b, a
    assume(a[2:] == b[2:])  # the same consistency per category and the same coverage
    assume(b[0] <= a[0] and b[1] <= a[1])
    assert rank(b[4]) <= rank(a[4])


def _exact_components(
    answers: dict[str, str],
) -> tuple[Fraction, Fraction, dict[str, Fraction], Fraction, str]:
    """(differentiation, margin, consistency per category, coverage, confidence), exactly as
    score_profile computes them before rounding for display."""
    ts = compute_track_scores(BANK, answers)
    ranked = sorted(ts.exact.values(), reverse=True)
    differentiation = ranked[0] - sum(ranked[1:], Fraction(0)) / len(ranked[1:])
    coverage = Fraction(ts.answered, ts.total)
    return (
        differentiation,
        ranked[0] - ranked[1],
        category_consistency(ts),
        coverage,
        score_profile(BANK, answers).confidence,
    )
