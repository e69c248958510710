"""A director makes someone a cohort's mentor or director at the moment an admin deactivates
them or takes that role away (services/identity/deactivation.py, roles.revoke_role).

Both sides lock the person's row (permissions.hold_account, roles.staff_roles_ended), so they
take turns: when the addition comes first, the deactivation or revocation ends it as it ends
what the person already served; when it comes second, it is refused with the usual message.
Either way nobody inactive, or without the role, is left serving a cohort. (An addition first
and a deactivation second already took turns before: the new row's reference to the person
holds their row against the deactivation's lock; a revocation, and every addition second, did
not.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import Cohort, CohortMentor, User
from cyberhub.services.identity import deactivation, roles
from cyberhub.services.learning import enrollment, programs
from tests.factories import World, id_of, make_user, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.admin, pytest.mark.integration]

REASON = "Left the academy in November."
NOT_A_MENTOR = "is not a mentor of this organization"
NOT_A_DIRECTOR = "The cohort's director must be a director of the programme's organization."

Write = Callable[[Session], object]


def _ends(session: Session, w: World, person: User, how: str) -> Write:
    """The admin deactivating `person`, or taking their role away ("mentor", "director")."""
    admin = principal(session, w.admin)
    if how == "deactivate":
        return lambda s: deactivation.deactivate_user(s, admin, id_of(person), REASON)
    return lambda s: roles.revoke_role(
        s, admin, user_id=id_of(person), role=how, organization_id=id_of(w.org), reason=REASON
    )


def _add_mentor(session: Session, w: World) -> Write:
    """The world's director making the world's mentor a mentor of the other cohort."""
    director = principal(session, w.director)
    return lambda s: enrollment.set_cohort_mentor(
        s, director, id_of(w.other_cohort), w.mentor.email, 5
    )


def _make_director(session: Session, w: World, person: User) -> Write:
    """The world's director making `person` the director of the world's cohort."""
    director = principal(session, w.director)
    return lambda s: programs.update_cohort(s, director, id_of(w.cohort), director_id=id_of(person))


def _mentored_cohorts(session: Session, mentor: User) -> list[int]:
    session.expire_all()
    return list(
        session.exec(
            select(CohortMentor.cohort_id).where(CohortMentor.mentor_id == mentor.id)
        ).all()
    )


def _directed_cohorts(session: Session, director: User) -> list[int]:
    session.expire_all()
    rows = session.exec(select(Cohort).where(col(Cohort.director_id) == director.id)).all()
    return [id_of(c) for c in rows]


@pytest.mark.parametrize("how", ["deactivate", "mentor"])
class TestMentorAddedMeanwhile:
    """The world's mentor serves its first cohort; the director adds them to the other one."""

    def test_added_first_then_the_clean_up_removes_them(
        self, session: Session, world: World, how: str
    ) -> None:
        w = world
        add = _add_mentor(session, w)
        assert second_while_first_holds(add, _ends(session, w, w.mentor, how)) == ("ok", "ok")
        assert _mentored_cohorts(session, w.mentor) == []

    def test_ended_first_then_the_addition_is_refused(
        self, session: Session, world: World, how: str
    ) -> None:
        w = world
        add = _add_mentor(session, w)
        first, second = second_while_first_holds(_ends(session, w, w.mentor, how), add)
        assert first == "ok"
        assert NOT_A_MENTOR in second
        assert _mentored_cohorts(session, w.mentor) == []


@pytest.mark.parametrize("how", ["deactivate", "director"])
class TestDirectorSetMeanwhile:
    """A second director of the organisation, directing nothing yet, is made the director of
    the world's cohort (on its edit form, or when a cohort is created)."""

    def _second_director(self, session: Session, w: World) -> User:
        d2 = make_user(session, "second.director@example.org", "director", organization_id=w.org.id)
        session.commit()
        return d2

    def test_set_first_then_the_clean_up_removes_them(
        self, session: Session, world: World, how: str
    ) -> None:
        w = world
        d2 = self._second_director(session, w)
        edit = _make_director(session, w, d2)
        assert second_while_first_holds(edit, _ends(session, w, d2, how)) == ("ok", "ok")
        assert _directed_cohorts(session, d2) == []

    def test_ended_first_then_the_edit_is_refused(
        self, session: Session, world: World, how: str
    ) -> None:
        w = world
        d2 = self._second_director(session, w)
        edit = _make_director(session, w, d2)
        assert second_while_first_holds(_ends(session, w, d2, how), edit) == ("ok", NOT_A_DIRECTOR)
        assert _directed_cohorts(session, d2) == []
        session.expire_all()
        cohort = session.get(Cohort, w.cohort.id)
        assert cohort is not None and cohort.director_id == w.director.id

    def test_a_new_cohort_is_refused_after_the_end(
        self, session: Session, world: World, how: str
    ) -> None:
        w = world
        d2 = self._second_director(session, w)
        director = principal(session, w.director)
        start, end = w.cohort.starts_on, w.cohort.ends_on

        def create(s: Session) -> object:
            return programs.create_cohort(
                s,
                director,
                id_of(w.program),
                name="Late cohort",
                starts_on=start,
                ends_on=end,
                capacity=10,
                director_id=id_of(d2),
            )

        first, second = second_while_first_holds(_ends(session, w, d2, how), create)
        assert (first, second) == ("ok", NOT_A_DIRECTOR)
        assert _directed_cohorts(session, d2) == []
