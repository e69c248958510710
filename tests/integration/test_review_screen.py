"""The review page's data (services/reviews.review_screen, check_review) and the file download
from a browser (the access cookie on GET /submissions/{id}/file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models import ProgramMission, User
from cyberhub.models.base import utcnow
from cyberhub.services.errors import Forbidden, NotFound, Unauthenticated
from cyberhub.services.identity import browser_sessions
from cyberhub.services.learning import reviews, snippets, submissions
from cyberhub.settings import get_settings
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    RUBRIC,
    World,
    build_world,
    enroll,
    id_of,
    make_cohort,
    make_program,
    make_track,
    make_user,
    principal,
    serve,
)
from tests.integration.test_reviews import backdate_claim, claim, decide, submit

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


class TestCheckReview:
    def test_every_problem_before_sending(self) -> None:
        total, problems = reviews.check_review(
            RUBRIC, "changes_requested", {"evidence": 11, "clarity": "x"}, "  "
        )
        assert total == 0
        assert problems == [
            "“Evidence” must be a whole number from 0 to 10.",
            "“Clarity” must be a whole number from 0 to 5.",
            "Write feedback saying what to change.",
        ]

    def test_a_good_review(self) -> None:
        assert reviews.check_review(RUBRIC, "approved", FULL_SCORES, "") == (15, [])
        assert reviews.check_review(RUBRIC, "maybe", FULL_SCORES, "")[1] == [
            "Choose a decision: approved or changes_requested."
        ]


class TestReviewScreen:
    def test_claim_states_and_attempts(self, session: Session, world: World) -> None:
        first = submit(session, world)
        screen = reviews.review_screen(session, principal(session, world.mentor), first.id or 0)
        assert screen.status == "submitted" and screen.attempt == 1
        assert screen.student == world.student.full_name
        assert [c.key for c in screen.rubric] == ["evidence", "clarity"]
        assert screen.max_total == 15
        assert screen.current["answer"] == GOOD_ANSWER
        assert screen.earlier == [] and screen.newer_attempt_id is None
        assert screen.can_claim and not screen.can_review and not screen.can_release

        claim(session, world.mentor, first)
        mine = reviews.review_screen(session, principal(session, world.mentor), first.id or 0)
        assert mine.claim.mine and mine.can_review and mine.can_release
        assert not mine.can_claim and (mine.claim.expires_at or utcnow()) > utcnow() + timedelta(
            hours=23
        )
        theirs = reviews.review_screen(session, principal(session, world.comentor), first.id or 0)
        assert theirs.claim.holder == world.mentor.full_name
        assert not theirs.claim.mine and not theirs.can_claim
        assert not theirs.can_review

        # Expired: the holder may still finish (and claim again); another mentor may take over.
        backdate_claim(session, first)
        mine = reviews.review_screen(session, principal(session, world.mentor), first.id or 0)
        assert mine.claim.expired and mine.can_review and mine.can_claim
        theirs = reviews.review_screen(session, principal(session, world.comentor), first.id or 0)
        assert theirs.claim.expired and theirs.can_claim and not theirs.can_review

        decide(session, world.mentor, first, "changes_requested")
        second = submissions.submit(
            session, principal(session, world.student), world.m1.id or 0, answer=GOOD_ANSWER + "!"
        )
        session.commit()
        old = reviews.review_screen(session, principal(session, world.mentor), first.id or 0)
        assert old.status == "changes_requested" and old.newer_attempt_id == second.id
        assert old.current["has_review"] and old.current["decision"] == "changes_requested"
        new = reviews.review_screen(session, principal(session, world.mentor), second.id or 0)
        assert [a["attempt"] for a in new.earlier] == [1]
        assert new.earlier[0]["feedback"].startswith("Good work")

    def test_the_attempts_dates_are_in_the_mentors_time_zone(
        self, session: Session, world: World
    ) -> None:
        """The review page shows when each attempt was submitted and reviewed, and its timeline,
        in the reading mentor's zone, as the learner's mission page does in theirs."""
        first = submit(session, world)
        decide(session, world.mentor, claim(session, world.mentor, first), "changes_requested")
        second = submit(session, world)
        world.mentor.time_zone = "Africa/Nairobi"
        session.add(world.mentor)
        session.commit()
        screen = reviews.review_screen(session, principal(session, world.mentor), id_of(second))
        assert screen.current["submitted_at"] == when(second.submitted_at, "Africa/Nairobi")
        [earlier] = screen.earlier
        assert earlier["reviewed_at"].endswith("EAT")
        assert all(e["at"].endswith("EAT") for e in earlier["events"])

    def test_who_may_open_it(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        with pytest.raises(Forbidden):
            reviews.review_screen(session, principal(session, world.other_mentor), sub.id or 0)
        with pytest.raises(Forbidden):  # a student is not a mentor
            reviews.review_screen(session, principal(session, world.student), sub.id or 0)
        with pytest.raises(Unauthenticated):
            reviews.review_screen(session, None, sub.id or 0)
        with pytest.raises(NotFound):
            reviews.review_screen(session, principal(session, world.mentor), 999_999)


class TestWhoMayClaim:
    """The page offers Claim exactly when the claim would be taken (reviews.may_claim)."""

    def offered_and_taken(self, session: Session, user: User, sub_id: int) -> tuple[bool, bool]:
        who = principal(session, user)
        offered = reviews.review_screen(session, who, sub_id).can_claim
        try:
            reviews.claim(session, who, sub_id)
        except Forbidden:
            session.rollback()
            return offered, False
        session.rollback()
        return offered, True

    def test_a_director_who_also_mentors_elsewhere_is_not_offered_claim(
        self, session: Session, world: World
    ) -> None:
        """Director and mentor in the organisation, mentoring another cohort: they may read the
        work (as its director) but not claim it, and the page says why instead of a button."""
        both = make_user(
            session, "both@example.org", "director", "mentor", organization_id=id_of(world.org)
        )
        serve(session, world.other_cohort, both)
        sub = submit(session, world)
        screen = reviews.review_screen(session, principal(session, both), id_of(sub))
        assert not screen.can_claim
        assert screen.claim_refusal == (
            "Only a mentor of this student's cohort can claim and review this submission."
        )
        with pytest.raises(Forbidden, match="Only a mentor of this student's cohort"):
            reviews.claim(session, principal(session, both), id_of(sub))
        session.rollback()
        assert self.offered_and_taken(session, world.mentor, id_of(sub)) == (True, True)
        assert (
            reviews.review_screen(
                session, principal(session, world.mentor), id_of(sub)
            ).claim_refusal
            == ""
        )

    def test_a_director_who_mentors_the_learner_in_another_programme_may_claim(
        self, session: Session, world: World
    ) -> None:
        """The learner's work is on a mission two programmes run; the user directs the first
        and mentors the learner's cohort of the second (the queue lists the work to them)."""
        both = make_user(
            session, "both@example.org", "director", "mentor", organization_id=id_of(world.org)
        )
        second = make_program(session, world.org, name="Second programme")
        make_track(session, second, "builders")
        session.add(ProgramMission(program_id=id_of(second), mission_id=id_of(world.m1)))
        session.commit()
        autumn = make_cohort(session, second, director=world.director, name="Autumn")
        enroll(session, autumn, world.student)
        serve(session, autumn, both)
        sub = submit(session, world)
        queued = reviews.queue(session, principal(session, both), bucket="pending").items
        assert [i.id for i in queued] == [sub.id]
        assert self.offered_and_taken(session, both, id_of(sub)) == (True, True)
        # The page's feedback snippets follow the same rule.
        assert snippets.list_snippets(session, principal(session, both), id_of(sub)) == []

    def test_offered_exactly_when_taken(self, session: Session, world: World) -> None:
        both = make_user(
            session, "both@example.org", "director", "mentor", organization_id=id_of(world.org)
        )
        sub = submit(session, world)
        for user, expected in [
            (world.mentor, True),
            (world.comentor, True),
            (both, False),
        ]:
            assert self.offered_and_taken(session, user, id_of(sub)) == (expected, expected)


