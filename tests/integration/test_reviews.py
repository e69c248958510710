"""Mentor review (services/learning/reviews.py): claim, release, expiry, the decision, queue, workload."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from cyberhub.formatting import when
from cyberhub.models import (
    Notification,
    OutboxMail,
    ProgramMission,
    Review,
    Submission,
    SubmissionEvent,
)
from cyberhub.models.base import utcnow
from cyberhub.services.errors import Conflict, Forbidden, Invalid, Unauthenticated
from cyberhub.services.learning import reviews, submissions
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    build_world,
    enroll,
    id_of,
    make_cohort,
    make_mission,
    make_program,
    make_track,
    principal,
    serve,
)

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def submit(session: Session, w: World, user=None, mission=None) -> Submission:
    sub = submissions.submit(
        session, principal(session, user or w.student), id_of(mission or w.m1), answer=GOOD_ANSWER
    )
    session.commit()
    return sub


def claim(session: Session, user, sub: Submission) -> Submission:
    out = reviews.claim(session, principal(session, user), sub.id or 0)
    session.commit()
    return out


def decide(session: Session, user, sub: Submission, decision: str, **kw) -> Review:
    out = reviews.review(
        session,
        principal(session, user),
        sub.id or 0,
        decision=decision,
        scores=kw.get("scores", FULL_SCORES),
        feedback=kw.get("feedback", "Good work; next time add screenshots."),
    )
    session.commit()
    return out


def kinds(session: Session, sub_id: int) -> list[str]:
    return list(
        session.exec(
            select(SubmissionEvent.kind)
            .where(SubmissionEvent.submission_id == sub_id)
            .order_by(col(SubmissionEvent.id))
        ).all()
    )


def notes(session: Session, user_id: int | None, kind: str) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        ).all()
    )


def backdate_claim(session: Session, sub: Submission, hours: float = 1) -> None:
    row = session.get(Submission, sub.id, populate_existing=True)
    assert row is not None
    row.claim_expires_at = utcnow() - timedelta(hours=hours)
    session.add(row)
    session.commit()


class TestClaim:
    def test_a_mentor_claims_for_24_hours(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        before = utcnow()
        claimed = claim(session, world.mentor, sub)
        assert claimed.status == "in_review" and claimed.claimed_by_id == world.mentor.id
        assert claimed.claim_expires_at is not None
        expected = before + timedelta(hours=24)
        assert abs((claimed.claim_expires_at - expected).total_seconds()) < 60
        assert kinds(session, sub.id or 0) == ["submitted", "claimed"]

    def test_claiming_again_what_you_hold_extends_it_quietly(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        first = claim(session, world.mentor, sub)
        expires = first.claim_expires_at
        again = claim(session, world.mentor, sub)
        assert again.claimed_by_id == world.mentor.id and again.claim_expires_at >= expires  # type: ignore[operator]
        assert kinds(session, sub.id or 0) == ["submitted", "claimed"]

    def test_a_co_mentor_may_claim_but_not_what_another_holds(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Conflict, match="W.Mentor is already reviewing"):
            claim(session, world.comentor, sub)
        other = submit(session, world, mission=world.m3)
        assert claim(session, world.comentor, other).claimed_by_id == world.comentor.id

    def test_the_claim_refused_says_until_when_in_the_readers_time_zone(
        self, session: Session, world: World
    ) -> None:
        sub = claim(session, world.mentor, submit(session, world))
        world.comentor.time_zone = "Africa/Nairobi"
        session.add(world.comentor)
        session.commit()
        assert sub.claim_expires_at is not None
        until = when(sub.claim_expires_at, "Africa/Nairobi")
        with pytest.raises(Conflict, match=f"already reviewing this submission until {until}"):
            claim(session, world.comentor, sub)

    def test_who_may_not_claim(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        with pytest.raises(Unauthenticated):
            reviews.claim(session, None, sub.id or 0)
        # Not a mentor at all; or a mentor with no link to this student.
        for user in (
            world.student,
            world.student2,
            world.director,
            world.admin,
            world.other_mentor,
            world.other_mentor_org,
        ):
            with pytest.raises(Forbidden):
                claim(session, user, sub)
        assert session.get(Submission, sub.id, populate_existing=True).status == "submitted"  # type: ignore[union-attr]

    def test_decided_and_draft_submissions_cannot_be_claimed(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        decide(session, world.mentor, sub, "approved")
        with pytest.raises(Conflict, match="already been reviewed"):
            claim(session, world.comentor, sub)
        draft = submissions.save_draft(
            session, principal(session, world.student), world.m3.id or 0, answer="wip"
        )
        session.commit()
        with pytest.raises(Forbidden):  # a draft is private: not even visible to the mentor
            claim(session, world.mentor, draft)


class TestRelease:
    def test_the_holder_releases_back_to_the_queue(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Forbidden, match="Only the mentor who claimed"):
            reviews.release(session, principal(session, world.comentor), sub.id or 0)
        released = reviews.release(session, principal(session, world.mentor), sub.id or 0)
        session.commit()
        assert released.status == "submitted"
        assert released.claimed_by_id is None and released.claim_expires_at is None
        assert kinds(session, sub.id or 0) == ["submitted", "claimed", "released"]
        with pytest.raises(Conflict, match="not claimed"):
            reviews.release(session, principal(session, world.mentor), sub.id or 0)
        assert claim(session, world.comentor, sub).claimed_by_id == world.comentor.id


class TestExpiry:
    def test_an_expired_claim_can_be_taken_over(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        backdate_claim(session, sub)
        taken = claim(session, world.comentor, sub)
        assert taken.claimed_by_id == world.comentor.id and taken.status == "in_review"

    def test_the_sweep_returns_expired_claims_and_tells_the_mentor(
        self, session: Session, world: World
    ) -> None:
        old = submit(session, world)
        fresh = submit(session, world, mission=world.m3)
        claim(session, world.mentor, old)
        claim(session, world.mentor, fresh)
        backdate_claim(session, old, hours=2)
        assert reviews.expire_claims(session) == [old.id]
        session.commit()
        row = session.get(Submission, old.id, populate_existing=True)
        assert row is not None
        assert (row.status, row.claimed_by_id, row.claim_expires_at) == ("submitted", None, None)
        assert kinds(session, old.id or 0)[-1] == "claim_expired"
        expired = notes(session, world.mentor.id, "claim_expired")
        assert len(expired) == 1 and "Harden a server" in expired[0].title
        mails = session.exec(select(OutboxMail).where(OutboxMail.kind == "claim_expired")).all()
        assert [m.to_email for m in mails] == [world.mentor.email]
        assert session.get(Submission, fresh.id).status == "in_review"  # type: ignore[union-attr]
        assert reviews.expire_claims(session) == []  # nothing left: idempotent

    def test_listing_the_queue_expires_claims_first(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        backdate_claim(session, sub)
        page = reviews.queue(session, principal(session, world.comentor), bucket="pending")
        assert [i.id for i in page.items] == [sub.id]

    def test_the_worker_actor_sweeps(
        self,
        session: Session,
        world: World,
        stub_broker,
        stub_worker,
    ) -> None:
        import worker.actors

        sub = submit(session, world)
        claim(session, world.mentor, sub)
        backdate_claim(session, sub)
        worker.actors.expire_review_claims.send()
        stub_broker.join("default", timeout=20_000)
        stub_worker.join()
        row = session.get(Submission, sub.id, populate_existing=True)
        assert row is not None and row.status == "submitted"


class TestReview:
    def test_approval_writes_the_review_and_tells_the_student(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        review = decide(
            session,
            world.mentor,
            sub,
            "approved",
            scores={"evidence": 8, "clarity": 4},
            feedback="",
        )
        assert (review.decision, review.total, review.scores) == (
            "approved",
            12,
            {"evidence": 8, "clarity": 4},
        )
        assert review.mentor_id == world.mentor.id
        row = session.get(Submission, sub.id, populate_existing=True)
        assert row is not None and row.status == "approved" and row.decided_at is not None
        assert row.claimed_by_id == world.mentor.id and row.claim_expires_at is None
        assert kinds(session, sub.id or 0) == ["submitted", "claimed", "approved"]
        done = notes(session, world.student.id, "review_done")
        assert len(done) == 1 and "is approved" in done[0].title and "12/15" in done[0].body
        assert done[0].link == f"/missions/{world.m1.id}#feedback"
        mail = session.exec(select(OutboxMail).where(OutboxMail.to_email == world.student.email))
        assert mail.one().subject == done[0].title

    def test_changes_requested_needs_feedback(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Invalid, match="Write feedback"):
            decide(session, world.mentor, sub, "changes_requested", feedback="   ")
        decide(session, world.mentor, sub, "changes_requested", feedback="Add the **scan** output.")
        row = session.get(Submission, sub.id, populate_existing=True)
        assert row is not None and row.status == "changes_requested"
        done = notes(session, world.student.id, "review_done")
        # The bell and the mail carry the feedback's words, not its markdown.
        assert "Changes requested" in done[0].title and "Add the scan output." in done[0].body
        assert "**" not in done[0].body
        mail = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == world.student.email)
        ).all()
        assert any("Add the scan output." in m.body and "**" not in m.body for m in mail)

    def test_feedback_and_comments_are_stored_with_plain_line_breaks(
        self, session: Session, world: World
    ) -> None:
        """A review sent with Windows line breaks (an API client) keeps its lines as "\n", as
        every multi-line field is stored (services/text.py)."""
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        review = reviews.review(
            session,
            principal(session, world.mentor),
            sub.id or 0,
            decision="changes_requested",
            scores=FULL_SCORES,
            feedback="Two things:\r\n\r\n- the scan\r\n- the rules\r\n",
            comments={"evidence": "Show\r\nthe output."},
        )
        session.commit()
        assert review.feedback == "Two things:\n\n- the scan\n- the rules"
        assert review.comments == {"evidence": "Show\nthe output."}

    @pytest.mark.parametrize(
        ("scores", "message"),
        [
            ({"evidence": 10}, "Score “Clarity” (0 to 5)"),
            ({"evidence": 11, "clarity": 5}, "“Evidence” must be a whole number from 0 to 10"),
            ({"evidence": -1, "clarity": 5}, "“Evidence” must be a whole number"),
            ({"evidence": 5, "clarity": 2.5}, "“Clarity” must be a whole number"),
            ({"evidence": 5, "clarity": "5"}, "“Clarity” must be a whole number"),
            (
                {"evidence": 5, "clarity": 5, "style": 3},
                "Not criteria of this mission's rubric: style",
            ),
        ],
    )
    def test_scores_must_cover_the_rubric(
        self,
        session: Session,
        world: World,
        scores: dict[str, object],
        message: str,
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Invalid, match=re.escape(message)):
            decide(session, world.mentor, sub, "approved", scores=scores)
        assert session.exec(select(Review)).all() == []

    def test_every_problem_is_listed(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Invalid) as err:
            decide(session, world.mentor, sub, "maybe", scores={"evidence": 99}, feedback="")
        message = err.value.message
        assert "Choose a decision" in message and "Evidence" in message and "Clarity" in message

    def test_a_mission_without_rubric_takes_no_scores(self, session: Session, world: World) -> None:
        bare = make_mission(session, world.program, world.leaders, rubric=[])
        sub = submit(session, world, mission=bare)
        claim(session, world.mentor, sub)
        assert decide(session, world.mentor, sub, "approved", scores={}).total == 0

    def test_only_the_claim_holder_reviews(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        with pytest.raises(Conflict, match="Claim this submission"):
            decide(session, world.mentor, sub, "approved")
        claim(session, world.mentor, sub)
        with pytest.raises(Forbidden, match="Only the mentor who claimed"):
            decide(session, world.comentor, sub, "approved")
        for outsider in (world.other_mentor, world.director, world.student):
            with pytest.raises(Forbidden):
                decide(session, outsider, sub, "approved")
        with pytest.raises(Unauthenticated):
            reviews.review(session, None, sub.id or 0, decision="approved", scores={}, feedback="")
        decide(session, world.mentor, sub, "approved")
        with pytest.raises(Conflict, match="already been reviewed"):
            decide(session, world.mentor, sub, "approved")

    def test_the_holder_may_finish_after_expiry_until_someone_takes_over(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        backdate_claim(session, sub)
        assert decide(session, world.mentor, sub, "approved").decision == "approved"
        late = submit(session, world, mission=world.m3)
        claim(session, world.mentor, late)
        backdate_claim(session, late)
        claim(session, world.comentor, late)
        with pytest.raises(Forbidden):
            decide(session, world.mentor, late, "approved")


class TestQueue:
    def test_buckets(self, session: Session, world: World) -> None:
        a = submit(session, world)  # assigned mentee
        b = submit(session, world, user=world.student2)  # co-mentored cohort student
        c = submit(session, world, user=world.outsider_student)  # another cohort
        mentor = principal(session, world.mentor)

        def ids(user, bucket: str) -> list[int | None]:
            page = reviews.queue(session, principal(session, user), bucket=bucket)
            assert page.total == len(page.items)
            return [i.id for i in page.items]

        pending = reviews.queue(session, mentor, bucket="pending").items
        assert [(i.id, i.assigned_to_me) for i in pending] == [(a.id, True), (b.id, False)]
        assert pending[0].student.name == "W.Student"
        assert pending[0].mission.title == "Harden a server"
        assert ids(world.comentor, "pending") == [a.id, b.id]  # submitted_at order
        assert ids(world.other_mentor, "pending") == [c.id]
        assert ids(world.other_mentor_org, "pending") == []

        claim(session, world.mentor, a)
        assert ids(world.mentor, "pending") == [b.id]
        assert ids(world.mentor, "claimed_by_me") == [a.id]
        assert ids(world.comentor, "claimed_by_me") == []

        decide(session, world.mentor, a, "changes_requested", feedback="More evidence.")
        assert ids(world.mentor, "waiting_for_student") == [a.id]
        assert ids(world.mentor, "reviewed") == [a.id]
        assert ids(world.comentor, "reviewed") == []
        item = reviews.queue(session, mentor, bucket="reviewed").items[0]
        assert item.decision == "changes_requested" and item.status == "changes_requested"

        submissions.save_draft(session, principal(session, world.student), world.m1.id or 0)
        session.commit()
        assert ids(world.mentor, "waiting_for_student") == [a.id]  # a draft is not an answer
        again = submit(session, world)
        assert again.attempt == 2
        assert ids(world.mentor, "waiting_for_student") == []
        assert ids(world.mentor, "pending") == [again.id, b.id]  # assigned mentee first

        counts = reviews.queue_counts(session, world.mentor.id or 0)
        assert counts.model_dump() == {
            "pending": 2,
            "claimed_by_me": 0,
            "waiting_for_student": 0,
            "reviewed": 1,
        }

    def test_work_on_a_mission_two_of_the_mentors_programmes_run_is_listed_once(
        self, session: Session, world: World
    ) -> None:
        """A learner in cohorts of two programmes that both run a library mission, both served
        by the mentor: their submission is one row of the queue and counts once."""
        second = make_program(session, world.org, name="Second programme")
        make_track(session, second, "builders")
        session.add(ProgramMission(program_id=id_of(second), mission_id=id_of(world.m1)))
        session.commit()
        cohort = make_cohort(session, second, director=world.director, name="Autumn")
        enroll(session, cohort, world.student)
        serve(session, cohort, world.mentor)
        sub = submit(session, world)
        page = reviews.queue(session, principal(session, world.mentor), bucket="pending")
        assert [i.id for i in page.items] == [sub.id] and page.total == 1
        assert reviews.queue_counts(session, world.mentor.id or 0).pending == 1
        decide(session, world.mentor, claim(session, world.mentor, sub), "changes_requested")
        waiting = reviews.queue(
            session, principal(session, world.mentor), bucket="waiting_for_student"
        )
        assert [i.id for i in waiting.items] == [sub.id] and waiting.total == 1
        assert reviews.queue_counts(session, world.mentor.id or 0).waiting_for_student == 1

    def test_work_listed_for_a_mentor_of_the_learners_other_programme_can_be_reviewed(
        self, session: Session, world: World
    ) -> None:
        """The learner is in two programmes that both run the mission; the mentor serves only
        the second one's cohort. The queue lists the work for them, so they may open, claim
        and review it (the first programme's mentors still may too)."""
        second = make_program(session, world.org, name="Second programme")
        make_track(session, second, "builders")
        session.add(ProgramMission(program_id=id_of(second), mission_id=id_of(world.m1)))
        session.commit()
        cohort = make_cohort(session, second, director=world.director, name="Autumn")
        enroll(session, cohort, world.student)
        serve(session, cohort, world.other_mentor)
        sub = submit(session, world)
        mine = principal(session, world.other_mentor)
        assert [i.id for i in reviews.queue(session, mine, bucket="pending").items] == [sub.id]
        assert reviews.review_screen(session, mine, id_of(sub)).can_claim
        decide(session, world.other_mentor, claim(session, world.other_mentor, sub), "approved")
        assert submissions.get_submission(session, mine, id_of(sub)).submission.status == (
            "approved"
        )

    def test_pages(self, session: Session, world: World) -> None:
        subs = [submit(session, world, mission=m) for m in (world.m1, world.m3)]
        subs.append(submit(session, world, user=world.student2))
        mentor = principal(session, world.mentor)
        first = reviews.queue(session, mentor, bucket="pending", page_size=2)
        second = reviews.queue(session, mentor, bucket="pending", page=2, page_size=2)
        assert (first.total, first.pages, len(first.items), len(second.items)) == (3, 2, 2, 1)
        assert {i.id for i in first.items + second.items} == {s.id for s in subs}

    def test_bad_requests(self, session: Session, world: World) -> None:
        mentor = principal(session, world.mentor)
        with pytest.raises(Invalid, match="bucket must be one of"):
            reviews.queue(session, mentor, bucket="everything")
        with pytest.raises(Invalid):
            reviews.queue(session, mentor, page=0)
        with pytest.raises(Forbidden):
            reviews.queue(session, principal(session, world.student))
        with pytest.raises(Unauthenticated):
            reviews.queue(session, None)


class TestWorkload:
    def test_figures(self, session: Session, world: World) -> None:
        mentor = principal(session, world.mentor)
        empty = reviews.workload(session, mentor)
        assert empty.model_dump() == {
            "mentees": 1,
            "pending": 0,
            "claimed": 0,
            "waiting_for_student": 0,
            "reviewed_last_7_days": 0,
            "median_turnaround_hours": None,
        }
        timings = [  # (student, mission, hours to decide, days ago)
            (world.student, world.m1, 2, 0),
            (world.student, world.m3, 4, 1),
            (world.student2, world.m3, 6, 10),  # outside the 7-day count, inside the 30 days
            (world.student2, world.m1, 100, 40),  # outside both
        ]
        for student, mission, hours, days_ago in timings:
            sub = submit(session, world, user=student, mission=mission)
            claim(session, world.mentor, sub)
            decide(session, world.mentor, sub, "approved")
            row = session.get(Submission, sub.id, populate_existing=True)
            assert row is not None and row.decided_at is not None
            row.decided_at = utcnow() - timedelta(days=days_ago)
            row.submitted_at = row.decided_at - timedelta(hours=hours)
            session.add(row)
        session.commit()
        submit(session, world, user=world.student, mission=world.m2)
        figures = reviews.workload(session, mentor)
        assert figures.mentees == 1
        assert (figures.pending, figures.claimed) == (1, 0)
        assert figures.reviewed_last_7_days == 2
        assert figures.median_turnaround_hours == 4.0  # median of 2, 4 and 6 hours

    def test_only_mentors(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden):
            reviews.workload(session, principal(session, world.director))
