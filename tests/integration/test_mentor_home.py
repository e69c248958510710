"""The mentor home (services/learning/mentoring.py behind /dashboard/mentor): mentors only, their
organizations' cohorts and learners."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import Organization, User
from cyberhub.services.errors import Forbidden, Unauthenticated
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning.mentoring import mentor_home
from tests.factories import make_user

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def principal_of(session: Session, email: str) -> Principal:
    user = session.exec(select(User).where(User.email == email)).one()
    assert user.id is not None
    p = load_principal(session, user.id)
    assert p is not None
    return p


def test_anonymous_and_other_roles_are_refused(session: Session, demo: list[int]) -> None:
    with pytest.raises(Unauthenticated):
        mentor_home(session, None)
    for email in ("student@cyberhub.example", "director@cyberhub.example"):
        with pytest.raises(Forbidden):
            mentor_home(session, principal_of(session, email))


def test_mentor_sees_cohorts_and_students_of_their_organization(
    session: Session, demo: list[int]
) -> None:
    org = session.exec(select(Organization)).one()
    assert org.id is not None
    make_user(session, "late.joiner@example.org", "student", organization_id=org.id)
    other = Organization(name="Coast Campus", slug="coast")
    session.add(other)
    session.commit()
    make_user(session, "elsewhere@example.org", "student", organization_id=other.id)

    home = mentor_home(session, principal_of(session, "mentor@cyberhub.example"))
    assert home.organizations == ["Ongoza CyberHub Academy"]
    assert [c.name for c in home.cohorts] == [
        "Nairobi Spring Cohort",
        "Remote Evening Cohort",
    ]
    assert [c.status for c in home.cohorts] == ["running", "upcoming"]
    assert home.cohorts[0].capacity == 40 and "–" in home.cohorts[0].dates
    emails = [x.email for x in home.learners]
    assert emails == ["late.joiner@example.org", "student@cyberhub.example"]  # newest first
    assert home.learners_total == 2
    assert home.learners[1].name == "Amina Njoroge"
    assert set(home.learners[0].model_dump()) >= {"name", "email", "joined", "organization"}


def test_mentor_of_an_empty_organization_gets_empty_lists(session: Session) -> None:
    org = Organization(name="New Campus", slug="new-campus")
    session.add(org)
    session.commit()
    make_user(session, "m@example.org", "mentor", organization_id=org.id)
    home = mentor_home(session, principal_of(session, "m@example.org"))
    assert home.model_dump() == {
        "organizations": ["New Campus"],
        "cohorts": [],
        "learners": [],
        "learners_total": 0,
    }
