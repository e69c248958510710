"""Profiler scoring with hand-computed expectations.

A tiny synthetic bank keeps the arithmetic checkable by hand: 12 questions, 3 per category
(Technical Aptitude 1.2: q1-q3, Problem-Solving 1.1: q4-q6, Scenario 1.0: q7-q9, Work Style
0.9: q10-q12), and every question has the same five options:

    a  builders 3, researchers 1        d  researchers 3, builders 1
    b  leaders 3, educators 1           e  entrepreneurs 3, leaders 1
    c  educators 3, leaders 1

Every track can earn at most 3 per question, so with all twelve answered each track's maximum
is 3 x (3 x 1.2 + 3 x 1.1 + 3 x 1.0 + 3 x 0.9) = 3 x 12.6 = 37.8 weighted points.
"""

from __future__ import annotations

import pytest

from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services.ai.profiler_bank import (
    load_bank,
    load_nice_roles,
    load_tracks_info,
    parse_bank,
)
from cyberhub.services.ai.profiler_scoring import (
    ProfileResult,
    build_persona,
    compute_track_scores,
    confidence_level,
    explain_confidence,
    score_profile,
)

pytestmark = [pytest.mark.profiler]

CATEGORIES = [
    ("technical_aptitude", 1.2),
    ("problem_solving", 1.1),
    ("scenario_preferences", 1.0),
    ("work_style", 0.9),
]
OPTIONS = {
    "a": {"builders": 3, "researchers": 1},
    "b": {"leaders": 3, "educators": 1},
    "c": {"educators": 3, "leaders": 1},
    "d": {"researchers": 3, "builders": 1},
    "e": {"entrepreneurs": 3, "leaders": 1},
}


def weights(partial: dict[str, int]) -> dict[str, int]:
    return {t: partial.get(t, 0) for t in TRACK_KEYS}


def tiny_bank_data(options: dict[str, dict[str, int]] = OPTIONS) -> dict:
    questions = []
    for n in range(1, 13):
        category = CATEGORIES[(n - 1) // 3][0]
        questions.append(
            {
                "id": f"q{n}",
                "category": category,
                "text": f"Synthetic question number {n} about a security situation?",
                "options": [
                    {"id": f"q{n}{letter}", "text": f"Option {letter}", "weights": weights(w)}
                    for letter, w in options.items()
                ],
            }
        )
    return {
        "version": "test",
        "categories": [{"key": k, "name": k.title(), "weight": w} for k, w in CATEGORIES],
        "questions": questions,
    }


BANK = parse_bank(tiny_bank_data(), min_questions=1)


def answers(pattern: str) -> dict[str, str]:
    """'abc' -> {q1: q1a, q2: q2b, q3: q3c}; '.' skips a question."""
    return {f"q{n}": f"q{n}{ch}" for n, ch in enumerate(pattern, start=1) if ch != "."}


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-9)


