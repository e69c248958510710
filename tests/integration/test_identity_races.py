"""Identity writes made twice at the same moment (a double click, two admins): the second gets
the usual answer a sequential repeat gets, never a second row nor the database's error."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import (
    Organization,
)
from cyberhub.services.identity import organizations
from tests.factories import World, build_world, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


# ---- 1


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
