"""Cohort schedule (issue 15, item 3): due dates set by directors in their time zone, the
learner's "due this week" and overdue marks, roster counts, reminders sent once (even by two
sweeps at once) and the secret calendar feed — through the services and the JSON API."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import reflex as rx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.db import get_engine
from cyberhub.formatting import when
from cyberhub.models import (
    AuditLog,
    CalendarFeed,
    Notification,
    OutboxMail,
    ScheduleReminder,
    Submission,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.pages.student_dashboard.due import DueThisWeekState, due_section
from cyberhub.services.errors import Forbidden, Invalid, NotFound
from cyberhub.services.learning import calendar_feed, schedule, submissions
from cyberhub.state.service import Outcome
from tests.factories import (
    GOOD_ANSWER,
    World,
    complete_profiler,
    decide,
    id_of,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]

API = "/api/v1"


def set_zone(session: Session, user: User, tz: str) -> None:
    user.time_zone = tz
    session.add(user)
    session.commit()


def due(session: Session, w: World, mission_id: int, at: datetime | str) -> None:
    schedule.set_due_date(session, principal(session, w.director), id_of(w.cohort), mission_id, at)
    session.commit()


def hand_in(session: Session, w: World, mission_id: int, user: User | None = None) -> Submission:
    sub = submissions.submit(
        session, principal(session, user or w.student), mission_id, answer=GOOD_ANSWER
    )
    session.commit()
    return sub


@pytest.fixture
def builder(session: Session, world: World) -> World:
    """The world's student in the builders track (m1, m2 builders; m3 leaders); student2 has no
    track yet, so every track's due dates apply to them."""
    complete_profiler(session, id_of(world.student), "builders")
    return world


