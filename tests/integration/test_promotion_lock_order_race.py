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

A learner changing their own account (password, two-step setup, signing in) holds their row
only FOR NO KEY UPDATE, which the promotion's FOR KEY SHARE does not wait for: first in line,
they get the seat freed at that moment.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import ApplicationStatus, Cohort, CohortApplication, Enrollment, User
from cyberhub.services.identity import (
    accounts,
    deactivation,
    lockout,
    mfa,
    organizations,
    password_change,
    reauth,
    roles,
)
from cyberhub.services.learning import applications, enrollment
from tests.factories import PASSWORD, World, build_world, id_of, make_cohort, make_user, principal
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


NEW_PASSWORD = "quiet-orchard-compass-73"


@pytest.mark.parametrize("change", ["password", "two-step setup", "sign-in"])
def test_the_first_in_line_changes_their_own_account_as_a_seat_frees(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Ann changes her password (or starts two-step setup, or signs in) while Bob withdraws:
    each pauses holding her row, and she still gets Bob's seat, Carl stays first in line."""
    ann = make_user(session, "ann@example.org")
    session.commit()
    cohort, bob, carl = _in_line(session, world, ann)
    ann_who, bob_who = principal(session, ann), principal(session, bob)
    own_change: Callable[[Session], object]
    if change == "password":
        reached = pause_at(monkeypatch, reauth, "check_password")
        own_change = lambda s: password_change.change_password(s, ann_who, PASSWORD, NEW_PASSWORD)  # noqa: E731
    elif change == "two-step setup":
        reached = pause_at(monkeypatch, mfa.pyotp, "random_base32")
        own_change = lambda s: mfa.begin_enrollment(s, ann_who)  # noqa: E731
    else:
        reached = pause_at(monkeypatch, lockout, "check_password_sign_in")
        own_change = lambda s: accounts.authenticate(  # noqa: E731
            s, email="ann@example.org", password=PASSWORD
        )
    answers = second_when_first_reaches(
        own_change, lambda s: applications.withdraw(s, bob_who, id_of(cohort)), reached
    )
    assert answers == ("ok", "ok")
    assert _seated(session, cohort) == [ann.id]
    assert _status(session, cohort, ann) == ApplicationStatus.enrolled
    assert _status(session, cohort, carl) == ApplicationStatus.waitlisted
