"""Work handed in for review is never stranded by a director's change to its mission.

- Removing a mission from a programme while its learners' work waits for review (submitted or
  in review) is refused with how many wait: once the programme no longer runs the mission, none
  of its mentors could claim that work (reviews: "a programme running the mission") and the
  learner would wait for ever.
- Unpublishing or archiving a mission keeps its handed-in work in the cohort mentors' queue:
  they claim and decide it as before; the learner who handed work in still reads the mission
  and follows its review on its page.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, Enrollment, EnrollmentStatus, ProgramMission, Submission
from cyberhub.pages.mission import data as mission_data
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.learning import authoring, reviews, submissions
from cyberhub.services.learning.mission_scope import TAKE_REFUSED
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    id_of,
    make_mission,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.integration]


def waiting(session: Session, w: World) -> tuple[int, Submission, Submission]:
    """An organisation's own mission of the world's programme with two attempts waiting for
    review: the student's (submitted) and student2's (claimed by the comentor). The mission's id
    and both attempts."""
    mission = make_mission(session, w.program, w.builders, title="Own mission", owner=w.org)
    mid = id_of(mission)
    submitted = submissions.submit(session, principal(session, w.student), mid, answer=GOOD_ANSWER)
    claimed = submissions.submit(session, principal(session, w.student2), mid, answer=GOOD_ANSWER)
    session.commit()
    reviews.claim(session, principal(session, w.comentor), id_of(claimed))
    session.commit()
    return mid, submitted, claimed


def pending_ids(session: Session, mentor: object) -> list[int]:
    page = reviews.queue(session, principal(session, mentor))  # type: ignore[arg-type]
    return [item.id for item in page.items]


def finish(session: Session, mentor: object, sub: Submission) -> None:
    reviews.review(
        session,
        principal(session, mentor),  # type: ignore[arg-type]
        id_of(sub),
        decision="approved",
        scores=FULL_SCORES,
        feedback="Good work.",
    )
    session.commit()


class TestRemovingFromAProgramme:
    def test_refused_while_work_waits_naming_how_many_and_the_work_stays_reviewable(
        self, session: Session, world: World
    ) -> None:
        """Before: the mission left the programme, the claim went back to "submitted" and no
        mentor's queue listed either attempt again (nor could anyone open them): both learners
        waited for a review for ever."""
        w = world
        mid, submitted, claimed = waiting(session, w)
        with pytest.raises(Conflict) as refused:
            authoring.remove_from_program(
                session, principal(session, w.director), id_of(w.program), mid
            )
        assert str(refused.value) == (
            "2 submissions of this mission are waiting for review in this programme: "
            "review them first."
        )
        session.rollback()
        assert session.get(ProgramMission, (id_of(w.program), mid)) is not None
        assert not session.exec(
            select(AuditLog).where(AuditLog.action == "program.mission_removed")
        ).first()
        # Both are still reviewed: the claim stays with its mentor, the other is in the queue.
        session.refresh(claimed)
        assert (claimed.status, claimed.claimed_by_id) == ("in_review", id_of(w.comentor))
        assert id_of(submitted) in pending_ids(session, w.mentor)
        finish(session, w.comentor, claimed)
        reviews.claim(session, principal(session, w.mentor), id_of(submitted))
        session.commit()
        with pytest.raises(Conflict, match="^1 submission of this mission is waiting for review"):
            authoring.remove_from_program(
                session, principal(session, w.director), id_of(w.program), mid
            )
        session.rollback()
        finish(session, w.mentor, submitted)
        # Nothing waits any more: the programme stops running the mission.
        authoring.remove_from_program(
            session, principal(session, w.director), id_of(w.program), mid
        )
        session.commit()
        assert session.get(ProgramMission, (id_of(w.program), mid)) is None

    def test_the_api_answers_409_with_the_count_and_the_programme_still_runs_it(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        mid, _submitted, _claimed = waiting(session, w)
        answer = client_for(w.director).delete(
            f"/api/v1/programs/{id_of(w.program)}/missions/{mid}"
        )
        assert answer.status_code == 409, answer.text
        assert answer.json() == {
            "detail": "2 submissions of this mission are waiting for review in this programme: "
            "review them first."
        }
        session.expire_all()
        assert session.get(ProgramMission, (id_of(w.program), mid)) is not None

    def test_only_work_a_mentor_there_still_reviews_holds_it(
        self, session: Session, world: World
    ) -> None:
        """Learners who left the cohort are reviewed there only by a mentor assigned to them:
        the work of one without (student2) no longer holds the change, the other's does."""
        w = world
        mission = make_mission(session, w.program, w.builders, title="Own mission", owner=w.org)
        mid = id_of(mission)
        assigned = submissions.submit(
            session, principal(session, w.student), mid, answer=GOOD_ANSWER
        )
        submissions.submit(session, principal(session, w.student2), mid, answer=GOOD_ANSWER)
        session.commit()
        for row in session.exec(
            select(Enrollment).where(
                col(Enrollment.student_id).in_([id_of(w.student), id_of(w.student2)])
            )
        ).all():
            row.status = EnrollmentStatus.withdrawn
            session.add(row)
        session.commit()
        assert pending_ids(session, w.mentor) == [id_of(assigned)]
        with pytest.raises(Conflict) as refused:
            authoring.remove_from_program(
                session, principal(session, w.director), id_of(w.program), mid
            )
        assert str(refused.value) == (
            "1 submission of this mission is waiting for review in this programme: review it first."
        )

    @pytest.mark.parametrize("first", ["submit", "remove"])
    def test_a_submit_at_the_moment_of_the_removal_is_never_stranded(
        self, session: Session, world: World, first: str
    ) -> None:
        """Before: the removal counted the waiting work before the submit committed (or the
        submit checked the programme before the removal committed): both went through and the
        work waited where no mentor could claim it. Now one waits for the other: a submit first
        makes the removal refused; a removal first makes the submit refused."""
        w = world
        mission = make_mission(session, w.program, w.builders, title="Own mission", owner=w.org)
        mid, pid = id_of(mission), id_of(w.program)
        learner, director = principal(session, w.student), principal(session, w.director)

        def hand_in(s: Session) -> object:
            return submissions.submit(s, learner, mid, answer=GOOD_ANSWER)

        def remove(s: Session) -> None:
            authoring.remove_from_program(s, director, pid, mid)

        if first == "submit":
            assert second_while_first_holds(hand_in, remove) == (
                "ok",
                "1 submission of this mission is waiting for review in this programme: "
                "review it first.",
            )
            assert [
                i.mission.id for i in reviews.queue(session, principal(session, w.mentor)).items
            ] == [mid]
        else:
            assert second_while_first_holds(remove, hand_in) == ("ok", TAKE_REFUSED)
            assert not session.exec(select(Submission).where(Submission.mission_id == mid)).all()

    def test_an_other_programmes_work_on_the_mission_does_not_count(
        self, session: Session, world: World
    ) -> None:
        w = world
        submissions.submit(session, principal(session, w.student), id_of(w.m3), answer=GOOD_ANSWER)
        session.commit()
        authoring.add_to_program(
            session, principal(session, w.other_director), id_of(w.other_program), id_of(w.m1)
        )
        session.commit()
        # m3 waits in the world's programme, not in the other organisation's.
        assert reviews.waiting_in_program(session, id_of(w.other_program), id_of(w.m3)) == 0
        assert reviews.waiting_in_program(session, id_of(w.program), id_of(w.m3)) == 1


