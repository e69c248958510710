"""The judged recommendation set of issue 14 (bench/recs_judged/) is whole and consistent, and
the metrics bench/recs_quality.py reports compute what they claim on a hand-worked example."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _recs_judged import (  # noqa: E402
    HALVES,
    MISSION_FIELDS,
    TRACKS,
    JudgedSet,
    load_judged_set,
    locked,
    ndcg_at_k,
    overlap,
    recall_at_k,
    startable,
    startable_ceiling,
)


@pytest.fixture(scope="module")
def judged() -> JudgedSet:
    return load_judged_set()


# --- the data -----------------------------------------------------------------------------------


def test_catalog_has_demo_plus_seventy_complete_missions(judged: JudgedSet) -> None:
    slugs = [m["slug"] for m in judged.missions]
    assert len(slugs) >= 100
    assert len(slugs) - 35 >= 70
    assert len(set(slugs)) == len(slugs), "a slug is used twice"
    for m in judged.missions:
        missing = [f for f in MISSION_FIELDS if f not in m]
        assert not missing, f"{m.get('slug')}: missing {missing}"
        assert m["track"] in TRACKS, m["slug"]
        assert m["difficulty"] in (1, 2, 3, 4, 5), m["slug"]
        assert m["title"] and m["summary"] and m["skills"], m["slug"]
        assert len(m["slug"]) <= 120 and len(m["title"]) <= 200 and len(m["summary"]) <= 400
        assert isinstance(m["estimated_minutes"], int) and m["estimated_minutes"] > 0
        for heading in ("**What to do**", "**What to hand in**", "**How it will be judged**"):
            assert heading in m["brief"], f"{m['slug']}: brief lacks {heading}"
        assert m["rubric"] and sum(c["points"] for c in m["rubric"]) == 100, m["slug"]
        assert all({"key", "title", "description", "points"} <= set(c) for c in m["rubric"])
        assert m["hints"], m["slug"]


def test_every_track_and_difficulty_is_covered(judged: JudgedSet) -> None:
    for track in TRACKS:
        levels = {m["difficulty"] for m in judged.missions if m["track"] == track}
        assert levels == {1, 2, 3, 4, 5}, f"{track} lacks levels {set(range(1, 6)) - levels}"


def test_prerequisites_exist_and_form_no_cycle(judged: JudgedSet) -> None:
    by_slug = judged.by_slug()
    for m in judged.missions:
        for p in m["prerequisites"]:
            assert p in by_slug, f"{m['slug']}: unknown prerequisite {p}"
            assert p != m["slug"]
    done: set[str] = set()
    pending = dict(by_slug)
    while pending:  # peel missions whose prerequisites are all peeled: a cycle never empties
        ready = [s for s, m in pending.items() if set(m["prerequisites"]) <= done]
        assert ready, f"prerequisite cycle among {sorted(pending)}"
        done.update(ready)
        for s in ready:
            del pending[s]


def test_personas_are_complete_and_split_in_two_halves(judged: JudgedSet) -> None:
    assert len(judged.personas) >= 30
    ids = [p.id for p in judged.personas]
    assert len(set(ids)) == len(ids)
    for half in HALVES:
        assert judged.half(half), f"the {half} half is empty"
    assert {p.half for p in judged.personas} <= set(HALVES)
    by_slug = judged.by_slug()
    for p in judged.personas:
        assert p.track in TRACKS, p.id
        assert 1 <= len(p.goals) <= 2 and all(g.strip() for g in p.goals), p.id
        assert len(p.completed) <= 3, p.id
        for i, slug in enumerate(p.completed):
            # Completed in order through the real services: each one's prerequisites first.
            assert slug in by_slug, f"{p.id}: unknown completed mission {slug}"
            assert set(by_slug[slug]["prerequisites"]) <= set(p.completed[:i]), (p.id, slug)
    assert sum(p.from_issue for p in judged.personas) == 6


def test_judgments_reference_real_missions_and_grades(judged: JudgedSet) -> None:
    by_slug = judged.by_slug()
    for p in judged.personas:
        assert p.judgments, f"{p.id} has no judgments"
        for slug, grade in p.judgments.items():
            assert slug in by_slug, f"{p.id}: unknown mission {slug}"
            assert grade in (0, 1, 2, 3), (p.id, slug, grade)
        relevant = [s for s, g in p.graded().items() if g >= 2]
        assert len(relevant) >= 3, f"{p.id}: only {len(relevant)} missions judged >= 2"
        assert 3 in p.graded().values(), f"{p.id}: nothing judged exactly what they asked for"


def test_contrast_pairs_share_a_track_but_not_a_goal(judged: JudgedSet) -> None:
    by_id = {p.id: p for p in judged.personas}
    assert len(judged.contrast_pairs) >= 5
    for a, b in judged.contrast_pairs:
        pa, pb = by_id[a], by_id[b]
        assert pa.track == pb.track, (a, b)
        assert not set(pa.goals) & set(pb.goals), (a, b)
        top_a = {s for s, g in pa.graded().items() if g == 3}
        top_b = {s for s, g in pb.graded().items() if g == 3}
        assert not top_a & top_b, f"{a} and {b} want the same missions: {top_a & top_b}"
    # The issue's SOC analyst and malware researcher are one of them.
    assert ("res-soc-analyst", "res-malware-yara-fuzzing") in judged.contrast_pairs


# --- the metrics, on a hand-worked example --------------------------------------------------------


def test_ndcg_and_recall_match_a_hand_computed_example() -> None:
    grades = {"a": 3, "b": 2, "c": 1, "d": 2}
    ranked = ["b", "x", "a", "c"]
    # DCG = 2/log2(2) + 0/log2(3) + 3/log2(4) + 1/log2(5) = 2 + 0 + 1.5 + 0.43068 = 3.93068
    # ideal (3, 2, 2, 1) = 3 + 2/log2(3) + 2/2 + 1/log2(5) = 3 + 1.26186 + 1 + 0.43068 = 5.69254
    assert ndcg_at_k(ranked, grades) == pytest.approx(3.93068 / 5.69254, abs=1e-4)
    # At k=2 only "b" counts: 2 / (3 + 2 / log2(3)).
    assert ndcg_at_k(ranked, grades, k=2) == pytest.approx(2 / (3 + 2 / math.log2(3)))
    assert ndcg_at_k(["a", "b", "d", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], grades) == 0.0
    assert ndcg_at_k(ranked, {}) == 0.0
    # Relevant (>= 2): a, b, d; the list finds a and b.
    assert recall_at_k(ranked, grades) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, grades, k=1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, {"c": 1}) == 0.0


def test_locked_and_overlap() -> None:
    prereqs = {"b": ["a"], "c": ["a", "b"], "d": []}
    assert locked(["b", "c", "d"], prereqs, done=set()) == 2
    assert locked(["b", "c", "d"], prereqs, done={"a"}) == 1
    assert locked(["b", "c", "d"], prereqs, done={"a", "b"}) == 0
    assert overlap(["a", "b", "c"], ["c", "b", "z"]) == 2
    assert overlap(["a", "b", "c"], ["c", "b", "z"], k=1) == 0


def test_startable_views_leave_locked_missions_out() -> None:
    prereqs = {"b": ["a"], "c": ["x"]}
    assert startable(["a", "b", "c", "d"], prereqs, {"a"}) == ["a", "b", "d"]
    grades = {"c": 3, "d": 2}  # the best mission is locked (its prerequisite x is not done)
    ceiling = startable_ceiling(grades, prereqs, set())
    assert ceiling == pytest.approx((2 / math.log2(2)) / (3 / math.log2(2) + 2 / math.log2(3)))
    assert startable_ceiling({"d": 2}, prereqs, set()) == pytest.approx(1.0)