class TestHandComputedPatterns:
    def test_clear_builder_with_one_off_answer(self) -> None:
        # a everywhere, d on q12 (work style 0.9).
        # builders: 3 x (12.6 - 0.9) + 1 x 0.9 = 36.0 ; researchers: 1 x 11.7 + 3 x 0.9 = 14.4
        result = score_profile(BANK, answers("aaaaaaaaaaad"))
        ts = compute_track_scores(BANK, answers("aaaaaaaaaaad"))
        assert ts.scores == {
            "builders": approx(100 * 36.0 / 37.8),  # 95.24
            "leaders": 0,
            "entrepreneurs": 0,
            "researchers": approx(100 * 14.4 / 37.8),  # 38.10
            "educators": 0,
        }
        assert result.scores == {
            "builders": 95.2,
            "leaders": 0.0,
            "entrepreneurs": 0.0,
            "researchers": 38.1,
            "educators": 0.0,
        }
        assert result.primary_track == "builders"
        assert result.secondary_track == "researchers"
        assert result.ranking == (
            "builders",
            "researchers",
            "leaders",
            "entrepreneurs",
            "educators",
        )
        assert result.tie == ()
        # differentiation = 95.24 - 38.10 / 4 = 100 x (36 - 3.6) / 37.8 = 85.71
        assert result.differentiation == round(100 * 32.4 / 37.8, 1) == 85.7
        assert result.margin == round(100 * 21.6 / 37.8, 1) == 57.1
        # Work style: q10 a, q11 a, q12 d -> 2 of 3 agree; the other categories 3 of 3.
        assert result.category_consistency == {
            "technical_aptitude": 1.0,
            "problem_solving": 1.0,
            "scenario_preferences": 1.0,
            "work_style": 0.667,
        }
        assert result.consistency == 0.917  # (1 + 1 + 1 + 2/3) / 4 = 11/12
        assert result.weakest_consistency == 0.667
        assert result.confidence == "high"

    def test_leader_educator_tie_is_reported_not_broken(self) -> None:
        # b on q1 q4 q5 q7 q10 q11 (weights 1.2+1.1+1.1+1.0+0.9+0.9 = 6.2)
        # c on q2 q3 q6 q8 q9 q12 (weights 1.2+1.2+1.1+1.0+1.0+0.9 = 6.4)
        # leaders  = 3 x 6.2 + 1 x 6.4 = 25.0 -> 66.14
        # educators = 1 x 6.2 + 3 x 6.4 = 25.4 -> 67.20   (0.4 / 37.8 x 100 = 1.06 apart)
        result = score_profile(BANK, answers("bccbbcbccbbc"))
        assert result.scores == {
            "builders": 0.0,
            "leaders": round(100 * 25.0 / 37.8, 1),
            "entrepreneurs": 0.0,
            "researchers": 0.0,
            "educators": round(100 * 25.4 / 37.8, 1),
        }
        assert result.scores["leaders"] == 66.1 and result.scores["educators"] == 67.2
        assert result.tie == ("leaders", "educators")  # canonical order, both named
        assert result.primary_track == "educators"
        assert result.secondary_track == "leaders"
        assert result.margin == round(100 * 0.4 / 37.8, 1) == 1.1
        # differentiation = 100 x (25.4 - 25.0 / 4) / 37.8 = 50.66
        assert result.differentiation == 50.7
        assert result.consistency == 0.667  # every category: 2 of 3 answers agree
        # Strong differentiation and consistency, but a tie caps confidence at medium.
        assert result.confidence == "medium"
        assert explain_confidence(result.confidence, result.tie) == (
            "Your answers fit Leaders and Educators equally well; try a mission from each, "
            "or retake."
        )
        assert result.to_dict()["tie"] == ["leaders", "educators"]

    def test_flat_profile_is_low_confidence(self) -> None:
        # a on q1 q6 q11 (3.2), b on q2 q7 q12 (3.1), c on q3 q8 (2.2), d on q4 q9 (2.1),
        # e on q5 q10 (2.0):
        # builders 3x3.2 + 2.1 = 11.7   leaders 3x3.1 + 2.2 + 2.0 = 13.5   entrepreneurs 3x2.0 = 6.0
        # researchers 3.2 + 3x2.1 = 9.5   educators 3.1 + 3x2.2 = 9.7
        result = score_profile(BANK, answers("abcdeabcdeab"))
        assert result.scores == {
            "builders": round(100 * 11.7 / 37.8, 1),  # 31.0
            "leaders": round(100 * 13.5 / 37.8, 1),  # 35.7
            "entrepreneurs": round(100 * 6.0 / 37.8, 1),  # 15.9
            "researchers": round(100 * 9.5 / 37.8, 1),  # 25.1
            "educators": round(100 * 9.7 / 37.8, 1),  # 25.7
        }
        assert result.primary_track == "leaders"
        assert result.secondary_track == "builders"
        assert result.tie == ()  # 4.76 points apart: close, but outside the tie threshold
        assert result.margin == round(100 * 1.8 / 37.8, 1) == 4.8
        # 13.5 - (11.7 + 6.0 + 9.5 + 9.7) / 4 = 4.275 -> 11.31
        assert result.differentiation == 11.3
        assert result.consistency == 0.333  # every category: three answers, three tracks
        assert result.confidence == "low"
        assert explain_confidence("low") == "Your answers fit several tracks; consider a retake."

    def test_clear_researcher_with_scattered_work_style_is_medium(self) -> None:
        # d on q1-q9 (weights 9.9): researchers 29.7, builders 9.9
        # q10 a: builders +2.7, researchers +0.9 ; q11 b: leaders +2.7, educators +0.9
        # q12 e: entrepreneurs +2.7, leaders +0.9
        result = score_profile(BANK, answers("dddddddddabe"))
        assert result.scores == {
            "builders": round(100 * 12.6 / 37.8, 1),  # 33.3
            "leaders": round(100 * 3.6 / 37.8, 1),  # 9.5
            "entrepreneurs": round(100 * 2.7 / 37.8, 1),  # 7.1
            "researchers": round(100 * 30.6 / 37.8, 1),  # 81.0
            "educators": round(100 * 0.9 / 37.8, 1),  # 2.4
        }
        assert result.primary_track == "researchers"
        assert result.secondary_track == "builders"
        # 30.6 - (12.6 + 3.6 + 2.7 + 0.9) / 4 = 25.65 -> 67.86 ; margin 18.0 -> 47.62
        assert result.differentiation == 67.9
        assert result.margin == 47.6
        assert result.category_consistency["work_style"] == 0.333
        assert result.consistency == 0.833  # (1 + 1 + 1 + 1/3) / 4
        assert result.weakest_consistency == 0.333
        # Differentiation alone would say high; the scattered work-style answers hold it back.
        assert result.confidence == "medium"

    def test_partial_answers_are_scored_on_what_was_answered(self) -> None:
        # q1 a (1.2), q4 a (1.1), q7 d (1.0): max per track 3 x 3.3 = 9.9
        # builders 3 x 2.3 + 1 x 1.0 = 7.9 ; researchers 1 x 2.3 + 3 x 1.0 = 5.3
        result = score_profile(BANK, {"q1": "q1a", "q4": "q4a", "q7": "q7d"})
        assert result.scores["builders"] == round(100 * 7.9 / 9.9, 1) == 79.8
        assert result.scores["researchers"] == round(100 * 5.3 / 9.9, 1) == 53.5
        assert result.scores["leaders"] == 0.0
        assert (result.answered, result.total, result.coverage) == (3, 12, 0.25)
        assert result.differentiation == round(100 * (7.9 - 5.3 / 4) / 9.9, 1) == 66.4
        # Only answered categories count towards consistency.
        assert set(result.category_consistency) == {
            "technical_aptitude",
            "problem_solving",
            "scenario_preferences",
        }
        # A quarter of the questions is too little to be sure of anything.
        assert result.confidence == "low"

    def test_three_quarters_answered_caps_at_medium(self) -> None:
        # a on q1-q9: builders 100, researchers 33.3; everything else about it says "high".
        result = score_profile(BANK, answers("aaaaaaaaa"))
        assert result.scores["builders"] == 100.0
        assert result.scores["researchers"] == round(100 / 3, 1)
        assert result.coverage == 0.75
        assert result.confidence == "medium"

    def test_each_track_is_normalised_by_its_own_maximum(self) -> None:
        # q12 offers only a and b, so entrepreneurs can earn nothing there (max 0) and
        # educators at most 1.
        data = tiny_bank_data()
        data["questions"][11]["options"] = data["questions"][11]["options"][:2]
        bank = parse_bank(data, min_questions=1)
        result = compute_track_scores(bank, answers("eeeeeeeeeeeb"))
        # entrepreneurs: 3 x 11.7 / (3 x 11.7)  (q12 not in its maximum)
        assert result.scores["entrepreneurs"] == approx(100.0)
        # leaders: 1 x 11.7 (e) + 3 x 0.9 (b) = 14.4 out of 3 x 12.6
        assert result.scores["leaders"] == approx(100 * 14.4 / 37.8)
        # educators: 1 x 0.9 out of 3 x 11.7 + 1 x 0.9 = 36.0
        assert result.scores["educators"] == approx(2.5)

    def test_no_answers_is_an_all_way_tie_with_low_confidence(self) -> None:
        result = score_profile(BANK, {})
        assert set(result.scores.values()) == {0.0}
        assert result.tie == TRACK_KEYS
        assert result.primary_track == "builders"  # canonical order, for display only
        assert result.confidence == "low"
        assert result.consistency == 0.0


