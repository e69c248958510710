"""A cohort's days: the one definition of "the cohort's zone" and of "today" for a cohort.

A cohort's dates (its first and last day, and the dates of its sponsorships) are calendar days
in the cohort's zone: the time zone of the cohort's director (`users.time_zone`, who runs it),
UTC when the cohort has no director or they chose none. Organisations, programmes and cohorts
keep no time zone of their own, and a reader's zone would open or close one cohort at different
instants for different readers; the director's zone gives every reader, the worker's sweeps and
the API the same instants: a cohort starts at midnight beginning its first day there and is over
at the midnight after its last day there.

Two forms of one rule:
- Python, for one cohort: `cohort_zone(session, cohort)` and `cohort_today(zone, now)`
  (`today_of` both at once);
- SQL, for queries over many cohorts (no query per row): `director_zone()`, the zone as a
  column correlated with `Cohort`, and `today_sql(now)`, the cohort's day at `now`.
Both read the zone the same way: an empty one is UTC. A stored zone is one Python's tz database
and the database server both know (checked when a user sets theirs, services/identity/time_zones;
migration 0036 emptied older ones that were not), so SQL uses the stored name (services/pg_zones).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ScalarSelect, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from cyberhub.formatting import zone
from cyberhub.models import Cohort, User
from cyberhub.models.base import utcnow
from cyberhub.services import pg_zones


def cohort_zone(session: Session, cohort: Cohort) -> str | None:
    """The cohort's zone: its director's time zone; None (UTC) without a director or a zone."""
    if cohort.director_id is None:
        return None
    director = session.get(User, cohort.director_id)
    return (director.time_zone or None) if director is not None else None


def cohort_today(time_zone: str | None, now: datetime | None = None) -> date:
    """The day it is at `now` (default: now) in a cohort whose zone is `time_zone`
    (`cohort_zone`, or the `director_zone()` column)."""
    return (now or utcnow()).astimezone(zone(time_zone)).date()


def today_of(session: Session, cohort: Cohort, now: datetime | None = None) -> date:
    """The cohort's day at `now` (default: now): `cohort_today` in `cohort_zone`."""
    return cohort_today(cohort_zone(session, cohort), now)


def director_zone() -> ScalarSelect[str | None]:
    """SQL: the zone of the `Cohort` of the enclosing query (its director's time zone, NULL
    without one), as a column: `select(Cohort, director_zone())`. A correlated subquery on the
    director's primary key, so a list of cohorts stays one query."""
    director = aliased(User)
    return (
        sa_select(col(director.time_zone))
        .where(col(director.id) == col(Cohort.director_id))
        .correlate(Cohort)
        .scalar_subquery()
    )


def today_sql(now: datetime) -> ColumnElement[date]:
    """SQL: the day it is at `now` for the `Cohort` of the enclosing query (`cohort_today`'s
    rule: its director's zone, UTC when empty: pg_zones)."""
    return cast(func.timezone(pg_zones.zone_column(director_zone()), now), Date)
