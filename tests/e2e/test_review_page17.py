"""Issue 17, item 4: the mentor's review page. A score box beside each criterion (its text and
maximum) with a running total as scores are typed, an optional comment per criterion that the
learner reads with the feedback, feedback snippets saved, inserted and deleted, the hints the learner
revealed ("1 of 2"), and after sending, the next submission in the mentor's queue (or the one they
still hold, or word that the queue is empty). The data is made through the services, in the app's
own database."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from cyberhub.models import Submission, SubmissionStatus, User
from cyberhub.models.base import utcnow
from cyberhub.services.learning import reviews, submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import (
    GOOD_ANSWER,
    assign,
    enroll,
    make_user,
    principal,
    serve,
)

pytestmark = [pytest.mark.missions]


@dataclass
class Queue:
    mentor_email: str
    first_email: str
    first_name: str
    second_name: str
    mission_id: int
    first_id: int
    second_id: int
    tag: str


@pytest.fixture
def queue(app_url: str, pg_admin_url: str) -> Iterator[Queue]:
    """A mentor with two learners' submissions waiting (the first revealed one of two hints)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(
                session,
                "Review",
                tag,
                "Harden a web server",
                hints=["Start with `ufw status`.", "Check `sshd -T`."],
            )

            def user(name: str, *roles: str) -> User:
                return make_user(
                    session, f"{name}-{tag}@example.org", *roles, organization_id=org.id
                )

            mentor = user("mentor", "mentor")
            first, second = user("amina", "student"), user("baraka", "student")
            serve(session, cohort, mentor)
            for learner in (first, second):
                enroll(session, cohort, learner)
                assign(session, cohort, mentor, learner)
            mission_id = mission.id or 0
            submissions.reveal_hint(session, principal(session, first), mission_id)
            one = submissions.submit(
                session, principal(session, first), mission_id, answer=GOOD_ANSWER
            )
            session.commit()
            two = submissions.submit(
                session, principal(session, second), mission_id, answer=GOOD_ANSWER
            )
            session.commit()
            org_id, program_id = org.id, program.id
            user_ids = [mentor.id, first.id, second.id]
            setup = Queue(
                mentor_email=mentor.email,
                first_email=first.email,
                first_name=first.full_name,
                second_name=second.full_name,
                mission_id=mission_id,
                first_id=one.id or 0,
                second_id=two.id or 0,
                tag=tag,
            )
        yield setup
        remove_made(engine, org_id, program_id, user_ids)


