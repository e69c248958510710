"""The review page's data (services/reviews.review_screen, check_review) and the file download
from a browser (the access cookie on GET /submissions/{id}/file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.services.errors import Forbidden, NotFound, Unauthenticated
from cyberhub.services.identity import browser_sessions
from cyberhub.services.learning import reviews, submissions
from cyberhub.settings import get_settings
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    RUBRIC,
    World,
    build_world,
    id_of,
    principal,
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