class TestBadInput:
    def test_unknown_question_id_is_named(self) -> None:
        with pytest.raises(ValueError, match="Unknown question id 'q99'"):
            compute_track_scores(BANK, {"q1": "q1a", "q99": "q99a"})

    def test_option_of_another_question_is_named(self) -> None:
        with pytest.raises(ValueError, match="Unknown option id 'q2a' for question 'q1'"):
            score_profile(BANK, {"q1": "q2a"})

    def test_unknown_confidence_level(self) -> None:
        with pytest.raises(ValueError, match="Unknown confidence level"):
            explain_confidence("certain")


class TestConfidenceRule:
    BASE = {
        "differentiation": 30,
        "margin": 10,
        "consistency": 0.6,
        "weakest_consistency": 0.4,
        "coverage": 1,
    }

    def test_thresholds(self) -> None:
        assert confidence_level(**self.BASE) == "high"
        for key, lower in [
            ("differentiation", 29.9),
            ("margin", 9.9),
            ("consistency", 0.59),
            ("weakest_consistency", 0.39),
            ("coverage", 0.95),
        ]:
            assert confidence_level(**{**self.BASE, key: lower}) == "medium", key
        assert confidence_level(**{**self.BASE, "differentiation": 19.9}) == "low"
        assert confidence_level(**{**self.BASE, "consistency": 0.44}) == "low"
        assert confidence_level(**{**self.BASE, "coverage": 0.49}) == "low"

    def test_a_tie_never_reaches_high(self) -> None:
        assert confidence_level(**{**self.BASE, "differentiation": 90, "margin": 3}) == "medium"


