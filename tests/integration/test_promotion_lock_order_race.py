"""A seat frees (a learner withdraws) and the waitlist moves up at the moment the learner first
in line is deactivated or removed from the organisation; a learner applies to an open cohort at
the moment they are removed from its organisation (services/learning/applications.py).

A deactivation holds the learner's row, a removal their roles-and-memberships lock, before it
takes the cohorts where they wait. The promotion runs under the cohort's lock, so it must not
wait for theirs: it passes over a learner whose account someone is changing that way (and an
inactive one), and the next in line gets the seat; the first keeps their place (or loses it to
the deactivation or removal going on). Applying takes the learner's locks before the cohort's,
in the order a removal takes them. (Before, the two waited for each other and PostgreSQL broke
the deadlock by cancelling one: a 500 for the withdrawal, or a deactivation that did not
happen.)
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import ApplicationStatus, Cohort, CohortApplication, Enrollment, User
from cyberhub.services.identity import deactivation, organizations, roles
from cyberhub.services.learning import applications, enrollment
from tests.factories import World, build_world, id_of, make_cohort, make_user, principal
from tests.races import pause_at, second_when_first_reaches

pytestmark = [pytest.mark.student, pytest.mark.integration]

REASON = "Left the academy in November."


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _open_cohort(session: Session, w: World, capacity: int) -> Cohort:
    cohort = make_cohort(session, w.program, director=w.director, name="Winter open")
    applications.set_enrolment(
        session, principal(session, w.director), id_of(cohort), mode="open", capacity=capacity
    )
    session.commit()
    return cohort


def _in_line(session: Session, w: World, ann: User) -> tuple[Cohort, User, User]:
    """An open cohort of one seat, held by Bob; Ann first on its waitlist, Carl second."""
    cohort = _open_cohort(session, w, capacity=1)
    bob = make_user(session, "bob@example.org")
    carl = make_user(session, "carl@example.org")
    session.commit()
    for learner in (bob, ann, carl):
        applications.apply(session, principal(session, learner), id_of(cohort))
        session.commit()
    return cohort, bob, carl


def _status(session: Session, cohort: Cohort, learner: User) -> str:
    session.expire_all()
    status = session.exec(
        select(CohortApplication.status).where(
            CohortApplication.cohort_id == cohort.id, CohortApplication.student_id == learner.id
        )
    ).one()
    return str(status)


def _seated(session: Session, cohort: Cohort) -> list[int]:
    session.expire_all()
    return list(
        session.exec(
            select(Enrollment.student_id).where(
                Enrollment.cohort_id == cohort.id, Enrollment.status == "active"
            )
        ).all()
    )


def test_the_first_in_line_deactivated_as_a_seat_frees(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = make_user(session, "ann@example.org")
    session.commit()
    cohort, bob, carl = _in_line(session, world, ann)
    admin, bob_who = principal(session, world.admin), principal(session, bob)
    # the deactivation pauses holding Ann's row, before it takes the cohorts where she waits
    reached = pause_at(monkeypatch, enrollment, "end_pending_applications")
    answers = second_when_first_reaches(
        lambda s: deactivation.deactivate_user(s, admin, id_of(ann), REASON),
        lambda s: applications.withdraw(s, bob_who, id_of(cohort)),
        reached,
    )
    assert answers == ("ok", "ok")
    assert _seated(session, cohort) == [carl.id]
    assert _status(session, cohort, ann) == ApplicationStatus.withdrawn
    user = session.get(User, ann.id)
    assert user is not None and not user.is_active


def test_the_first_in_line_removed_from_the_organisation_as_a_seat_frees(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = world.outsider_student  # a member of the organisation (a seat in its other cohort)
    cohort, bob, carl = _in_line(session, world, ann)
    admin, bob_who = principal(session, world.admin), principal(session, bob)
    # the removal pauses holding Ann's roles-and-memberships lock, before it takes her cohorts
    reached = pause_at(monkeypatch, enrollment, "leave_organization_cohorts")
    answers = second_when_first_reaches(
        lambda s: organizations.remove_member(
            s, admin, id_of(world.org), id_of(ann), reason=REASON
        ),
        lambda s: applications.withdraw(s, bob_who, id_of(cohort)),
        reached,
    )
    assert answers == ("ok", "ok")
    assert _seated(session, cohort) == [carl.id]
    assert _status(session, cohort, ann) == ApplicationStatus.withdrawn


def test_a_mentor_applies_to_an_open_cohort_as_they_are_removed_from_its_organisation(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The removal holds their roles-and-memberships lock, then (they mentor there) their row;
    applying waits for the removal, then seats them (joining the organisation again, as any
    learner taking a seat in its open cohort does)."""
    cohort = _open_cohort(session, world, capacity=5)
    ann = world.comentor
    admin, who = principal(session, world.admin), principal(session, ann)
    reached = pause_at(monkeypatch, roles, "revoke_grants")
    answers = second_when_first_reaches(
        lambda s: organizations.remove_member(
            s, admin, id_of(world.org), id_of(ann), reason=REASON
        ),
        lambda s: applications.apply(s, who, id_of(cohort)),
        reached,
    )
    assert answers == ("ok", "ok")
    assert _seated(session, cohort) == [ann.id]
    session.expire_all()
    assert session.exec(
        select(CohortApplication.status).where(col(CohortApplication.student_id) == ann.id)
    ).all() == [ApplicationStatus.enrolled]
