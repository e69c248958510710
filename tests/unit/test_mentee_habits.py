"""The mentee page's habit rows: streaks counted in the right number ("1 day", not "1 days")."""

from __future__ import annotations

from cyberhub.pages.mentee.state import habit_row
from tests.factories import habit_shown


def test_streaks_read_in_the_right_number() -> None:
    row = habit_row(habit_shown(1, "day", longest=3))
    assert (row.current, row.longest) == ("1 day", "3 days")
    row = habit_row(habit_shown(0, "week", longest=1))
    assert (row.current, row.longest) == ("0 weeks", "1 week")
    assert habit_row(habit_shown(2, "week", longest=2)).cadence == "Once a week"
