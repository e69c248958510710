"""The mentee page's data (/mentees/<id>, GET /api/v1/mentees/{id}): who may read which learner,
and what a related mentor or director sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import reflex as rx
from sqlmodel import Session, select

from cyberhub.formatting import when
from cyberhub.models import Enrollment, Role, RoleAssignment, Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.progress import EnrollmentStatus
from cyberhub.pages.mentee.state import MenteeState, attempt_rows, cohort_row
from cyberhub.schemas.coach import CoachPlanPublic
from cyberhub.schemas.coaching import (
    CheckinCreate,
    GoalCreate,
    GoalUpdate,
    HabitCreate,
    ReflectionCreate,
)
from cyberhub.services.coaching import coach, goals, habits, reflections
from cyberhub.services.errors import DomainError, NotFound
from cyberhub.services.identity import memberships
from cyberhub.services.learning import enrollment, mentees, reviews, submissions
from cyberhub.state.service import Outcome
from cyberhub.state.session import SessionState
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    complete_profiler,
    enroll,
    grant_ai,
    id_of,
    make_cohort,
    make_user,
    principal,
    serve,
)
from tests.fakes import FakeEmbedder
from tests.integration.conftest import ClientFor
from tests.processes import run_in_own_loop

pytestmark = pytest.mark.usefixtures("session")


def hand_in(session: Session, w: World, mission_id: int) -> int:
    sub = submissions.submit(session, principal(session, w.student), mission_id, answer=GOOD_ANSWER)
    session.commit()
    return sub.id or 0


def review(session: Session, w: World, sub_id: int, decision: str = "approved") -> None:
    mentor = principal(session, w.mentor)
    reviews.claim(session, mentor, sub_id)
    reviews.review(
        session, mentor, sub_id, decision=decision, scores=FULL_SCORES, feedback="Good evidence."
    )
    session.commit()


def test_the_mentor_sees_profile_progress_attempts_and_cohort(
    session: Session, world: World
) -> None:
    w = world
    complete_profiler(session, id_of(w.student), "builders", "leaders")
    approved = hand_in(session, w, id_of(w.m1))
    review(session, w, approved)
    waiting = hand_in(session, w, id_of(w.m3))

    got = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))

    assert got.name and got.email == w.student.email
    assert got.profile is not None and got.profile.track == "Builders"
    assert got.profile.secondary == "Leaders" and got.profile.confidence == "high"
    assert {t.key: t.approved for t in got.tracks} == {"builders": 1, "leaders": 0}
    by_id = {a.submission_id: a for a in got.attempts}
    assert by_id[approved].status == "approved" and by_id[approved].total is not None
    assert by_id[approved].reviewer and by_id[approved].max_points > 0
    assert by_id[waiting].status == "submitted" and by_id[waiting].total is None
    assert got.waiting == 1
    [cohort] = got.cohorts
    assert cohort.cohort == w.cohort.name and cohort.mentors  # their assigned mentor
    assert got.recommendations_enabled is False  # no AI consent: nothing computed, said so


def test_drafts_stay_the_learners_own(session: Session, world: World) -> None:
    w = world
    submissions.save_draft(session, principal(session, w.student), id_of(w.m1), answer="half")
    session.commit()
    got = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    assert got.attempts == []


def test_only_related_staff_read_a_learner_and_others_learn_nothing(
    session: Session, world: World
) -> None:
    w = world
    learner = id_of(w.student)
    for user in (w.mentor, w.comentor, w.director, w.admin):
        assert mentees.mentee(session, principal(session, user), learner).user_id == learner
    # A mentor of another cohort, another organisation's staff, a fellow learner, a sponsor:
    # the same answer as for an id that does not exist.
    sponsor = make_user(session, "mentee.sponsor@example.org", "sponsor", organization_id=w.org.id)
    for user in (w.other_mentor, w.other_director, w.other_mentor_org, w.student2, sponsor):
        with pytest.raises(NotFound) as refused:
            mentees.mentee(session, principal(session, user), learner)
        assert refused.value.message == mentees.NOT_YOURS
    with pytest.raises(NotFound) as unknown:
        mentees.mentee(session, principal(session, w.mentor), 987_654)
    assert unknown.value.message == mentees.NOT_YOURS


def test_another_organisations_enrolment_stays_out_of_sight(session: Session, world: World) -> None:
    """The learner also studies with a second organisation: its director sees that cohort only,
    and this organisation's director never sees it."""
    w = world
    elsewhere = make_cohort(session, w.other_program, name="Elsewhere cohort")
    enroll(session, elsewhere, w.student)
    other = mentees.mentee(session, principal(session, w.other_director), id_of(w.student))
    assert [c.cohort for c in other.cohorts] == ["Elsewhere cohort"]
    ours = mentees.mentee(session, principal(session, w.director), id_of(w.student))
    assert "Elsewhere cohort" not in [c.cohort for c in ours.cohorts]


