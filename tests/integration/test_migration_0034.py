"""Migration 0034: accounts deactivated before deactivation ended their pending applications and
waitlist places (session 23) lose them now, as a deactivation does: withdrawn, off the waitlist,
audited; the learners behind them move up. Their seats, their closed applications, and everyone
active keep what they had."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from cyberhub import migrate
from cyberhub.models import AuditLog, CohortApplication, User
from cyberhub.services.learning import applications, enrollment
from tests.factories import World, id_of, make_cohort, make_user, principal

pytestmark = [pytest.mark.integration]


def test_places_held_by_accounts_deactivated_earlier_end_and_the_line_moves_up(
    session: Session, world: World, db_url: str
) -> None:
    migrate.downgrade(db_url, "0033")
    w = world
    d = principal(session, w.director)
    full = make_cohort(session, w.program, director=w.director, name="Full cohort")
    chosen = make_cohort(session, w.program, director=w.director, name="Chosen cohort")
    applications.set_enrolment(session, d, id_of(full), mode="open", capacity=1)
    applications.set_enrolment(session, d, id_of(chosen), mode="application", capacity=5)
    session.commit()
    seated, gone, next_, waiting = (
        make_user(session, f"{n}@example.org") for n in ("seated", "gone", "next", "waiting")
    )
    for person in (seated, gone, next_):
        applications.apply(session, principal(session, person), id_of(full))
        session.commit()
    for person in (gone, waiting):
        applications.apply(session, principal(session, person), id_of(chosen))
        session.commit()

    def mine(person: User) -> dict[int, tuple[str, str]]:
        return {
            a.cohort_id: (a.status, a.position_text)
            for a in applications.my_applications(session, principal(session, person))
        }

    assert mine(next_)[id_of(full)] == ("waitlisted", "2nd on the waitlist")
    # Deactivated before session 23: only the flag changed. The seated learner too: a seat
    # stays, as after a deactivation now.
    session.execute(
        text("UPDATE users SET is_active = false WHERE id IN (:g, :s)"),
        {"g": id_of(gone), "s": id_of(seated)},
    )
    session.commit()

    migrate.upgrade(db_url, "0034")
    session.expire_all()

    def places(person: User) -> dict[int, tuple[str, int | None, bool]]:
        rows = session.exec(
            select(CohortApplication).where(CohortApplication.student_id == person.id)
        ).all()
        return {a.cohort_id: (a.status, a.waitlist_seq, a.decided_at is not None) for a in rows}

    assert places(gone) == {
        id_of(full): ("withdrawn", None, True),
        id_of(chosen): ("withdrawn", None, True),
    }
    assert places(seated) == {id_of(full): ("enrolled", None, False)}
    assert mine(next_)[id_of(full)] == ("waitlisted", "1st on the waitlist")
    assert mine(waiting)[id_of(chosen)] == ("applied", "")
    assert applications.enrolment_settings(session, d, id_of(full)).waitlist == 1
    ended = session.exec(
        select(AuditLog)
        .where(AuditLog.action == "application.withdrawn")
        .order_by(col(AuditLog.id))
    ).all()
    assert {(e.actor_id, e.target_type, e.target_id, e.details["was"]) for e in ended} == {
        (None, "cohort", str(id_of(full)), "waitlisted"),
        (None, "cohort", str(id_of(chosen)), "applied"),
    }
    assert {e.details["student_id"] for e in ended} == {id_of(gone)}
    # The next seat freed goes to the next in line, who can sign in.
    enrollment.unenroll(session, d, id_of(full), id_of(seated))
    session.commit()
    assert mine(next_)[id_of(full)] == ("enrolled", "")
    migrate.upgrade(db_url, "head")