def test_mentor_scores_comments_uses_a_snippet_and_moves_to_the_next_submission(
    web: BrowserPage, browser: Browser, app_url: str, queue: Queue
) -> None:
    q = queue
    page = web.page
    sign_in_to(page, f"/review/{q.first_id}", q.mentor_email)
    expect(page).to_have_url(re.compile(f"/review/{q.first_id}$"))
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()

    # The hints the learner revealed: which, and how many of the total.
    hints = page.get_by_test_id("hints-used")
    expect(hints.get_by_test_id("hint-count")).to_have_text(
        f"{q.first_name} revealed 1 of 2 hints on this mission."
    )
    expect(hints).to_contain_text("Hint 1")
    expect(hints.locator("code")).to_have_text("ufw status")  # rendered as markdown
    expect(hints).not_to_contain_text("sshd -T")  # not revealed

    # A score box beside each criterion, with its text and maximum; the total follows typing.
    form = page.get_by_test_id("review-form")
    rows = form.get_by_test_id("criterion-score")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Evidence (max 10)")
    expect(rows.nth(0)).to_contain_text("Findings are backed by output.")
    total = form.get_by_test_id("running-total")
    expect(total).to_have_text("Total 0 / 15 · 0 of 2 criteria scored")
    page.get_by_label("Evidence (max 10)").fill("8")
    expect(total).to_have_text("Total 8 / 15 · 1 of 2 criteria scored")
    page.get_by_label("Clarity (max 5)").fill("4")
    expect(total).to_have_text("Total 12 / 15")
    page.get_by_label("Clarity (max 5)").fill("9")  # over the maximum: not counted
    expect(total).to_have_text("Total 8 / 15 · 1 of 2 criteria scored")
    page.get_by_label("Clarity (max 5)").fill("5")
    expect(total).to_have_text("Total 13 / 15")

    # A comment on one criterion.
    comment = f"Paste the **nmap** output next time ({q.tag})."
    page.get_by_label("Comment on Evidence (optional)").fill(comment)

    # Save the feedback as a snippet, then insert it into an empty feedback.
    snippet = f"Clear write-up, well done ({q.tag})."
    feedback = page.locator("#feedback")
    feedback.fill(snippet)
    snippets = form.get_by_test_id("snippets")
    expect(snippets).to_contain_text("No snippets for this mission yet")
    snippets.get_by_role("button", name="Save feedback as snippet").click()
    expect(snippets.get_by_test_id("snippet")).to_have_count(1)
    expect(snippets.get_by_test_id("snippet")).to_contain_text(snippet)
    feedback.fill("")
    expect(feedback).to_have_value("")
    snippets.get_by_role("button", name="Insert this snippet").click()
    expect(feedback).to_have_value(snippet)
    # ... and into a criterion's comment, after what was typed there.
    snippets.get_by_role("button", name="Insert into a comment").click()
    page.get_by_role("menuitem", name="Comment on Clarity").click()
    expect(page.get_by_label("Comment on Clarity (optional)")).to_have_value(snippet)
    # Deleting one's own snippet asks first; the feedback keeps what was inserted.
    snippets.get_by_role("button", name="Delete this snippet").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete this snippet?")
    confirm.get_by_role("button", name="Delete snippet").click()
    expect(snippets.get_by_test_id("snippet")).to_have_count(0)
    expect(snippets).to_contain_text("No snippets for this mission yet")
    expect(feedback).to_have_value(snippet)

    # Send: the page moves on to the next submission in the queue.
    form.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("score 13 / 15")
    dialog.get_by_role("button", name="Send review").click()
    expect(page).to_have_url(re.compile(f"/review/{q.second_id}$"))
    expect(
        page.get_by_text(re.compile(r"Review sent: Approved\..*next submission"))
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harden a web server")
    expect(page.get_by_text(f"{q.second_name} · attempt 1")).to_be_visible()

    # The last one: after it, the queue is empty and the page says so.
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()
    page.get_by_label("Evidence (max 10)").fill("10")
    page.get_by_label("Clarity (max 5)").fill("5")
    form.get_by_role("button", name="Approve").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
    expect(page.get_by_text(re.compile("Your review queue is empty"))).to_be_visible()
    expect(page).to_have_url(re.compile(f"/review/{q.second_id}$"))

    # The learner reads the criterion comment with the feedback, rendered as markdown.
    learner = BrowserPage(browser, app_url)
    try:
        lp = learner.page
        sign_in_to(lp, f"/missions/{q.mission_id}", q.first_email)
        remark = lp.get_by_test_id("criterion-comment").first
        expect(remark).to_contain_text(f"Paste the nmap output next time ({q.tag}).")
        expect(remark.locator("strong")).to_have_text("nmap")
        expect(lp.get_by_text(snippet).first).to_be_visible()
    finally:
        learner.context.close()


def _claim_and_score(page: Page, q: Queue) -> None:
    """The mentor opens the first submission, claims it and types two scores."""
    sign_in_to(page, f"/review/{q.first_id}", q.mentor_email)
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()
    page.get_by_label("Evidence (max 10)").fill("7")
    page.get_by_label("Clarity (max 5)").fill("4")


def test_claiming_again_after_the_claim_was_lost_clears_its_message(
    web: BrowserPage, queue: Queue, pg_admin_url: str
) -> None:
    """The mentor's claim expired (the sweep gave the submission back to the queue) while they
    were typing: sending says so beside Claim and asks them to claim again. Once they have, the
    form shows what they typed, without that message, and the review goes."""
    q = queue
    page = web.page
    _claim_and_score(page, q)
    page.locator("#feedback").fill(f"Solid work ({q.tag}).")

    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(  # what the expiry sweep does to a claim past its time
            update(Submission)
            .where(col(Submission.id) == q.first_id)
            .values(status=SubmissionStatus.submitted, claimed_by_id=None, claim_expires_at=None)
        )
        session.commit()

    form = page.get_by_test_id("review-form")
    form.get_by_role("button", name="Approve").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
    lost = page.get_by_text(re.compile("Your claim expired and the submission went back"))
    expect(lost).to_be_visible()  # beside Claim: the form waits for the claim
    expect(page.get_by_test_id("claim-button")).to_be_visible()

    page.get_by_test_id("claim-button").click()
    expect(
        page.get_by_role("status").filter(has_text="You claimed this submission")
    ).to_be_visible()
    expect(page.get_by_label("Evidence (max 10)")).to_have_value("7")  # what was typed is kept
    expect(page.locator("#feedback")).to_have_value(f"Solid work ({q.tag}).")
    expect(lost).to_have_count(0)

    form.get_by_role("button", name="Approve").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
    expect(page.get_by_text(re.compile(r"Review sent: Approved\."))).to_be_visible()


def test_a_claim_taken_over_while_typing_says_who_holds_it_now(
    web: BrowserPage, queue: Queue, pg_admin_url: str
) -> None:
    """The mentor's claim expired and a co-mentor claimed the work while they were typing:
    sending says who holds it now, beside Claim. Before, the page kept showing them as its
    holder, with "Only the mentor who claimed this submission can review it." under the form."""
    q = queue
    page = web.page
    _claim_and_score(page, q)

    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        other = make_user(session, f"zawadi-{q.tag}@example.org")
        other_id = other.id
        session.execute(  # what a co-mentor's claim after the expiry leaves
            update(Submission)
            .where(col(Submission.id) == q.first_id)
            .values(
                status=SubmissionStatus.in_review,
                claimed_by_id=other_id,
                claim_expires_at=utcnow() + timedelta(hours=24),
            )
        )
        session.commit()
    try:
        form = page.get_by_test_id("review-form")
        form.get_by_role("button", name="Approve").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
        expect(
            page.get_by_text(f"Already claimed by Zawadi-{q.tag}: your claim expired.")
        ).to_be_visible()
        expect(page.get_by_role("button", name="Release")).to_have_count(0)
        expect(page.get_by_text("Only the mentor who claimed")).to_have_count(0)
    finally:
        with app_engine(pg_admin_url) as engine, Session(engine) as session:
            session.execute(
                update(Submission)
                .where(col(Submission.id) == q.first_id)
                .values(claimed_by_id=None, claim_expires_at=None)
            )
            session.execute(delete(User).where(col(User.id) == other_id))
            session.commit()


def test_sending_a_review_leads_to_the_submission_still_held_then_to_the_empty_queue(
    web: BrowserPage, queue: Queue, pg_admin_url: str
) -> None:
    """Nothing unclaimed waits, but the mentor still holds the second submission (claimed
    earlier): sending the first review takes them to it and says why. Once they hold nothing,
    the page says the queue is empty."""
    q = queue
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        mentor = session.exec(select(User).where(User.email == q.mentor_email)).one()
        reviews.claim(session, principal(session, mentor), q.second_id)
        session.commit()

    page = web.page
    _claim_and_score(page, q)
    form = page.get_by_test_id("review-form")
    form.get_by_role("button", name="Approve").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
    expect(page).to_have_url(re.compile(f"/review/{q.second_id}$"))
    expect(
        page.get_by_text(
            re.compile(
                r"Review sent: Approved\. .* Nothing else is waiting for review, but you still "
                r"hold 1 claimed submission: this is it\."
            )
        )
    ).to_be_visible()
    expect(page.get_by_text(f"{q.second_name} · attempt 1")).to_be_visible()
    expect(page.get_by_role("button", name="Release")).to_be_visible()  # still theirs

    page.get_by_label("Evidence (max 10)").fill("9")
    page.get_by_label("Clarity (max 5)").fill("5")
    form.get_by_role("button", name="Approve").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()
    expect(page.get_by_text(re.compile("Your review queue is empty"))).to_be_visible()
    expect(page).to_have_url(re.compile(f"/review/{q.second_id}$"))