def test_work_elsewhere_never_crowds_out_the_attempts_the_mentor_may_see(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page lists the newest attempts; the learner's newest are with another organisation,
    which the mentor may not see. Their own programme's attempt is still listed (and counted)."""
    w = world
    monkeypatch.setattr(mentees, "ATTEMPTS_SHOWN", 1)
    enroll(session, make_cohort(session, w.other_program, name="Elsewhere cohort"), w.student)
    hand_in(session, w, id_of(w.m1))
    hand_in(session, w, id_of(w.other_mission))  # newer, and not the mentor's to see
    page = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    assert [a.mission for a in page.attempts] == [w.m1.title]
    elsewhere = mentees.mentee(session, principal(session, w.other_director), id_of(w.student))
    assert [a.mission for a in elsewhere.attempts] == ["Coast mission"]


def test_waiting_counts_work_older_than_the_attempts_listed(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "N waiting" counts every attempt waiting for review that the viewer may see, not only
    those among the newest attempts listed: older work still waiting is still waiting."""
    w = world
    monkeypatch.setattr(mentees, "ATTEMPTS_SHOWN", 1)
    waiting = hand_in(session, w, id_of(w.m1))  # waits for review
    review(session, w, hand_in(session, w, id_of(w.m3)))  # newer, approved: the one listed
    page = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    assert [a.mission for a in page.attempts] == [w.m3.title]
    assert page.waiting == 1
    reviews.claim(session, principal(session, w.mentor), waiting)  # in review: still waiting
    session.commit()
    assert mentees.mentee(session, principal(session, w.mentor), id_of(w.student)).waiting == 1


def test_the_page_says_when_older_attempts_are_left_out(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attempts table lists the newest ATTEMPTS_SHOWN: when there are more, the mentor reads
    "The 1 newest of 2 attempts." rather than a table that looks like the whole history."""
    w = world
    monkeypatch.setattr(mentees, "ATTEMPTS_SHOWN", 1)
    review(session, w, hand_in(session, w, id_of(w.m1)))
    hand_in(session, w, id_of(w.m3))
    got = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    assert (len(got.attempts), got.attempts_total) == (1, 2)
    page = rx.State().get_substate(MenteeState.get_full_name().split(".")[1:])
    assert isinstance(page, MenteeState)
    page._show(got, "UTC")
    assert page.attempts_note == "The 1 newest of 2 attempts."
    monkeypatch.setattr(mentees, "ATTEMPTS_SHOWN", 50)
    page._show(mentees.mentee(session, principal(session, w.mentor), id_of(w.student)), "UTC")
    assert page.attempts_note == ""  # every attempt is listed: nothing to say


def test_a_withdrawn_learner_is_no_longer_the_directors_to_read(
    session: Session, world: World
) -> None:
    w = world
    seat = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == w.cohort.id, Enrollment.student_id == w.student.id
        )
    ).one()
    seat.status = EnrollmentStatus.withdrawn
    session.add(seat)
    session.commit()
    with pytest.raises(NotFound):
        mentees.mentee(session, principal(session, w.director), id_of(w.student))


