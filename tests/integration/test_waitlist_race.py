"""The waitlist race (issue 12): 100 learners join an open cohort of 20 seats at the same moment.

Each learner runs in its own thread with its own database session (the app's engine and pool);
a barrier releases them together. Exactly 20 get a seat and 80 wait, in the order in which their
requests got the cohort's row lock (each was told its place, and the places are 1..80 in the
order of arrival); then 5 enrolled learners withdraw at once and the first 5 in line are
promoted, each notified exactly once (one in-app notification, one e-mail).
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlmodel import Session, col, func, select

from cyberhub.db import get_engine
from cyberhub.models import (
    CohortApplication,
    Enrollment,
    Notification,
    OutboxMail,
    User,
)
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import applications
from tests.factories import build_world, make_cohort

pytestmark = [pytest.mark.student, pytest.mark.integration, pytest.mark.slow]

LEARNERS = 100
SEATS = 20
WITHDRAWALS = 5
# 20 rounds in a row (the acceptance): ~40 s on a quiet 2-core machine, ~2 min at load 7.
# WAITLIST_RACE_ROUNDS lowers it for a quick local run; bench/waitlist_race.py times it.
ROUNDS = int(os.environ.get("WAITLIST_RACE_ROUNDS", "20"))


def at_once(user_ids: list[int], act: str, cohort_id: int) -> dict[int, tuple[str, int | None]]:
    """Each user applies (or withdraws) from their own thread and session; returns the outcome
    each was told: (status, waitlist position) or ("error: ...", None)."""
    barrier = threading.Barrier(len(user_ids))
    outcomes: dict[int, tuple[str, int | None]] = {}
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        outcome: tuple[str, int | None]
        try:
            barrier.wait(timeout=30)
            with Session(get_engine(), expire_on_commit=False) as s:
                who = load_principal(s, user_id)
                fn = applications.apply if act == "apply" else applications.withdraw
                try:
                    out = fn(s, who, cohort_id)
                    s.commit()
                    outcome = (out.status, out.waitlist_position)
                except Exception as exc:  # anything else is a bug the test must show
                    s.rollback()
                    outcome = (f"error: {exc!r}", None)
        except Exception as exc:
            outcome = (f"error: {exc!r}", None)
        with lock:
            outcomes[user_id] = outcome

    threads = [threading.Thread(target=attempt, args=(u,)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_100_learners_race_for_20_seats(session: Session) -> None:
    w = build_world(session)
    learners = [
        User(email=f"racer{i}@example.org", full_name=f"Racer {i}", password_hash=None)
        for i in range(LEARNERS)
    ]
    session.add_all(learners)
    session.commit()
    ids = [u.id or 0 for u in learners]
    director = w.p(session, w.director)
    for r in range(ROUNDS):
        cohort = make_cohort(session, w.program, director=w.director, name=f"Race {r}")
        cid = cohort.id or 0
        applications.set_enrolment(session, director, cid, mode="open", capacity=SEATS)
        session.commit()
        order = ids if r % 2 == 0 else ids[::-1]  # vary who starts first

        told = at_once(order, "apply", cid)
        errors = {u: o for u, o in told.items() if o[0].startswith("error")}
        assert not errors and len(told) == LEARNERS, f"round {r}: {errors}"
        assert sum(o[0] == "enrolled" for o in told.values()) == SEATS, f"round {r}"
        assert sum(o[0] == "waitlisted" for o in told.values()) == LEARNERS - SEATS
        rows = session.exec(
            select(CohortApplication)
            .where(CohortApplication.cohort_id == cid)
            .execution_options(populate_existing=True)
        ).all()
        seats = session.exec(
            select(func.count()).where(Enrollment.cohort_id == cid, Enrollment.status == "active")
        ).one()
        assert seats == SEATS
        # Arrival order = the order of the lock: every seat went to a request that got the lock
        # before every waitlisted one, and the queue follows the lock order too.
        enrolled = [a for a in rows if a.status == "enrolled"]
        queue = sorted(
            (a for a in rows if a.status == "waitlisted"), key=lambda a: a.waitlist_seq or 0
        )
        assert max(a.applied_at for a in enrolled) <= min(a.applied_at for a in queue)
        assert [a.applied_at for a in queue] == sorted(a.applied_at for a in queue)
        # Each waiting learner was told the place they hold: 1..80, in queue order.
        assert [told[a.student_id][1] for a in queue] == list(range(1, LEARNERS - SEATS + 1))

        leaving = [a.student_id for a in enrolled[:WITHDRAWALS]]
        gone = at_once(leaving, "withdraw", cid)
        assert {o[0] for o in gone.values()} == {"withdrawn"}, f"round {r}: {gone}"
        first_in_line = [a.student_id for a in queue[:WITHDRAWALS]]
        now = {
            a.student_id: a.status
            for a in session.exec(
                select(CohortApplication)
                .where(CohortApplication.cohort_id == cid)
                .execution_options(populate_existing=True)
            ).all()
        }
        assert [now[u] for u in first_in_line] == ["enrolled"] * WITHDRAWALS
        assert sum(s == "enrolled" for s in now.values()) == SEATS
        assert sum(s == "waitlisted" for s in now.values()) == LEARNERS - SEATS - WITHDRAWALS
        # Notified exactly once each (this round's cohort), and nobody else.
        promoted = session.exec(
            select(Notification.user_id)
            .where(
                Notification.kind == "waitlist_promoted",
                Notification.title == f"A seat opened: you're enrolled in Race {r}",
            )
            .order_by(col(Notification.user_id))
        ).all()
        assert sorted(promoted) == sorted(first_in_line)
        emails = session.exec(
            select(OutboxMail.to_email).where(
                OutboxMail.kind == "waitlist_promoted",
                OutboxMail.subject == f"A seat opened: you're enrolled in Race {r}",
            )
        ).all()
        assert sorted(emails) == sorted(f"{u.email}" for u in learners if u.id in first_in_line)
        [offer] = [
            o
            for o in applications.open_cohorts(
                session, load_principal(session, queue[5].student_id)
            ).items
            if o.id == cid
        ]
        assert (offer.my_position, offer.my_position_text) == (1, "1st on the waitlist")
        assert (offer.seats_left, offer.waitlist) == (0, LEARNERS - SEATS - WITHDRAWALS)
