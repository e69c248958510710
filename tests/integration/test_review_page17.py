"""Issue 17, item 4 — the review page's rules, in the services and the API: a comment per rubric
criterion (stored, checked, shown to the learner), the hints the learner revealed, the next
submission in the mentor's queue, and feedback snippets per mission shared by the mission's
mentors in one organisation (two organisations running one library mission see only their own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import FeedbackSnippet, ProgramMission, Review, Submission, User
from cyberhub.models.base import utcnow
from cyberhub.pages.review import ROUTE as REVIEW_ROUTE
from cyberhub.pages.review import ReviewState
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.learning import reviews, snippets, submissions
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    bearer,
    build_world,
    enroll,
    id_of,
    make_cohort,
    make_user,
    principal,
    serve,
)
from tests.integration.test_reviews import claim, decide, submit
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def coast_learner(session: Session, w: World) -> User:
    """A learner of the other organisation, whose programme also runs the library mission m1,
    in a cohort its mentor serves."""
    session.add(ProgramMission(program_id=w.other_program.id or 0, mission_id=w.m1.id or 0))
    cohort = make_cohort(session, w.other_program, name="Coast cohort")
    learner = make_user(
        session, "coast.learner@example.org", "student", organization_id=w.other_org.id
    )
    enroll(session, cohort, learner)
    serve(session, cohort, w.other_mentor_org)
    session.commit()
    return learner


class TestCriterionComments:
    def test_stored_cleaned_and_shown_to_the_learner(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        reviews.review(
            session,
            principal(session, world.mentor),
            sub.id or 0,
            decision="approved",
            scores=FULL_SCORES,
            feedback="Well done.",
            comments={"evidence": "  Add the **nmap** output.  ", "clarity": "   "},
        )
        session.commit()
        me = principal(session, world.student)
        [view] = submissions.attempt_views(
            session, submissions.history(session, me, world.student.id or 0, world.m1.id or 0)
        )
        assert [(s["title"], s["comment"]) for s in view["scores"]] == [
            ("Evidence", "Add the **nmap** output."),
            ("Clarity", ""),
        ]

    def test_unknown_criterion_or_too_long_is_refused_and_nothing_is_sent(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        claim(session, world.mentor, sub)
        with pytest.raises(Invalid) as err:
            reviews.review(
                session,
                principal(session, world.mentor),
                sub.id or 0,
                decision="approved",
                scores=FULL_SCORES,
                feedback="",
                comments={"speed": "fast", "clarity": "x" * (reviews.COMMENT_MAX + 1)},
            )
        assert "“speed” is not a criterion of this mission's rubric." in err.value.message
        assert "The comment on “Clarity” must be at most 2,000 characters." in err.value.message
        session.rollback()
        assert (
            submissions.get_submission(
                session, principal(session, world.mentor), sub.id or 0
            ).review
            is None
        )


class TestHintsAndNext:
    def test_the_mentor_sees_which_hints_of_how_many(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        submissions.reveal_hint(session, principal(session, world.student), world.m1.id or 0)
        sub = submit(session, world)
        screen = reviews.review_screen(session, principal(session, world.mentor), sub.id or 0)
        assert screen.hints.total == 2
        assert [(h.index, h.hint) for h in screen.hints.revealed] == [(0, "First hint.")]
        # The same through the API, for mentors who may see the submission only.
        bearer(api_client, world.mentor.email)
        r = api_client.get(f"/api/v1/submissions/{sub.id}/hints")
        assert r.status_code == 200, r.text
        assert r.json()["total"] == 2
        assert [h["hint"] for h in r.json()["revealed"]] == ["First hint."]
        bearer(api_client, world.other_mentor_org.email)
        assert api_client.get(f"/api/v1/submissions/{sub.id}/hints").status_code in (403, 404)
        bearer(api_client, world.student.email)
        assert api_client.get(f"/api/v1/submissions/{sub.id}/hints").status_code == 403

    def test_next_in_queue_then_none(self, session: Session, world: World) -> None:
        first = submit(session, world)
        second = submit(session, world, user=world.student2)
        mentor = principal(session, world.mentor)
        assert reviews.next_in_queue(session, mentor) == first.id  # assigned mentee first
        claim(session, world.mentor, first)
        assert reviews.next_in_queue(session, mentor) == second.id
        claim(session, world.mentor, second)
        assert reviews.next_in_queue(session, mentor) is None
        # Another cohort's mentor never gets this cohort's work as "next".
        assert reviews.next_in_queue(session, principal(session, world.other_mentor)) is None

    def test_after_a_review_the_mentor_is_sent_to_the_claims_they_still_hold(
        self, session: Session, world: World
    ) -> None:
        """Nothing else waits in the queue, but the mentor still holds a claim: the review page
        takes them there (held_claims) rather than saying their queue is empty."""
        first = submit(session, world)
        second = submit(session, world, user=world.student2)
        claim(session, world.mentor, first)
        claim(session, world.mentor, second)
        decide(session, world.mentor, first, "approved")
        mentor = principal(session, world.mentor)
        assert reviews.next_in_queue(session, mentor) is None  # nothing waits unclaimed
        held = reviews.held_claims(session, mentor)
        assert (held.count, held.first_id) == (1, second.id)
        decide(session, world.mentor, second, "approved")
        assert reviews.held_claims(session, mentor) == reviews.Held(count=0, first_id=None)
        # An expired claim is no longer held: it went back to the queue.
        third = submit(session, world, user=world.student2, mission=world.m3)
        claim(session, world.mentor, third)
        session.execute(
            update(Submission)
            .where(col(Submission.id) == third.id)
            .values(claim_expires_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()
        assert reviews.held_claims(session, mentor).count == 0
        assert reviews.next_in_queue(session, mentor) == third.id


class TestSnippets:
    def test_shared_by_the_missions_mentors_deleted_by_their_author(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        mine = snippets.create_snippet(
            session, principal(session, world.mentor), sub.id or 0, "  Add **screenshots**.  "
        )
        session.commit()
        assert (mine.body, mine.mine, mine.author) == (
            "Add **screenshots**.",
            True,
            world.mentor.full_name,
        )
        # The co-mentor of the cohort sees it, can't delete it.
        seen = snippets.list_snippets(session, principal(session, world.comentor), sub.id or 0)
        assert [(s.id, s.mine) for s in seen] == [(mine.id, False)]
        with pytest.raises(Forbidden):
            snippets.delete_snippet(session, principal(session, world.comentor), mine.id)
        # Empty or repeated text is refused with a reason.
        with pytest.raises(Invalid, match="empty snippet"):
            snippets.create_snippet(session, principal(session, world.mentor), sub.id or 0, " ")
        with pytest.raises(Conflict, match="already saved"):
            snippets.create_snippet(
                session, principal(session, world.mentor), sub.id or 0, "Add **screenshots**."
            )
        # A mentor of another cohort (same organisation) may not use this learner's page.
        with pytest.raises(Forbidden):
            snippets.list_snippets(session, principal(session, world.other_mentor), sub.id or 0)
        snippets.delete_snippet(session, principal(session, world.mentor), mine.id)
        session.commit()
        assert snippets.list_snippets(session, principal(session, world.mentor), sub.id or 0) == []

    def test_two_organisations_on_one_library_mission_see_only_their_own(
        self, session: Session, world: World
    ) -> None:
        learner = coast_learner(session, world)
        here = submit(session, world)
        there = submissions.submit(
            session, principal(session, learner), world.m1.id or 0, answer=GOOD_ANSWER
        )
        session.commit()
        ours = snippets.create_snippet(
            session, principal(session, world.mentor), here.id or 0, "Ours."
        )
        theirs = snippets.create_snippet(
            session, principal(session, world.other_mentor_org), there.id or 0, "Theirs."
        )
        session.commit()
        assert [
            s.body
            for s in snippets.list_snippets(session, principal(session, world.mentor), here.id or 0)
        ] == ["Ours."]
        assert [
            s.body
            for s in snippets.list_snippets(
                session, principal(session, world.other_mentor_org), there.id or 0
            )
        ] == ["Theirs."]
        # Neither reaches the other's learner or snippet.
        with pytest.raises((Forbidden, NotFound)):
            snippets.list_snippets(
                session, principal(session, world.other_mentor_org), here.id or 0
            )
        with pytest.raises(NotFound):
            snippets.delete_snippet(session, principal(session, world.other_mentor_org), ours.id)
        with pytest.raises(NotFound):
            snippets.delete_snippet(session, principal(session, world.mentor), theirs.id)
        assert len(session.exec(select(FeedbackSnippet)).all()) == 2


class TestSnippetSavedTwiceAtOnce:
    def test_one_is_kept_and_the_second_gets_the_usual_message(
        self, session: Session, world: World
    ) -> None:
        """A double click on Save snippet (or two mentors of the cohort saving the same words)
        at the same moment: the second, whose check ran before the first committed, gets
        "already saved" instead of a second copy of the snippet."""
        sub = submit(session, world)
        session.commit()
        sub_id = sub.id or 0
        mentor, comentor = principal(session, world.mentor), principal(session, world.comentor)
        answers = second_while_first_holds(
            lambda s: snippets.create_snippet(s, mentor, sub_id, "Add screenshots."),
            lambda s: snippets.create_snippet(s, comentor, sub_id, "Add screenshots."),
        )
        assert answers == ("ok", "That snippet is already saved for this mission.")
        session.expire_all()
        assert [s.body for s in session.exec(select(FeedbackSnippet)).all()] == ["Add screenshots."]


class TestApi:
    def test_snippets_and_comments_through_the_api(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        learner = coast_learner(session, world)
        sub = submit(session, world)
        there = submissions.submit(
            session, principal(session, learner), world.m1.id or 0, answer=GOOD_ANSWER
        )
        session.commit()
        c = api_client
        bearer(c, world.mentor.email)
        base = f"/api/v1/submissions/{sub.id}"
        assert c.get(f"{base}/snippets").json() == []
        r = c.post(f"{base}/snippets", json={"body": "Show the **rules**."})
        assert r.status_code == 201, r.text
        snippet = r.json()
        assert (snippet["body"], snippet["mine"]) == ("Show the **rules**.", True)
        assert c.post(f"{base}/snippets", json={"body": ""}).status_code == 422
        assert c.post(f"{base}/snippets", json={}).status_code == 422
        assert [s["id"] for s in c.get(f"{base}/snippets").json()] == [snippet["id"]]

        assert c.post(f"{base}/claim").status_code == 200
        bad = c.post(
            f"{base}/review",
            json={"decision": "approved", "scores": FULL_SCORES, "comments": {"nope": "x"}},
        )
        assert bad.status_code == 422 and "“nope” is not a criterion" in bad.json()["detail"]
        r = c.post(
            f"{base}/review",
            json={
                "decision": "approved",
                "scores": FULL_SCORES,
                "feedback": "Good.",
                "comments": {"evidence": "Solid *output*."},
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["review"]["comments"] == {"evidence": "Solid *output*."}

        # The learner reads the comment with the review.
        bearer(c, world.student.email)
        got = c.get(f"/api/v1/submissions/{sub.id}").json()
        assert got["review"]["comments"] == {"evidence": "Solid *output*."}
        assert c.get(f"{base}/snippets").status_code == 403  # learners have no snippets

        # The other organisation's mentor: neither the learner's snippets nor deleting ours.
        bearer(c, world.other_mentor_org.email)
        assert c.get(f"{base}/snippets").status_code in (403, 404)
        assert c.delete(f"/api/v1/snippets/{snippet['id']}").status_code == 404
        assert c.get(f"/api/v1/submissions/{there.id}/snippets").json() == []

        # The co-mentor may not delete it; its author may.
        bearer(c, world.comentor.email)
        assert c.delete(f"/api/v1/snippets/{snippet['id']}").status_code == 403
        bearer(c, world.mentor.email)
        r = c.delete(f"/api/v1/snippets/{snippet['id']}")
        assert r.status_code == 200 and r.json() == {"id": snippet["id"], "status": "deleted"}
        assert c.delete(f"/api/v1/snippets/{snippet['id']}").status_code == 404

    def test_a_score_must_be_a_whole_number_through_the_api_too(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        """The service refuses a score that is not a whole number (test_reviews'
        test_scores_must_cover_the_rubric): through the API `true` was taken as 1 and "4" as 4,
        and the review was sent. Now each is a 422 naming the score, and nothing is stored."""
        sub = submit(session, world)
        c = api_client
        bearer(c, world.mentor.email)
        base = f"/api/v1/submissions/{sub.id}"
        assert c.post(f"{base}/claim").status_code == 200
        for wrong in (True, "4", 4.0):
            r = c.post(
                f"{base}/review",
                json={"decision": "approved", "scores": {"evidence": 8, "clarity": wrong}},
            )
            assert r.status_code == 422, (wrong, r.text)
            assert "clarity" in r.json()["detail"]
        session.expire_all()
        assert session.exec(select(Review)).all() == []
        r = c.post(f"{base}/review", json={"decision": "approved", "scores": FULL_SCORES})
        assert r.status_code == 200, r.text


def _approving(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The mentor's review page of the student's submission, claimed, with full scores and
    "approved" checked: the confirmation open, Send review next."""
    sub = submissions.submit(
        session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
    )
    session.commit()
    mentor = principal(session, world.mentor)
    reviews.claim(session, mentor, id_of(sub))
    session.commit()
    page = page_state(ReviewState, session, mentor, monkeypatch)
    opened_at(page, REVIEW_ROUTE, f"/review/{id_of(sub)}")
    events = ReviewState.event_handlers
    run_in_own_loop(events["load"].fn(page))
    assert page.can_review
    events["choose"].fn(page, "approved")
    scores = {f"score-{c.key}": str(c.points) for c in page.rubric}
    events["check"].fn(page, {"feedback": "Clear scan, well written up.", **scores})
    assert page.confirm_open and page.form_error == ""
    return page


def test_send_review_clicked_twice_sends_once_and_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click on "Send review": the second click did send again and showed "already
    reviewed" in red under the green "Review sent"."""
    page = _approving(session, world, monkeypatch)
    send = ReviewState.event_handlers["send"].fn
    run_in_own_loop(send(page))
    notice = page.notice
    assert notice.startswith("Review sent: Approved.")
    run_in_own_loop(send(page))  # the double click's second
    assert (page.notice, page.action_error, page.form_error) == (notice, "", "")


def test_a_queue_that_cannot_be_read_after_a_review_is_not_called_empty(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _approving(session, world, monkeypatch)

    def unreadable(*_: object) -> None:
        raise Conflict("The database is busy.")

    monkeypatch.setattr(reviews, "after_review", unreadable)
    run_in_own_loop(ReviewState.event_handlers["send"].fn(page))
    assert page.notice.startswith("Review sent: Approved.")
    assert "queue is empty" not in page.notice and not page.queue_empty
