"""A goal past its target date, still active, is what most needs the learner's attention: the
coach's plan says so among its nudges ("… was due on 3 Dec 2026 and stands at 40 % by your
estimate: set a new date, or finish it"). Before, its rule only looked forward (a goal due
within 14 days), so the goal /coaching marks "Overdue since …" went unmentioned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models.coaching import Goal
from cyberhub.schemas.coaching import GoalCreate, GoalUpdate
from cyberhub.services.coaching import access, coach, goals
from tests.factories import World, grant_ai, id_of, principal
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("session")


def test_an_overdue_goal_is_a_nudge(session: Session, world: World) -> None:
    w = world
    learner = id_of(w.student)
    grant_ai(session, w.student)
    me = principal(session, w.student)
    late = goals.create_goal(
        session, me, GoalCreate(title="Pass Security+", progress_source="manual", manual_percent=40)
    )
    done = goals.create_goal(
        session,
        me,
        GoalCreate(title="Read the NIST CSF", progress_source="manual", manual_percent=100),
    )
    session.commit()
    due = access.today(session, learner) - timedelta(days=3)
    for goal_id in (late.id, done.id):  # targets in the past (the form only takes future ones)
        row = session.get(Goal, goal_id)
        assert row is not None
        row.target_date = due
        session.add(row)
    goals.update_goal(session, me, done.id, GoalUpdate(status="achieved"))
    session.commit()
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()

    plan = coach.read_plan(session, me, learner).plan
    assert plan is not None
    overdue = [n.line.text for n in plan.nudges if n.kind == "goal_overdue"]
    assert overdue == [
        f"“Pass Security+” was due on {when(due, style='date')} and stands at 40 % by your "
        "estimate: set a new date, or finish it."
    ]
    [nudge] = [n for n in plan.nudges if n.kind == "goal_overdue"]
    assert [e.href for e in nudge.line.evidence] == [f"/coaching#goal-{late.id}"]
