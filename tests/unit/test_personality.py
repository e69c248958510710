"""The work-style analysis's pure core (services/ai/personality.py) with a tiny keyword embedder:
every text is a vector of keyword counts, so which pole a text leans to — and why — is obvious."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cyberhub.services.ai import personality as P
from cyberhub.services.ai.personality import Dimension, Item, Sources
from cyberhub.services.ai.profiler_bank import load_bank

pytestmark = [pytest.mark.ai]


class KeywordEmbedder:
    """One axis per keyword (its count in the text) plus a small constant one (never a zero
    vector), normalized."""

    name = "keyword-fake"
    WORDS = ("hands", "theory", "team", "alone")
    dimensions = len(WORDS) + 1

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            low = text.lower()
            v = [float(low.count(w)) for w in self.WORDS] + [0.1]
            norm = math.sqrt(sum(x * x for x in v))
            out.append([x / norm for x in v])
        return out


def dim(key: str, high: str, low: str, high_word: str, low_word: str) -> Dimension:
    return Dimension(
        key=key,
        high=high,
        low=low,
        high_poles=(high_word,),
        low_poles=(low_word,),
        high_sentence=f"You lean {high}.",
        low_sentence=f"You lean {low}.",
        balanced_sentence="You are balanced.",
        ask=f"being {high} or {low}",
    )


DIMS = (
    dim("hands_on", "hands-on", "conceptual", "hands", "theory"),
    dim("collaborative", "collaborative", "independent", "team", "alone"),
)
# A balanced baseline (the question bank's role): as much of each pole as of the other.
BASELINE = ["hands", "theory", "team", "alone", "nothing in particular"]


def analyse(items: list[Item]) -> dict[str, dict]:
    e = KeywordEmbedder()
    cal = P.calibrate(e, BASELINE, DIMS)
    return {d.key: d.model_dump() for d in P.score_items(items, e, cal, DIMS)}


def answer(text: str, question: str = "What do you do?") -> Item:
    return Item(source="profiler", text=text, question=question)


def reflection(text: str, note_id: int = 1) -> Item:
    return Item(source="reflection", text=text, note_id=note_id)


class TestScores:
    def test_hands_on_answers_lean_hands_on_with_those_answers_as_evidence(self) -> None:
        out = analyse(
            [
                answer("Get my hands on the laptop and fix it", "A laptop is slow."),
                answer("Something unrelated"),
                reflection("I learn with my hands, in the lab.", note_id=7),
            ]
        )
        hands = out["hands_on"]
        assert 60 <= hands["score"] < 80
        assert hands["label"] == "Leans hands-on" and hands["confidence"] == "low"
        assert hands["evidence_items"] == hands["agreeing_items"] == 2
        assert hands["description"] == "You lean hands-on."
        ev = hands["evidence"]
        assert [e["source"] for e in ev] == ["profiler", "reflection"]
        assert ev[0]["question"] == "A laptop is slow."
        assert ev[0]["answer"] == "Get my hands on the laptop and fix it"
        assert ev[1]["excerpt"] == "I learn with my hands, in the lab." and ev[1]["note_id"] == 7
        assert all(e["towards"] == "hands-on" and e["strength"] > 0 for e in ev)
        # The unrelated answer pulls nowhere, so it is not evidence.
        assert "Something unrelated" not in str(ev)
        # Nothing here speaks to teamwork: not "Balanced" (that would claim evidence both ways)
        # but honestly unknown, with what to write about.
        team = out["collaborative"]
        assert team["label"] == P.NOT_ENOUGH and team["confidence"] == "none"
        assert team["score"] == 50 and team["evidence"] == [] and team["evidence_items"] == 0
        assert "being collaborative or independent" in team["description"]

    def test_an_item_moves_only_the_dimensions_it_is_about(self) -> None:
        out = analyse([reflection("hands hands, my hands"), reflection("hands-on lab work")])
        assert out["hands_on"]["label"] == "Leans hands-on"
        assert out["collaborative"]["evidence_items"] == 0

    def test_score_follows_the_formula(self) -> None:
        e = KeywordEmbedder()
        cal = P.calibrate(e, BASELINE, DIMS)
        items = [answer("hands"), answer("theory theory"), answer("hands hands")]
        [hands, _] = P.score_items(items, e, cal, DIMS)
        vs = [float(v) for v in P.votes(items, e, cal)[:, 0] if v != 0]
        assert all(-1 <= v <= 1 for v in vs) and len(vs) == 3
        assert hands.score == round(50 + 50 * sum(vs) / (len(vs) + P.PRIOR_ITEMS))

    def test_many_agreeing_items_make_a_strong_lean_with_high_confidence(self) -> None:
        out = analyse([reflection(f"Alone again, alone at night ({i}).") for i in range(12)])
        team = out["collaborative"]
        assert team["score"] <= 20 and team["label"] == "Strongly independent"
        assert team["confidence"] == "high" and team["agreeing_items"] == 12
        assert len(team["evidence"]) == P.MAX_EVIDENCE
        assert all(e["towards"] == "independent" and e["strength"] < 0 for e in team["evidence"])

    def test_evidence_is_the_strongest_first(self) -> None:
        out = analyse(
            [
                answer("hands and some theory"),
                answer("hands hands hands"),
                answer("hands"),
                answer("hands, hands and a team"),
                answer("plain"),
            ]
        )
        ev = [e["answer"] for e in out["hands_on"]["evidence"]]
        assert ev[0] in ("hands hands hands", "hands")  # pure hands: the strongest pull
        assert "hands and some theory" not in ev  # the weakest pull is the one left out
        strengths = [e["strength"] for e in out["hands_on"]["evidence"]]
        assert strengths == sorted(strengths, reverse=True)

    def test_balanced_means_evidence_both_ways_and_shows_it(self) -> None:
        out = analyse([answer("hands in the lab"), answer("theory first")])
        hands = out["hands_on"]
        assert hands["label"] == "Balanced" and hands["score"] == 50
        assert hands["description"] == "You are balanced."
        assert {e["towards"] for e in hands["evidence"]} == {"hands-on", "conceptual"}

    def test_one_item_is_not_enough_and_few_items_cannot_make_a_strong_lean(self) -> None:
        one = analyse([reflection("hands hands hands")])["hands_on"]
        assert one["label"] == P.NOT_ENOUGH and one["score"] == 50
        assert [e["excerpt"] for e in one["evidence"]] == ["hands hands hands"]
        two = analyse([reflection("hands hands hands"), reflection("hands, hands")])["hands_on"]
        assert two["label"] == "Leans hands-on" and two["confidence"] == "low"

    def test_mixed_evidence_lowers_the_confidence(self) -> None:
        items = [reflection(f"hands on {i}") for i in range(6)]
        agreeing = analyse(items)["hands_on"]
        mixed = analyse([*items, reflection("theory, theory"), reflection("theory")])["hands_on"]
        assert agreeing["confidence"] == "medium" and agreeing["label"] == "Strongly hands-on"
        assert mixed["label"] == "Leans hands-on" and mixed["confidence"] == "low"
        assert (mixed["evidence_items"], mixed["agreeing_items"]) == (8, 6)

    def test_deterministic(self) -> None:
        items = [answer("hands on"), reflection("a team of two, alone otherwise")]
        assert analyse(items) == analyse(items)

    def test_no_items_no_dimensions(self) -> None:
        e = KeywordEmbedder()
        assert P.score_items([], e, P.calibrate(e, BASELINE, DIMS), DIMS) == []

    def test_verdicts(self) -> None:
        d = DIMS[0]
        v = P.verdict
        assert v(d, np.array([1.0, 0, 0])).label == P.NOT_ENOUGH
        assert v(d, np.array([1.0, -1.0, 0.5, -0.5])).label == "Balanced"
        assert v(d, np.array([1.0, 1.0])) == P.Verdict(75, "Leans hands-on", "low", 2, 2)
        assert v(d, np.array([-1.0] * 8)).label == "Strongly conceptual"
        assert v(d, np.array([-1.0] * 8)).confidence == "high"


class TestCalibration:
    def test_answers_reuse_the_bank_vectors_and_the_cache_is_per_embedder(self) -> None:
        P._cache.clear()
        bank = load_bank("1")
        e = KeywordEmbedder()
        cal = P.calibration_for(e, bank)
        assert P.calibration_for(e, bank) is cal
        assert len(e.calls) == 1  # anchors + every option, once
        option = bank.questions[0].options[0].text
        P.score_items([answer(option)], e, cal)
        assert len(e.calls) == 1  # a profiler answer needs no new encode
        P.score_items([reflection("hands on")], e, cal)
        assert e.calls[-1] == ["hands on"]

        other = KeywordEmbedder()
        other.name = "another-model"
        assert P.calibration_for(other, bank) is not cal
        assert len(other.calls) == 1
        P._cache.clear()

    def test_a_constant_bias_towards_one_pole_is_removed(self) -> None:
        # Every baseline text leans "hands" a little: that is the model's bias, not the
        # learner's, so the baseline itself does not lean.
        e = KeywordEmbedder()
        baseline = [
            "hands theory theory",
            "theory hands hands",
            "hands plain",
            "theory plain",
            "hands",
        ]
        cal = P.calibrate(e, baseline, DIMS)
        assert cal.bias[0] > 0
        [hands, _] = P.score_items([answer(t) for t in baseline], e, cal, DIMS)
        assert not hands.label.startswith("Strongly") and abs(hands.score - 50) < 10


class TestDefaultDimensions:
    def test_five_dimensions_each_with_two_described_poles(self) -> None:
        assert 4 <= len(P.DIMENSIONS) <= 5
        assert len({d.key for d in P.DIMENSIONS}) == len(P.DIMENSIONS)
        for d in P.DIMENSIONS:
            assert d.high_poles and d.low_poles and d.high != d.low
            assert all(s.endswith(".") for s in (d.high_sentence, d.low_sentence))
            assert d.balanced_sentence

    def test_every_dimension_is_scored_on_the_real_bank(self) -> None:
        bank = load_bank("1")
        e = KeywordEmbedder()
        items = Sources(
            bank=bank, answers=[(q.id, q.options[0].id) for q in bank.questions], reflections=[]
        ).items()
        out = P.score_items(
            items, e, P.calibrate(e, [o.text for q in bank.questions for o in q.options])
        )
        assert [d.key for d in out] == [d.key for d in P.DIMENSIONS]
        assert all(0 <= d.score <= 100 and d.model == "keyword-fake" for d in out)


class TestSources:
    def test_items_carry_question_and_chosen_option(self) -> None:
        bank = load_bank("1")
        q = bank.questions[0]
        src = Sources(
            bank=bank,
            answers=[(q.id, q.options[1].id)],
            reflections=[(3, "Short. I like the lab work best.")],
        )
        items = src.items()
        assert items[0] == Item(source="profiler", text=q.options[1].text, question=q.text)
        # "Short." is too short to say anything; the real sentence is kept.
        assert items[1:] == [Item(source="reflection", text="I like the lab work best.", note_id=3)]

    def test_unknown_answers_are_skipped(self) -> None:
        src = Sources(bank=load_bank("1"), answers=[("q99", "zz")], reflections=[])
        assert src.items() == [] and not src.empty

    def test_digest_changes_with_any_source(self) -> None:
        bank = load_bank("1")
        base = Sources(
            bank=bank, answers=[("q01", "q01a")], reflections=[(1, "I like labs a lot.")]
        )
        same = Sources(
            bank=bank, answers=[("q01", "q01a")], reflections=[(1, "I like labs a lot.")]
        )
        assert base.digest == same.digest
        assert (
            base.digest
            != Sources(
                bank=bank, answers=[("q01", "q01b")], reflections=[(1, "I like labs a lot.")]
            ).digest
        )
        assert (
            base.digest
            != Sources(
                bank=bank, answers=[("q01", "q01a")], reflections=[(1, "I like labs.")]
            ).digest
        )
        assert base.digest != Sources(bank=bank, answers=[("q01", "q01a")], reflections=[]).digest

    def test_sentences(self) -> None:
        body = "First one here! Second sentence, longer.\nThird line without a stop\nOk."
        assert P.sentences(body) == [
            "First one here!",
            "Second sentence, longer.",
            "Third line without a stop",
        ]
        many = " ".join(f"Sentence number {i} here." for i in range(20))
        assert len(P.sentences(many)) == P.MAX_SENTENCES_PER_REFLECTION
        assert len(P.sentences("word " * 500)[0]) == P.MAX_SENTENCE_CHARS

    def test_sentences_are_the_plain_text_a_reflection_s_markdown_shows(self) -> None:
        """Evidence quotes a reflection's sentences as typed text: no `**`, list markers or
        link addresses, which would show as written."""
        body = (
            "**Hands-on** work suits me best.\n\n- I like to build things first\n"
            "1. Then I read [the docs](https://example.org) about them"
        )
        assert P.sentences(body) == [
            "Hands-on work suits me best.",
            "I like to build things first",
            "Then I read the docs about them",
        ]
