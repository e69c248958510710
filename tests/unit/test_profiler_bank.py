"""The profiler's data: question bank v1, its validation, and the NICE work-role mapping."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services.ai.profiler_bank import (
    DATA,
    load_bank,
    load_nice_file,
    load_nice_roles,
    load_tracks_info,
    parse_bank,
    public_questions,
)
from cyberhub.services.ai.profiler_scoring import score_profile

pytestmark = [pytest.mark.profiler]

SEED_CATEGORIES = [
    ("technical_aptitude", "Technical Aptitude", 1.2),
    ("problem_solving", "Problem-Solving Style", 1.1),
    ("scenario_preferences", "Scenario Preferences", 1.0),
    ("work_style", "Work Style", 0.9),
]
# NICE Framework Components v2.0.0 Work Role Categories and their ID prefixes.
NICE_CATEGORIES = {
    "OG": "Oversight and Governance",
    "DD": "Design and Development",
    "IO": "Implementation and Operation",
    "PD": "Protection and Defense",
    "IN": "Investigation",
}


class TestRealBank:
    bank = load_bank("1")

    def test_shape(self) -> None:
        assert self.bank.version == "1"
        assert [(c.key, c.name, c.weight) for c in self.bank.categories] == SEED_CATEGORIES
        assert len(self.bank.questions) == 20
        for key, _, _ in SEED_CATEGORIES:
            assert sum(q.category == key for q in self.bank.questions) == 5
        for n, q in enumerate(self.bank.questions, start=1):
            assert q.id == f"q{n:02d}"
            assert [o.id for o in q.options] == [f"{q.id}{x}" for x in "abcd"]
            assert q.text.endswith("?")

    def test_every_option_clearly_favours_one_track(self) -> None:
        for q in self.bank.questions:
            for o in q.options:
                assert list(o.weights) == list(TRACK_KEYS)
                assert all(v in (0, 1, 2, 3) for v in o.weights.values()), o.id
                assert len(o.top_tracks) == 1, o.id
                assert sum(v > 0 for v in o.weights.values()) <= 2, o.id
            # Within a question, four options point four different ways.
            assert len({o.top_tracks for o in q.options}) == 4, q.id

    def test_tracks_are_balanced(self) -> None:
        for track in TRACK_KEYS:
            main = sum(o.weights[track] == 3 for q in self.bank.questions for o in q.options)
            side = sum(0 < o.weights[track] < 3 for q in self.bank.questions for o in q.options)
            assert main == 16, track
            assert side == 4, track
            for key, _, _ in SEED_CATEGORIES:
                in_category = [q for q in self.bank.questions if q.category == key]
                assert sum(q.max_weight(track) == 3 for q in in_category) == 4, (track, key)

    @pytest.mark.parametrize("track", TRACK_KEYS)
    def test_each_track_is_reachable_as_a_clear_primary(self, track: str) -> None:
        answers = {}
        for q in self.bank.questions:
            best = max(
                q.options,
                key=lambda o: (
                    o.weights[track] - max(v for t, v in o.weights.items() if t != track),
                    o.weights[track],
                ),
            )
            answers[q.id] = best.id
        result = score_profile(self.bank, answers)
        assert result.primary_track == track
        assert result.tie == ()
        assert result.confidence == "high"
        assert result.margin >= 50

    def test_cached_per_version(self) -> None:
        assert load_bank("1") is load_bank("1") is load_bank()

    @pytest.mark.parametrize("version", ["2", "../tracks", "1/../1", ""])
    def test_unknown_versions(self, version: str) -> None:
        with pytest.raises(ValueError, match="Unknown question bank version"):
            load_bank(version)


class TestPublicQuestions:
    def test_weights_stay_on_the_server(self) -> None:
        bank = load_bank()
        public = [q.model_dump() for q in public_questions(bank)]
        assert "weights" not in json.dumps(public)
        assert len(public) == 20
        first = public[0]
        assert set(first) == {"id", "category", "text", "options"}
        assert first["id"] == "q01"
        assert first["category"] == "technical_aptitude"
        assert first["options"][0] == {"id": "q01a", "text": bank.questions[0].options[0].text}
        assert all(set(o) == {"id", "text"} for q in public for o in q["options"])


def valid_data() -> dict[str, Any]:
    return copy.deepcopy(
        json.loads((DATA / "profiler_questions_v1.json").read_text(encoding="utf-8"))
    )


class TestValidation:
    def test_the_file_itself_parses(self) -> None:
        assert parse_bank(valid_data()).questions == load_bank().questions

    @pytest.mark.parametrize(
        ("break_it", "message"),
        [
            (lambda d: d["questions"][1].update(id="q01"), "duplicate question id 'q01'"),
            (
                lambda d: d["questions"][1]["options"][0].update(id="q01a"),
                "duplicate option id 'q01a'",
            ),
            (lambda d: d["categories"].pop(), "exactly 4 categories, got 3"),
            (
                lambda d: d["categories"][1].update(key="technical_aptitude"),
                "duplicate category key 'technical_aptitude'",
            ),
            (
                lambda d: d["questions"][0]["options"][0]["weights"].pop("educators"),
                "missing \\['educators'\\]",
            ),
            (
                lambda d: d["questions"][0]["options"][0]["weights"].update(hackers=1),
                "unknown \\['hackers'\\]",
            ),
            (
                lambda d: d["questions"][0]["options"][0]["weights"].update(builders=4),
                "between 0 and 3",
            ),
            (
                lambda d: d["questions"][0]["options"][0].update(
                    weights=dict.fromkeys(TRACK_KEYS, 0)
                ),
                "favour at least one track",
            ),
            (lambda d: d["questions"][0].update(category="luck"), "unknown category 'luck'"),
            (lambda d: d["questions"].__delitem__(slice(11, None)), "11 questions, at least 12"),
            (lambda d: d["categories"][0].update(weight=0), "greater than 0"),
            (lambda d: d["questions"][0].update(options=[]), "at least 2"),
        ],
    )
    def test_invalid_banks_are_rejected_with_a_clear_message(self, break_it, message: str) -> None:
        data = valid_data()
        break_it(data)
        with pytest.raises(ValueError, match=message):
            parse_bank(data)


class TestNiceWorkRoles:
    def test_source_names_the_framework_version(self) -> None:
        nice = load_nice_file()
        assert nice.version == "2.0.0"
        assert "NICE Framework Components v2.0.0" in nice.source

    def test_each_track_has_three_to_five_roles_with_id_and_category(self) -> None:
        roles = load_nice_roles()
        assert list(roles) == list(TRACK_KEYS)
        for track, items in roles.items():
            assert 3 <= len(items) <= 5, track
            assert len({r["id"] for r in items}) == len(items)
            for role in items:
                assert set(role) == {"name", "id", "category"}
                assert re.fullmatch(r"(OG|DD|IO|PD|IN)-WRL-\d{3}", role["id"]), role
                # The ID prefix is the work role category.
                assert role["category"] == NICE_CATEGORIES[role["id"][:2]], role

    def test_known_roles(self) -> None:
        by_id = {r["id"]: r for items in load_nice_roles().values() for r in items}
        assert by_id["DD-WRL-003"]["name"] == "Secure Software Development"
        assert by_id["OG-WRL-007"]["name"] == "Executive Cybersecurity Leadership"
        assert by_id["OG-WRL-005"]["name"] == "Cybersecurity Instruction"
        assert by_id["PD-WRL-007"]["name"] == "Vulnerability Analysis"
        assert by_id["OG-WRL-015"]["name"] == "Technology Portfolio Management"


class TestTracksInfo:
    def test_five_tracks_with_three_careers(self) -> None:
        tracks = load_tracks_info()
        assert [t["key"] for t in tracks] == list(TRACK_KEYS)
        assert all(len(t["careers"]) >= 3 for t in tracks)
