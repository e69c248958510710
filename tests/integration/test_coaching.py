"""The Coaching OS (issue 16): check-in rules, goal progress from each source, the week's
summary against the week before, who reads reflections, reminders, and the API's 4xx answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub import migrate
from cyberhub.formatting import when
from cyberhub.models import (
    Notification,
    OutboxMail,
    RoleAssignment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    User,
)
from cyberhub.models.coaching import Habit, HabitCheckin, Reflection
from cyberhub.models.progress import SubmissionEventKind
from cyberhub.pages.coaching.rows import goal_view
from cyberhub.schemas.coaching import (
    MAX_GOALS,
    MAX_HABITS,
    CheckinCreate,
    CheckinPublic,
    GoalCreate,
    GoalUpdate,
    HabitCreate,
    HabitPublic,
    HabitUpdate,
    ReflectionCreate,
)
from cyberhub.services.coaching import access, goals, habits, reflections, reminders, summary
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import mission_scope
from tests.factories import build_world, id_of, make_user, principal
from tests.fakes import FakeSmtp
from tests.integration.conftest import ClientFor
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

API = "/api/v1"
# A Thursday at noon in Nairobi (UTC+3, no DST): "today" for the service calls given `now`.
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 12)


def _zone(session: Session, user: User, tz: str = "Africa/Nairobi") -> None:
    user.time_zone = tz
    session.add(user)
    session.commit()


def _habit(
    session: Session, p: Principal, title: str = "Read one write-up", **kw: Any
) -> HabitPublic:
    return habits.create_habit(session, p, HabitCreate(title=title, **kw))


def _in(
    session: Session, p: Principal, habit_id: int, day: date, now: datetime = NOW
) -> CheckinPublic:
    return habits.check_in(session, p, habit_id, CheckinCreate(day=day), now=now)


# -- check-ins ---------------------------------------------------------------------------------


def test_one_check_in_per_period_and_back_fill_of_two_days(session: Session) -> None:
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    h = _habit(session, p)
    for back in (0, 1, 2):
        _in(session, p, h.id, TODAY - timedelta(days=back))
    with pytest.raises(Conflict, match="already checked in"):
        _in(session, p, h.id, TODAY)
    with pytest.raises(Invalid, match="up to 2 days before"):
        _in(session, p, h.id, TODAY - timedelta(days=3))
    with pytest.raises(Invalid, match="hasn't come yet"):
        _in(session, p, h.id, TODAY + timedelta(days=1))
    session.commit()
    days = [c.day for c in habits.list_checkins(session, p, h.id)]
    assert days == [TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=2)]


def test_today_is_the_learners_day_not_utcs(session: Session) -> None:
    """22:30 UTC on the 12th is already the 13th in Nairobi: a check-in then is for the 13th."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    h = _habit(session, p)
    late = datetime(2026, 11, 12, 22, 30, tzinfo=UTC)
    made = habits.check_in(session, p, h.id, CheckinCreate(), now=late)
    assert made.day == date(2026, 11, 13)