class TestDownloadFromTheBrowser:
    def test_the_session_cookie_downloads_the_file(
        self,
        world: World,
        session: Session,
        db_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from cyberhub.api import create_api

        monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
        upload = submissions.Upload(filename="report.pdf", content=b"%PDF-1.7 data")
        sub = submissions.submit(
            session,
            principal(session, world.student),
            world.m1.id or 0,
            answer=GOOD_ANSWER,
            file=upload,
        )
        session.commit()
        url = f"/api/v1/submissions/{sub.id}/file"

        def session_cookie(user) -> str:
            started = browser_sessions.complete_sign_in(
                session, browser_sessions.begin_sign_in(session, user)
            )
            session.commit()
            return started.token

        cookie = browser_sessions.SESSION_COOKIE
        with TestClient(create_api(), raise_server_exceptions=False) as client:
            assert client.get(url).status_code == 401
            client.cookies.set(cookie, session_cookie(world.mentor))
            r = client.get(url)
            assert r.status_code == 200 and r.content == b"%PDF-1.7 data"
            assert r.headers["content-disposition"].startswith("attachment")
            client.cookies.set(cookie, "not-a-token")
            assert client.get(url).status_code == 401
            client.cookies.set(cookie, session_cookie(world.other_mentor))
            assert client.get(url).status_code == 403
