"""The coach's plan links each sentence to its evidence. The learner follows those links to their
own pages (/coaching#goal-3, the profiler's results, the mission's feedback). Their mentor or
director reads the same plan on the mentee page, and for them a link to the learner's own pages
led to the reader's own /coaching or profiler (not the learner's): their links go to the mentee
page's parts instead (its goal, its habit, its profile, its attempts)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from cyberhub.schemas.coach import CoachPlanPublic
from cyberhub.schemas.coaching import CheckinCreate, GoalCreate, HabitCreate
from cyberhub.services.coaching import coach, goals, habits
from cyberhub.services.learning import reviews, submissions
from tests.factories import (
    GOOD_ANSWER,
    World,
    complete_profiler,
    grant_ai,
    id_of,
    principal,
    submit_and_decide,
)
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("session")


def _hrefs(plan: CoachPlanPublic) -> list[str]:
    p = plan.plan
    assert p is not None
    lines = [
        *([p.focus] if p.focus else []),
        *p.habits,
        *(m.reason for m in p.missions),
        *(n.line for n in p.nudges),
        *p.changes,
    ]
    return [e.href for line in lines for e in line.evidence]


def _learner_with_a_plan(session: Session, w: World, *, goal: bool) -> int:
    """A profiled learner with a habit checked in today, a mission sent back with feedback and
    one approved, and (`goal`) a goal: the plan's focus is the goal, else the feedback; it
    links the week too."""
    learner = id_of(w.student)
    grant_ai(session, w.student)
    complete_profiler(session, learner)
    me = principal(session, w.student)
    submit_and_decide(session, w, w.m3, "approved")
    sent_back = submissions.submit(session, me, id_of(w.m1), answer=GOOD_ANSWER)
    session.commit()
    mentor = principal(session, w.mentor)
    reviews.claim(session, mentor, id_of(sent_back))
    weak = {"evidence": 3, "clarity": 2}  # both below 75 %: the focus of a plan without a goal
    reviews.review(
        session,
        mentor,
        id_of(sent_back),
        decision="changes_requested",
        scores=weak,
        feedback="Add the scan output.",
    )
    session.commit()
    if goal:
        goals.create_goal(
            session,
            me,
            GoalCreate(
                title="Finish the track", progress_source="missions", mission_ids=[id_of(w.m1)]
            ),
        )
    habit = habits.create_habit(session, me, HabitCreate(title="Port scanning drills"))
    habits.check_in(session, me, habit.id, CheckinCreate())
    session.commit()
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()
    return learner


def test_the_learner_follows_the_plans_evidence_to_their_own_pages(
    session: Session, world: World
) -> None:
    learner = _learner_with_a_plan(session, world, goal=True)
    hrefs = _hrefs(coach.read_plan(session, principal(session, world.student), learner))
    assert any(re.fullmatch(r"/coaching#goal-\d+", h) for h in hrefs), hrefs
    assert "/coaching#week" in hrefs


def test_staff_follow_the_plans_evidence_to_the_mentee_page(session: Session, world: World) -> None:
    learner = _learner_with_a_plan(session, world, goal=True)
    for staff in (world.mentor, world.director):
        hrefs = _hrefs(coach.read_plan(session, principal(session, staff), learner))
        page = f"/mentees/{learner}#"
        for href in hrefs:
            # the learner's own pages are not theirs: the mentee page's part, or a mission brief
            assert href.startswith(page) or re.fullmatch(r"/missions/\d+", href), href
        assert any(re.fullmatch(rf"{page}goal-\d+", h) for h in hrefs), hrefs
        assert f"{page}week" in hrefs


def test_staff_follow_a_review_in_the_plan_to_the_mentee_pages_attempts(
    session: Session, world: World
) -> None:
    """The learner reads the feedback on the mission's page (their own work's panel); staff on
    the mentee page's attempts (the mission's page shows them the brief, not the learner's
    work)."""
    learner = _learner_with_a_plan(session, world, goal=False)
    own = _hrefs(coach.read_plan(session, principal(session, world.student), learner))
    feedback = f"/missions/{id_of(world.m1)}#feedback"
    assert feedback in own
    staff = _hrefs(coach.read_plan(session, principal(session, world.mentor), learner))
    assert feedback not in staff
    assert f"/mentees/{learner}#attempts" in staff
    assert not [h for h in staff if h.startswith(("/coaching", "/onboarding"))], staff
