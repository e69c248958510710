"""Figures staff read about a learner who studies with two organisations count only the work of
the organisation(s) they share with the learner (tenancy: a mentor or director reads a learner
through their relationship, for that relationship's organisation only).

The learner is in this organisation's programme (mentor, director) and in Coast Campus's. This
week they handed in a mission of each, and Coast Campus's mentor approved theirs; one goal links
both missions. The learner's own figures count everything; this organisation's mentor and
director read only their own programme's: no Coast hand-in or approval in the coach's "what
changed" lines, no Coast approval in the goal's "1 of 2 missions approved" (page and API)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from cyberhub.schemas.coach import CoachPlanPublic
from cyberhub.schemas.coaching import GoalCreate, GoalPublic
from cyberhub.services.coaching import access, coach, goals
from cyberhub.services.identity import memberships
from cyberhub.services.learning import mentees, reviews, submissions
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    enroll,
    grant_ai,
    id_of,
    make_cohort,
    principal,
    serve,
)
from tests.fakes import FakeEmbedder
from tests.integration.conftest import ClientFor

pytestmark = pytest.mark.usefixtures("session")

GOAL = "Finish both programmes"


def _two_organisations(
    session: Session, w: World, due: date | None = None, also: tuple[int, ...] = ()
) -> int:
    """The learner's week: a hand-in here, a hand-in approved at Coast Campus, a goal linking
    both missions (and the missions `also`; due on `due`), and the coach's plan computed.
    Returns the learner's id."""
    learner = id_of(w.student)
    elsewhere = make_cohort(session, w.other_program, name="Elsewhere cohort")
    enroll(session, elsewhere, w.student)
    memberships.join(session, learner, id_of(w.other_org), how="invitation", actor_id=learner)
    serve(session, elsewhere, w.other_mentor_org)
    grant_ai(session, w.student)
    me = principal(session, w.student)
    submissions.submit(session, me, id_of(w.m1), answer=GOOD_ANSWER)
    coast = submissions.submit(session, me, id_of(w.other_mission), answer=GOOD_ANSWER)
    session.commit()
    reviewer = principal(session, w.other_mentor_org)
    reviews.claim(session, reviewer, coast.id or 0)
    reviews.review(
        session, reviewer, coast.id or 0, decision="approved", scores=FULL_SCORES, feedback="Ok."
    )
    goals.create_goal(
        session,
        me,
        GoalCreate(
            title=GOAL,
            progress_source="missions",
            mission_ids=[id_of(w.m1), id_of(w.other_mission), *also],
            target_date=due,
        ),
    )
    session.commit()
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()
    return learner


def _changes(plan: CoachPlanPublic) -> list[str]:
    assert plan.plan is not None
    return [c.text for c in plan.plan.changes]


def _progress(goal: GoalPublic) -> tuple[int, str]:
    return goal.percent, goal.progress_label


def test_the_coachs_what_changed_counts_only_the_readers_organisation(
    session: Session, world: World
) -> None:
    w = world
    learner = _two_organisations(session, w)
    own = coach.read_plan(session, principal(session, w.student), learner)
    assert "You handed in 2 missions (0 last week)." in _changes(own)
    assert "1 mission approved this week (0 last week)." in _changes(own)
    for staff in (w.mentor, w.director):
        seen = _changes(coach.read_plan(session, principal(session, staff), learner))
        assert "You handed in 1 mission (0 last week)." in seen
        assert not any("approved" in line for line in seen), seen
    theirs = _changes(coach.read_plan(session, principal(session, w.other_director), learner))
    assert "You handed in 1 mission (0 last week)." in theirs
    assert "1 mission approved this week (0 last week)." in theirs


def test_the_coachs_focus_quotes_no_goal_figure_of_another_organisation(
    session: Session, world: World
) -> None:
    """The focus falls on the goal ("the least advanced of your active goals (1 of 2 missions
    approved)"); the Coast approval is in that figure, so this organisation's staff are not
    read it."""
    w = world
    learner = _two_organisations(session, w)
    own = coach.read_plan(session, principal(session, w.student), learner)
    assert own.plan is not None and own.plan.focus is not None
    assert "(1 of 2 missions approved)" in own.plan.focus.text
    for staff in (w.mentor, w.director):
        plan = coach.read_plan(session, principal(session, staff), learner)
        assert plan.plan is not None
        assert "1 of 2" not in plan.model_dump_json()


def test_a_goal_due_soon_is_not_quoted_to_staff_with_another_organisations_approval(
    session: Session, world: World
) -> None:
    """The goal (with a third mission, of this programme) is due in 5 days: the learner reads
    it in the focus ("stands at 33 %") and in a nudge ("stands at 33 % (1 of 3 missions
    approved)"); this organisation's staff read neither."""
    w = world
    due = access.today(session, id_of(w.student)) + timedelta(days=5)
    learner = _two_organisations(session, w, due, also=(id_of(w.m3),))
    own = coach.read_plan(session, principal(session, w.student), learner)
    assert own.plan is not None and own.plan.focus is not None
    assert "stands at 33 %" in own.plan.focus.text
    [nudge] = [n for n in own.plan.nudges if n.kind == "goal_due"]
    assert "(1 of 3 missions approved)" in nudge.line.text
    for staff in (w.mentor, w.director):
        plan = coach.read_plan(session, principal(session, staff), learner)
        assert plan.plan is not None
        assert "goal_due" not in {n.kind for n in plan.plan.nudges}
        assert "33 %" not in plan.model_dump_json()


def test_a_goals_progress_on_the_mentee_page_counts_only_missions_the_reader_sees(
    session: Session, world: World, client_for: ClientFor
) -> None:
    w = world
    learner = _two_organisations(session, w)
    [mine] = goals.list_goals(session, principal(session, w.student))
    assert _progress(mine) == (50, "1 of 2 missions approved")
    for staff in (w.mentor, w.director):
        [goal] = mentees.mentee(session, principal(session, staff), learner).goals
        assert [m.title for m in goal.missions] == [w.m1.title]
        assert _progress(goal) == (0, "0 of 1 mission approved")
    [theirs] = mentees.mentee(session, principal(session, w.other_director), learner).goals
    assert _progress(theirs) == (100, "1 of 1 mission approved")
    got = client_for(w.mentor).get(f"/api/v1/mentees/{learner}")
    assert got.status_code == 200
    [goal_json] = got.json()["goals"]
    assert (goal_json["percent"], goal_json["progress_label"]) == (0, "0 of 1 mission approved")


def test_a_goal_of_only_another_organisations_missions_says_so_to_staff(
    session: Session, world: World
) -> None:
    """Not "0 of 0 missions approved": none of its missions is the reader's to see."""
    w = world
    learner = _two_organisations(session, w)
    goals.create_goal(
        session,
        principal(session, w.student),
        GoalCreate(
            title="Coast only", progress_source="missions", mission_ids=[id_of(w.other_mission)]
        ),
    )
    session.commit()
    page = mentees.mentee(session, principal(session, w.mentor), learner)
    [coast_only] = [g for g in page.goals if g.title == "Coast only"]
    assert coast_only.missions == []
    assert _progress(coast_only) == (0, "None of its missions is in your programmes")
    [mine] = [
        g
        for g in goals.list_goals(session, principal(session, w.student))
        if g.title == "Coast only"
    ]
    assert _progress(mine) == (100, "1 of 1 mission approved")
