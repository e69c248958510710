"""The learner's home, "Coaching" block: the best current streak. Days and weeks were compared
as plain numbers, so a 6-day streak beat a 5-week one ("best streak 6 days"). Each unit now has
its own best."""

from __future__ import annotations

from cyberhub.pages.student_dashboard.coaching_block import habits_line
from cyberhub.schemas.coaching import CoachingGlance, HabitPublic
from tests.factories import habit_shown


def _line(*habits: HabitPublic) -> str:
    return habits_line(CoachingGlance(habits=list(habits), goals=[]))


def test_a_streak_of_weeks_is_not_beaten_by_more_days() -> None:
    line = _line(habit_shown(5, "week"), habit_shown(6, "day", done_today=True))
    assert line == "1 of 2 habits done today · best streaks 6 days and 5 weeks"


def test_one_unit_reads_as_before() -> None:
    assert (
        _line(habit_shown(3, "day", done_today=True))
        == "1 of 1 habit done today · best streak 3 days"
    )
    assert _line(habit_shown(1, "week"), habit_shown(0, "day")) == (
        "0 of 2 habits done today · best streak 1 week"
    )
    assert _line(habit_shown(0, "week")) == "0 of 1 habit done today"
    assert _line() == ""
