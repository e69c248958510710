"""The recommendation ranker (services/ai/ranking.py) on hand-built candidates: each feature moves
what a learner sees, and each reason names what placed the mission there."""

from __future__ import annotations

import numpy as np
import pytest

from cyberhub.services.ai import ranking
from cyberhub.services.ai.learner_interests import Interest, short_label
from cyberhub.services.ai.ranking import Candidate, Context, Weights

DIM = 8


def unit(*coords: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(coords)] = coords
    return v / np.linalg.norm(v)


MALWARE = unit(1, 0, 0)  # the "malware" direction
SOC = unit(0, 1, 0)  # the "detection" direction
TRACK_V = unit(0, 0, 1)  # what the Researchers track is about


def cand(
    id_: int,
    vector: np.ndarray,
    difficulty: int = 1,
    track: str = "researchers",
    prerequisites: tuple[int, ...] = (),
    title: str | None = None,
) -> Candidate:
    return Candidate(
        id=id_,
        title=title or f"Mission {id_}",
        difficulty=difficulty,
        track=track,
        track_name=track.capitalize(),
        vector=vector,
        prerequisites=list(prerequisites),
    )


def ctx(
    *goals: tuple[int, str, np.ndarray],
    approved: dict[int, str] | None = None,
    level: int = 0,
    track: bool = True,
) -> Context:
    interests = [Interest("goal", ref, label, v) for ref, label, v in goals]
    if track:
        interests.append(Interest("track", 0, "Researchers", TRACK_V))
    return Context(
        approved=approved or {},
        level=level,
        primary="researchers",
        secondary="builders",
        interests=interests,
        track_names={"researchers": "Researchers", "builders": "Builders", "leaders": "Leaders"},
        titles={1: "Triage a malware PCAP", 2: "Write a YARA rule"},
    )


GOAL_MALWARE = (7, "Reverse engineer malware", MALWARE)
GOAL_SOC = (8, "Become a SOC analyst", SOC)


class TestFeatures:
    def test_best_goal_similarity_is_kept_with_the_goal_it_came_from(self) -> None:
        c = cand(1, unit(0.2, 1, 0))
        ranking.attach_similarities([c], ctx(GOAL_MALWARE, GOAL_SOC))
        assert c.goal == pytest.approx(float(unit(0.2, 1, 0) @ SOC))
        assert (c.goal_ref, c.goal_label) == (8, "Become a SOC analyst")

    def test_track_fit_primary_over_secondary_over_other(self) -> None:
        c = ctx()
        assert ranking.track_fit(cand(1, MALWARE, track="researchers"), c) == 1.0
        assert ranking.track_fit(cand(1, MALWARE, track="builders"), c) == 0.5
        assert ranking.track_fit(cand(1, MALWARE, track="leaders"), c) == 0.0

    def test_difficulty_prefers_one_step_above_the_learners_level(self) -> None:
        c = ctx(level=2)
        fits = [ranking.difficulty_fit(cand(1, MALWARE, difficulty=d), c) for d in range(1, 6)]
        assert max(fits) == fits[2]  # difficulty 3
        assert fits[0] < fits[1] < fits[2] > fits[3] > fits[4]

    def test_the_first_step_is_the_easiest_unlocked_mission_within_the_goals_area(self) -> None:
        close_hard = cand(1, unit(1, 0.05, 0), difficulty=3)
        close_easy = cand(2, unit(1, 0.2, 0), difficulty=2)
        locked_easiest = cand(3, unit(1, 0.1, 0), difficulty=1, prerequisites=(99,))
        easy_elsewhere = cand(4, unit(0.1, 1, 0), difficulty=1)  # easy, but not this area
        cands = [close_hard, close_easy, locked_easiest, easy_elsewhere]
        c = ctx(GOAL_MALWARE)
        ranking.attach_similarities(cands, c)
        ranking.mark_first_steps(cands, c)
        assert [x.id for x in cands if x.first_step] == [2]

    def test_popularity_is_a_log_scaled_share_of_the_most_done(self) -> None:
        assert ranking.popularity(0, 10) == 0.0
        assert ranking.popularity(10, 10) == 1.0
        assert 0.5 < ranking.popularity(3, 10) < 1.0  # log scale: a few approvals count
        assert ranking.popularity(5, 0) == 0.0

    def test_a_dismissed_mission_pulls_its_neighbours_down(self) -> None:
        near = cand(1, unit(1, 0.1, 0))
        far = cand(2, unit(1, -0.1, 0.3))
        c = ctx(GOAL_MALWARE)
        c.dismissed_vectors = np.stack([unit(1, 0.12, 0)])
        ranking.attach_similarities([near, far], c)
        ranking.score([near, far], c)
        assert near.dismissed > far.dismissed
        assert near.features["dismissed"] < 0

    def test_weights_are_applied_per_named_feature(self) -> None:
        c = cand(1, MALWARE, difficulty=1)
        context = ctx(GOAL_MALWARE)
        ranking.attach_similarities([c], context)
        w = Weights(goal=2.0, track_sim=0, work_sim=0, track_fit=0.5, first_step=0,
                    difficulty=0, popularity=0, dismissed=0)  # fmt: skip
        ranking.score([c], context, w)
        assert c.features["goal"] == pytest.approx(2.0)
        assert c.features["track_fit"] == pytest.approx(0.5)
        assert c.relevance == pytest.approx(2.5)


