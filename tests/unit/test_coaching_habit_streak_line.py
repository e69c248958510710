"""/coaching's habit card: the streak line names the unit of the best streak too ("best 5
days", "best 1 week"), as it does the current one — it read "best 5", days or weeks unsaid."""

from __future__ import annotations

from datetime import date

from cyberhub.pages.coaching.rows import habit_view
from tests.factories import habit_shown

TODAY = date(2026, 3, 10)


def test_the_best_streak_says_days_or_weeks() -> None:
    assert (
        habit_view(habit_shown(3, "day", longest=5), TODAY).streak
        == "3 days in a row · best 5 days"
    )
    assert (
        habit_view(habit_shown(0, "week", longest=1), TODAY).streak
        == "0 weeks in a row · best 1 week"
    )
    assert habit_view(habit_shown(1, "day"), TODAY).streak == "1 day in a row · best 1 day"
