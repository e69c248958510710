"""The calendar dates the app accepts where a person types one.

A year outside 2000–2100 in a cohort's, a sponsorship's or a due date, a goal's target or a
filter is a typo ("20266", "0001"), and dates near the ends of what a date can hold made the
weeks and windows counted from them run off the calendar (an analytics answer of 500 for a
cohort dated 0001-01-01). Each caller says what it refused in its own words.
"""

from __future__ import annotations

from datetime import date

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def plausible(day: date) -> bool:
    """Whether a day is within the years the app accepts (EARLIEST to LATEST)."""
    return EARLIEST <= day <= LATEST
