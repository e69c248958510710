"""Reciprocal rank fusion and the search-as-you-type tsquery, checked against hand computations."""

from __future__ import annotations

import pytest

from cyberhub.services.ai.search import MAX_TERMS, prefix_tsquery, query_terms, rrf

pytestmark = [pytest.mark.ai]


class TestRrf:
    def test_fuses_two_lists_by_hand(self) -> None:
        # text: 1, 2, 3   vector: 3, 1, 4   (k = 60, ranks from 1)
        # 1: 1/61 + 1/62 = 0.0325224   3: 1/63 + 1/61 = 0.0322664
        # 2: 1/62        = 0.0161290   4: 1/63        = 0.0158730
        hits = rrf({"text": [1, 2, 3], "vector": [3, 1, 4]})
        assert [h.mission_id for h in hits] == [1, 3, 2, 4]
        scores = {h.mission_id: h.score for h in hits}
        assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
        assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
        assert scores[2] == pytest.approx(1 / 62)
        assert scores[4] == pytest.approx(1 / 63)
        assert scores[1] == pytest.approx(0.0325224, abs=1e-7)
        matched = {h.mission_id: h.matched for h in hits}
        assert matched == {
            1: ("text", "vector"),
            3: ("text", "vector"),
            2: ("text",),
            4: ("vector",),
        }
        assert hits[1].ranks == {"text": 3, "vector": 1}

    def test_being_in_both_lists_beats_a_single_first_place(self) -> None:
        # 7 is first in one list only: 1/61 = 0.01639. 8 is 10th and 12th in both:
        # 1/70 + 1/72 = 0.02817 — agreement of two rankers wins.
        text = [7, *range(100, 108), 8]  # 8 is 10th
        vector = [*range(200, 211), 8]  # 8 is 12th
        hits = rrf({"text": text, "vector": vector})
        assert hits[0].mission_id == 8
        assert hits[0].score == pytest.approx(1 / 70 + 1 / 72)

    def test_k_sets_how_fast_ranks_lose_weight(self) -> None:
        hits = rrf({"text": [1, 2]}, k=0)
        assert [(h.mission_id, h.score) for h in hits] == [(1, 1.0), (2, 0.5)]

    def test_ties_go_to_the_better_rank_then_the_smaller_id(self) -> None:
        hits = rrf({"text": [9], "vector": [4]})
        assert [h.mission_id for h in hits] == [4, 9]  # both 1/61, both first: by id
        assert hits[0].score == hits[1].score == pytest.approx(1 / 61)

    def test_empty_lists_give_nothing(self) -> None:
        assert rrf({"text": [], "vector": []}) == []
        assert rrf({}) == []

    def test_one_list_keeps_its_order(self) -> None:
        hits = rrf({"text": [5, 3, 8], "vector": []})
        assert [h.mission_id for h in hits] == [5, 3, 8]
        assert all(h.matched == ("text",) for h in hits)

    def test_a_repeated_id_counts_once_at_its_first_rank(self) -> None:
        hits = rrf({"text": [1, 1, 2]})
        assert [(h.mission_id, h.score) for h in hits] == [
            (1, pytest.approx(1 / 61)),
            (2, pytest.approx(1 / 62)),
        ]


class TestQueryTerms:
    def test_words_only_lowercased_and_deduplicated(self) -> None:
        assert query_terms("Phishing, e-mail!! PHISHING kits") == ["phishing", "e", "mail", "kits"]

    def test_tsquery_syntax_cannot_be_injected(self) -> None:
        terms = query_terms("a & b | !c <-> d:* 'e' (f) \\g")
        assert terms == ["a", "b", "c", "d", "e", "f", "g"]
        assert prefix_tsquery(terms) == "a:* & b:* & c:* & d:* & e:* & f:* & g:*"

    def test_letters_of_any_script_count(self) -> None:
        assert query_terms("Résumé naïve 2FA") == ["résumé", "naïve", "2fa"]

    def test_punctuation_only_gives_no_terms(self) -> None:
        assert query_terms("  !!! ... ___ ") == []
        assert prefix_tsquery([]) == ""

    def test_at_most_max_terms(self) -> None:
        words = " ".join(f"w{i}" for i in range(40))
        assert len(query_terms(words)) == MAX_TERMS

    def test_every_word_is_a_prefix_and_all_must_match(self) -> None:
        assert prefix_tsquery(["phish", "kit"]) == "phish:* & kit:*"
