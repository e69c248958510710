"""Derived progress (services/learning/progress.py) and the dashboards built on it (services/learning/dashboards.py).

Numbers are worked out by hand from the world of tests/factories.py: the programme has three
published missions (builders: m1, m2 needing m1; leaders: m3), plus a draft and an archived one
that never count.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import Enrollment, MissionStatus, Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.progress import EnrollmentStatus
from cyberhub.services.errors import Forbidden, NotFound, Unauthenticated
from cyberhub.services.learning import (
    dashboards,
    mentoring,
    mission_scope,
    programs,
    progress,
    reviews,
    submissions,
)
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    build_world,
    complete_profiler,
    enroll,
    id_of,
    make_cohort,
    make_mission,
    make_program,
    make_track,
    make_user,
    principal,
)

pytestmark = [pytest.mark.missions, pytest.mark.student, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def submit(session: Session, w: World, user=None, mission=None) -> Submission:
    sub = submissions.submit(
        session, principal(session, user or w.student), id_of(mission or w.m1), answer=GOOD_ANSWER
    )
    session.commit()
    return sub


def decide(session: Session, w: World, sub: Submission, decision: str) -> None:
    mentor = principal(session, w.comentor)
    reviews.claim(session, mentor, sub.id or 0)
    reviews.review(
        session, mentor, sub.id or 0, decision=decision, scores=FULL_SCORES, feedback="Noted."
    )
    session.commit()


def approve(session: Session, w: World, user=None, mission=None) -> Submission:
    sub = submit(session, w, user, mission)
    decide(session, w, sub, "approved")
    return sub


def statuses(p: progress.StudentProgress) -> dict[int, str]:
    return {m.id: m.status for m in p.missions}


class TestStudentProgress:
    def test_a_new_student(self, session: Session, world: World) -> None:
        p = progress.compute(session, world.student.id or 0)
        assert statuses(p) == {
            world.m1.id: "not_started",
            world.m2.id: "locked",
            world.m3.id: "not_started",
        }
        assert p.track_percents == {"builders": 0, "leaders": 0}
        assert [m.id for m in p.missions] == [world.m1.id, world.m2.id, world.m3.id]
        assert p.tracks[0].model_dump() == {
            "key": "builders",
            "name": "Builders",
            "approved": 0,
            "published": 2,
            "percent": 0,
        }

    def test_statuses_follow_the_latest_attempt(self, session: Session, world: World) -> None:
        first = submit(session, world)
        assert (
            statuses(progress.compute(session, id_of(world.student)))[id_of(world.m1)]
            == "submitted"
        )
        decide(session, world, first, "changes_requested")
        submissions.save_draft(session, principal(session, world.student), world.m1.id or 0)
        session.commit()
        p = progress.compute(session, id_of(world.student))
        assert statuses(p)[id_of(world.m1)] == "draft"
        m1 = next(m for m in p.missions if m.id == world.m1.id)
        assert m1.attempt == 2
        second = submit(session, world)
        decide(session, world, second, "approved")
        p = progress.compute(session, world.student.id or 0)
        assert statuses(p) == {
            world.m1.id: "approved",
            world.m2.id: "not_started",  # unlocked
            world.m3.id: "not_started",
        }
        assert p.track_percents == {"builders": 50, "leaders": 0}

    def test_percent_rounds_down_and_reaches_100_only_when_all_are_approved(
        self, session: Session, world: World
    ) -> None:
        m4 = make_mission(session, world.program, world.builders, difficulty=3)
        approve(session, world)
        assert progress.compute(session, world.student.id or 0).track_percents["builders"] == 33
        approve(session, world, mission=world.m2)
        assert progress.compute(session, world.student.id or 0).track_percents["builders"] == 66
        approve(session, world, mission=m4)
        approve(session, world, mission=world.m3)
        assert progress.compute(session, world.student.id or 0).track_percents == {
            "builders": 100,
            "leaders": 100,
        }

    def test_unpublishing_a_mission_changes_the_denominator(
        self, session: Session, world: World
    ) -> None:
        approve(session, world)
        world.m2.status = MissionStatus.archived
        session.add(world.m2)
        session.commit()
        p = progress.compute(session, world.student.id or 0)
        assert p.track_percents["builders"] == 100 and world.m2.id not in statuses(p)

    def test_scope_is_the_students_programmes(self, session: Session, world: World) -> None:
        p = progress.compute(session, world.student.id or 0)
        assert world.other_mission.id not in statuses(p)
        loner = make_user(session, "loner@example.org", "student")
        nothing = progress.compute(session, loner.id or 0)
        # Not enrolled: nothing is expected of them yet (not 0 % of the whole catalog).
        assert nothing.missions == [] and nothing.tracks == [] and nothing.scope is None

    def test_who_may_see_a_students_progress(self, session: Session, world: World) -> None:
        sid = world.student.id or 0
        for viewer in (world.student, world.mentor, world.comentor, world.director, world.admin):
            assert progress.progress_for(session, principal(session, viewer), sid).student_id == sid
        for viewer in (
            world.student2,
            world.other_mentor,
            world.other_director,
            world.other_mentor_org,
        ):
            with pytest.raises(Forbidden):
                progress.progress_for(session, principal(session, viewer), sid)
        with pytest.raises(Unauthenticated):
            progress.progress_for(session, None, sid)
        with pytest.raises(NotFound):
            progress.progress_for(session, principal(session, world.admin), 999_999)


class TestCohortProgress:
    def test_mean_over_enrolled_students(self, session: Session, world: World) -> None:
        approve(session, world)  # student: 1 of 3 (no track yet: every track counts)
        director = principal(session, world.director)
        result = progress.cohort_progress(session, director, world.cohort.id or 0)
        # overall: mean(1/3, 0/3) = 16 %; no learner follows a track yet, so no track figure.
        assert result.students == 2
        assert result.tracks == {}
        assert result.percent == 16
        approve(session, world, user=world.student2, mission=world.m3)
        result = progress.cohort_progress(session, director, world.cohort.id or 0)
        assert result.percent == 33  # mean(1/3, 1/3)

    def test_the_mean_is_the_mean_of_the_rosters_fractions(
        self, session: Session, world: World
    ) -> None:
        """Learners in two tracks, each counted against their own track as the roster says:
        the student (builders) 1 of 2 = 50 %, student2 (leaders) 1 of 1 = 100 %; the cohort's
        figure is their mean, 75 % (not 2 approvals of 3 missions for 2 learners, 33 %), and
        each track's is the mean of its learners'."""
        complete_profiler(session, id_of(world.student), "builders")
        complete_profiler(session, id_of(world.student2), "leaders")
        approve(session, world)
        approve(session, world, user=world.student2, mission=world.m3)
        director = principal(session, world.director)
        roster = programs.roster(session, director, id_of(world.cohort))
        assert sorted(r.progress for r in roster) == [50, 100]
        result = progress.cohort_progress(session, director, id_of(world.cohort))
        assert result.students == len(roster) == 2
        assert result.percent == sum(r.progress for r in roster) // len(roster) == 75
        assert result.tracks == {"builders": 50, "leaders": 100}

    def test_withdrawn_students_do_not_count(self, session: Session, world: World) -> None:
        approve(session, world)
        row = session.exec(
            select(Enrollment).where(Enrollment.student_id == world.student2.id)
        ).one()
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        result = progress.cohort_progress(
            session, principal(session, world.admin), world.cohort.id or 0
        )
        assert (result.students, result.percent) == (1, 33)  # the student's 1 of 3 alone

    def test_an_empty_cohort(self, session: Session, world: World) -> None:
        from tests.factories import make_cohort

        empty = make_cohort(session, world.program)
        result = progress.cohort_progress(session, principal(session, world.admin), empty.id or 0)
        assert result.students == 0 and result.percent == 0

    def test_who_may_see_a_cohort(self, session: Session, world: World) -> None:
        cid = world.cohort.id or 0
        for viewer in (world.director, world.admin, world.mentor, world.comentor):
            progress.cohort_progress(session, principal(session, viewer), cid)
        for viewer in (world.student, world.other_mentor):
            with pytest.raises(Forbidden):
                progress.cohort_progress(session, principal(session, viewer), cid)
        # Another organization's director: as a cohort nobody has (a 403 told them it existed).
        with pytest.raises(NotFound, match="That cohort does not exist"):
            progress.cohort_progress(session, principal(session, world.other_director), cid)
        with pytest.raises(NotFound):
            progress.cohort_progress(session, principal(session, world.admin), 999_999)

    def test_program_scopes_for_rosters(self, session: Session, world: World) -> None:
        approve(session, world)
        approve(session, world, mission=world.m3)
        pid = world.program.id or 0
        pairs = [(world.student.id or 0, pid), (world.student2.id or 0, pid)]
        assert [
            (s.approved, s.expected, s.percent)
            for s in mission_scope.program_scopes(session, pairs)
        ] == [(2, 3, 66), (0, 3, 0)]


class TestStudentDashboard:
    def test_next_best_action_priorities(self, session: Session, world: World) -> None:
        me = principal(session, world.student)
        data = dashboards.student_dashboard(session, me).model_dump()
        # Nothing started: the easiest unlocked mission (m1 and m3 are both difficulty 1).
        assert data["next_action"]["kind"] == "start"
        assert data["next_action"]["mission_id"] == world.m1.id
        submissions.save_draft(session, me, world.m3.id or 0, answer="first notes")
        session.commit()
        action = dashboards.student_dashboard(session, me).model_dump()["next_action"]
        assert (action["kind"], action["mission_id"]) == ("continue_draft", world.m3.id)
        sub = submit(session, world)
        decide(session, world, sub, "changes_requested")
        action = dashboards.student_dashboard(session, me).model_dump()["next_action"]
        assert (action["kind"], action["mission_id"]) == ("resubmit", world.m1.id)
        assert action["link"] == f"/missions/{world.m1.id}"

    def test_the_track_of_the_student_comes_first(self, session: Session, world: World) -> None:
        p = progress.compute(session, world.student.id or 0)
        action = dashboards.next_best_action(p, "leaders", enrolled=True).model_dump()
        assert (action["kind"], action["mission_id"]) == ("start", world.m3.id)

    def test_waiting_done_and_not_enrolled(self, session: Session, world: World) -> None:
        loner = make_user(session, "loner@example.org", "student", organization_id=world.org.id)
        action = dashboards.student_dashboard(session, principal(session, loner)).model_dump()[
            "next_action"
        ]
        assert action["kind"] == "profiler"  # no profiler yet: that comes first, then a cohort
        for m in (world.m1, world.m2):
            approve(session, world, mission=m)
        submit(session, world, mission=world.m3)
        action = dashboards.student_dashboard(
            session, principal(session, world.student)
        ).model_dump()
        assert action["next_action"]["kind"] == "wait"
        decide(
            session,
            world,
            session.exec(select(Submission).where(Submission.mission_id == world.m3.id)).one(),
            "approved",
        )
        action = dashboards.student_dashboard(
            session, principal(session, world.student)
        ).model_dump()
        assert action["next_action"]["kind"] == "done"

    def test_a_programme_without_missions_is_not_all_approved(
        self, session: Session, world: World
    ) -> None:
        """Enrolled in a programme that runs no published mission yet: the card does not say
        "Every mission is approved", it points to the library."""
        empty = make_program(session, world.org, name="Empty programme")
        make_track(session, empty, "builders")
        newcomer = make_user(
            session, "newcomer@example.org", "student", organization_id=world.org.id
        )
        enroll(session, make_cohort(session, empty), newcomer)
        action = dashboards.student_dashboard(
            session, principal(session, newcomer)
        ).next_action.model_dump()
        assert action["kind"] == "browse"
        assert "approved" not in action["label"]
        assert "no missions yet" in action["label"]

    def test_contents(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        decide(session, world, sub, "changes_requested")
        submit(session, world, mission=world.m3)
        data = dashboards.student_dashboard(session, principal(session, world.student)).model_dump()
        assert data["cohorts"] == [
            {"id": world.cohort.id, "name": "Spring", "program": world.program.name}
        ]
        assert [(t["key"], t["percent"]) for t in data["tracks"]] == [
            ("builders", 0),
            ("leaders", 0),
        ]
        assert [(m["mission_id"], m["status"]) for m in data["in_progress"]] == [
            (world.m1.id, "changes_requested"),
            (world.m3.id, "submitted"),
        ]
        feedback = data["latest_feedback"]
        assert len(feedback) == 1 and feedback[0]["decision"] == "changes_requested"
        assert (feedback[0]["total"], feedback[0]["max_total"]) == (15, 15)
        assert feedback[0]["feedback"] == "Noted." and feedback[0]["mentor"] == "W.Comentor"
        assert data["unread_notifications"] == 1

    def test_only_students(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden):
            dashboards.student_dashboard(session, principal(session, world.mentor)).model_dump()
        with pytest.raises(Unauthenticated):
            dashboards.student_dashboard(session, None).model_dump()


class TestMentorDashboard:
    def test_last_activity_agrees_with_the_directors_roster(
        self, session: Session, world: World
    ) -> None:
        """A hint revealed after the learner's last submission is activity on both pages (the
        roster and the at-risk list count it)."""
        from datetime import timedelta

        from cyberhub.models import HintReveal
        from cyberhub.services.learning import analytics

        sub = submit(session, world)
        sub.created_at = sub.submitted_at = utcnow() - timedelta(days=1)
        session.add(sub)
        later = utcnow() - timedelta(hours=3)
        session.add(
            HintReveal(
                student_id=id_of(world.student),
                mission_id=id_of(world.m2),
                hint_index=0,
                revealed_at=later,
            )
        )
        session.commit()
        [mentee] = mentoring.mentor_dashboard(session, principal(session, world.mentor)).mentees
        roster = analytics.cohort_roster(
            session, principal(session, world.director), id_of(world.cohort)
        )
        [row] = [r for r in roster.items if r.student_id == world.student.id]
        assert mentee.last_activity == row.last_activity == later

    def test_mentees_queue_and_workload(self, session: Session, world: World) -> None:
        approve(session, world)
        submit(session, world, mission=world.m3)
        submit(session, world, user=world.student2)
        data = mentoring.mentor_dashboard(session, principal(session, world.mentor))
        [mentee] = data.mentees
        assert mentee.id == world.student.id and mentee.cohort.name == "Spring"
        assert (mentee.approved, mentee.published, mentee.percent) == (1, 3, 33)
        assert mentee.last_activity is not None
        assert data.queue.model_dump() == {
            "pending": 2,
            "claimed_by_me": 0,
            "waiting_for_student": 0,
            "reviewed": 0,
        }
        assert [i.assigned_to_me for i in data.pending_preview] == [True, False]
        assert data.workload.mentees == 1 and data.workload.pending == 2

    def test_a_mentees_progress_counts_their_cohorts_programme_only(
        self, session: Session, world: World
    ) -> None:
        """An approval of another programme's mission (that programme has a cohort too) is not
        progress in this one: 1 of 3, not 2 of 3."""
        w = world
        make_cohort(session, w.other_program, director=w.other_director, name="Coast cohort")
        approve(session, w)
        session.add(
            Submission(
                student_id=w.student.id or 0,
                mission_id=w.other_mission.id or 0,
                status=SubmissionStatus.approved,
                submitted_at=utcnow(),
                decided_at=utcnow(),
            )
        )
        session.commit()
        [mentee] = mentoring.mentor_dashboard(session, principal(session, w.mentor)).mentees
        assert (mentee.approved, mentee.published, mentee.percent) == (1, 3, 33)

    def test_only_mentors(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden):
            mentoring.mentor_dashboard(session, principal(session, world.student))
        other = mentoring.mentor_dashboard(session, principal(session, world.other_mentor_org))
        assert other.mentees == [] and other.queue.pending == 0

    def test_an_unassigned_enrollment_is_not_a_mentee(self, session: Session, world: World) -> None:
        enroll(session, world.cohort, make_user(session, "new@example.org", "student"))
        data = mentoring.mentor_dashboard(session, principal(session, world.comentor))
        assert data.mentees == []


def test_staff_read_a_learners_progress_within_their_own_programmes(
    session: Session, world: World
) -> None:
    """GET /api/v1/progress?user=: a learner also enrolled with another organisation, where
    they completed a builders mission, shows this organisation's director their progress here
    only (the mentee page's figure); the learner sees both."""
    complete_profiler(session, id_of(world.student), "builders", "leaders")
    enroll(session, make_cohort(session, world.other_program, name="Elsewhere"), world.student)
    session.add(
        Submission(
            student_id=id_of(world.student),
            mission_id=id_of(world.other_mission),
            attempt=1,
            status=SubmissionStatus.approved,
            answer="work",
        )
    )
    session.commit()
    seen = progress.progress_for(session, principal(session, world.director), id_of(world.student))
    assert seen.scope is not None and seen.scope.label == "0 of 2"
    assert seen.program_ids == [id_of(world.program)]
    own = progress.progress_for(session, principal(session, world.student), id_of(world.student))
    assert own.scope is not None and own.scope.label == "1 of 3"
