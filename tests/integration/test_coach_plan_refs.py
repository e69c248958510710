"""The coach's plan is stored with what each piece of evidence is about (a kind and an id), not
with the learner's links rewritten for staff: each reader gets their own links when the plan is
read. The learner follows them to their own pages (/coaching#goal-3, the mission's feedback);
their mentor and director to the mentee page's parts (its goal, attempts, week). A plan stored
before, with the learner's links, reads exactly as it did until the worker recomputes it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.models.base import utcnow
from cyberhub.models.coaching import CoachPlan
from cyberhub.schemas.coach import CoachPlanPublic
from cyberhub.schemas.coaching import CheckinCreate, GoalCreate, HabitCreate
from cyberhub.services.admin.export_writers import own_data_sections
from cyberhub.services.coaching import access, coach, goals, habits
from cyberhub.services.learning import reviews, submissions
from tests.factories import GOOD_ANSWER, World, grant_ai, id_of, principal
from tests.fakes import FakeEmbedder
from tests.integration.conftest import ClientFor

pytestmark = pytest.mark.usefixtures("session")


def _links(plan: CoachPlanPublic) -> list[str]:
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


def _goal_habit_and_feedback(session: Session, w: World) -> tuple[int, int]:
    """The learner's goal (no habit of its own: the plan suggests one, linked to the goal), a
    habit checked in today, and their work on m1 sent back with weak scores (the focus)."""
    grant_ai(session, w.student)
    me = principal(session, w.student)
    goal = goals.create_goal(session, me, GoalCreate(title="Get a SOC job", manual_percent=20))
    habit = habits.create_habit(session, me, HabitCreate(title="Port scanning drills"))
    habits.check_in(session, me, habit.id, CheckinCreate())
    sub = submissions.submit(session, me, id_of(w.m1), answer=GOOD_ANSWER)
    session.commit()
    mentor = principal(session, w.mentor)
    reviews.claim(session, mentor, id_of(sub))
    reviews.review(
        session,
        mentor,
        id_of(sub),
        decision="changes_requested",
        scores={"evidence": 3, "clarity": 2},
        feedback="Add the scan output.",
    )
    session.commit()
    return goal.id, habit.id


def test_the_plan_is_stored_as_references_and_each_reader_gets_their_links(
    session: Session, world: World
) -> None:
    w = world
    learner = id_of(w.student)
    goal, _ = _goal_habit_and_feedback(session, w)
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()

    row = session.get(CoachPlan, learner)
    assert row is not None
    assert '"href"' not in json.dumps(row.payload)  # no link is stored, only what it is about
    assert row.payload["focus"]["evidence"][0] == {
        "label": f"your review of “{w.m1.title}”",
        "ref": {"kind": "feedback", "id": id_of(w.m1)},
    }

    own = _links(coach.read_plan(session, principal(session, w.student), learner))
    assert f"/coaching#goal-{goal}" in own
    assert f"/missions/{id_of(w.m1)}#feedback" in own
    assert "/coaching#week" in own
    # The learner's data export shows the plan as they read it, with their links.
    read = coach.read_plan(session, principal(session, w.student), learner).plan
    [exported] = own_data_sections(session, learner)["coach_plan"]
    assert read is not None and exported["payload"] == read.model_dump(mode="json")
    page = f"/mentees/{learner}"
    for staff in (w.mentor, w.director):
        theirs = _links(coach.read_plan(session, principal(session, staff), learner))
        assert f"{page}#goal-{goal}" in theirs
        assert f"{page}#attempts" in theirs
        assert f"{page}#week" in theirs
        assert not [h for h in theirs if h.startswith(("/coaching", "/onboarding"))], theirs
        assert not [h for h in theirs if h.endswith("#feedback")], theirs


def _old_payload(w: World, goal: int, habit: int) -> dict[str, Any]:
    """A plan as the coach stored it before references: each evidence with the learner's link."""
    m1, m3 = id_of(w.m1), id_of(w.m3)

    def line(text: str, *evidence: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "text": text,
            "evidence": [{"kind": k, "label": label, "href": h} for k, label, h in evidence],
        }

    review = ("feedback", f"your review of “{w.m1.title}”", f"/missions/{m1}#feedback")
    return {
        "focus": line(
            f"Focus this week on “Evidence”: your review of “{w.m1.title}” scored it 3.",
            review,
            ("mission", f"hint 1 of “{w.m1.title}”", f"/missions/{m1}"),
        ),
        "habits": [
            line("A short daily practice of “Evidence”.", review),
            line(
                "Restart “Port scanning drills” (daily): check in today.",
                ("habit", "habit “Port scanning drills”", f"/coaching#habit-{habit}"),
            ),
            line(
                "One session a week on a mission of your choice, as a weekly habit.",
                ("catalog", "the missions", "/missions"),
            ),
        ],
        "missions": [
            {
                "mission_id": m3,
                "title": w.m3.title,
                "href": f"/missions/{m3}",
                "reason": line(
                    f"Next on your recommendations: “{w.m3.title}”.",
                    ("mission", f"mission “{w.m3.title}”", f"/missions/{m3}"),
                ),
            }
        ],
        "nudges": [
            {
                "kind": "goal_due",
                "line": line(
                    "“Get a SOC job” is due in 5 days and stands at 20 % by your estimate.",
                    ("goal", "goal “Get a SOC job”", f"/coaching#goal-{goal}"),
                ),
            },
            {
                "kind": "streak_broken",
                "line": line(
                    "Your 3-day streak on “Port scanning drills” broke.",
                    (
                        "profiler",
                        "your profiler result (Builders)",
                        "/onboarding/ai-profiler/results",
                    ),
                    ("profiler", "the career profiler", "/onboarding/ai-profiler"),
                ),
            },
        ],
        "changes": [
            line(
                "You made 1 check-in this week (0 last week).",
                ("summary", "this week's summary", "/coaching#week"),
            )
        ],
        "basis": "feedback",
    }


