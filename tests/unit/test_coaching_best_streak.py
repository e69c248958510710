"""The learner's home, "Coaching" block: the best current streak. Days and weeks were compared
as plain numbers, so a 6-day streak beat a 5-week one ("best streak 6 days"). Each unit now has
its own best."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberhub.pages.student_dashboard.coaching_block import habits_line
from cyberhub.schemas.coaching import CoachingGlance, HabitPublic, StreakPublic


def _habit(current: int, unit: str, done: bool = False) -> HabitPublic:
    return HabitPublic(
        id=1,
        title="Read a write-up",
        cadence="daily" if unit == "day" else "weekly",
        per_week=1,
        cadence_label="Every day" if unit == "day" else "Once a week",
        reminder_time=None,
        track_key="",
        skill="",
        archived=False,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        streak=StreakPublic(current=current, longest=current, unit=unit),
        done_today=done,
        week_count=0,
        open_days=[],
    )


def _line(*habits: HabitPublic) -> str:
    return habits_line(CoachingGlance(habits=list(habits), goals=[]))


def test_a_streak_of_weeks_is_not_beaten_by_more_days() -> None:
    line = _line(_habit(5, "week"), _habit(6, "day", done=True))
    assert line == "1 of 2 habits done today · best streaks 6 days and 5 weeks"


def test_one_unit_reads_as_before() -> None:
    assert _line(_habit(3, "day", done=True)) == "1 of 1 habit done today · best streak 3 days"
    assert _line(_habit(1, "week"), _habit(0, "day")) == (
        "0 of 2 habits done today · best streak 1 week"
    )
    assert _line(_habit(0, "week")) == "0 of 1 habit done today"
    assert _line() == ""
