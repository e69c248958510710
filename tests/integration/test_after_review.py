"""Where a mentor goes once a review is sent (reviews.after_review, behind the review page's
Send): the next submission of their pending queue; when nothing waits unclaimed, the claim they
hold that ends first; else nowhere (the page says the queue is empty)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from cyberhub.models import Submission
from cyberhub.models.base import utcnow
from cyberhub.services.learning import reviews
from tests.factories import World, build_world, principal
from tests.integration.test_reviews import claim, decide, submit

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def claim_ends_in(session: Session, sub: Submission, minutes: int) -> None:
    session.execute(
        update(Submission)
        .where(col(Submission.id) == sub.id)
        .values(claim_expires_at=utcnow() + timedelta(minutes=minutes))
    )
    session.commit()


def test_the_next_submission_of_the_queue_comes_first(session: Session, world: World) -> None:
    reviewed = submit(session, world)
    held = submit(session, world, user=world.student2, mission=world.m3)
    waiting = submit(session, world, user=world.student2)
    claim(session, world.mentor, reviewed)
    claim(session, world.mentor, held)
    decide(session, world.mentor, reviewed, "approved")
    after = reviews.after_review(session, principal(session, world.mentor))
    assert after == reviews.NextAfterReview(submission_id=waiting.id, from_queue=True, held=1)


def test_with_nothing_waiting_the_held_claim_that_ends_first(
    session: Session, world: World
) -> None:
    reviewed = submit(session, world)
    later = submit(session, world, user=world.student2)
    sooner = submit(session, world, user=world.student2, mission=world.m3)
    for sub in (reviewed, later, sooner):
        claim(session, world.mentor, sub)
    claim_ends_in(session, later, 50)
    claim_ends_in(session, sooner, 10)
    decide(session, world.mentor, reviewed, "changes_requested")
    mentor = principal(session, world.mentor)
    after = reviews.after_review(session, mentor)
    assert after == reviews.NextAfterReview(submission_id=sooner.id, from_queue=False, held=2)
    claim_ends_in(session, later, 5)
    assert reviews.after_review(session, mentor).submission_id == later.id


def test_nothing_waiting_and_nothing_held_leads_nowhere(session: Session, world: World) -> None:
    reviewed = submit(session, world)
    claim(session, world.mentor, reviewed)
    decide(session, world.mentor, reviewed, "approved")
    after = reviews.after_review(session, principal(session, world.mentor))
    assert after == reviews.NextAfterReview(submission_id=None, from_queue=False, held=0)