class TestDirectorSetsDueDates:
    def test_a_time_typed_by_the_director_is_read_in_their_zone_and_stored_utc(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        set_zone(session, w.director, "Africa/Nairobi")
        due(session, w, id_of(w.m1), "2026-12-12T17:00")
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        by_title = {m.title: m for m in got.missions}
        assert set(by_title) == {"Harden a server", "Scan the pipeline", "Write a policy"}
        assert by_title["Harden a server"].due_at == datetime(2026, 12, 12, 14, 0, tzinfo=UTC)
        assert by_title["Write a policy"].due_at is None
        entry = session.exec(select(AuditLog).where(AuditLog.action == "cohort.due_date_set")).one()
        assert entry.actor_id == w.director.id and entry.target_id == str(w.cohort.id)

    def test_display_follows_daylight_saving_time_in_each_readers_zone(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        set_zone(session, w.director, "Europe/London")
        # British Summer Time starts on 29 March 2026: 17:00 is 17:00 UTC before, 16:00 after.
        due(session, w, id_of(w.m1), "2026-03-28T17:00")
        due(session, w, id_of(w.m2), "2026-03-30T17:00")
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        at = {m.title: m.due_at for m in got.missions}
        assert at["Harden a server"] == datetime(2026, 3, 28, 17, 0, tzinfo=UTC)
        assert at["Scan the pipeline"] == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)
        assert when(at["Harden a server"], "Europe/London") == "28 Mar 2026, 17:00 GMT"
        assert when(at["Scan the pipeline"], "Europe/London") == "30 Mar 2026, 17:00 BST"
        # A learner in Nairobi (no daylight saving) sees the same moments at 20:00 and 19:00.
        assert when(at["Harden a server"], "Africa/Nairobi") == "28 Mar 2026, 20:00 EAT"
        assert when(at["Scan the pipeline"], "Africa/Nairobi") == "30 Mar 2026, 19:00 EAT"

    def test_a_time_the_clocks_skip_is_refused_with_a_reason(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        """On 29 March 2026 London's clocks go from 01:00 to 02:00: 01:30 that day was taken as
        02:30 BST without a word. It is refused, saying why; the hour before and after are fine."""
        w = builder
        set_zone(session, w.director, "Europe/London")
        p = principal(session, w.director)
        with pytest.raises(Invalid, match="01:30 on 29 Mar 2026 does not exist in Europe/London"):
            schedule.set_due_date(session, p, id_of(w.cohort), id_of(w.m1), "2026-03-29T01:30")
        session.rollback()  # the refused save held the cohort's row
        r = client_for(w.director).put(
            f"{API}/cohorts/{w.cohort.id}/schedule/{w.m1.id}", json={"due_at": "2026-03-29T01:30"}
        )
        assert r.status_code == 422 and "clocks go forward" in r.json()["detail"]
        due(session, w, id_of(w.m1), "2026-03-29T02:00")
        got = schedule.cohort_schedule(session, p, id_of(w.cohort))
        at = {m.title: m.due_at for m in got.missions}
        assert at["Harden a server"] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)

    def test_clearing_removes_the_date_and_is_audited(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        due(session, w, id_of(w.m1), "2026-12-12T17:00")
        schedule.clear_due_date(
            session, principal(session, w.director), id_of(w.cohort), id_of(w.m1)
        )
        session.commit()
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        assert all(m.due_at is None for m in got.missions)
        assert session.exec(
            select(AuditLog).where(AuditLog.action == "cohort.due_date_cleared")
        ).first()

    def test_bad_input_is_refused_with_a_reason(self, session: Session, builder: World) -> None:
        w = builder
        p = principal(session, w.director)
        for bad in ("", "tomorrow", "2026-12-12", "2026-13-40T10:00", "1900-01-01T10:00"):
            with pytest.raises(Invalid):
                schedule.set_due_date(session, p, id_of(w.cohort), id_of(w.m1), bad)
        for not_run in (w.draft_mission, w.archived_mission, w.other_mission):
            with pytest.raises(NotFound):
                schedule.set_due_date(
                    session, p, id_of(w.cohort), id_of(not_run), "2026-12-12T17:00"
                )

    def test_clearing_a_mission_the_programme_does_not_run_is_not_found(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        # Clearing answered 200 with the mission's title for any mission id: another
        # organisation's mission (or a draft) was named to a director who may not see it.
        w = builder
        p = principal(session, w.director)
        for not_run in (w.draft_mission, w.other_mission):
            with pytest.raises(NotFound):
                schedule.clear_due_date(session, p, id_of(w.cohort), id_of(not_run))
        session.rollback()  # let go of the cohort's row lock before the API asks for it
        r = client_for(w.director).delete(
            f"{API}/cohorts/{w.cohort.id}/schedule/{w.other_mission.id}"
        )
        assert r.status_code == 404, r.text
        assert w.other_mission.title not in r.text

    def test_the_same_date_saved_twice_at_once_is_saved_once(
        self, session: Session, builder: World
    ) -> None:
        # A double click on Save (or two directors): both found no date and inserted one, and
        # the second failed on the one-date-per-mission constraint (a 500).
        w = builder
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def save(at: str) -> None:
            try:
                with Session(get_engine()) as s:
                    p = principal(s, w.director)
                    start.wait(timeout=10)
                    schedule.set_due_date(s, p, id_of(w.cohort), id_of(w.m1), at)
                    time.sleep(0.2)  # hold the transaction open while the other one runs
                    s.commit()
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        threads = [
            threading.Thread(target=save, args=(at,))
            for at in ("2026-12-12T17:00", "2026-12-13T17:00")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        assert [m.due_at is not None for m in got.missions].count(True) == 1

    def test_only_directors_of_the_cohorts_organisation(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        for user in (w.other_director, w.mentor, w.student):
            # Another organisation's director: as a cohort nobody has.
            refused = NotFound if user is w.other_director else Forbidden
            with pytest.raises(refused):
                schedule.set_due_date(
                    session,
                    principal(session, user),
                    id_of(w.cohort),
                    id_of(w.m1),
                    "2026-12-12T17:00",
                )
            with pytest.raises(refused):
                schedule.cohort_schedule(session, principal(session, user), id_of(w.cohort))
            with pytest.raises(refused):
                schedule.roster_overdue(session, principal(session, user), id_of(w.cohort))


class TestOverdueRule:
    def test_pending_counts_as_handed_in_changes_requested_does_not(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        now = utcnow()
        due(session, w, id_of(w.m2), now - timedelta(days=2))  # overdue, nothing handed in
        due(session, w, id_of(w.m1), now - timedelta(days=1))  # handed in, waiting for review
        due(session, w, id_of(w.m3), now - timedelta(days=1))  # leaders: not the student's track
        sub = hand_in(session, w, id_of(w.m1))
        mine = schedule.my_schedule(session, principal(session, w.student))
        assert [(i.title, i.status) for i in mine.overdue] == [("Scan the pipeline", "overdue")]
        badge = schedule.mission_due(session, principal(session, w.student), id_of(w.m2))
        assert badge is not None and badge.status == "overdue" and badge.days_overdue == 2
        badge = schedule.mission_due(session, principal(session, w.student), id_of(w.m1))
        assert badge is not None and badge.status == "handed_in"
        assert schedule.mission_due(session, principal(session, w.student), id_of(w.m3)) is None

        decide(session, w, sub, "changes_requested")
        mine = schedule.my_schedule(session, principal(session, w.student))
        assert {i.title for i in mine.overdue} == {"Harden a server", "Scan the pipeline"}

        # student2 has no track yet: every track's missions are expected of them.
        counts = schedule.behind_schedule(session, id_of(w.cohort))
        assert counts == {id_of(w.student): 2, id_of(w.student2): 3}
        rows = schedule.roster_overdue(session, principal(session, w.director), id_of(w.cohort))
        assert {r.student_id: r.overdue for r in rows} == counts

    def test_approved_is_never_overdue(self, session: Session, builder: World) -> None:
        w = builder
        sub = hand_in(session, w, id_of(w.m1))
        decide(session, w, sub, "approved")
        due(session, w, id_of(w.m1), utcnow() - timedelta(days=3))
        assert schedule.my_schedule(session, principal(session, w.student)).overdue == []
        badge = schedule.mission_due(session, principal(session, w.student), id_of(w.m1))
        assert badge is not None and badge.status == "approved"
        assert id_of(w.student) not in schedule.behind_schedule(session, id_of(w.cohort))

    def test_due_this_week_lists_the_next_seven_days_only(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        now = utcnow()
        due(session, w, id_of(w.m1), now + timedelta(days=3))
        due(session, w, id_of(w.m2), now + timedelta(days=10))
        mine = schedule.my_schedule(session, principal(session, w.student))
        assert [(i.title, i.status, i.url) for i in mine.due_this_week] == [
            ("Harden a server", "due", f"/missions/{w.m1.id}")
        ]
        assert mine.overdue == []

    def test_the_home_block_says_loading_not_nothing_due_before_its_read(
        self, session: Session, builder: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The learner's home shows before its "Due this week" block has read anything: the
        block says it is loading, not "Nothing is due" over an overdue mission."""
        w = builder
        due(session, w, id_of(w.m1), utcnow() - timedelta(days=2))

        async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
            return Outcome(value=fn(session, principal(session, w.student), *args))

        async def utc(_: Any) -> str:
            return "UTC"

        monkeypatch.setattr(DueThisWeekState, "_try", run_here)
        monkeypatch.setattr(DueThisWeekState, "_time_zone", utc)
        block = rx.State().get_substate(DueThisWeekState.get_full_name().split(".")[1:])
        assert isinstance(block, DueThisWeekState)
        drawn = str(due_section())
        assert "Loading your due dates" in drawn and "Nothing is due" in drawn
        assert block.loaded is False and block.items == []  # what the block shows: "Loading…"
        run_in_own_loop(DueThisWeekState.event_handlers["load"].fn(block))
        assert block.loaded is True
        assert [(i["title"], i["overdue"]) for i in block.items] == [("Harden a server", True)]

    def test_learners_of_other_cohorts_see_nothing(self, session: Session, builder: World) -> None:
        w = builder
        due(session, w, id_of(w.m1), utcnow() - timedelta(days=1))
        other = schedule.my_schedule(session, principal(session, w.outsider_student))
        assert other.overdue == [] and other.due_this_week == []


def reminders_for(session: Session, user: User) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == schedule.DUE_SOON
            )
        ).all()
    )


class TestReminders:
    def test_sent_once_to_learners_who_have_not_handed_in(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        set_zone(session, w.student, "Africa/Nairobi")
        now = utcnow()
        soon = now + timedelta(days=1)
        due(session, w, id_of(w.m1), soon)
        due(session, w, id_of(w.m2), now + timedelta(days=5))  # beyond REMINDER_DAYS_BEFORE (2)
        hand_in(session, w, id_of(w.m1), w.student2)  # student2 handed in already
        assert schedule.send_reminders(session).sent == 1
        session.commit()
        [note] = reminders_for(session, w.student)
        assert "Harden a server" in note.title and note.link == f"/missions/{w.m1.id}"
        assert when(soon, "Africa/Nairobi") in note.title  # in the learner's own time zone
        assert reminders_for(session, w.student2) == []
        mails = session.exec(select(OutboxMail).where(OutboxMail.kind == schedule.DUE_SOON)).all()
        assert [m.to_email for m in mails] == [w.student.email]
        # Again: nothing new.
        assert schedule.send_reminders(session).sent == 0
        session.commit()
        assert len(reminders_for(session, w.student)) == 1

    def test_a_moved_due_date_is_reminded_again(self, session: Session, builder: World) -> None:
        w = builder
        due(session, w, id_of(w.m1), utcnow() + timedelta(days=1))
        assert schedule.send_reminders(session).sent == 2  # student and student2
        session.commit()
        due(session, w, id_of(w.m1), utcnow() + timedelta(days=1, hours=6))
        assert schedule.send_reminders(session).sent == 2
        session.commit()
        assert len(reminders_for(session, w.student)) == 2

    def test_a_date_moved_while_a_sweep_was_sending_is_still_reminded(
        self, session: Session, builder: World
    ) -> None:
        """A sweep still sending for the old date commits its reminder row after the move had
        forgotten the old rows: that row (for the old date) then kept the new date from ever
        being reminded. A row for another date no longer counts as this date's reminder."""
        w = builder
        old, new = utcnow() + timedelta(days=1), utcnow() + timedelta(days=1, hours=6)
        due(session, w, id_of(w.m1), new)
        for user in (w.student, w.student2):  # what the racing sweep committed, after the move
            session.add(
                ScheduleReminder(
                    user_id=id_of(user),
                    cohort_id=w.cohort.id or 0,
                    mission_id=id_of(w.m1),
                    kind=schedule.DUE_SOON,
                    due_at=old,
                )
            )
        session.commit()
        assert schedule.send_reminders(session).sent == 2
        session.commit()
        [note] = reminders_for(session, w.student)
        assert when(new, w.student.time_zone) in note.title
        assert schedule.send_reminders(session).sent == 0  # and once only

    def test_two_sweeps_at_once_send_each_reminder_once(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        due(session, w, id_of(w.m1), utcnow() + timedelta(days=1))
        due(session, w, id_of(w.m2), utcnow() + timedelta(hours=20))
        start = threading.Barrier(2)
        sent: list[int] = []
        errors: list[BaseException] = []

        def sweep() -> None:
            try:
                with Session(get_engine()) as s:
                    start.wait(timeout=10)
                    result = schedule.send_reminders(s)
                    s.commit()
                    sent.append(result.sent)
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        # 2 missions x 2 learners (student2 has no track: both builders missions apply).
        assert sum(sent) == 4
        for user in (w.student, w.student2):
            assert len(reminders_for(session, user)) == 2

    def test_the_worker_actor_sweeps(
        self, session: Session, builder: World, stub_broker, stub_worker
    ) -> None:
        import worker.actors
        from worker.scheduler import SCHEDULE

        assert "send_due_reminders" in {j.actor for j in SCHEDULE}
        due(session, builder, id_of(builder.m1), utcnow() + timedelta(days=1))
        worker.actors.send_due_reminders.send()
        stub_broker.join("default", timeout=20_000)
        stub_worker.join()
        assert len(reminders_for(session, builder.student)) == 1

    def test_a_deactivated_account_is_not_reminded_until_it_is_active_again(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        due(session, w, id_of(w.m1), utcnow() + timedelta(days=1))
        w.student2.is_active = False  # deactivated by an admin
        session.add(w.student2)
        session.commit()
        assert schedule.send_reminders(session).sent == 1  # the student only
        session.commit()
        assert reminders_for(session, w.student2) == []
        w.student2.is_active = True  # reactivated before the due date: reminded then
        session.add(w.student2)
        session.commit()
        assert schedule.send_reminders(session).sent == 1
        session.commit()
        assert len(reminders_for(session, w.student2)) == 1

    def test_closed_cohorts_and_approved_work_get_no_reminder(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        sub = hand_in(session, w, id_of(w.m1))
        decide(session, w, sub, "approved")
        due(session, w, id_of(w.m1), utcnow() + timedelta(days=1))
        w.cohort.closed_at = utcnow()
        session.add(w.cohort)
        session.commit()
        assert schedule.send_reminders(session).sent == 0


def feed_events(client: TestClient, url: str) -> list[icalendar.Event]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    return [e for e in cal.walk("VEVENT") if isinstance(e, icalendar.Event)]


class TestCalendarFeed:
    def test_the_feed_lists_the_learners_due_dates_and_dies_when_revoked(
        self, session: Session, builder: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        w = builder
        first, second = utcnow() + timedelta(days=3), utcnow() - timedelta(days=1)
        due(session, w, id_of(w.m1), first)
        due(session, w, id_of(w.m2), second)
        due(session, w, id_of(w.m3), first)  # leaders: not in a builder's calendar
        student = client_for(w.student)
        assert student.get(f"{API}/me/calendar-feed").json() == {
            "active": False,
            "created_at": None,
            "revoked_at": None,
        }
        made = student.post(f"{API}/me/calendar-feed")
        assert made.status_code == 200, made.text
        url = made.json()["url"]
        path = url[url.index("/api/v1/") :]
        assert path.endswith(".ics")
        # Only a hash of the secret is stored.
        token = path.removeprefix(f"{API}/calendar/").removesuffix(".ics")
        stored = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == w.student.id))
        assert all(token not in f.token_hash for f in stored)

        events = feed_events(api_client, path)  # no sign-in needed
        by_title = {str(e["SUMMARY"]): e for e in events}
        assert set(by_title) == {"Harden a server", "Scan the pipeline"}
        start = by_title["Harden a server"].decoded("DTSTART")
        assert start == first.replace(second=0, microsecond=0) and start.utcoffset() == timedelta(0)
        # A due date is a moment: no DTEND (RFC 5545 3.8.2.2 wants one later than DTSTART; an
        # event without one ends when it starts, 3.6.1).
        assert all("DTEND" not in e for e in events)
        assert str(by_title["Harden a server"]["URL"]).endswith(f"/missions/{w.m1.id}")
        uid = str(by_title["Harden a server"]["UID"])
        # Moving the date keeps the event's UID (calendar apps update it, not add one).
        due(session, w, id_of(w.m1), first + timedelta(days=1))
        moved = {str(e["SUMMARY"]): e for e in feed_events(api_client, path)}
        assert str(moved["Harden a server"]["UID"]) == uid

        # Regenerating revokes the old address; revoking leaves none.
        again = student.post(f"{API}/me/calendar-feed").json()["url"]
        old = api_client.get(path)
        assert old.status_code == 404 and "detail" in old.json()
        new_path = again[again.index("/api/v1/") :]
        assert len(feed_events(api_client, new_path)) == 2
        off = student.delete(f"{API}/me/calendar-feed").json()
        assert off["active"] is False and off["revoked_at"] is not None
        gone = api_client.get(new_path)
        assert gone.status_code == 404 and "revoked" in gone.json()["detail"]

    def test_two_new_addresses_at_once_leave_one_live_feed(
        self, session: Session, builder: World
    ) -> None:
        # Two tabs (or a double click) making a feed at the same moment: both found no live
        # feed and inserted one, and the second broke the one-live-feed index (a 500).
        w = builder
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def make() -> None:
            try:
                with Session(get_engine()) as s:
                    p = principal(s, w.student)
                    start.wait(timeout=10)
                    calendar_feed.create_feed(s, p)
                    time.sleep(0.2)  # hold the transaction open while the other one runs
                    s.commit()
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=make) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        session.expire_all()
        feeds = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == w.student.id))
        assert [f.revoked_at is None for f in feeds].count(True) == 1

    def test_unknown_tokens_are_404_with_a_detail(self, api_client: TestClient) -> None:
        for token in ("nope", "x" * 40, "a" * 64, "%00"):
            r = api_client.get(f"{API}/calendar/{token}.ics")
            assert r.status_code in (404, 422), (token, r.status_code)
            assert "detail" in r.json()


class TestApi:
    def test_director_sets_and_clears_through_the_api(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        w = builder
        set_zone(session, w.director, "Africa/Nairobi")
        director = client_for(w.director)
        url = f"{API}/cohorts/{w.cohort.id}/schedule/{w.m1.id}"
        r = director.put(url, json={"due_at": "2026-12-12T17:00"})
        assert r.status_code == 200, r.text
        assert r.json()["due_at"] == "2026-12-12T14:00:00+00:00"
        r = director.put(url, json={"due_at": "2026-12-12T17:00:00Z"})  # an offset: that moment
        assert r.json()["due_at"] == "2026-12-12T17:00:00+00:00"
        assert director.put(url, json={"due_at": "soon"}).status_code == 422
        schedule_ = director.get(f"{API}/cohorts/{w.cohort.id}/schedule").json()
        assert {m["title"] for m in schedule_["missions"] if m["due_at"]} == {"Harden a server"}
        assert director.delete(url).json()["due_at"] is None

    def test_the_api_refuses_what_the_page_refuses(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        """A date without a time ("2026-12-12") is refused by the schedule page, saying which
        time to give; through the API it was saved as midnight, the start of the day it names,
        without a word. A number was taken as seconds since 1970. Both answer 422 with
        the page's reason, and nothing is saved."""
        w = builder
        set_zone(session, w.director, "Africa/Nairobi")
        director = client_for(w.director)
        url = f"{API}/cohorts/{w.cohort.id}/schedule/{w.m1.id}"
        for bad in ("2026-12-12", "1700000000"):
            r = director.put(url, json={"due_at": bad})
            assert r.status_code == 422 and r.json()["detail"] == schedule.BAD_DATE, (bad, r.text)
        r = director.put(url, json={"due_at": 1700000000})
        assert r.status_code == 422 and r.json()["detail"], r.text
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        assert all(m.due_at is None for m in got.missions)
        # What the page sends, with or without an offset, is saved as before.
        r = director.put(url, json={"due_at": "2026-12-12 17:00"})
        assert r.json()["due_at"] == "2026-12-12T14:00:00+00:00", r.text
        r = director.put(url, json={"due_at": "2026-12-12T17:00:00+03:00"})
        assert r.json()["due_at"] == "2026-12-12T14:00:00+00:00", r.text

    def test_other_people_get_403_or_404_and_nothing_changes(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        w = builder
        url = f"{API}/cohorts/{w.cohort.id}/schedule/{w.m1.id}"
        for user in (w.other_director, w.mentor, w.student):
            c = client_for(user)
            r = c.put(url, json={"due_at": "2026-12-12T17:00"})
            assert r.status_code in (403, 404) and "detail" in r.json(), (user.email, r.text)
            assert c.get(f"{API}/cohorts/{w.cohort.id}/schedule").status_code in (403, 404)
            assert c.get(f"{API}/cohorts/{w.cohort.id}/overdue").status_code in (403, 404)
        got = schedule.cohort_schedule(session, principal(session, w.director), id_of(w.cohort))
        assert all(m.due_at is None for m in got.missions)

    def test_the_learner_reads_their_schedule(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        w = builder
        due(session, w, id_of(w.m1), utcnow() - timedelta(days=1))
        student = client_for(w.student)
        body = student.get(f"{API}/me/schedule").json()
        assert [i["title"] for i in body["overdue"]] == ["Harden a server"]
        assert student.get(f"{API}/missions/{w.m1.id}/due").json()["status"] == "overdue"
        assert student.get(f"{API}/missions/{w.m3.id}/due").json() is None
        assert student.get(f"{API}/missions/{w.other_mission.id}/due").status_code == 404
        overdue = client_for(w.director).get(f"{API}/cohorts/{w.cohort.id}/overdue").json()
        assert {r["student_id"] for r in overdue} == {w.student.id, w.student2.id}


class TestMigration:
    def test_0020_goes_down_and_up(self, session: Session, db_url: str, builder: World) -> None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from sqlalchemy import text

        from cyberhub import migrate
        from cyberhub.settings import ROOT

        due(session, builder, id_of(builder.m1), "2026-12-12T17:00")
        session.close()
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.set_main_option("script_location", str(ROOT / "alembic"))
        parent = ScriptDirectory.from_config(cfg).get_revision("0020").down_revision
        assert isinstance(parent, str)
        migrate.downgrade(db_url, parent)
        for table in ("cohort_due_dates", "schedule_reminders", "calendar_feeds"):
            assert session.execute(text(f"SELECT to_regclass('{table}')")).scalar() is None
        session.rollback()
        migrate.upgrade(db_url, "head")
        assert session.execute(text("SELECT count(*) FROM cohort_due_dates")).scalar() == 0
