"""Two mentors claim one submission at the same moment: exactly one wins, the other gets 409.

Both mentors serve the student's cohort (the rule: any mentor serving the cohort may claim). Each
thread has its own database session and connection; a barrier releases them together.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from cyberhub.db import get_engine
from cyberhub.models import Submission
from cyberhub.models.base import utcnow
from cyberhub.models.progress import SubmissionStatus
from cyberhub.services.errors import Conflict
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import reviews, submissions
from tests.factories import GOOD_ANSWER, build_world, make_mission, principal, serve

pytestmark = [pytest.mark.missions, pytest.mark.integration]

ROUNDS = 20


def race(submission_id: int, mentor_ids: list[int]) -> list[tuple[int, str]]:
    """Each mentor claims from their own thread and session; returns (mentor, outcome)."""
    barrier = threading.Barrier(len(mentor_ids))
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def attempt(mentor_id: int) -> None:
        with Session(get_engine(), expire_on_commit=False) as s:
            who = load_principal(s, mentor_id)
            s.commit()  # start the race with a clean transaction
            outcome: str
            try:
                barrier.wait(timeout=10)
                reviews.claim(s, who, submission_id)
                s.commit()
                outcome = "won"
            except Conflict:
                s.rollback()
                outcome = "conflict"
            except Exception as exc:  # anything else is a bug the test must show
                s.rollback()
                outcome = f"error: {exc!r}"
        with lock:
            outcomes.append((mentor_id, outcome))

    threads = [threading.Thread(target=attempt, args=(m,)) for m in mentor_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_exactly_one_mentor_wins_each_race(session: Session) -> None:
    w = build_world(session)
    mentors = [w.mentor.id or 0, w.comentor.id or 0]
    student = principal(session, w.student)
    for i in range(ROUNDS):
        mission = make_mission(session, w.program, w.leaders, title=f"Race {i}")
        sub = submissions.submit(session, student, mission.id or 0, answer=GOOD_ANSWER)
        session.commit()
        outcomes = race(sub.id or 0, mentors if i % 2 == 0 else mentors[::-1])
        results = sorted(o for _, o in outcomes)
        assert results == ["conflict", "won"], f"round {i}: {outcomes}"
        winner = next(m for m, o in outcomes if o == "won")
        row = session.get(Submission, sub.id, populate_existing=True)
        assert row is not None
        assert row.status == "in_review" and row.claimed_by_id == winner


def test_a_race_for_an_expired_claim_also_has_one_winner(session: Session) -> None:
    w = build_world(session)
    third = w.other_mentor  # held the claim, which has expired
    serve(session, w.cohort, third)
    sub = submissions.submit(
        session, principal(session, w.student), w.m1.id or 0, answer=GOOD_ANSWER
    )
    session.commit()
    reviews.claim(session, principal(session, third), sub.id or 0)
    session.commit()
    for i in range(5):
        row = session.get(Submission, sub.id, populate_existing=True)
        assert row is not None
        row.status, row.claimed_by_id = SubmissionStatus.in_review, third.id
        row.claim_expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.commit()
        outcomes = race(sub.id or 0, [w.mentor.id or 0, w.comentor.id or 0])
        assert sorted(o for _, o in outcomes) == ["conflict", "won"], f"round {i}: {outcomes}"