def test_the_api_answers_the_mentor_and_refuses_others(
    session: Session, world: World, client_for: ClientFor
) -> None:
    w = world
    url = f"/api/v1/mentees/{id_of(w.student)}"
    ok = client_for(w.mentor).get(url)
    assert ok.status_code == 200 and ok.json()["email"] == w.student.email
    assert client_for(w.other_director).get(url).status_code == 404
    assert client_for(w.other_director).get(url).json() == {"detail": mentees.NOT_YOURS}
    assert client_for(w.student2).get(url).status_code == 403  # not staff at all
    assert client_for(w.mentor).get("/api/v1/mentees/0").status_code == 422


def test_the_mentor_sees_goals_habits_and_only_shared_reflections(
    session: Session, world: World
) -> None:
    """Issue 16, item 9: goals and their progress, habits and streaks, shared reflections —
    never a private one."""
    w = world
    me = principal(session, w.student)
    habit = habits.create_habit(session, me, HabitCreate(title="Read one CVE write-up"))
    habits.check_in(session, me, habit.id, CheckinCreate())
    goals.create_goal(
        session,
        me,
        GoalCreate(
            title="Land a SOC internship", why="I like **finding** things", manual_percent=40
        ),
    )
    reflections.add_reflection(
        session,
        me,
        ReflectionCreate(
            body="Log parsing was hard", prompt="What was hard?", mood=3, visibility="mentor"
        ),
    )
    reflections.add_reflection(session, me, ReflectionCreate(body="My private worry"))
    session.commit()

    got = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))

    [goal] = got.goals
    assert (goal.title, goal.percent) == ("Land a SOC internship", 40)
    [h] = got.habits
    assert h.title == "Read one CVE write-up" and h.streak.current == 1
    assert [r.body for r in got.shared_reflections] == ["Log parsing was hard"]
    # The director of their programme sees the same; nobody sees the private one.
    director = mentees.mentee(session, principal(session, w.director), id_of(w.student))
    assert "My private worry" not in [r.body for r in director.shared_reflections]


def test_the_mentor_reads_active_goals_and_only_the_newest_closed_ones(
    session: Session, world: World
) -> None:
    """Closed goals only grow, and each costs queries: the mentee page lists the active goals
    and the MENTEE_CLOSED_GOALS most recent closed ones, not all of them."""
    me = principal(session, world.student)
    for n in range(mentees.MENTEE_CLOSED_GOALS + 2):
        done = goals.create_goal(session, me, GoalCreate(title=f"Closed {n:02d}"))
        goals.update_goal(
            session, me, done.id, GoalUpdate(status="achieved" if n % 2 else "dropped")
        )
    goals.create_goal(session, me, GoalCreate(title="Open"))
    session.commit()
    got = mentees.mentee(session, principal(session, world.mentor), id_of(world.student))
    newest = mentees.MENTEE_CLOSED_GOALS + 1
    assert [g.title for g in got.goals] == ["Open"] + [
        f"Closed {n:02d}" for n in range(newest, 1, -1)
    ]


