"""A cohort's dates are days in the cohort's zone (its director's time zone, UTC without one), as
its sponsorships' are (services/learning/cohort_days): it takes applications until midnight after
its last day there, the hourly sweep expires what is still pending from that midnight, its
director can end it "today" in their own day, and its due dates stand until then. They were UTC
days: a Nairobi cohort took applications until 03:00 there the next day, and a New York one
closed at 19:00 or 20:00 there on its last day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from cyberhub.models import Cohort, User
from cyberhub.services.errors import Conflict, Invalid
from cyberhub.services.learning import applications, cohort_days, programs, schedule
from tests.factories import World, complete_profiler, id_of, make_user, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

API = "/api/v1"
NAIROBI, NEW_YORK = "Africa/Nairobi", "America/New_York"
LAST_DAY = date.today() + timedelta(days=30)  # the cohort's last day in these tests


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Fake "now" for the cohort-day rule and the services that read it."""
    monkeypatch.setattr(cohort_days, "utcnow", lambda: moment)
    monkeypatch.setattr(applications, "utcnow", lambda: moment)


def local(time_zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    """That wall time in that zone, as the UTC moment the server's clock gives."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(time_zone)).astimezone(UTC)


def directed_from(session: Session, w: World, time_zone: str) -> None:
    w.director.time_zone = time_zone
    session.add(w.director)
    session.commit()


def application_cohort(session: Session, w: World) -> Cohort:
    """The world's Spring cohort, taking applications, its last day LAST_DAY."""
    applications.set_enrolment(
        session, principal(session, w.director), id_of(w.cohort), mode="application", capacity=50
    )
    w.cohort.ends_on = LAST_DAY
    session.add(w.cohort)
    session.commit()
    return w.cohort


def learner(session: Session, email: str) -> User:
    """A learner of no organisation yet, who can sign in."""
    return make_user(session, email)


# (zone, the last moment it still takes learners, the first it does not) -- local times
MOMENTS = [
    (NAIROBI, (LAST_DAY, 23, 0), (LAST_DAY + timedelta(days=1), 0, 30)),  # 20:00 / 21:30 UTC
    (NEW_YORK, (LAST_DAY, 22, 0), (LAST_DAY + timedelta(days=1), 0, 30)),  # 02:00-05:30 UTC
]


@pytest.mark.parametrize(("time_zone", "still", "over"), MOMENTS)
def test_a_cohort_takes_applications_until_midnight_after_its_last_day_in_its_zone(
    session: Session,
    world: World,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
    time_zone: str,
    still: tuple[date, int, int],
    over: tuple[date, int, int],
) -> None:
    directed_from(session, world, time_zone)
    cohort = application_cohort(session, world)
    cid = id_of(cohort)
    early, late = learner(session, "early@example.org"), learner(session, "late@example.org")

    at(monkeypatch, local(time_zone, *still))  # late on its last day, there
    offers = applications.open_cohorts(session, principal(session, early)).items
    assert [(o.id, o.status) for o in offers if o.id == cid] == [(cid, "running")]
    assert client_for(early).post(f"{API}/cohorts/{cid}/applications").status_code == 201
    assert client_for(world.director).get(f"{API}/cohorts/{cid}").json()["status"] == "running"
    assert applications.expire_ended_applications(session) == 0
    session.commit()

    at(monkeypatch, local(time_zone, *over))  # the next day there: over, for everyone
    assert cid not in [
        o.id for o in applications.open_cohorts(session, principal(session, late)).items
    ]
    refused = client_for(late).post(f"{API}/cohorts/{cid}/applications")
    assert refused.status_code == 409 and "ended on" in refused.json()["detail"]
    assert client_for(world.director).get(f"{API}/cohorts/{cid}").json()["status"] == "finished"
    [pending] = applications.list_applications(
        session, principal(session, world.director), cid, status="applied"
    ).items
    assert pending.held.startswith(f"{cohort.name} ended on") and not pending.can_approve
    with pytest.raises(Conflict, match="ended on"):
        applications.approve(session, principal(session, world.director), cid, pending.id)
    session.rollback()
    assert applications.expire_ended_applications(session) == 1  # the hourly sweep
    session.commit()
    [mine] = applications.my_applications(session, principal(session, early))
    assert mine.status == "expired"


@pytest.mark.parametrize(
    ("time_zone", "moment", "allowed"),
    [
        (NEW_YORK, (LAST_DAY, 22, 0), True),  # 03:00 UTC the next day: still its last day there
        (NAIROBI, (LAST_DAY + timedelta(days=1), 0, 30), False),  # 21:30 UTC on LAST_DAY
    ],
)
def test_a_director_may_end_a_cohort_on_their_cohorts_today(
    session: Session,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    time_zone: str,
    moment: tuple[date, int, int],
    allowed: bool,
) -> None:
    directed_from(session, world, time_zone)
    at(monkeypatch, local(time_zone, *moment))
    me = principal(session, world.director)

    def create() -> None:
        programs.create_cohort(
            session,
            me,
            id_of(world.program),
            name="Late night",
            starts_on=LAST_DAY - timedelta(days=30),
            ends_on=LAST_DAY,
            capacity=10,
        )

    def move() -> None:
        programs.update_cohort(session, me, id_of(world.other_cohort), ends_on=LAST_DAY)

    for change in (create, move):
        if allowed:
            change()
            session.commit()
        else:
            with pytest.raises(Invalid, match="can't be in the past"):
                change()
            session.rollback()


def test_a_cohorts_due_dates_stand_until_midnight_after_its_last_day_in_its_zone(
    session: Session, world: World
) -> None:
    """A New York cohort's overdue mission was dropped from the learner's schedule and the
    roster's count at 19:00 or 20:00 there on the cohort's last day (midnight UTC)."""
    w = world
    directed_from(session, w, NEW_YORK)
    w.cohort.ends_on = LAST_DAY
    session.add(w.cohort)
    session.commit()
    complete_profiler(session, id_of(w.student), "builders")
    due = local(NEW_YORK, LAST_DAY - timedelta(days=2), 9)
    schedule.set_due_date(
        session, principal(session, w.director), id_of(w.cohort), id_of(w.m2), due
    )
    session.commit()
    me = principal(session, w.student)

    late = local(NEW_YORK, LAST_DAY, 22)  # 02:00 or 03:00 UTC the next day
    assert [d.title for d in schedule.my_schedule(session, me, now=late).overdue] == [w.m2.title]
    assert schedule.behind_schedule(session, id_of(w.cohort), now=late)[id_of(w.student)] == 1

    over = local(NEW_YORK, LAST_DAY + timedelta(days=1), 0, 30)
    assert schedule.my_schedule(session, me, now=over).overdue == []
    assert schedule.behind_schedule(session, id_of(w.cohort), now=over) == {}