class TestRealBank:
    bank = load_bank()

    def best_for(self, track: str) -> dict[str, str]:
        """For each question, the option that favours ``track`` most over the other tracks."""
        chosen = {}
        for q in self.bank.questions:
            best = max(
                q.options,
                key=lambda o: (
                    o.weights[track] - max(v for t, v in o.weights.items() if t != track),
                    o.weights[track],
                ),
            )
            chosen[q.id] = best.id
        return chosen

    @pytest.mark.parametrize("track", TRACK_KEYS)
    def test_each_track_has_a_clear_high_confidence_pattern(self, track: str) -> None:
        result = score_profile(self.bank, self.best_for(track))
        assert result.primary_track == track
        assert result.scores[track] == 100.0
        assert result.tie == ()
        assert result.confidence == "high"

    def test_rotating_through_the_tracks_is_low(self) -> None:
        tracks = [self.best_for(t) for t in TRACK_KEYS]
        mixed = {q.id: tracks[i % 5][q.id] for i, q in enumerate(self.bank.questions)}
        result = score_profile(self.bank, mixed)
        assert result.confidence == "low"
        assert max(result.scores.values()) < 40

    def test_researcher_with_scattered_work_style_is_medium(self) -> None:
        chosen = self.best_for("researchers")
        # Work style: builders, leaders, entrepreneurs, educators, researchers: five answers,
        # five different tracks.
        chosen.update({"q16": "q16a", "q17": "q17c", "q18": "q18c", "q19": "q19c", "q20": "q20c"})
        result = score_profile(self.bank, chosen)
        assert result.primary_track == "researchers"
        assert result.category_consistency["work_style"] == 0.2
        assert result.confidence == "medium"

    def test_reasoning_names_the_answers_that_moved_each_track(self) -> None:
        result = score_profile(self.bank, self.best_for("builders"))
        text = result.reasoning["builders"]
        assert text.startswith("Builders 100/100: most from “")
        assert "“Open the task manager" in text  # q01a, weight 3 x 1.2: the biggest push
        assert text.count("→") == 2
        assert result.reasoning["educators"] == (
            f"Educators {result.scores['educators']:.0f}/100: none of your answers leaned this way."
        )

    def test_results_dict_follows_the_api_contract(self) -> None:
        data = score_profile(self.bank, self.best_for("leaders")).to_dict()
        assert {"primary_track", "secondary_track", "confidence", "scores", "reasoning"} <= set(
            data
        )
        assert list(data["scores"]) == list(TRACK_KEYS)
        assert list(data["reasoning"]) == list(TRACK_KEYS)
        assert data["confidence"] in {"high", "medium", "low"}
        assert set(data["components"]) >= {"differentiation", "margin", "consistency"}


