"""The judged set of bench/recs_judged/ (issue 14): loading it, and the ranking metrics that
bench/recs_quality.py reports. Not a benchmark itself; tests/unit/test_recs_judged.py checks both.

Catalog = the demo missions (cyberhub/data/missions.json) + bench/recs_judged/missions.json.
Judgments are graded 0-3 per persona x mission; a mission a persona does not list is 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JUDGED = Path(__file__).resolve().parent / "recs_judged"
DEMO_MISSIONS = ROOT / "cyberhub" / "data" / "missions.json"

TRACKS = ("builders", "leaders", "entrepreneurs", "researchers", "educators")
HALVES = ("tuning", "held_out")
MISSION_FIELDS = (
    "slug",
    "title",
    "track",
    "difficulty",
    "skills",
    "estimated_minutes",
    "summary",
    "brief",
    "rubric",
    "hints",
    "prerequisites",
)
RELEVANT = 2  # a grade counted as relevant by recall@k
K = 10


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    track: str
    half: str
    goals: list[str]
    completed: list[str]
    from_issue: bool = False
    judgments: dict[str, int] = field(default_factory=dict)

    def graded(self) -> dict[str, int]:
        """Judgments the metrics use: completed missions are left out (no list shows them)."""
        return {s: g for s, g in self.judgments.items() if s not in self.completed and g > 0}


@dataclass(frozen=True)
class JudgedSet:
    missions: list[dict[str, Any]]  # demo first, then the judged set's own, in file order
    personas: list[Persona]
    contrast_pairs: list[tuple[str, str]]

    def by_slug(self) -> dict[str, dict[str, Any]]:
        return {m["slug"]: m for m in self.missions}

    def half(self, name: str) -> list[Persona]:
        return [p for p in self.personas if p.half == name]


def load_judged_set(folder: Path = JUDGED) -> JudgedSet:
    """The whole judged set (catalog, personas with their judgments, contrast pairs)."""
    demo = json.loads(DEMO_MISSIONS.read_text())
    extra = json.loads((folder / "missions.json").read_text())
    raw = json.loads((folder / "personas.json").read_text())
    judgments = json.loads((folder / "judgments.json").read_text())
    personas = [
        Persona(
            id=p["id"],
            name=p["name"],
            track=p["track"],
            half=p["half"],
            goals=list(p["goals"]),
            completed=list(p["completed"]),
            from_issue=bool(p.get("from_issue", False)),
            judgments=dict(judgments.get(p["id"], {})),
        )
        for p in raw["personas"]
    ]
    pairs = [(a, b) for a, b in raw["contrast_pairs"]]
    return JudgedSet(missions=[*demo, *extra], personas=personas, contrast_pairs=pairs)


# --- metrics ------------------------------------------------------------------------------------


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with linear gains: sum of gain_i / log2(i + 1), i from 1."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k of a ranked list of slugs against graded judgments (unlisted = 0). The ideal
    list is the judgments sorted by grade. 0.0 when nothing is judged relevant."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(s, 0) for s in ranked[:k]]) / ideal


def recall_at_k(
    ranked: Sequence[str], grades: dict[str, int], k: int = K, threshold: int = RELEVANT
) -> float:
    """Share of the missions graded >= threshold that appear in the top k. 0.0 when none is."""
    relevant = {s for s, g in grades.items() if g >= threshold}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def locked(ranked: Sequence[str], prerequisites: dict[str, list[str]], done: set[str]) -> int:
    """How many missions of `ranked` the learner cannot start: a prerequisite not approved."""
    return sum(1 for s in ranked if any(p not in done for p in prerequisites.get(s, [])))


def overlap(a: Sequence[str], b: Sequence[str], k: int = K) -> int:
    """Missions two top-k lists share."""
    return len(set(a[:k]) & set(b[:k]))


def startable(
    items: Sequence[str] | dict[str, int], prerequisites: dict[str, list[str]], done: set[str]
) -> list[str]:
    """The slugs (in order) a learner who has had `done` approved can start now."""
    return [s for s in items if all(p in done for p in prerequisites.get(s, []))]


def startable_ceiling(
    grades: dict[str, int], prerequisites: dict[str, list[str]], done: set[str], k: int = K
) -> float:
    """The best nDCG@k any list of startable missions only can reach against `grades`: locked
    missions judged relevant stay in the ideal list, so a recommender that never lists locked
    missions cannot reach 1."""
    best = sorted(startable(grades, prerequisites, done), key=lambda s: -grades[s])
    return ndcg_at_k(best, grades, k)
