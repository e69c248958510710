"""The /coaching goal card's progress line: a goal measured by the learner's own estimate read
"40 % (your estimate) · 40%", the percentage twice. It says the figure once."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberhub.pages.coaching.rows import goal_view
from cyberhub.schemas.coaching import GoalPublic


def _goal(source: str, percent: int, label: str, status: str = "active") -> GoalPublic:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return GoalPublic(
        id=1,
        title="Pass Security+",
        why="",
        target_date=None,
        status=status,
        progress_source=source,
        manual_percent=percent if source == "manual" else 0,
        percent=percent,
        progress_label=label,
        missions=[],
        habits=[],
        created_at=at,
        updated_at=at,
    )


def test_a_goal_by_estimate_says_its_percentage_once() -> None:
    """The card shows `progress` as it is (it used to add " · 40%" itself); the others keep
    their count and the percentage."""
    assert goal_view(_goal("manual", 40, "40 % (your estimate)")).progress == (
        "40 % (your estimate)"
    )
    missions = _goal("missions", 50, "1 of 2 missions approved")
    assert goal_view(missions).progress == "1 of 2 missions approved · 50%"
    habits = _goal("habits", 70, "14 of 20 check-ins")
    assert goal_view(habits).progress == "14 of 20 check-ins · 70%"
    achieved = _goal("manual", 100, "Achieved", status="achieved")
    assert goal_view(achieved).progress == "Achieved · 100%"