def _without_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_refs(v) for k, v in value.items() if k != "ref"}
    if isinstance(value, list):
        return [_without_refs(v) for v in value]
    return value


def test_a_plan_stored_before_references_reads_as_before(
    session: Session, world: World, client_for: ClientFor
) -> None:
    w = world
    learner = id_of(w.student)
    goal, habit = _goal_habit_and_feedback(session, w)
    old = _old_payload(w, goal, habit)
    monday = access.today(session, learner)
    session.add(
        CoachPlan(
            user_id=learner,
            week_start=monday,
            input_fingerprint="stored-before-references",
            payload=old,
            computed_at=utcnow(),
        )
    )
    session.commit()

    # The learner reads it as stored (their own links), now with each link's reference.
    own = coach.read_plan(session, principal(session, w.student), learner)
    assert own.plan is not None
    assert _without_refs(own.plan.model_dump(mode="json")) == old
    api = client_for(w.student).get("/api/v1/student/coaching/ai-coach").json()
    assert _without_refs(api["plan"]) == old
    assert api["plan"]["focus"]["evidence"][0]["ref"] == {"kind": "feedback", "id": id_of(w.m1)}
    [exported] = own_data_sections(session, learner)["coach_plan"]
    assert _without_refs(exported["payload"]) == old

    # Staff get the mentee page's parts, as the regex rewrite of the stored links gave them;
    # what changed is counted again for them (the learner's check-in and work handed in today).
    page = f"/mentees/{learner}"
    m3 = id_of(w.m3)
    for staff in (w.mentor, w.director):
        theirs = _links(coach.read_plan(session, principal(session, staff), learner))
        assert theirs == [
            f"{page}#attempts",
            f"/missions/{id_of(w.m1)}",
            f"{page}#attempts",
            f"{page}#habit-{habit}",
            "/missions",
            f"/missions/{m3}",
            f"{page}#goal-{goal}",
            f"{page}#profile",
            f"{page}#profile",
            f"{page}#week",
            f"{page}#week",
        ]
