"""A learner applies to a cohort, or a director approves their application, at the moment an
admin deactivates the learner (services/learning/applications.py, identity/deactivation.py).

Apply and approve hold the learner's row (permissions.hold_account) before the cohort's, the
order a deactivation takes them in, so the two take turns: when the application comes first,
the deactivation ends it as it ends the learner's other pending applications; when it comes
second, it is refused. Either way no deactivated account is left with a pending application or
a seat it got after its deactivation. (Before, an application or approval that waited for the
deactivation went ahead after it, and an approval could read the applicant as active from what
its session had read before.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub import db
from cyberhub.models import ApplicationStatus, Cohort, CohortApplication, Enrollment, User
from cyberhub.services.errors import Conflict
from cyberhub.services.identity import deactivation
from cyberhub.services.learning import applications
from tests.factories import World, build_world, id_of, make_cohort, make_user, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.student, pytest.mark.integration]

REASON = "Left the academy in November."
REFUSED = (
    "This account is deactivated: it can't apply to or join a cohort. Contact your administrator."
)
API = "/api/v1"

Write = Callable[[Session], object]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _cohort(session: Session, w: World, mode: str = "application") -> Cohort:
    cohort = make_cohort(session, w.program, director=w.director, name=f"Autumn {mode}")
    applications.set_enrolment(
        session, principal(session, w.director), id_of(cohort), mode=mode, capacity=5
    )
    session.commit()
    return cohort


def _learner(session: Session) -> User:
    learner = make_user(session, "ann@example.org")
    session.commit()
    return learner


def _deactivate(session: Session, w: World, learner: User) -> Write:
    admin = principal(session, w.admin)
    return lambda s: deactivation.deactivate_user(s, admin, id_of(learner), REASON)


def _apply(session: Session, learner: User, cohort: Cohort) -> Write:
    who = principal(session, learner)  # signed in before the deactivation
    return lambda s: applications.apply(s, who, id_of(cohort))


def _pending(session: Session, learner: User) -> list[str]:
    session.expire_all()
    rows = session.exec(
        select(CohortApplication.status).where(
            CohortApplication.student_id == learner.id,
            col(CohortApplication.status).in_(applications.PENDING),
        )
    ).all()
    return [str(s) for s in rows]


def _seats(session: Session, learner: User) -> int:
    session.expire_all()
    return len(session.exec(select(Enrollment).where(Enrollment.student_id == learner.id)).all())


@pytest.mark.parametrize("mode", ["application", "open"])
def test_deactivated_first_then_the_application_is_refused(
    session: Session, world: World, mode: str
) -> None:
    cohort = _cohort(session, world, mode)
    ann = _learner(session)
    apply = _apply(session, ann, cohort)
    first, second = second_while_first_holds(_deactivate(session, world, ann), apply)
    assert (first, second) == ("ok", REFUSED)
    assert _pending(session, ann) == []
    assert _seats(session, ann) == 0


def test_applied_again_first_then_the_deactivation_ends_it(session: Session, world: World) -> None:
    """A learner who withdrew applies again (their application row is reused) while they are
    deactivated: the deactivation waits for it, then withdraws it."""
    cohort = _cohort(session, world)
    ann = _learner(session)
    who = principal(session, ann)
    applications.apply(session, who, id_of(cohort))
    applications.withdraw(session, who, id_of(cohort))
    session.commit()
    apply = _apply(session, ann, cohort)
    assert second_while_first_holds(apply, _deactivate(session, world, ann)) == ("ok", "ok")
    assert _pending(session, ann) == []


def _approve(session: Session, w: World, cohort: Cohort, learner: User) -> Write:
    applications.apply(session, principal(session, learner), id_of(cohort))
    session.commit()
    [app] = session.exec(
        select(CohortApplication).where(CohortApplication.student_id == learner.id)
    ).all()
    director = principal(session, w.director)
    return lambda s: applications.approve(s, director, id_of(cohort), id_of(app))


def test_deactivated_first_then_the_approval_is_refused(session: Session, world: World) -> None:
    cohort = _cohort(session, world)
    ann = _learner(session)
    approve = _approve(session, world, cohort, ann)
    first, second = second_while_first_holds(_deactivate(session, world, ann), approve)
    assert first == "ok"
    # the deactivation withdrew the application; the approval, waiting, reads it withdrawn
    assert second == "This application is withdrawn: only pending ones can be approved."
    assert _pending(session, ann) == []
    assert _seats(session, ann) == 0


def test_approved_first_then_the_deactivation_keeps_the_seat(
    session: Session, world: World
) -> None:
    """As for any seat a deactivated learner holds: kept (a director can unenrol them)."""
    cohort = _cohort(session, world)
    ann = _learner(session)
    approve = _approve(session, world, cohort, ann)
    assert second_while_first_holds(approve, _deactivate(session, world, ann)) == ("ok", "ok")
    assert _seats(session, ann) == 1
    session.expire_all()
    user = session.get(User, ann.id)
    assert user is not None and not user.is_active


def test_a_deactivated_applicant_is_not_approved(session: Session, world: World) -> None:
    """Approval reads the applicant as committed, under their row's lock: deactivated since the
    director's page loaded (whatever this session read of them before)."""
    cohort = _cohort(session, world)
    ann = _learner(session)
    approve = _approve(session, world, cohort, ann)
    [app] = session.exec(
        select(CohortApplication).where(CohortApplication.student_id == ann.id)
    ).all()
    assert app.status == ApplicationStatus.applied
    session.get(User, ann.id)  # this session has read them active
    # deactivated in another transaction while their application stays pending (one from
    # before deactivations ended them, or one written in the window this module closes)
    with db.session_scope() as other:
        other.exec(update(User).where(col(User.id) == ann.id).values(is_active=False))
    with pytest.raises(Conflict, match="is deactivated: it can't take a seat"):
        approve(session)
    session.rollback()
    assert _seats(session, ann) == 0


def test_a_deactivated_account_can_not_apply_through_the_api(
    session: Session, world: World, client_for: Callable[[User], TestClient]
) -> None:
    cohort = _cohort(session, world)
    ann = _learner(session)
    client = client_for(ann)  # signed in
    _deactivate(session, world, ann)(session)
    session.commit()
    r = client.post(f"{API}/cohorts/{cohort.id}/applications")
    assert r.status_code == 401, r.text
    assert r.json()["detail"]
    assert _pending(session, ann) == []