class TestRanking:
    def test_locked_missions_never_enter_the_list_but_unlock_later_when_they_match_a_goal(
        self,
    ) -> None:
        locked_match = cand(1, MALWARE, prerequisites=(2,), title="Unpack a packed sample")
        locked_off_goal = cand(3, SOC, prerequisites=(2,))
        open_ = [cand(10 + i, unit(1, 0.3 + i / 10, 0.2)) for i in range(4)]
        r = ranking.rank([locked_match, locked_off_goal, *open_], ctx(GOAL_MALWARE), k=10)
        assert {c.id for c in r.main} == {c.id for c in open_}
        assert [c.id for c in r.unlocks] == [1]
        assert r.unlocks[0].reason == (
            "Unlocks after “Write a YARA rule”; matches your goal “Reverse engineer malware”; "
            "fits your Researchers track."
        )

    def test_each_goal_leads_its_own_learners_list(self) -> None:
        pool = [
            cand(1, unit(1, 0.1, 0.1)),  # malware
            cand(2, unit(1, 0.2, 0.1), difficulty=2),
            cand(3, unit(0.1, 1, 0.1)),  # detection
            cand(4, unit(0.2, 1, 0.1), difficulty=2),
            cand(5, unit(0, 0.1, 1)),  # the track in general
        ]
        malware = ranking.rank(list(pool), ctx(GOAL_MALWARE), k=3).main
        soc = ranking.rank(list(pool), ctx(GOAL_SOC), k=3).main
        assert malware[0].id == 1 and soc[0].id == 3
        assert [c.id for c in malware] != [c.id for c in soc]

    def test_missions_matching_no_goal_only_fill_a_list_up_to_its_minimum(self) -> None:
        on_goal = [cand(i, unit(1, i / 10, 0.1)) for i in range(1, 4)]
        off_goal = [cand(10 + i, unit(0.05, 0.1 * i, 1)) for i in range(1, 8)]
        w = Weights(min_goal=0.34)
        main = ranking.rank([*on_goal, *off_goal], ctx(GOAL_MALWARE), k=10, w=w).main
        assert len(main) == ranking.MIN_LIST
        assert {c.id for c in main[:3]} == {1, 2, 3}
        many = [cand(i, unit(1, i / 20, 0.1)) for i in range(1, 9)]
        main = ranking.rank([*many, *off_goal], ctx(GOAL_MALWARE), k=10, w=w).main
        assert {c.id for c in main} == {c.id for c in many}  # 8: nothing off-goal added

    def test_a_stepping_stone_to_a_goal_ranks_above_an_equal_mission_leading_nowhere(
        self,
    ) -> None:
        stone = cand(1, unit(0.2, 0, 1), title="Triage a malware PCAP")  # not itself a match
        stone.unlocks = {5: ("Unpack a packed sample", MALWARE)}
        plain = cand(2, unit(0.2, 0, 1))
        main = ranking.rank([plain, stone], ctx(GOAL_MALWARE), k=2).main
        assert [c.id for c in main] == [1, 2]
        assert main[0].reason == (
            "Unlocks “Unpack a packed sample”, which matches your goal; fits your Researchers "
            "track; a gentle first step."
        )
        assert main[1].reason == "Fits your Researchers track; a gentle first step."

    def test_mmr_does_not_stack_near_duplicates(self) -> None:
        a = cand(1, unit(1, 0, 0))
        twin = cand(2, unit(1, 0.01, 0))
        other = cand(3, unit(0.7, 0.7, 0))
        for c, rel in ((a, 1.0), (twin, 0.99), (other, 0.9)):
            c.relevance = rel
        assert [c.id for c in ranking.mmr([a, twin, other], k=2, lam=0.7)] == [1, 3]
        assert [c.id for c in ranking.mmr([a, twin, other], k=2, lam=1.0)] == [1, 2]


class TestReasons:
    def test_a_goal_match_that_is_the_first_step_says_so_and_names_the_track(self) -> None:
        easy = cand(1, unit(1, 0.1, 0.1), difficulty=1)
        hard = cand(2, unit(1, 0.15, 0.1), difficulty=3)
        r = ranking.rank([easy, hard], ctx(GOAL_MALWARE), k=2)
        by_id = {c.id: c.reason for c in r.main}
        assert by_id[1] == (
            "Matches your goal “Reverse engineer malware”; the first step in that area; "
            "fits your Researchers track."
        )
        assert by_id[2] == (
            "Matches your goal “Reverse engineer malware”; fits your Researchers track; "
            "a stretch to start with."
        )

    def test_building_on_completed_work_and_the_step_up_are_named(self) -> None:
        nxt = cand(5, unit(0, 0, 1), difficulty=2, prerequisites=(1,), track="builders")
        c = ctx(approved={1: "Triage a malware PCAP"}, level=1)
        [ranked] = ranking.rank([nxt], c, k=1).main
        assert ranked.reason == (
            "Builds on “Triage a malware PCAP”, which you completed; matches your second "
            "track, Builders; one step harder."
        )

    def test_without_a_goal_match_the_goal_is_not_claimed(self) -> None:
        off = cand(1, unit(0, 0, 1), track="leaders")
        [ranked] = ranking.rank([off], ctx(GOAL_MALWARE), k=1).main
        assert "goal" not in ranked.reason
        assert ranked.reason == "A gentle first step."

    def test_a_long_goal_is_quoted_by_its_first_sentence_cut_at_a_word(self) -> None:
        assert short_label("I want to become a SOC analyst. Then lead a team.") == (
            "I want to become a SOC analyst"
        )
        long = "Reverse engineer malware, write YARA rules, find vulnerabilities by fuzzing"
        label = short_label(long, limit=40)
        assert label.endswith("…") and len(label) <= 41 and " " in label
        assert long.startswith(label[:-1])
