"""Admin user search (cyberhub.services.identity.users.search_users, behind the /admin/users console).

The service the admin page and GET /api/v1/users call is tested directly here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from cyberhub.api import ROUTERS
from cyberhub.models import Organization, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.services.errors import Forbidden, Invalid, Unauthenticated
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.identity.users import UserQuery, organization_choices
from cyberhub.services.identity.users import search_users as search_page
from tests.factories import make_user

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def as_principal(session: Session, user: User) -> Principal:
    assert user.id is not None
    p = load_principal(session, user.id)
    assert p is not None
    return p


@pytest.fixture
def people(
    session: Session, test_organization: Organization, admin_user, student_user, mentor_user
):
    """An admin, a mentor and four students (two in another organization)."""
    other = Organization(name="Coast Campus", slug="coast")
    session.add(other)
    session.commit()
    extra = [
        make_user(
            session,
            "zawadi.kamau@test.example.org",
            "student",
            organization_id=test_organization.id,
        ),
        make_user(session, "otieno@coast.example.org", "student", organization_id=other.id),
        make_user(
            session, "wanjiku@coast.example.org", "student", "mentor", organization_id=other.id
        ),
    ]
    return {
        "admin": admin_user,
        "student": student_user,
        "mentor": mentor_user,
        "org": test_organization,
        "other": other,
        "extra": extra,
    }


def search_users(session: Session, principal: Principal | None, query: UserQuery) -> dict:
    """The service's page as the API sends it (a dict of the UsersPage's fields)."""
    return search_page(session, principal, query).model_dump()


def emails(result: dict) -> list[str]:
    return [u["email"] for u in result["items"]]


def test_the_users_api_route_is_admin_only() -> None:
    # GET /api/v1/users (tests/integration/test_admin_api.py) calls this same service.
    from cyberhub.api.deps import Require

    [route] = [
        r
        for router in ROUTERS
        for r in router.routes
        if getattr(r, "path", "") == "/users" and "GET" in getattr(r, "methods", ())
    ]
    rules = [d.call for d in route.dependant.dependencies if isinstance(d.call, Require)]  # type: ignore[attr-defined]
    assert [(r.access.kind, r.access.roles) for r in rules] == [("roles", ("admin",))]


class TestAccess:
    def test_anonymous_is_unauthenticated(self, session: Session, people) -> None:
        with pytest.raises(Unauthenticated):
            search_users(session, None, UserQuery())

    @pytest.mark.parametrize("role", ["student", "mentor"])
    def test_non_admins_are_forbidden(self, session: Session, people, role: str) -> None:
        with pytest.raises(Forbidden) as info:
            search_users(session, as_principal(session, people[role]), UserQuery())
        assert info.value.status_code == 403

    def test_revoked_admin_loses_access_at_once(self, session: Session, people) -> None:
        admin = people["admin"]
        for ra in session.exec(
            select(RoleAssignment).where(RoleAssignment.user_id == admin.id)
        ).all():
            session.delete(ra)
        session.commit()
        with pytest.raises(Forbidden):
            search_users(session, as_principal(session, admin), UserQuery())

    def test_deactivated_admin_is_not_a_principal(self, session: Session, people) -> None:
        admin = people["admin"]
        admin.is_active = False
        session.add(admin)
        session.commit()
        assert load_principal(session, admin.id) is None


class TestSearch:
    def test_admin_sees_every_account_newest_first(self, session: Session, people) -> None:
        result = search_users(session, as_principal(session, people["admin"]), UserQuery())
        assert result["total"] == 6 and result["page"] == 1 and result["pages"] == 1
        assert emails(result)[0] == "wanjiku@coast.example.org"  # created last
        everyone = session.exec(select(User)).all()
        newest_first = sorted(everyone, key=lambda u: (u.created_at, u.id), reverse=True)
        assert emails(result) == [u.email for u in newest_first]
        row = result["items"][0]
        assert set(row) >= {
            "id",
            "email",
            "full_name",
            "is_active",
            "locked",
            "created_at",
            "last_login_at",
            "roles",
        }
        assert row["roles"] == [
            {
                "role": "mentor",
                "organization_id": people["other"].id,
                "organization": "Coast Campus",
            },
            {
                "role": "student",
                "organization_id": people["other"].id,
                "organization": "Coast Campus",
            },
        ]
        admin_row = next(u for u in result["items"] if u["email"] == people["admin"].email)
        assert admin_row["roles"] == [
            {"role": "admin", "organization_id": None, "organization": "global"}
        ]
        assert "password_hash" not in row

    def test_search_by_email_or_name_ignoring_case(self, session: Session, people) -> None:
        admin = as_principal(session, people["admin"])
        assert emails(search_users(session, admin, UserQuery(q="COAST.example"))) == [
            "wanjiku@coast.example.org",
            "otieno@coast.example.org",
        ]
        # make_user names people after their e-mail: "Zawadi.Kamau@..." -> full_name "Zawadi.Kamau"
        by_name = search_users(session, admin, UserQuery(q="  zawadi.KAMAU "))
        assert emails(by_name) == ["zawadi.kamau@test.example.org"]
        assert search_users(session, admin, UserQuery(q="nobody-here"))["total"] == 0

    def test_what_is_typed_matches_as_typed(self, session: Session, people) -> None:
        """% and _ in a search are the characters, not SQL wildcards: "o_ieno" does not find
        otieno, and "%" alone finds only addresses that contain one (none)."""
        admin = as_principal(session, people["admin"])
        make_user(session, "o_ieno@coast.example.org", "student")
        assert emails(search_users(session, admin, UserQuery(q="o_ieno"))) == [
            "o_ieno@coast.example.org"
        ]
        assert search_users(session, admin, UserQuery(q="%"))["total"] == 0

    def test_filter_by_role(self, session: Session, people) -> None:
        admin = as_principal(session, people["admin"])
        mentors = search_users(session, admin, UserQuery(role="mentor"))
        assert sorted(emails(mentors)) == sorted(
            [people["mentor"].email, "wanjiku@coast.example.org"]
        )
        students = search_users(session, admin, UserQuery(role="student"))
        assert students["total"] == 4
        admins = search_users(session, admin, UserQuery(role="admin"))
        assert emails(admins) == [people["admin"].email]
        assert search_users(session, admin, UserQuery(role="sponsor"))["total"] == 0

    def test_filter_by_organization_and_role(self, session: Session, people) -> None:
        admin = as_principal(session, people["admin"])
        coast = search_users(session, admin, UserQuery(organization_id=people["other"].id))
        assert sorted(emails(coast)) == ["otieno@coast.example.org", "wanjiku@coast.example.org"]
        coast_mentors = search_users(
            session, admin, UserQuery(organization_id=people["other"].id, role="mentor")
        )
        assert emails(coast_mentors) == ["wanjiku@coast.example.org"]
        # Role and organization must hold on the same assignment.
        academy_mentors = search_users(
            session, admin, UserQuery(organization_id=people["org"].id, role="mentor")
        )
        assert emails(academy_mentors) == [people["mentor"].email]

    def test_pagination(self, session: Session, people) -> None:
        admin = as_principal(session, people["admin"])
        first = search_users(session, admin, UserQuery(page_size=4))
        second = search_users(session, admin, UserQuery(page_size=4, page=2))
        assert first["pages"] == second["pages"] == 2
        assert first["total"] == second["total"] == 6
        assert len(first["items"]) == 4 and len(second["items"]) == 2
        assert not set(emails(first)) & set(emails(second))
        assert search_users(session, admin, UserQuery(page_size=4, page=3))["items"] == []

    def test_locked_accounts_are_flagged(self, session: Session, people) -> None:
        student = people["student"]
        student.locked_until = utcnow() + timedelta(minutes=10)
        session.add(student)
        session.commit()
        result = search_users(
            session, as_principal(session, people["admin"]), UserQuery(q=student.email)
        )
        assert result["items"][0]["locked"] is True
        other = search_users(
            session, as_principal(session, people["admin"]), UserQuery(q=people["mentor"].email)
        )
        assert other["items"][0]["locked"] is False

    def test_a_deactivated_account_shows_disabled_even_when_locked(
        self, session: Session, people
    ) -> None:
        """The list's State badge: deactivation wins over a lockout (which still shows as
        `locked`); an active locked account is "locked", an untouched one "active"."""
        student, mentor = people["student"], people["mentor"]
        for person in (student, mentor):
            person.locked_until = utcnow() + timedelta(minutes=10)
        student.is_active = False
        session.add_all([student, mentor])
        session.commit()
        admin = as_principal(session, people["admin"])
        states = {
            u["email"]: (u["status"], u["locked"])
            for u in search_users(session, admin, UserQuery(page_size=100))["items"]
        }
        assert states[student.email] == ("disabled", True)
        assert states[mentor.email] == ("locked", True)
        assert states[people["admin"].email] == ("active", False)


class TestInvalidQueries:
    def test_unknown_role_is_invalid(self, session: Session, people) -> None:
        with pytest.raises(Invalid) as info:
            search_users(session, as_principal(session, people["admin"]), UserQuery(role="wizard"))
        assert "Unknown role 'wizard'" in info.value.message
        assert info.value.status_code == 422

    @pytest.mark.parametrize(("page", "page_size"), [(0, 20), (1, 0), (1, 101)])
    def test_bad_paging_is_invalid(
        self, session: Session, people, page: int, page_size: int
    ) -> None:
        with pytest.raises(Invalid):
            search_users(
                session,
                as_principal(session, people["admin"]),
                UserQuery(page=page, page_size=page_size),
            )


def test_organizations_are_listed_by_name(session: Session, people) -> None:
    found = organization_choices(session, as_principal(session, people["admin"]))
    assert [o.name for o in found.items] == ["Coast Campus", "Test Academy"]