@pytest.mark.parametrize("action", ["unpublish", "archive"])
class TestUnpublishingOrArchiving:
    def act(self, session: Session, w: World, action: str, mission_id: int) -> None:
        change = authoring.unpublish_mission if action == "unpublish" else authoring.archive_mission
        change(session, principal(session, w.director), mission_id)
        session.commit()

    def test_handed_in_work_stays_in_the_queue_and_is_decided(
        self, session: Session, world: World, client_for: ClientFor, action: str
    ) -> None:
        w = world
        mid, submitted, claimed = waiting(session, w)
        mentor = principal(session, w.mentor)
        assert reviews.review_screen(session, mentor, id_of(submitted)).mission.offered
        self.act(session, w, action, mid)
        # The cohort's mentors still see the submitted attempt and claim it.
        assert pending_ids(session, w.mentor) == [id_of(submitted)]
        assert pending_ids(session, w.comentor) == [id_of(submitted)]
        screen = reviews.review_screen(session, principal(session, w.mentor), id_of(submitted))
        assert (screen.can_claim, screen.claim_refusal) == (True, "")
        # Its page no longer opens for them: the review page says so instead of a dead link.
        assert not screen.mission.offered
        assert client_for(w.mentor).get(f"/api/v1/missions/{mid}").status_code == 404
        reviews.claim(session, principal(session, w.mentor), id_of(submitted))
        session.commit()
        finish(session, w.mentor, submitted)
        # The claim taken before the change is finished by its holder.
        assert reviews.review_screen(
            session, principal(session, w.comentor), id_of(claimed)
        ).can_review
        finish(session, w.comentor, claimed)
        session.refresh(submitted)
        session.refresh(claimed)
        assert (submitted.status, claimed.status) == ("approved", "approved")

    def test_the_permission_rules_still_hold(
        self, session: Session, world: World, action: str
    ) -> None:
        """A mentor of another cohort, or of another organisation, still neither sees nor
        claims the work."""
        w = world
        mid, submitted, _claimed = waiting(session, w)
        self.act(session, w, action, mid)
        for outsider in (w.other_mentor, w.other_mentor_org):
            assert pending_ids(session, outsider) == []
            with pytest.raises(Forbidden):
                reviews.claim(session, principal(session, outsider), id_of(submitted))
            session.rollback()

    def test_the_learner_still_reads_the_mission_and_follows_the_review(
        self, session: Session, world: World, client_for: ClientFor, action: str
    ) -> None:
        """Before: the learner's mission page (and GET /missions/{id}, /work) answered "That
        mission does not exist or is not published." while their work waited, and the review's
        notification led there too: they could neither see it was in review nor read the
        feedback. Now the page shows their work, says the mission takes no new work and that
        what they handed in is still reviewed."""
        w = world
        mid, submitted, _claimed = waiting(session, w)
        self.act(session, w, action, mid)
        api = client_for(w.student)
        assert api.get(f"/api/v1/missions/{mid}").status_code == 200
        work = api.get(f"/api/v1/missions/{mid}/work")
        assert (work.status_code, work.json()["status"]) == (200, "submitted")
        loaded = mission_data.load(session, principal(session, w.student), mid)
        assert loaded.mission.retired
        assert (loaded.work.status.status, loaded.work.status.can_submit) == ("submitted", False)
        reviews.claim(session, principal(session, w.mentor), id_of(submitted))
        session.commit()
        finish(session, w.mentor, submitted)
        after = mission_data.load(session, principal(session, w.student), mid)
        assert after.work.status.status == "approved"
        assert [a["status"] for a in after.work.attempts] == ["approved"]

    def test_only_learners_who_handed_work_in_still_read_it(
        self, session: Session, world: World, client_for: ClientFor, action: str
    ) -> None:
        """A classmate who never started it, or only kept a draft, is told it does not exist,
        as before; a published mission's page is unchanged (not "retired")."""
        w = world
        mission = make_mission(session, w.program, w.builders, title="Own mission", owner=w.org)
        mid = id_of(mission)
        submissions.save_draft(session, principal(session, w.student), mid, answer="Started.")
        session.commit()
        assert not mission_data.load(session, principal(session, w.student), mid).mission.retired
        self.act(session, w, action, mid)
        for learner in (w.student, w.student2):
            with pytest.raises(NotFound):
                mission_data.load(session, principal(session, learner), mid)
            session.rollback()
            assert client_for(learner).get(f"/api/v1/missions/{mid}/work").status_code == 404
