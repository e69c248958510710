"""A closed or ended cohort's due dates are over (issue 15, item 3): no reader lists them as due or
overdue any more — the learner's schedule (Due this week, overdue), the mission page's mark, the
calendar feed, the director's roster (and so analytics' "behind the cohort's schedule") — and no
reminder is sent for them, the one rule reminders already followed for closed cohorts."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlmodel import Session

from cyberhub.models.base import utcnow
from cyberhub.services.learning import calendar_feed, schedule
from tests.factories import World, complete_profiler, id_of, principal

pytestmark = [pytest.mark.integration]


def feed_titles(session: Session, w: World) -> list[str]:
    made = calendar_feed.create_feed(session, principal(session, w.student))
    session.commit()
    token = made.url.rsplit("/", 1)[-1].removesuffix(".ics")
    cal = icalendar.Calendar.from_ical(calendar_feed.feed_ics(session, token))
    return sorted(str(e["summary"]) for e in cal.walk("VEVENT"))


def readers(session: Session, w: World) -> tuple[object, ...]:
    """What each reader of the schedule shows for the world's cohort."""
    me = principal(session, w.student)
    mine = schedule.my_schedule(session, me)
    marks = [schedule.mission_due(session, me, id_of(m)) for m in (w.m1, w.m2)]
    roster = schedule.roster_overdue(session, principal(session, w.director), id_of(w.cohort))
    return (
        [d.title for d in mine.due_this_week],
        [d.title for d in mine.overdue],
        [m.status if m else None for m in marks],
        feed_titles(session, w),
        {r.student_id: r.overdue for r in roster},
    )


@pytest.mark.parametrize("how", ["closed", "ended"])
def test_a_closed_or_ended_cohorts_due_dates_are_listed_nowhere(
    session: Session, world: World, how: str
) -> None:
    w = world
    complete_profiler(session, id_of(w.student), "builders")
    director = principal(session, w.director)
    now = utcnow()
    for mission, at in ((w.m1, now + timedelta(days=1)), (w.m2, now - timedelta(days=3))):
        schedule.set_due_date(session, director, id_of(w.cohort), id_of(mission), at)
        session.commit()
    assert readers(session, w) == (
        ["Harden a server"],
        ["Scan the pipeline"],
        ["due", "overdue"],
        ["Harden a server", "Scan the pipeline"],
        {id_of(w.student): 1, id_of(w.student2): 1},
    )

    if how == "closed":
        w.cohort.closed_at = now
    else:  # its last day was yesterday; nobody closed it
        w.cohort.ends_on = now.date() - timedelta(days=1)
    session.add(w.cohort)
    session.commit()

    assert readers(session, w) == ([], [], [None, None], [], {})
    assert schedule.behind_schedule(session, id_of(w.cohort)) == {}
    assert schedule.send_reminders(session).sent == 0
    # The director still sees (and may change) the cohort's schedule itself.
    got = schedule.cohort_schedule(session, director, id_of(w.cohort))
    assert sum(m.due_at is not None for m in got.missions) == 2
