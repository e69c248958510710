"""Streaks over random check-in histories (hypothesis): current and longest agree with a
day-by-day count, in any time zone, across daylight-saving changes, with back-fills and gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberhub.models.coaching import Cadence
from cyberhub.services.coaching.habits import cadence_label
from cyberhub.services.coaching.streaks import local_day, period_start, streak, week_start

pytestmark = [pytest.mark.coaching]

# Zones with DST both ways, a half-hour offset, a 45-minute one, the date line, and none.
ZONES = [
    "UTC",
    "Africa/Nairobi",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Apia",
]
START = date(2026, 1, 1)
days_in = st.sets(st.integers(0, 120), max_size=90)
today_in = st.integers(0, 130)


def oracle(cadence: Cadence, per_week: int, days: set[date], today: date) -> tuple[int, int]:
    """Walk every unit from the first check-in to today and count runs, the slow obvious way."""
    days = {d for d in days if d <= today}
    first = min([*days, today, START]) - timedelta(days=7)
    if cadence == Cadence.daily:
        units = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        hit = [u in days for u in units]
    else:
        need = 1 if cadence == Cadence.weekly else per_week
        weeks, w = [], week_start(first)
        while w <= today:
            weeks.append(w)
            w += timedelta(days=7)
        hit = [sum(1 for d in days if wk <= d < wk + timedelta(days=7)) >= need for wk in weeks]
    longest = run = 0
    for h in hit:
        run = run + 1 if h else 0
        longest = max(longest, run)
    # The last unit (today / this week) is still open: not filled yet doesn't break the streak.
    current = 0
    trail = hit if hit and hit[-1] else hit[:-1]
    for h in reversed(trail):
        if not h:
            break
        current += 1
    return current, longest


@settings(max_examples=300, deadline=None)
@given(
    offsets=days_in,
    t=today_in,
    cadence=st.sampled_from(list(Cadence)),
    per_week=st.integers(1, 7),
)
def test_streaks_match_a_day_by_day_count(
    offsets: set[int], t: int, cadence: Cadence, per_week: int
) -> None:
    days = {START + timedelta(days=n) for n in offsets}
    today = START + timedelta(days=t)
    s = streak(cadence, per_week, days, today)
    assert (s.current, s.longest) == oracle(cadence, per_week, days, today)
    assert 0 <= s.current <= s.longest
    assert s.unit == ("day" if cadence == Cadence.daily else "week")


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    # Instants across 2026's DST changes in both hemispheres (seconds since 1 Jan 2026 UTC).
    seconds=st.lists(st.integers(0, 330 * 86_400), min_size=1, max_size=60),
    cadence=st.sampled_from(list(Cadence)),
)
def test_check_ins_count_on_the_learners_own_calendar_day(
    zone: str, seconds: list[int], cadence: Cadence
) -> None:
    tz = ZoneInfo(zone)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    moments = [base + timedelta(seconds=s) for s in seconds]
    days = {local_day(m, tz) for m in moments}
    today = local_day(max(moments), tz)
    s = streak(cadence, 2, days, today)
    assert (s.current, s.longest) == oracle(cadence, 2, days, today)
    # The unit a check-in fills is the local day (or its week's Monday), whatever UTC said.
    for m in moments:
        p = period_start(cadence, local_day(m, tz))
        assert p.weekday() == 0 or cadence != Cadence.weekly


@pytest.mark.parametrize(
    ("zone", "first"),
    [
        ("Europe/London", date(2026, 3, 25)),  # clocks go forward on Sunday 29 March
        ("Europe/London", date(2026, 10, 21)),  # and back on Sunday 25 October
        ("America/New_York", date(2026, 3, 4)),  # forward on Sunday 8 March
        ("Australia/Sydney", date(2026, 4, 1)),  # back on Sunday 5 April
    ],
)
def test_a_late_evening_habit_keeps_its_streak_across_a_dst_change(zone: str, first: date) -> None:
    """Checked in at 23:30 local every evening for ten days around a DST change: 10 in a row
    (a 23- or 25-hour day is still one day; no day counted twice or skipped)."""
    tz = ZoneInfo(zone)
    moments = [
        datetime.combine(first + timedelta(days=n), datetime.min.time(), tzinfo=tz)
        + timedelta(hours=23, minutes=30)
        for n in range(10)
    ]
    days = {local_day(m.astimezone(UTC), tz) for m in moments}
    assert len(days) == 10
    last = first + timedelta(days=9)
    assert streak(Cadence.daily, 1, days, last).current == 10
    # The next day, not yet checked in, still shows 10; the day after that, the streak is broken.
    assert streak(Cadence.daily, 1, days, last + timedelta(days=1)).current == 10
    assert streak(Cadence.daily, 1, days, last + timedelta(days=2)).current == 0
    assert streak(Cadence.daily, 1, days, last + timedelta(days=2)).longest == 10


def test_weekly_and_n_per_week_habits_count_weeks() -> None:
    monday = date(2026, 11, 2)
    # Weeks 1-3 have one check-in each (a Sunday, a Wednesday, a Monday); week 4 is today's.
    days = {monday + timedelta(days=6), monday + timedelta(days=9), monday + timedelta(days=14)}
    today = monday + timedelta(days=22)  # Tuesday of week 4, nothing yet this week
    assert streak(Cadence.weekly, 1, days, today).current == 3
    # Three times a week: weeks with 3 check-ins count, a week with 2 breaks the run.
    three = {monday + timedelta(days=n) for n in (0, 2, 4, 7, 8, 14, 15, 16)}
    s = streak(Cadence.n_per_week, 3, three, monday + timedelta(days=17))
    assert (s.current, s.longest, s.unit) == (1, 1, "week")
    s = streak(Cadence.n_per_week, 2, three, monday + timedelta(days=17))
    assert (s.current, s.longest) == (3, 3)


def test_a_habit_of_once_a_week_on_any_day_is_worded_in_the_singular() -> None:
    """ "Some days a week" with 1 day read "1 times a week" (on /coaching, the mentee page and
    the coach's "Restart …" line)."""
    assert cadence_label(Cadence.n_per_week, 1) == "1 time a week"
    assert cadence_label(Cadence.n_per_week, 3) == "3 times a week"
    assert cadence_label(Cadence.weekly, 1) == "Once a week"
