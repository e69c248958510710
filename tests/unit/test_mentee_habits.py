"""The mentee page's habit rows: streaks counted in the right number ("1 day", not "1 days")."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberhub.pages.mentee.state import habit_row
from cyberhub.schemas.coaching import HabitPublic, StreakPublic


def _habit(current: int, longest: int, unit: str) -> HabitPublic:
    return HabitPublic(
        id=1,
        title="Read a write-up",
        cadence="daily" if unit == "day" else "weekly",
        per_week=7 if unit == "day" else 1,
        cadence_label="Every day" if unit == "day" else "Once a week",
        reminder_time=None,
        track_key="",
        skill="",
        archived=False,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        streak=StreakPublic(current=current, longest=longest, unit=unit),
        done_today=False,
        week_count=0,
        open_days=[],
    )


def test_streaks_read_in_the_right_number() -> None:
    row = habit_row(_habit(1, 3, "day"))
    assert (row.current, row.longest) == ("1 day", "3 days")
    row = habit_row(_habit(0, 1, "week"))
    assert (row.current, row.longest) == ("0 weeks", "1 week")
    assert habit_row(_habit(2, 2, "week")).cadence == "Once a week"