def test_the_coachs_plan_and_goals_name_no_work_of_another_organisation(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The learner also studies with Coast Campus, whose mentor asked for changes on its
    mission, and one of their goals links it. Their own plan quotes that review; this
    organisation's mentor and director read neither the review, nor the request, nor the
    mission's name — in the plan or in the goal — while Coast Campus's director still does."""
    w = world
    learner = id_of(w.student)
    elsewhere = make_cohort(session, w.other_program, name="Elsewhere cohort")
    enroll(session, elsewhere, w.student)
    memberships.join(session, learner, id_of(w.other_org), how="invitation", actor_id=learner)
    serve(session, elsewhere, w.other_mentor_org)
    grant_ai(session, w.student)
    coast = id_of(w.other_mission)
    sub_id = hand_in(session, w, coast)
    reviewer = principal(session, w.other_mentor_org)
    reviews.claim(session, reviewer, sub_id)
    reviews.review(
        session,
        reviewer,
        sub_id,
        decision="changes_requested",
        scores={"evidence": 2, "clarity": 1},
        feedback="Coast reviewer: the logs are missing.",
        comments={"evidence": "Coast comment: show the firewall rules."},
    )
    sub = session.get(Submission, sub_id)
    assert sub is not None and sub.decided_at is not None
    sub.decided_at -= timedelta(days=3)  # a request left unanswered: a nudge
    session.add(sub)
    goals.create_goal(
        session,
        principal(session, w.student),
        GoalCreate(
            title="Finish both programmes",
            progress_source="missions",
            mission_ids=[id_of(w.m1), coast],
        ),
    )
    session.commit()
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()

    def text_of(plan: CoachPlanPublic) -> str:
        return plan.model_dump_json()

    own = coach.read_plan(session, principal(session, w.student), learner)
    assert own.plan is not None and own.plan.focus is not None
    assert "Coast mission" in own.plan.focus.text  # the learner's own view is unchanged
    assert {n.kind for n in own.plan.nudges} >= {"changes_waiting"}
    for staff in (w.mentor, w.director):
        p = principal(session, staff)
        plan = coach.read_plan(session, p, learner)
        assert plan.plan is not None
        seen = text_of(plan)
        assert "Coast" not in seen and f"/missions/{coast}" not in seen
        assert "changes_waiting" not in {n.kind for n in plan.plan.nudges}
        # What names no mission stays: the habit suggested for their goal.
        assert any("Finish both programmes" in h.text for h in plan.plan.habits)
        [goal] = mentees.mentee(session, p, learner).goals
        assert [m.title for m in goal.missions] == [w.m1.title]
    theirs = principal(session, w.other_director)
    assert "Coast comment" in text_of(coach.read_plan(session, theirs, learner))
    [goal] = mentees.mentee(session, theirs, learner).goals
    assert [m.title for m in goal.missions] == ["Coast mission"]
    api = client_for(w.director).get(f"/api/v1/mentees/{learner}")
    assert api.status_code == 200 and "Coast" not in api.text


def test_progress_on_the_page_counts_only_the_viewers_programmes(
    session: Session, world: World
) -> None:
    """The learner also studies with a second organisation and completed a builders mission
    there: this organisation's director sees their progress in this programme only ("0 of 2"
    builders missions, as the roster counts them), and the other director theirs ("1 of 1")."""
    w = world
    complete_profiler(session, id_of(w.student), "builders", "leaders")
    enroll(session, make_cohort(session, w.other_program, name="Elsewhere cohort"), w.student)
    session.add(
        Submission(
            student_id=id_of(w.student),
            mission_id=id_of(w.other_mission),
            attempt=1,
            status=SubmissionStatus.approved,
            answer="work",
        )
    )
    session.commit()
    ours = mentees.mentee(session, principal(session, w.director), id_of(w.student))
    assert ours.track_label == "0 of 2 Builders missions approved"
    assert {t.key: (t.approved, t.published) for t in ours.tracks} == {
        "builders": (0, 2),
        "leaders": (0, 1),
    }
    theirs = mentees.mentee(session, principal(session, w.other_director), id_of(w.student))
    assert theirs.track_label == "1 of 1 Builders mission approved"  # one, not "missions"


def test_each_cohort_status_is_dated_by_its_own_day(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The learner completed Spring, was later withdrawn from it, and studies on in Evening. The
    page dated every status by the completion day ('withdrawn on <completion day>'): Spring now
    reads 'withdrawn on <the withdrawal day>', Evening 'enrolled on <its enrolment day>', and
    the API gives the withdrawal date beside the completion date."""
    w = world
    finished, joined = utcnow() - timedelta(days=20), utcnow() - timedelta(days=40)
    seat = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == w.cohort.id, Enrollment.student_id == w.student.id
        )
    ).one()
    seat.status, seat.completed_at = EnrollmentStatus.completed, finished
    evening = enroll(session, w.other_cohort, w.student)
    evening.enrolled_at = joined
    session.add_all([seat, evening])
    session.commit()
    enrollment.unenroll(session, principal(session, w.director), id_of(w.cohort), id_of(w.student))
    session.commit()
    session.refresh(seat)
    assert seat.withdrawn_at is not None

    got = mentees.mentee(session, principal(session, w.director), id_of(w.student))
    rows = {c.cohort: cohort_row(c, "UTC") for c in got.cohorts}
    assert rows["Spring"].status == "withdrawn"
    assert rows["Spring"].since == f"withdrawn on {when(seat.withdrawn_at, 'UTC', 'date')}"
    assert rows["Spring"].since != f"withdrawn on {when(finished, 'UTC', 'date')}"
    assert rows["Evening"].since == f"enrolled on {when(joined, 'UTC', 'date')}"
    api = client_for(w.director).get(f"/api/v1/mentees/{id_of(w.student)}").json()
    spring = next(c for c in api["cohorts"] if c["cohort"] == "Spring")
    assert spring["status"] == "withdrawn"
    assert spring["withdrawn_at"] and spring["completed_at"]


