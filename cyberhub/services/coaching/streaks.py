"""Streaks, computed from the local days a habit was checked in for (pure functions).

Units: a daily habit counts days; a weekly habit counts ISO weeks (Monday to Sunday); a habit of
n times a week counts weeks with at least n check-ins. The current unit (today, this week) is
still open: a streak is not broken until it has passed without a check-in. Days are the
learner's calendar days, so a daylight-saving change (a 23- or 25-hour day) is still one day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from cyberhub.formatting import day_in
from cyberhub.models.coaching import Cadence

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    unit: str  # "day" | "week"


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The calendar day `moment` falls on in zone `tz` (formatting.day_in's rule)."""
    return day_in(moment, tz)


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def period_start(cadence: Cadence, day: date) -> date:
    """The unit a check-in for `day` fills: the day, or (weekly) its week's Monday."""
    return week_start(day) if cadence == Cadence.weekly else day


def period_unit(cadence: Cadence) -> str:
    """What a check-in of a habit of this cadence fills: "week" (weekly) or "day"."""
    return "week" if cadence == Cadence.weekly else "day"


def period_length(cadence: Cadence) -> timedelta:
    return ONE_WEEK if cadence == Cadence.weekly else ONE_DAY


def _units(cadence: Cadence, per_week: int, days: Iterable[date]) -> tuple[set[date], timedelta]:
    """The units that count (days, or the Mondays of weeks that count) and their length."""
    if cadence == Cadence.daily:
        return set(days), ONE_DAY
    need = 1 if cadence == Cadence.weekly else max(1, per_week)
    per_week_count = Counter(week_start(d) for d in set(days))
    return {w for w, n in per_week_count.items() if n >= need}, ONE_WEEK


def unit_counts(cadence: Cadence, per_week: int, days: Iterable[date], day: date) -> bool:
    """Whether the unit `day` falls in (the day, or its week) counts towards a streak, with the
    check-ins on `days`: for a habit of some times a week, its week has that many."""
    units, step = _units(cadence, per_week, days)
    return (day if step == ONE_DAY else week_start(day)) in units


def _run_back(units: set[date], start: date, step: timedelta) -> int:
    n, at = 0, start
    while at in units:
        n, at = n + 1, at - step
    return n


def streak(cadence: Cadence, per_week: int, days: Iterable[date], today: date) -> Streak:
    """Current and longest streak of a habit checked in on `days`, as of the local day `today`.

    Check-ins after `today` (there should be none) are ignored."""
    units, step = _units(cadence, per_week, (d for d in days if d <= today))
    now = today if step == ONE_DAY else week_start(today)
    # The open unit may still be filled: the streak runs up to it or up to the one before.
    current = _run_back(units, now, step) or _run_back(units, now - step, step)
    starts = (u for u in units if u - step not in units)  # where each run begins
    longest = max((_forward(units, u, step) + 1 for u in starts), default=0)
    return Streak(current, max(longest, current), "day" if step == ONE_DAY else "week")


def _forward(units: set[date], start: date, step: timedelta) -> int:
    """How many units after `start` the run beginning there continues."""
    n = 0
    while start + step * (n + 1) in units:
        n += 1
    return n
