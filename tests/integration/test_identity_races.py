"""Identity writes made twice at the same moment (a double click, two admins): the second gets
the usual answer a sequential repeat gets, never a second row nor the database's error."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import (
    Invitation,
    InvitationStatus,
    Organization,
    OrganizationMembership,
    RoleAssignment,
)
from cyberhub.services.identity import memberships, organizations, roles
from tests.factories import World, build_world, id_of, make_user, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("same slug", "The slug 'north-campus' is already used by another organization."),
        ("same name", "An organization named 'north campus' already exists."),
    ],
)
def test_the_same_organization_created_twice_at_once_is_created_once(
    session: Session, world: World, second: str, message: str
) -> None:
    admin = principal(session, world.admin)

    def then(s: Session) -> object:
        if second == "same slug":
            return organizations.create(s, admin, name="South Campus", slug="north-campus")
        return organizations.create(s, admin, name="north campus", slug="north-2")

    answers = second_while_first_holds(
        lambda s: organizations.create(s, admin, name="North Campus"), then
    )
    assert answers == ("ok", message)
    session.expire_all()
    rows = session.exec(
        select(Organization).where(
            col(Organization.slug).in_(["north-campus", "north-2"])
            | (func.lower(Organization.name).in_(["north campus", "south campus"]))
        )
    ).all()
    assert [(o.name, o.slug) for o in rows] == [("North Campus", "north-campus")]


@pytest.mark.parametrize("where", ["organization", "global"])
def test_the_same_role_granted_twice_at_once_is_granted_once(
    session: Session, world: World, where: str
) -> None:
    admin = principal(session, world.admin)
    uid = id_of(world.student)
    role, org_id = ("mentor", id_of(world.org)) if where == "organization" else ("admin", None)

    def grant(s: Session) -> object:
        return roles.assign_role(
            s, admin, user_id=uid, role=role, organization_id=org_id, reason="Helps out"
        )

    answers = second_while_first_holds(grant, grant)
    place = "in Test Academy" if org_id else "globally (every organization)"
    assert answers == ("ok", f"{world.student.email} already has the {role} role {place}.")
    session.expire_all()
    held = session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == uid, RoleAssignment.role == role)
    ).all()
    assert len(held) == 1


def test_the_same_member_added_twice_at_once_is_added_once(session: Session, world: World) -> None:
    """An admin adds an account that is not a member yet (it joins and gets the role), twice at
    the same moment: the second gets what adding them again gets (the role is held), not the
    database's error from a second membership or role row."""
    admin = principal(session, world.admin)
    newcomer = make_user(session, "newcomer@example.org")
    org_id = id_of(world.org)

    def add(s: Session) -> object:
        return organizations.add_member(
            s, admin, org_id, email="newcomer@example.org", role="student"
        )

    answers = second_while_first_holds(add, add)
    assert answers == ("ok", "newcomer@example.org already has the student role in Test Academy.")
    session.expire_all()
    uid = id_of(newcomer)
    assert len(session.exec(select(RoleAssignment).where(RoleAssignment.user_id == uid)).all()) == 1
    assert (
        len(
            session.exec(
                select(OrganizationMembership).where(OrganizationMembership.user_id == uid)
            ).all()
        )
        == 1
    )


def test_the_same_person_invited_twice_at_once_is_invited_once(
    session: Session, world: World
) -> None:
    director = principal(session, world.director)
    org_id = id_of(world.org)

    def invite(s: Session) -> object:
        return memberships.invite(s, director, org_id, email="Friend@Example.org", role="student")

    answers = second_while_first_holds(invite, invite)
    assert answers == (
        "ok",
        "friend@example.org already has a pending invitation to Test Academy.",
    )
    session.expire_all()
    pending = session.exec(
        select(Invitation).where(
            Invitation.email == "friend@example.org",
            Invitation.status == InvitationStatus.pending,
        )
    ).all()
    assert len(pending) == 1