def test_the_review_link_is_offered_to_mentors_only(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """Work waiting for a review links to its review page (/review/<id>, for mentors): the
    learner's mentor gets the link; their programme's director, who can't open that page, reads
    the attempt without it."""
    w = world
    sub = submissions.submit(
        session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
    )
    session.commit()
    learner = id_of(w.student)
    assert mentees.mentee(session, principal(session, w.mentor), learner).can_review
    assert not mentees.mentee(session, principal(session, w.director), learner).can_review
    [row] = attempt_rows(mentees.mentee(session, principal(session, w.director), learner), "UTC")
    assert (row.submission_id, row.review_link) == (sub.id, "")
    [row] = attempt_rows(mentees.mentee(session, principal(session, w.mentor), learner), "UTC")
    assert row.review_link == f"/review/{sub.id}"
    got = client_for(w.director).get(f"/api/v1/mentees/{learner}")
    assert got.status_code == 200 and got.json()["can_review"] is False


def test_a_director_who_mentors_elsewhere_gets_no_review_queue_link(
    session: Session, world: World
) -> None:
    """A programme director reads a learner of their programme on /mentees/<id>: the page offers
    no "Review queue" (a mentor's page they can't open) and no review link, even when they also
    mentor another cohort; its "Back" goes to their own home."""
    w = world
    hand_in(session, w, id_of(w.m1))
    session.add(
        RoleAssignment(user_id=id_of(w.director), role=Role.mentor, organization_id=w.org.id)
    )
    session.commit()
    serve(session, w.other_cohort, w.director)  # mentors outsider_student, not w.student
    learner = id_of(w.student)
    seen = mentees.mentee(session, principal(session, w.director), learner)
    assert seen.can_review is False
    assert [r.review_link for r in attempt_rows(seen, "UTC")] == [""]
    assert mentees.mentee(session, principal(session, w.mentor), learner).can_review

    page = rx.State().get_substate(MenteeState.get_full_name().split(".")[1:])
    assert isinstance(page, MenteeState)
    page._show(mentees.mentee(session, principal(session, w.mentor), learner), "UTC")
    assert page.can_review is True
    page._show(seen, "UTC")
    assert page.can_review is False  # the view shows "Review queue" only when it is True


def test_a_learner_not_found_sends_each_reader_back_to_their_own_home(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/mentees/<id> for no learner of theirs: "Back" goes to the reader's own home (a director's
    is /dashboard/director, not the mentor's page they can't open)."""
    w = world
    reader = {"who": w.director}

    async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
        try:
            return Outcome(value=fn(session, principal(session, reader["who"]), *args))
        except DomainError as exc:
            return Outcome(value=None, error=exc.message, code=type(exc).__name__)

    monkeypatch.setattr(MenteeState, "_try", run_here)
    monkeypatch.setattr(
        "cyberhub.pages.mentee.state.url_id", lambda *_: id_of(w.outsider_student) + 10_000
    )
    root = rx.State()
    page = root.get_substate(MenteeState.get_full_name().split(".")[1:])
    signed_in = root.get_substate(SessionState.get_full_name().split(".")[1:])
    assert isinstance(page, MenteeState) and isinstance(signed_in, SessionState)
    for who, home in ((w.director, "/dashboard/director"), (w.mentor, "/dashboard/mentor")):
        reader["who"] = who
        signed_in.roles = principal(session, who).roles
        run_in_own_loop(MenteeState.event_handlers["load"].fn(page))
        assert page.error == mentees.NOT_YOURS
        assert page.home == home
