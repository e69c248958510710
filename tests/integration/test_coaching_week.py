"""The week's summary compares goal progress with the week before (issue 16, item 5): each goal's
progress when the week began and what the week added — from linked missions (approvals decided
before then) and linked habits (check-ins before then); none for a goal set during the week or
measured by the learner's own estimate. Plus the API's 4xx answers for unknown goals,
reflections and future or archived check-ins, and a habit's link to a track or skill."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from unittest.mock import patch

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.models import Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Goal, HabitCheckin
from cyberhub.schemas.coaching import GoalCreate, GoalUpdate, HabitCreate
from cyberhub.services.admin.export_writers import own_data_sections
from cyberhub.services.coaching import access, goals, habits, summary
from cyberhub.services.coaching.streaks import week_start
from tests.factories import build_world, id_of, make_mission, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

API = "/api/v1"


def _approve(session: Session, student_id: int, mission_id: int, at: datetime) -> None:
    session.add(
        Submission(
            student_id=student_id,
            mission_id=mission_id,
            status=SubmissionStatus.approved,
            submitted_at=at,
            decided_at=at,
        )
    )
    session.commit()


def _set_on(session: Session, goal_id: int, at: datetime) -> None:
    row = session.get(Goal, goal_id)
    assert row is not None
    row.created_at = row.updated_at = at
    session.add(row)
    session.commit()


def test_goal_progress_this_week_beside_when_the_week_began(session: Session) -> None:
    w = build_world(session)
    uid = id_of(w.student)
    p = principal(session, w.student)
    today = access.today(session, uid)  # UTC: the learner has no zone yet
    monday = week_start(today)
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    two_weeks_ago = start - timedelta(days=14)
    m1, m2 = w.m1, make_mission(session, w.program, w.builders, title="Second", difficulty=1)
    by_missions = goals.create_goal(
        session,
        p,
        GoalCreate(title="Missions", progress_source="missions", mission_ids=[m1.id, m2.id]),
    )
    habit = habits.create_habit(session, p, HabitCreate(title="Read"))
    by_habit = goals.create_goal(
        session,
        p,
        GoalCreate(title="Habit", progress_source="habits", habit_ids=[habit.id], habit_target=10),
    )
    manual = goals.create_goal(session, p, GoalCreate(title="Mine", manual_percent=30))
    session.commit()
    for g in (by_missions, by_habit, manual):
        _set_on(session, g.id, two_weeks_ago)
    fresh = goals.create_goal(session, p, GoalCreate(title="New this week"))
    session.commit()
    # m1 approved last week, m2 this week (a moment ago).
    _approve(session, uid, id_of(m1), start - timedelta(days=3))
    _approve(session, uid, id_of(m2), min(utcnow(), start + timedelta(hours=1)))
    # Three check-ins last week, two this week (today, and Monday unless today is Monday).
    days = [monday - timedelta(days=n) for n in (1, 2, 3)] + list({today, monday})
    for day in days:
        session.add(
            HabitCheckin(habit_id=habit.id, user_id=uid, period_start=day, day=day, note="")
        )
    session.commit()

    week = {g.title: g for g in summary.week_of(session, uid).goals}
    assert (week["Missions"].percent_at_start, week["Missions"].percent) == (50, 100)
    assert week["Missions"].change == 50
    this_week = len({today, monday})
    assert week["Habit"].percent_at_start == 30
    assert week["Habit"].change == 10 * this_week and week["Habit"].percent == 30 + 10 * this_week
    assert (week["Mine"].percent, week["Mine"].percent_at_start, week["Mine"].change) == (
        30,
        None,
        None,
    )
    assert week[fresh.title].percent_at_start is None and week[fresh.title].change is None

    # Last week's summary: what last week added, to its own end (not to now).
    last = {g.title: g for g in summary.week_of(session, uid, monday - timedelta(days=7)).goals}
    assert (last["Missions"].percent_at_start, last["Missions"].change) == (0, 50)
    assert (last["Habit"].percent_at_start, last["Habit"].change) == (0, 30)
    assert "New this week" not in last or last["New this week"].percent_at_start is None


def test_api_answers_unknown_goals_reflections_and_bad_check_ins_with_4xx(
    session: Session, client_for: ClientFor
) -> None:
    w = build_world(session)
    me, other = client_for(w.student), client_for(w.student2)
    goal = me.post(f"{API}/coaching/goals", json={"title": "Mine"}).json()
    reflection = me.post(f"{API}/coaching/reflections", json={"body": "Mine"}).json()
    for c in (me, other):  # unknown, or someone else's: the same 404
        gid = goal["id"] if c is other else 999_999
        r = c.patch(f"{API}/coaching/goals/{gid}", json={"status": "achieved"})
        assert r.status_code == 404 and r.json()["detail"] == goals.UNKNOWN_GOAL
        assert c.delete(f"{API}/coaching/goals/{gid}").status_code == 404
        rid = reflection["id"] if c is other else 999_999
        r = c.patch(f"{API}/coaching/reflections/{rid}", json={"visibility": "mentor"})
        assert r.status_code == 404 and r.json()["detail"] == "That reflection does not exist."
        assert c.delete(f"{API}/coaching/reflections/{rid}").status_code == 404
    r = me.patch(f"{API}/coaching/goals/{goal['id']}", json={"status": "finished"})
    assert r.status_code == 422 and "active, achieved or dropped" in r.json()["detail"]
    habit = me.post(f"{API}/coaching/habits", json={"title": "Read"}).json()
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    r = me.post(f"{API}/coaching/habits/{habit['id']}/logs", json={"day": tomorrow})
    assert r.status_code == 422 and "hasn't come yet" in r.json()["detail"]
    assert me.delete(f"{API}/coaching/habits/{habit['id']}").status_code == 200  # archived
    r = me.post(f"{API}/coaching/habits/{habit['id']}/logs", json={})
    assert r.status_code == 422 and "archived" in r.json()["detail"]
    # Nothing was lost on the way: the goal and the reflection are still the learner's.
    assert [g["title"] for g in me.get(f"{API}/coaching/goals").json()] == ["Mine"]
    mine = me.get(f"{API}/coaching/reflections").json()["items"]
    assert [x["body"] for x in mine] == ["Mine"]


def test_a_habit_links_to_a_track_or_a_skill(session: Session, client_for: ClientFor) -> None:
    w = build_world(session)
    me = client_for(w.student)
    r = me.post(
        f"{API}/coaching/habits",
        json={"title": "Scan", "track_key": "builders", "skill": "Network scanning"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["track_key"], r.json()["track_name"], r.json()["skill"]) == (
        "builders",
        "Builders",
        "Network scanning",
    )
    r = me.post(f"{API}/coaching/habits", json={"title": "Scan", "track_key": "wizards"})
    assert r.status_code == 422 and "Unknown track" in r.json()["detail"]
    assert "builders" in {t.key for t in habits.track_choices(session)}


def test_editing_a_goal_achieved_weeks_ago_does_not_achieve_it_again(session: Session) -> None:
    """A goal achieved last week whose target date is cleared (the goal card's "Clear") or
    whose words are edited this week: the week's summary counted it as achieved this week and
    showed the goal "+50 % this week", as the edit's time was taken for the achievement's."""
    w = build_world(session)
    uid = id_of(w.student)
    p = principal(session, w.student)
    today = access.today(session, uid)
    monday = week_start(today)
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    m2 = make_mission(session, w.program, w.builders, title="Second", difficulty=1)
    goal = goals.create_goal(
        session,
        p,
        GoalCreate(
            title="Two missions",
            progress_source="missions",
            mission_ids=[w.m1.id, m2.id],
            target_date=today + timedelta(days=60),
        ),
    )
    session.commit()
    _set_on(session, goal.id, start - timedelta(days=20))
    _approve(session, uid, id_of(w.m1), start - timedelta(days=15))
    with patch("cyberhub.services.coaching.goals.utcnow", return_value=start - timedelta(days=3)):
        goals.update_goal(session, p, goal.id, GoalUpdate(status="achieved"))
    session.commit()

    def seen() -> tuple[tuple[int, int], int | None]:
        s = summary.week_of(session, uid)
        [g] = s.goals
        return (s.goals_achieved.this_week, s.goals_achieved.last_week), g.change

    assert seen() == ((0, 1), 0)
    goals.update_goal(session, p, goal.id, GoalUpdate(target_date=None))
    goals.update_goal(session, p, goal.id, GoalUpdate(why="Both labs done."))
    session.commit()
    assert seen() == ((0, 1), 0)
    # Reopened and achieved again this week: that is this week's achievement.
    goals.update_goal(session, p, goal.id, GoalUpdate(status="active"))
    goals.update_goal(session, p, goal.id, GoalUpdate(status="achieved"))
    session.commit()
    assert seen()[0] == (1, 0)


def test_migration_0028_dates_each_achieved_goal_by_its_last_change(
    session: Session, db_url: str
) -> None:
    """Goals achieved before 0028 take their `updated_at` as the moment they were achieved (the
    summary's reading until then); active and dropped goals have none."""
    w = build_world(session)
    p = principal(session, w.student)
    done = goals.create_goal(session, p, GoalCreate(title="Done"))
    active = goals.create_goal(session, p, GoalCreate(title="Open"))
    goals.update_goal(session, p, done.id, GoalUpdate(status="achieved"))
    session.commit()
    migrate.downgrade(db_url, "0027")
    migrate.upgrade(db_url, "head")
    rows = session.execute(text("SELECT id, achieved_at, updated_at FROM goals")).all()
    session.commit()
    found = {gid: (at, updated) for gid, at, updated in rows}
    assert found[done.id][0] == found[done.id][1]
    assert found[active.id][0] is None


def test_download_my_data_says_when_each_goal_was_achieved(session: Session) -> None:
    """The learner's own data export holds everything kept about them: a goal's achievement
    time too (migration 0027), empty for a goal not achieved."""
    w = build_world(session)
    p = principal(session, w.student)
    done = goals.create_goal(session, p, GoalCreate(title="Done"))
    goals.create_goal(session, p, GoalCreate(title="Open"))
    goals.update_goal(session, p, done.id, GoalUpdate(status="achieved"))
    session.commit()
    rows = {g["title"]: g for g in own_data_sections(session, id_of(w.student))["goals"]}
    assert rows["Done"]["achieved_at"] and not rows["Open"]["achieved_at"]


def test_the_week_lists_active_goals_and_those_achieved_since_the_week_before(
    session: Session,
) -> None:
    """A goal achieved two months ago is not this week's news (it cost queries on every
    /coaching load, however many closed goals piled up); one achieved last week still is."""
    w = build_world(session)
    uid = id_of(w.student)
    p = principal(session, w.student)
    start = datetime.combine(week_start(access.today(session, uid)), time(0), tzinfo=UTC)
    made = {
        title: goals.create_goal(session, p, GoalCreate(title=title, manual_percent=10)).id
        for title in ("Old win", "Last week's win", "Still going", "Dropped")
    }
    session.commit()
    for title, days_before in (("Old win", 60), ("Last week's win", 3)):
        with patch(
            "cyberhub.services.coaching.goals.utcnow",
            return_value=start - timedelta(days=days_before),
        ):
            goals.update_goal(session, p, made[title], GoalUpdate(status="achieved"))
    goals.update_goal(session, p, made["Dropped"], GoalUpdate(status="dropped"))
    session.commit()
    week = summary.week_of(session, uid)
    assert [g.title for g in week.goals] == ["Still going", "Last week's win"]
    assert (week.goals_achieved.this_week, week.goals_achieved.last_week) == (0, 1)
