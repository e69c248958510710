"""Two mentors of one cohort keep their review queue open: when one claims a submission, it
leaves the other's Pending list without a reload (so they are not offered a Claim bound to
fail), and when it is released it comes back there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from cyberhub.services.learning import submissions
from tests.e2e.journeys import (
    app_engine,
    make_course,
    open_from_queue,
    remove_made,
    signed_in_mentor,
)
from tests.factories import GOOD_ANSWER, assign, enroll, make_user, principal, serve

pytestmark = [pytest.mark.missions]

LIMIT_MS = 5_000


@dataclass
class TwoMentors:
    mentor_email: str  # assigned to the learner
    comentor_email: str  # serves the same cohort
    title: str


@pytest.fixture
def two_mentors(app_url: str, pg_admin_url: str) -> Iterator[TwoMentors]:
    """A cohort served by two mentors, with a learner's submission waiting for review."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Pair", tag, "Read the logs")
            student, mentor, comentor = (
                make_user(session, f"pair-{who}-{tag}@example.org", role, organization_id=org.id)
                for who, role in (("student", "student"), ("a", "mentor"), ("b", "mentor"))
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            serve(session, cohort, comentor)
            assign(session, cohort, mentor, student)
            submissions.submit(
                session, principal(session, student), mission.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            made = TwoMentors(mentor.email, comentor.email, mission.title)
            org_id, program_id = org.id, program.id
            user_ids = [student.id, mentor.id, comentor.id]
        yield made
        remove_made(engine, org_id, program_id, user_ids)


def test_a_claim_leaves_the_other_mentors_open_pending_list_and_a_release_brings_it_back(
    browser: Browser, app_url: str, two_mentors: TwoMentors
) -> None:
    with (
        signed_in_mentor(browser, app_url, two_mentors.comentor_email) as other,
        signed_in_mentor(browser, app_url, two_mentors.mentor_email) as claimer,
    ):
        waiting = other.page.get_by_test_id("queue-row").filter(has_text=two_mentors.title)
        expect(waiting).to_have_count(1)

        open_from_queue(claimer.page, two_mentors.title, 1)
        # No reload: the other mentor's Pending list no longer offers the claimed work.
        expect(waiting).to_have_count(0, timeout=LIMIT_MS)

        claimer.page.get_by_role("button", name="Release").click()
        expect(claimer.page.get_by_test_id("claim-button")).to_be_visible()
        expect(waiting).to_have_count(1, timeout=LIMIT_MS)
        assert other.console_errors == [] and claimer.console_errors == []