class TestPersona:
    bank = load_bank()
    tracks = load_tracks_info()
    roles = load_nice_roles()

    def persona(self, answer_map: dict[str, str]) -> tuple[dict, ProfileResult]:
        result = score_profile(self.bank, answer_map)
        return build_persona(result, self.tracks, self.roles), result

    def test_persona_for_a_clear_builder(self) -> None:
        chosen = TestRealBank().best_for("builders")
        persona, result = self.persona(chosen)
        assert persona["track"] == "builders"
        assert persona["title"] == "Future You: a Security Engineer who ships hardened systems"
        assert persona["careers"] == ["Software Engineer", "DevOps Engineer", "Technical Lead"]
        assert persona["nice_work_roles"][0] == {
            "name": "Secure Software Development",
            "id": "DD-WRL-003",
            "category": "Design and Development",
        }
        assert len(persona["nice_work_roles"]) == 3
        assert len(persona["strengths"]) == 3
        assert len(set(persona["strengths"])) == 3
        assert 2 <= len(persona["growth_areas"]) <= 3
        sentences = [s for s in persona["narrative"].split(". ") if s]
        assert 3 <= len(sentences) <= 4
        assert "Software Engineer" in persona["narrative"]
        secondary_word = result.secondary_track.removesuffix("s")
        assert f"Your {secondary_word} side" in persona["narrative"]

    def test_persona_mentions_a_tie(self) -> None:
        result = score_profile(BANK, answers("bccbbcbccbbc"))
        persona = build_persona(result, self.tracks, self.roles)
        assert "Leaders and Educators equally well" in persona["narrative"]
        assert persona["track"] == "educators"
        assert persona["careers"] == ["Technical Trainer", "Engineering Mentor", "Learning Lead"]
        assert [r["id"] for r in persona["nice_work_roles"]] == [
            "OG-WRL-005",
            "OG-WRL-004",
            "OG-WRL-003",
        ]

    def test_growth_areas_come_from_the_weakest_tracks_and_scattered_category(self) -> None:
        result = score_profile(BANK, answers("dddddddddabe"))
        persona = build_persona(result, self.tracks, self.roles)
        # Lowest two: educators (2.4), entrepreneurs (7.1); work style was scattered.
        assert persona["growth_areas"][0].startswith("Sharing knowledge")
        assert persona["growth_areas"][1].startswith("Business sense")
        assert persona["growth_areas"][2].startswith("Work Style:")