def test_a_weekly_habit_takes_one_check_in_a_week(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    h = _habit(session, p, cadence="weekly")
    _in(session, p, h.id, TODAY)  # Thursday
    with pytest.raises(Conflict, match="the week of 2026-11-09"):
        _in(session, p, h.id, TODAY - timedelta(days=1))


def _cadence(session: Session, p: Principal, habit_id: int, cadence: str) -> HabitPublic:
    return habits.update_habit(session, p, habit_id, HabitUpdate(cadence=cadence))


def test_after_weekly_to_daily_the_days_are_judged_by_the_day(session: Session) -> None:
    """A weekly check-in made on Tuesday was kept as "the week of Monday": once the habit is
    daily, checking in for Monday (back-filled) was refused as already done. Each day is now
    judged by the new cadence: Tuesday is done, Monday and Wednesday are open."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    mon, tue, wed = date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)
    on_wed = NOW - timedelta(days=1)
    h = _habit(session, p, cadence="weekly")
    _in(session, p, h.id, tue, now=NOW - timedelta(days=2))
    _cadence(session, p, h.id, "daily")
    _in(session, p, h.id, wed, now=on_wed)
    with pytest.raises(Conflict, match="already checked in for 2026-11-11"):
        _in(session, p, h.id, wed, now=on_wed)
    with pytest.raises(Conflict, match="already checked in for 2026-11-10"):
        _in(session, p, h.id, tue, now=on_wed)
    assert _in(session, p, h.id, mon, now=on_wed).day == mon
    session.commit()
    days = sorted(c.day for c in habits.list_checkins(session, p, h.id))
    assert days == [mon, tue, wed]
    [got] = habits.habits_public(session, id_of(w.student), now=on_wed)
    assert (got.streak.current, got.streak.unit, got.done_today) == (3, "day", True)
    assert got.open_days == []


def test_after_daily_to_weekly_the_week_is_judged_by_the_week(session: Session) -> None:
    """A daily check-in on Tuesday, then the habit made weekly: this week is done, so a check-in
    on Wednesday is refused (it was taken, as a second check-in in the week)."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    h = _habit(session, p)
    _in(session, p, h.id, date(2026, 11, 10), now=NOW - timedelta(days=2))
    _cadence(session, p, h.id, "weekly")
    with pytest.raises(Conflict, match="the week of 2026-11-09"):
        _in(session, p, h.id, date(2026, 11, 11), now=NOW - timedelta(days=1))
    # Next week is a new week; back to daily, the days before are judged by the day again.
    _in(session, p, h.id, date(2026, 11, 16), now=NOW + timedelta(days=4))
    _cadence(session, p, h.id, "daily")
    _in(session, p, h.id, date(2026, 11, 17), now=NOW + timedelta(days=5))
    with pytest.raises(Conflict, match="already checked in for 2026-11-16"):
        _in(session, p, h.id, date(2026, 11, 16), now=NOW + timedelta(days=5))


def test_each_check_in_reads_the_period_of_the_cadence_now(
    session: Session, client_for: ClientFor
) -> None:
    """The check-ins' `period_start` (the list, the habit's recent check-ins) follows the
    habit's cadence now: after weekly → daily, Tuesday's weekly check-in answered "the week
    of Monday", as did Monday's own, two check-ins of one daily period; back to weekly, both
    are of that week again. Each keeps its day and note."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    mon, tue = date(2026, 11, 9), date(2026, 11, 10)
    on_wed = NOW - timedelta(days=1)
    h = _habit(session, p, cadence="weekly")
    habits.check_in(session, p, h.id, CheckinCreate(day=tue, note="Tuesday"), now=on_wed)
    _cadence(session, p, h.id, "daily")
    assert _in(session, p, h.id, mon, now=on_wed).period_start == mon
    session.commit()
    logs = client_for(w.student).get(f"{API}/coaching/habits/{h.id}/logs").json()
    assert [(c["day"], c["period_start"], c["note"]) for c in logs] == [
        (tue.isoformat(), tue.isoformat(), "Tuesday"),
        (mon.isoformat(), mon.isoformat(), ""),
    ]
    _cadence(session, p, h.id, "weekly")
    session.commit()
    [got] = habits.list_habits(session, p)
    assert [(c.day, c.period_start) for c in got.recent] == [(tue, mon), (mon, mon)]


def test_migration_0026_keeps_each_check_ins_unit(session: Session, db_url: str) -> None:
    """Check-ins stored before 0026: one whose period is not its day was weekly; a Monday one of
    a habit weekly now is taken as weekly; the rest are days'. Afterwards the weekly → daily
    change above works on them too."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    weekly, daily = _habit(session, p, cadence="weekly"), _habit(session, p, title="Daily")
    monday_habit = _habit(session, p, title="Mondays", cadence="weekly")
    session.commit()
    migrate.downgrade(db_url, "0025")
    uid = id_of(w.student)
    for habit_id, period, day in (
        (weekly.id, date(2026, 11, 9), date(2026, 11, 10)),  # a Tuesday, as the week of Monday
        (daily.id, date(2026, 11, 9), date(2026, 11, 9)),
        (monday_habit.id, date(2026, 11, 9), date(2026, 11, 9)),
    ):
        session.execute(
            text(
                "INSERT INTO habit_checkins (habit_id, user_id, period_start, day, note, "
                "created_at) VALUES (:h, :u, :p, :d, '', now())"
            ),
            {"h": habit_id, "u": uid, "p": period, "d": day},
        )
    session.commit()
    migrate.upgrade(db_url, "head")
    found = session.execute(text("SELECT habit_id, period_unit FROM habit_checkins")).all()
    units = {row[0]: row[1] for row in found}
    session.commit()
    assert units == {weekly.id: "week", daily.id: "day", monday_habit.id: "week"}
    _cadence(session, p, weekly.id, "daily")
    assert _in(session, p, weekly.id, date(2026, 11, 9), now=NOW - timedelta(days=1))


def test_someone_elses_habit_is_unknown_and_staff_keep_no_habits(session: Session) -> None:
    w = build_world(session)
    h = _habit(session, principal(session, w.student))
    with pytest.raises(NotFound, match="does not exist"):
        _in(session, principal(session, w.student2), h.id, TODAY)
    with pytest.raises(Forbidden):
        habits.list_habits(session, principal(session, w.mentor))


def test_archived_habits_take_no_check_ins(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    h = _habit(session, p)
    assert habits.archive_habit(session, p, h.id).archived
    with pytest.raises(Invalid, match="archived"):
        _in(session, p, h.id, TODAY)
    assert habits.list_habits(session, p) == []


def test_an_archived_habit_offers_no_day_to_check_in(
    session: Session, client_for: ClientFor
) -> None:
    """An archived habit takes no check-ins, yet the API still listed today and the back-fill
    days among its `open_days` ("days still open for a check-in"): a client offered buttons
    that only got 422."""
    w = build_world(session)
    c = client_for(w.student)
    habit = c.post(f"{API}/coaching/habits", json={"title": "Read"}).json()
    assert len(habit["open_days"]) == 3
    archived = c.delete(f"{API}/coaching/habits/{habit['id']}").json()
    assert archived["archived"] is True and archived["open_days"] == []
    [listed] = c.get(f"{API}/coaching/habits", params={"include_archived": True}).json()
    assert listed["open_days"] == []
    r = c.post(f"{API}/coaching/habits/{habit['id']}/logs", json={})
    assert r.status_code == 422 and "archived" in r.json()["detail"]


# -- goals -------------------------------------------------------------------------------------


def _approve(session: Session, student_id: int, mission_id: int, at: datetime) -> None:
    sub = Submission(
        student_id=student_id,
        mission_id=mission_id,
        status=SubmissionStatus.approved,
        submitted_at=at,
        decided_at=at,
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    session.add(
        SubmissionEvent(submission_id=sub.id, kind=SubmissionEventKind.submitted, created_at=at)
    )
    session.add(
        SubmissionEvent(submission_id=sub.id, kind=SubmissionEventKind.approved, created_at=at)
    )
    session.commit()


def test_goal_progress_from_linked_missions(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    g = goals.create_goal(
        session,
        p,
        GoalCreate(
            title="Ship two labs", progress_source="missions", mission_ids=[w.m1.id, w.m3.id]
        ),
    )
    assert (g.percent, g.progress_label) == (0, "0 of 2 missions approved")
    _approve(session, id_of(w.student), id_of(w.m1), NOW)
    [g] = goals.list_goals(session, p)
    assert (g.percent, g.progress_label) == (50, "1 of 2 missions approved")
    assert [m.approved for m in g.missions] == [True, False]  # "Harden a server", "Write a policy"


def test_a_goals_percent_is_rounded_down_as_the_track_progress_beside_it(
    session: Session,
) -> None:
    """2 of 3 missions approved reads 66 % on the goal, as the learner's progress figures
    (dashboard, mentee page) round it, not 67 % on one card and 66 % on the next."""
    w = build_world(session)
    p = principal(session, w.student)
    goals.create_goal(
        session,
        p,
        GoalCreate(
            title="All three labs",
            progress_source="missions",
            mission_ids=[w.m1.id, w.m2.id, w.m3.id],
        ),
    )
    _approve(session, id_of(w.student), id_of(w.m1), NOW)
    _approve(session, id_of(w.student), id_of(w.m3), NOW)
    [g] = goals.list_goals(session, p)
    assert (g.percent, g.progress_label) == (66, "2 of 3 missions approved")
    assert g.percent == mission_scope.percent(2, 3)


def test_a_goal_cannot_link_another_organisations_mission(session: Session) -> None:
    w = build_world(session)
    with pytest.raises(NotFound, match="not open to you"):
        goals.create_goal(
            session,
            principal(session, w.student),
            GoalCreate(title="Sneak", progress_source="missions", mission_ids=[w.other_mission.id]),
        )


def test_a_goal_cannot_count_an_archived_habit(session: Session, client_for: ClientFor) -> None:
    """An archived habit takes no more check-ins, so a goal counted from it could never move:
    the page offers only active habits, but the API linked an archived one (201, '0 of 10
    check-ins' for good). Refused, and nothing is stored."""
    w = build_world(session)
    p = principal(session, w.student)
    h = _habit(session, p, "Old habit")
    habits.archive_habit(session, p, h.id)
    session.commit()
    c = client_for(w.student)
    body = {"title": "Read daily", "progress_source": "habits", "habit_ids": [h.id]}
    r = c.post(f"{API}/coaching/goals", json=body)
    assert r.status_code == 422 and "“Old habit” is archived" in r.json()["detail"], r.text
    assert c.get(f"{API}/coaching/goals").json() == []


def test_a_goal_target_date_after_2100_is_refused(session: Session, client_for: ClientFor) -> None:
    """A target date of 9999-12-31 (a typo: '20266') was stored and shown as the goal's target;
    dates end in 2100 here, as a cohort's, a sponsorship's and a due date's."""
    w = build_world(session)
    c = client_for(w.student)
    r = c.post(f"{API}/coaching/goals", json={"title": "Far", "target_date": "9999-12-31"})
    assert r.status_code == 422 and "2100" in r.json()["detail"], r.text
    made = c.post(f"{API}/coaching/goals", json={"title": "Near", "target_date": "2100-12-31"})
    assert made.status_code == 201, made.text
    r = c.patch(f"{API}/coaching/goals/{made.json()['id']}", json={"target_date": "2101-01-01"})
    assert r.status_code == 422 and "2100" in r.json()["detail"], r.text
    assert [g["target_date"] for g in c.get(f"{API}/coaching/goals").json()] == ["2100-12-31"]


def test_a_goal_target_date_is_cleared_by_null_and_kept_when_left_out(
    session: Session, client_for: ClientFor
) -> None:
    """`"target_date": null` clears a goal's target date; a change that leaves the field out
    keeps it. A target date in the past (it was set before that day) can be cleared too."""
    w = build_world(session)
    c = client_for(w.student)
    made = c.post(f"{API}/coaching/goals", json={"title": "Ship", "target_date": "2100-06-01"})
    assert made.status_code == 201, made.text
    url = f"{API}/coaching/goals/{made.json()['id']}"
    r = c.patch(url, json={"manual_percent": 30})
    assert r.status_code == 200 and r.json()["target_date"] == "2100-06-01", r.text
    r = c.patch(url, json={"target_date": None})
    assert r.status_code == 200 and r.json()["target_date"] is None, r.text
    assert [g["target_date"] for g in c.get(f"{API}/coaching/goals").json()] == [None]
    # The service takes the same shape (the /coaching page clears through it).
    p = principal(session, w.student)
    goal = goals.create_goal(
        session, p, GoalCreate(title="Read", target_date=date.today() + timedelta(days=3))
    )
    session.execute(
        text("UPDATE goals SET target_date = :d WHERE id = :id"),
        {"d": date.today() - timedelta(days=5), "id": goal.id},
    )
    session.expire_all()
    assert goals.update_goal(session, p, goal.id, GoalUpdate(status="achieved")).target_date
    cleared = goals.update_goal(session, p, goal.id, GoalUpdate(target_date=None))
    assert cleared.target_date is None


def test_an_active_goal_past_its_target_day_in_the_learners_zone_is_overdue(
    session: Session, client_for: ClientFor
) -> None:
    """A goal still active after its target date showed like any other on /coaching and in the
    API. The day is the learner's (Kiritimati, UTC+14: often a day ahead of UTC): due yesterday
    there, it is overdue; due today, not yet; achieved or dropped, never."""
    w = build_world(session)
    _zone(session, w.student, "Pacific/Kiritimati")
    p = principal(session, w.student)
    today = access.today(session, id_of(w.student))
    made = {
        title: goals.create_goal(session, p, GoalCreate(title=title, target_date=today)).id
        for title in ("Yesterday", "Today", "Achieved", "Dropped")
    }
    for title in ("Yesterday", "Achieved", "Dropped"):
        session.execute(
            text("UPDATE goals SET target_date = :d WHERE id = :id"),
            {"d": today - timedelta(days=1), "id": made[title]},
        )
    session.expire_all()
    goals.update_goal(session, p, made["Achieved"], GoalUpdate(status="achieved"))
    goals.update_goal(session, p, made["Dropped"], GoalUpdate(status="dropped"))
    session.commit()
    shown = goals.list_goals(session, p) + goals.closed_goal_page(session, p).items
    overdue = {g.title: g.overdue for g in shown}
    assert overdue == {"Yesterday": True, "Today": False, "Achieved": False, "Dropped": False}
    c = client_for(w.student)
    api = (
        c.get(f"{API}/coaching/goals").json()
        + c.get(f"{API}/coaching/goals/closed").json()["items"]
    )
    assert {g["title"]: g["overdue"] for g in api} == overdue
    # The goal card on /coaching says so (and since when), the others don't.
    cards = {g.title: goal_view(g) for g in shown}
    assert cards["Yesterday"].overdue == f"Overdue since {when(today, style='date')}"
    assert [t for t, card in cards.items() if card.overdue] == ["Yesterday"]


def test_goal_progress_from_linked_habits_and_by_hand(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    h = _habit(session, p)
    g = goals.create_goal(
        session,
        p,
        GoalCreate(title="Read daily", progress_source="habits", habit_ids=[h.id], habit_target=4),
    )
    for back in (0, 1, 2):  # the goal was set today (UTC clock): back-fills before it don't count
        _in(session, p, h.id, date.today() - timedelta(days=back), now=datetime.now(UTC))
    [g] = goals.list_goals(session, p)
    assert g.progress_label == "1 of 4 check-ins" and g.percent == 25
    manual = goals.create_goal(session, p, GoalCreate(title="Get a job", manual_percent=40))
    assert (manual.percent, manual.progress_label) == (40, "40 % (your estimate)")
    done = goals.update_goal(session, p, manual.id, GoalUpdate(status="achieved"))
    assert (done.percent, done.status) == (100, "achieved")
    with pytest.raises(Invalid, match="0 to 100"):
        goals.update_goal(session, p, manual.id, GoalUpdate(manual_percent=140))


def test_a_goal_short_of_its_target_never_shows_100_percent(session: Session) -> None:
    """199 of 200 check-ins is 99.5 %: shown as 100 % (a full bar) the goal looked done."""
    w = build_world(session)
    uid = id_of(w.student)
    p = principal(session, w.student)
    h = _habit(session, p)
    g = goals.create_goal(
        session,
        p,
        GoalCreate(title="Read", progress_source="habits", habit_ids=[h.id], habit_target=200),
    )
    session.execute(
        text("UPDATE goals SET created_at = :at WHERE id = :id"),
        {"at": datetime.now(UTC) - timedelta(days=400), "id": g.id},
    )
    today = access.today(session, uid)
    for back in range(199):
        day = today - timedelta(days=back)
        session.add(HabitCheckin(habit_id=h.id, user_id=uid, period_start=day, day=day))
    session.commit()
    [g] = goals.list_goals(session, p)
    assert (g.progress_label, g.percent) == ("199 of 200 check-ins", 99)
    day = today - timedelta(days=199)
    session.add(HabitCheckin(habit_id=h.id, user_id=uid, period_start=day, day=day))
    session.commit()
    [g] = goals.list_goals(session, p)
    assert (g.progress_label, g.percent) == ("200 of 200 check-ins", 100)


def test_reopening_a_goal_keeps_to_the_active_goals_limit(session: Session) -> None:
    """A learner keeps at most MAX_GOALS active goals: setting a new one and reopening a
    dropped or achieved one are refused alike at the limit."""
    w = build_world(session)
    p = principal(session, w.student)
    old = goals.create_goal(session, p, GoalCreate(title="An old goal", manual_percent=10))
    goals.update_goal(session, p, old.id, GoalUpdate(status="dropped"))
    for n in range(MAX_GOALS):
        goals.create_goal(session, p, GoalCreate(title=f"Goal {n}", manual_percent=0))
    with pytest.raises(Invalid, match="active goals"):
        goals.create_goal(session, p, GoalCreate(title="One more", manual_percent=0))
    with pytest.raises(Invalid, match="active goals"):
        goals.update_goal(session, p, old.id, GoalUpdate(status="active"))
    assert sum(g.status == "active" for g in goals.list_goals(session, p)) == MAX_GOALS


def test_the_last_free_goal_and_habit_taken_twice_at_once_go_once(session: Session) -> None:
    """A double click on "Set goal" (or "Add habit") with one place left: the second, whose
    count ran before the first committed, is refused as over the limit; both were stored, one
    over it."""
    w = build_world(session)
    p = principal(session, w.student)
    for n in range(MAX_GOALS - 1):
        goals.create_goal(session, p, GoalCreate(title=f"Goal {n}", manual_percent=0))
    for n in range(MAX_HABITS - 1):
        habits.create_habit(session, p, HabitCreate(title=f"Habit {n}", cadence="daily"))
    session.commit()

    def goal(s: Session) -> object:
        return goals.create_goal(s, p, GoalCreate(title="The last one", manual_percent=0))

    def habit(s: Session) -> object:
        return habits.create_habit(s, p, HabitCreate(title="The last one", cadence="daily"))

    first, second = second_while_first_holds(goal, goal)
    assert first == "ok" and "active goals" in second
    first, second = second_while_first_holds(habit, habit)
    assert first == "ok" and "the most you can keep" in second
    session.expire_all()
    assert sum(g.status == "active" for g in goals.list_goals(session, p)) == MAX_GOALS
    assert len(habits.list_habits(session, p)) == MAX_HABITS


def test_the_last_free_reflection_taken_twice_at_once_goes_once(session: Session) -> None:
    """A double click on "Save reflection" (or two tabs) with one place left of
    MAX_REFLECTIONS: the second's count ran before the first committed, so both were stored,
    one over the limit (goals and habits already took turns)."""
    w = build_world(session)
    uid = id_of(w.student)
    p = principal(session, w.student)
    session.execute(
        text(
            "INSERT INTO reflections (user_id, body, prompt, visibility, created_at, updated_at) "
            "SELECT :u, 'Earlier', '', 'private', now(), now() FROM generate_series(1, :n)"
        ),
        {"u": uid, "n": reflections.MAX_REFLECTIONS - 1},
    )
    session.commit()

    def reflect(s: Session) -> object:
        return reflections.add_reflection(s, p, ReflectionCreate(body="The last one"))

    first, second = second_while_first_holds(reflect, reflect)
    assert first == "ok" and "the most you can keep" in second
    count = session.execute(
        text("SELECT count(*) FROM reflections WHERE user_id = :u"), {"u": uid}
    ).scalar_one()
    assert count == reflections.MAX_REFLECTIONS


def test_a_target_date_in_the_past_is_refused(session: Session) -> None:
    w = build_world(session)
    with pytest.raises(Invalid, match="has passed"):
        goals.create_goal(
            session,
            principal(session, w.student),
            GoalCreate(title="Late", target_date=date.today() - timedelta(days=2)),
        )


# -- the week's summary ------------------------------------------------------------------------


def test_the_summary_compares_the_week_with_the_one_before(session: Session) -> None:
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    h1, h2 = _habit(session, p, "Read"), _habit(session, p, "Lab time")
    monday = date(2026, 11, 9)
    last_monday = monday - timedelta(days=7)
    # Last week: 1 check-in (Friday). This week: 4 (Mon, Tue, Wed of h1; Wed of h2).
    friday = last_monday + timedelta(days=4)
    _in(session, p, h1.id, friday, now=datetime.combine(friday, time(12), tzinfo=UTC))
    for n in range(3):
        d = monday + timedelta(days=n)
        _in(session, p, h1.id, d, now=datetime.combine(d, time(12), tzinfo=UTC))
    _in(session, p, h2.id, monday + timedelta(days=2), now=NOW)
    # Reflections: 2 this week (moods 4 and 2), 1 last week (mood 5). Created "then".
    for at, mood in ((NOW, 4), (NOW - timedelta(days=1), 2), (NOW - timedelta(days=7), 5)):
        r = reflections.add_reflection(session, p, ReflectionCreate(body="Notes", mood=mood))
        row = session.get(Reflection, r.id)
        assert row is not None
        row.created_at = at
        session.add(row)
    session.commit()
    _approve(session, id_of(w.student), id_of(w.m1), NOW)
    _approve(session, id_of(w.student), id_of(w.m3), NOW)
    s = summary.week_summary(session, p, TODAY)
    assert (s.week_start, s.week_end) == (monday, monday + timedelta(days=6))
    assert (s.checkins.this_week, s.checkins.last_week, s.checkins.change) == (4, 1, 3)
    assert (s.reflections.this_week, s.reflections.last_week) == (2, 1)
    assert (s.average_mood, s.average_mood_last_week) == (3.0, 5.0)
    assert (s.approvals.this_week, s.approvals.last_week) == (2, 0)
    assert (s.submissions.this_week, s.submissions.change) == (2, 2)
    read = next(x for x in s.habits if x.title == "Read")
    # As of Sunday 15 Nov: Mon-Wed in a row, then Thu-Sun missed: the streak is broken.
    assert (read.checkins, read.last_week, read.streak.current, read.streak.longest) == (3, 1, 0, 3)
    last = summary.week_summary(session, p, friday)
    assert (last.checkins.this_week, last.checkins.last_week) == (1, 0)


# -- reflections: who reads them ---------------------------------------------------------------


def test_a_learner_sees_the_same_shared_reflections_as_their_mentor(session: Session) -> None:
    """The newest reflections are private; an older one is shared. With a short limit the
    learner's own view of what is shared still shows it, as the mentor's does."""
    w = build_world(session)
    p = principal(session, w.student)
    reflections.add_reflection(
        session, p, ReflectionCreate(body="for my mentor", visibility="mentor")
    )
    for body in ("private one", "private two"):
        reflections.add_reflection(session, p, ReflectionCreate(body=body))
    session.commit()
    mentor = principal(session, w.mentor)
    for reader in (p, mentor):
        seen = reflections.shared_reflections(session, reader, id_of(w.student), limit=2)
        assert [r.body for r in seen] == ["for my mentor"]


def test_staff_read_only_shared_reflections_of_their_own_learners(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    reflections.add_reflection(session, p, ReflectionCreate(body="private thoughts"))
    shared = reflections.add_reflection(
        session, p, ReflectionCreate(body="for Brian", visibility="mentor", mood=3)
    )
    session.commit()
    for reader in (w.mentor, w.comentor, w.director, w.admin):  # assigned, cohort, programme
        seen = reflections.shared_reflections(session, principal(session, reader), id_of(w.student))
        assert [r.body for r in seen] == ["for Brian"], reader.email
    for outsider in (w.other_mentor, w.other_director, w.other_mentor_org, w.student2):
        with pytest.raises(Forbidden):
            reflections.shared_reflections(session, principal(session, outsider), id_of(w.student))
    sponsor = make_user(session, "sponsor.c@example.org", "sponsor", organization_id=w.org.id)
    with pytest.raises(Forbidden):
        reflections.shared_reflections(session, principal(session, sponsor), id_of(w.student))
    reflections.set_visibility(session, p, shared.id, "private")
    assert (
        reflections.shared_reflections(session, principal(session, w.mentor), id_of(w.student))
        == []
    )


# -- reminders ---------------------------------------------------------------------------------


def test_reminders_go_once_per_habit_per_day_and_not_when_done(session: Session) -> None:
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    due = _habit(session, p, "Evening lab", reminder_time="19:00")
    done = _habit(session, p, "Morning read", reminder_time="07:00")
    _habit(session, p, "No reminder")
    _in(session, p, done.id, TODAY)
    session.commit()
    before = datetime(2026, 11, 12, 15, 59, tzinfo=UTC)  # 18:59 in Nairobi
    assert reminders.send_due_reminders(session, before) == 0
    at = datetime(2026, 11, 12, 16, 5, tzinfo=UTC)  # 19:05 in Nairobi
    assert reminders.send_due_reminders(session, at) == 1
    assert reminders.send_due_reminders(session, at + timedelta(minutes=30)) == 0
    session.commit()
    bell = session.exec(select(Notification).where(Notification.user_id == id_of(w.student))).all()
    assert [n.title for n in bell] == ["Time for “Evening lab”"]
    mails = session.exec(select(OutboxMail).where(OutboxMail.to_email == w.student.email)).all()
    assert len(mails) == 1 and "/coaching" in mails[0].body
    # The next day it comes again.
    assert reminders.send_due_reminders(session, at + timedelta(days=1)) == 2
    habit = session.get(Habit, due.id)
    assert habit is not None and habit.reminded_on == TODAY + timedelta(days=1)


def test_someone_who_is_no_longer_a_learner_is_reminded_no_more(session: Session) -> None:
    """Their student role ended (they left the organisation): /coaching, where the reminder
    sends them and where it is turned off, is closed to them, so no reminder goes."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    _habit(session, p, "Evening lab", reminder_time="19:00")
    session.commit()
    for grant in session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == id_of(w.student))
    ).all():
        session.delete(grant)
    session.commit()
    at = datetime(2026, 11, 12, 16, 5, tzinfo=UTC)  # 19:05 in Nairobi
    assert reminders.send_due_reminders(session, at) == 0


def test_a_reminder_of_a_habit_titled_on_two_lines_is_mailed(
    session: Session, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch, smtp: None
) -> None:
    """A habit's title with a line break (the API refuses one now, services/text.line; older
    rows may have one): its reminder's e-mail subject then held one, which no mail header may:
    delivery failed (ValueError) on every retry and the learner never got the reminder by mail.
    The subject is one line."""
    import smtplib

    from cyberhub.services.messaging import mail

    sent: list[str] = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp.relay(sent))
    w = build_world(session)
    _zone(session, w.student)
    c = client_for(w.student)
    r = c.post(f"{API}/coaching/habits", json={"title": "Evening lab\nthen notes"})
    assert r.status_code == 422 and "one line" in r.json()["detail"], r.text
    r = c.post(f"{API}/coaching/habits", json={"title": "Evening", "reminder_time": "19:00"})
    assert r.status_code == 201, r.text
    session.execute(
        text("UPDATE habits SET title = :t WHERE id = :id"),
        {"t": "Evening lab\nthen notes", "id": r.json()["id"]},
    )
    session.commit()
    session.expire_all()
    at = datetime(2026, 11, 12, 16, 5, tzinfo=UTC)  # 19:05 in Nairobi
    assert reminders.send_due_reminders(session, at) == 1
    session.commit()
    [m] = session.exec(select(OutboxMail).where(OutboxMail.to_email == w.student.email)).all()
    assert mail.deliver(session, m.id or 0)
    assert sent == ["Time for “Evening lab then notes”"]


def test_no_reminder_for_a_week_done_before_the_habit_became_weekly(session: Session) -> None:
    """Checked in on Tuesday as a daily habit, made weekly: the week is done, so Thursday's
    reminder does not go (it looked for a check-in stored as the week of Monday)."""
    w = build_world(session)
    _zone(session, w.student)
    p = principal(session, w.student)
    h = _habit(session, p, "Evening lab", reminder_time="19:00")
    _in(session, p, h.id, date(2026, 11, 10))
    _cadence(session, p, h.id, "weekly")
    session.commit()
    assert reminders.send_due_reminders(session, datetime(2026, 11, 12, 16, 5, tzinfo=UTC)) == 0


def test_a_reminder_just_before_midnight_still_goes(session: Session) -> None:
    """The sweep runs every 5 minutes: a reminder at 23:58 fell after the day's last sweep
    (23:55) and before the next (00:00, already the next day, too early for 23:58), so it never
    went. The first sweeps of a day now send the previous day's late reminders, once, unless
    that day was checked in or the habit did not exist yet then."""
    w = build_world(session)
    _zone(session, w.student)  # Nairobi, UTC+3
    p = principal(session, w.student)
    late = _habit(session, p, "Night log", reminder_time="23:58")
    done = _habit(session, p, "Night read", reminder_time="23:58")
    _in(session, p, done.id, TODAY)
    session.execute(
        text("UPDATE habits SET created_at = :at"), {"at": datetime(2026, 11, 1, tzinfo=UTC)}
    )
    session.commit()
    last_sweep = datetime(2026, 11, 12, 20, 55, tzinfo=UTC)  # 23:55 on the 12th in Nairobi
    assert reminders.send_due_reminders(session, last_sweep) == 0
    midnight = last_sweep + timedelta(minutes=5)  # 00:00 on the 13th
    assert reminders.send_due_reminders(session, midnight) == 1
    assert reminders.send_due_reminders(session, midnight + timedelta(minutes=5)) == 0
    habit = session.get(Habit, late.id)
    assert habit is not None and habit.reminded_on == TODAY
    # The 13th's go just after the 14th begins (neither habit was checked in on the 13th).
    assert reminders.send_due_reminders(session, midnight + timedelta(hours=23, minutes=55)) == 0
    assert reminders.send_due_reminders(session, midnight + timedelta(days=1)) == 2
    # A habit made after midnight was not there at 23:58 yesterday: nothing for yesterday.
    fresh = _habit(session, p, "New night habit", reminder_time="23:58")
    session.execute(
        text("UPDATE habits SET created_at = :at WHERE id = :id"),
        {"at": midnight + timedelta(days=1, minutes=2), "id": fresh.id},
    )
    session.commit()
    assert reminders.send_due_reminders(session, midnight + timedelta(days=1, minutes=5)) == 0
    bell = session.exec(select(Notification).where(Notification.user_id == id_of(w.student))).all()
    assert sorted(n.title for n in bell) == [
        "Time for “Night log”",
        "Time for “Night log”",
        "Time for “Night read”",
    ]


def test_each_learner_is_reminded_at_the_time_in_their_own_zone(session: Session) -> None:
    """One sweep, learners in three zones (one never chose: UTC) with the same 19:00 habit:
    only those for whom it is 19:00 or later locally are reminded, each on their local day."""
    w = build_world(session)
    _zone(session, w.student, "Africa/Nairobi")  # UTC+3
    _zone(session, w.outsider_student, "America/New_York")  # UTC-5
    ids = {}
    for user in (w.student, w.outsider_student, w.student2):
        ids[id_of(user)] = _habit(session, principal(session, user), reminder_time="19:00").id
    session.commit()
    # 16:30 UTC: 19:30 in Nairobi, 11:30 in New York, 16:30 for the learner without a zone.
    assert reminders.send_due_reminders(session, datetime(2026, 11, 12, 16, 30, tzinfo=UTC)) == 1
    # 03:30 UTC next day: 06:30 on the 13th in Nairobi (already reminded on the 12th, not yet
    # 19:00 on the 13th), 22:30 on the 12th in New York, 03:30 on the 13th in UTC.
    assert reminders.send_due_reminders(session, datetime(2026, 11, 13, 3, 30, tzinfo=UTC)) == 1
    # 19:10 UTC on the 13th: 22:10 in Nairobi, 14:10 in New York, 19:10 in UTC.
    assert reminders.send_due_reminders(session, datetime(2026, 11, 13, 19, 10, tzinfo=UTC)) == 2
    session.commit()
    reminded = {
        h.user_id: h.reminded_on for h in session.exec(select(Habit)).all() if h.id in ids.values()
    }
    tomorrow = TODAY + timedelta(days=1)
    assert reminded == {
        id_of(w.student): tomorrow,
        id_of(w.outsider_student): TODAY,
        id_of(w.student2): tomorrow,
    }


# -- the API -----------------------------------------------------------------------------------


def test_api_answers_bad_input_with_4xx_and_a_clear_detail(
    session: Session, client_for: ClientFor
) -> None:
    w = build_world(session)
    c = client_for(w.student)
    r = c.post(f"{API}/coaching/habits", json={"title": "Lab time", "cadence": "daily"})
    assert r.status_code == 201, r.text
    habit_id = r.json()["id"]
    assert c.post(f"{API}/coaching/habits/{habit_id}/logs", json={}).status_code == 201
    again = c.post(f"{API}/coaching/habits/{habit_id}/logs", json={})
    assert again.status_code == 409 and "already checked in" in again.json()["detail"]
    old = (date.today() - timedelta(days=3)).isoformat()
    r = c.post(f"{API}/coaching/habits/{habit_id}/logs", json={"day": old})
    assert r.status_code == 422 and "up to 2 days before" in r.json()["detail"]
    r = c.post(f"{API}/coaching/habits/999999/logs", json={})
    assert r.status_code == 404 and r.json()["detail"] == "That habit does not exist."
    past = (date.today() - timedelta(days=2)).isoformat()
    r = c.post(f"{API}/coaching/goals", json={"title": "Late", "target_date": past})
    assert r.status_code == 422 and "has passed" in r.json()["detail"]
    r = c.post(f"{API}/coaching/habits", json={"title": "x", "cadence": "hourly"})
    assert r.status_code == 422 and "how often" in r.json()["detail"]
    r = c.post(
        f"{API}/coaching/habits", json={"title": "x", "cadence": "n_per_week", "per_week": 9}
    )
    assert r.status_code == 422 and "1 to 7" in r.json()["detail"]
    r = c.post(f"{API}/coaching/reflections", json={"body": "ok", "mood": 7})
    assert r.status_code == 422 and "1 to 5" in r.json()["detail"]
    r = c.post(f"{API}/coaching/reflections", json={"body": "   "})
    assert r.status_code == 422 and "empty" in r.json()["detail"]
    # Another learner's habit is unknown to them; staff have no coaching routes.
    r = client_for(w.student2).get(f"{API}/coaching/habits/{habit_id}/logs")
    assert r.status_code == 404
    assert client_for(w.mentor).get(f"{API}/coaching/habits").status_code == 403


def test_api_overview_and_summary(session: Session, client_for: ClientFor) -> None:
    w = build_world(session)
    c = client_for(w.student)
    habit_id = c.post(f"{API}/coaching/habits", json={"title": "Read"}).json()["id"]
    for back in (2, 1, 0):
        day = (date.today() - timedelta(days=back)).isoformat()
        assert (
            c.post(f"{API}/coaching/habits/{habit_id}/logs", json={"day": day}).status_code == 201
        )
    r = c.post(
        f"{API}/coaching/goals",
        json={"title": "Harden it", "progress_source": "missions", "mission_ids": [w.m1.id]},
    )
    assert r.status_code == 201, r.text
    assert c.post(f"{API}/coaching/reflections", json={"body": "Hard week"}).status_code == 201
    o = c.get(f"{API}/student/coaching/overview")
    assert o.status_code == 200, o.text
    body = o.json()
    [habit] = body["habits"]
    assert habit["streak"] == {"current": 3, "longest": 3, "unit": "day"}
    assert habit["done_today"] is True and habit["open_days"] == []
    assert body["goals"][0]["progress_label"] == "0 of 1 mission approved"
    assert body["reflections"][0]["visibility"] == "private"
    assert body["summary"]["checkins"]["this_week"] >= 1
    s = c.get(f"{API}/coaching/summary", params={"week": date.today().isoformat()})
    assert s.status_code == 200 and s.json()["habits"][0]["streak"]["current"] == 3
    assert c.get(f"{API}/coaching/summary", params={"week": "not-a-date"}).status_code == 422


def test_api_edge_values_get_4xx_never_5xx(session: Session, client_for: ClientFor) -> None:
    w = build_world(session)
    c = client_for(w.student)
    for week in ("0001-01-01", "9999-12-31"):
        r = c.get(f"{API}/coaching/summary", params={"week": week})
        assert r.status_code == 422 and "Choose a week" in r.json()["detail"], r.text
    r = c.post(
        f"{API}/coaching/goals",
        json={"title": "x", "progress_source": "missions", "mission_ids": [2**40]},
    )
    assert r.status_code == 422, r.text
    # A reminder sent with an offset is a time of day on the learner's own clock.
    r = c.post(f"{API}/coaching/habits", json={"title": "Lab", "reminder_time": "19:30:15+05:00"})
    assert r.status_code == 201 and r.json()["reminder_time"] == "19:30:00", r.text
    far = c.post(f"{API}/coaching/habits/{r.json()['id']}/logs", json={"day": "0001-01-01"})
    assert far.status_code == 422 and "up to 2 days before" in far.json()["detail"]


def test_a_habit_with_a_reminder_matches_its_documented_schema(
    session: Session, client_for: ClientFor
) -> None:
    """The reminder is a local time of day ("19:30:00", no offset); the document called it an
    RFC 3339 `time`, which needs one, so a client validating answers refused every habit with a
    reminder (found by a long schemathesis run)."""
    import schemathesis

    from cyberhub.api import create_api

    w = build_world(session)
    c = client_for(w.student)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_api())
    made = c.post(f"{API}/coaching/habits", json={"title": "Lab", "reminder_time": "19:30"})
    assert made.status_code == 201 and made.json()["reminder_time"] == "19:30:00", made.text
    schema[f"{API}/coaching/habits"]["POST"].validate_response(made)
    hid = made.json()["id"]
    for path, url in [
        ("/coaching/habits", "/coaching/habits"),
        ("/coaching/habits/{habit_id}", f"/coaching/habits/{hid}"),
        ("/student/coaching/overview", "/student/coaching/overview"),
    ]:
        r = c.get(API + url)
        assert r.status_code == 200, r.text
        schema[API + path]["GET"].validate_response(r)


def test_the_scheduled_actor_sends_due_reminders(
    session: Session,
    stub_broker: Any,
    stub_worker: Any,
) -> None:
    import worker.actors
    from worker.scheduler import SCHEDULE

    assert "send_habit_reminders" in {job.actor for job in SCHEDULE}
    w = build_world(session)
    h = _habit(session, principal(session, w.student), "Any time", reminder_time="00:00")
    # Made after 00:00, its first reminder is tomorrow's: say it was last reminded yesterday,
    # so today's is due now.
    session.execute(
        text("UPDATE habits SET reminded_on = reminded_on - 1 WHERE id = :id"), {"id": h.id}
    )
    session.commit()
    for _ in range(2):  # twice: still one reminder
        worker.actors.send_habit_reminders.send()
        stub_broker.join("default", timeout=20_000)
        stub_worker.join()
    bell = session.exec(select(Notification).where(Notification.user_id == w.student.id)).all()
    assert [n.kind for n in bell] == [reminders.HABIT_REMINDER]
