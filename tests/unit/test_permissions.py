"""Principals, access rules and the navigation each kind of user sees."""

from __future__ import annotations

import pytest

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub.models import Role
from cyberhub.routes import all_pages, nav_for
from cyberhub.services.errors import Forbidden, Unauthenticated
from cyberhub.services.identity.permissions import (
    PUBLIC,
    SIGNED_IN,
    Access,
    Grant,
    Principal,
    managed_org_ids,
    manages,
    require_role,
    require_signed_in,
    roles,
)

pytestmark = [pytest.mark.auth]

ORG_A, ORG_B = 1, 2


def principal(*grants: tuple[str, int | None]) -> Principal:
    return Principal(
        user_id=7, email="p@example.org", grants=frozenset(Grant(r, o) for r, o in grants)
    )


class TestPrincipal:
    def test_role_in_its_own_organization(self) -> None:
        mentor = principal(("mentor", ORG_A))
        assert mentor.has_role("mentor")
        assert mentor.has_role("mentor", organization_id=ORG_A)
        assert not mentor.has_role("mentor", organization_id=ORG_B)
        assert not mentor.has_role("director", organization_id=ORG_A)

    def test_any_of_several_roles(self) -> None:
        director = principal(("director", ORG_A))
        assert director.has_role("mentor", "director")
        assert director.has_role("mentor", "director", organization_id=ORG_A)
        assert not director.has_role("mentor", "sponsor")

    def test_global_admin_counts_in_every_organization(self) -> None:
        admin = principal(("admin", None))
        assert admin.is_admin
        assert admin.has_role("admin", organization_id=ORG_A)
        assert admin.has_role("admin", organization_id=ORG_B)
        # Being an admin does not make you a mentor.
        assert not admin.has_role("mentor", organization_id=ORG_A)

    def test_organization_scoped_admin_is_not_admin_elsewhere(self) -> None:
        admin_a = principal(("admin", ORG_A))
        assert admin_a.has_role("admin", organization_id=ORG_A)
        assert not admin_a.has_role("admin", organization_id=ORG_B)

    def test_roles_are_distinct_and_in_canonical_order(self) -> None:
        p = principal(("admin", None), ("student", ORG_A), ("mentor", ORG_B), ("student", ORG_B))
        assert p.roles == ["student", "mentor", "admin"]
        assert p.organizations("student") == {ORG_A, ORG_B}
        assert p.organizations("admin") == set()  # the global grant names no organization

    def test_no_grants_means_no_roles(self) -> None:
        p = principal()
        assert p.roles == [] and not p.is_admin and not p.has_role(*[r.value for r in Role])

    def test_the_organizations_one_manages_are_the_ones_one_directs(self) -> None:
        """One rule for the organisations page and the programmes: an admin manages every
        organisation (None), a director those they direct, nobody else any."""
        assert managed_org_ids(principal(("admin", None))) is None
        director = principal(("director", ORG_A), ("mentor", ORG_B), ("director", ORG_B))
        assert managed_org_ids(director) == {ORG_A, ORG_B}
        assert managed_org_ids(principal(("director", ORG_A), ("mentor", ORG_B))) == {ORG_A}
        assert managed_org_ids(principal(("mentor", ORG_A), ("sponsor", ORG_B))) == set()

    def test_manages_one_organization_by_the_same_rule(self) -> None:
        """The yes/no form of managed_org_ids, for one organisation: an admin manages each, a
        director the ones they direct; a mentor, sponsor or student there does not."""
        people = [
            principal(("admin", None)),
            principal(("director", ORG_A), ("mentor", ORG_B)),
            principal(("mentor", ORG_A), ("sponsor", ORG_B), ("student", ORG_A)),
            principal(),
        ]
        assert [[manages(p, org) for org in (ORG_A, ORG_B)] for p in people] == [
            [True, True],
            [True, False],
            [False, False],
            [False, False],
        ]
        for p in people:
            managed = managed_org_ids(p)
            for org in (ORG_A, ORG_B):
                assert manages(p, org) == (managed is None or org in managed)


class TestAccess:
    def test_public_allows_everyone(self) -> None:
        assert PUBLIC.allows(None)
        PUBLIC.check(None)
        PUBLIC.check(principal(("student", ORG_A)))

    def test_signed_in_needs_a_principal(self) -> None:
        assert not SIGNED_IN.allows(None)
        assert SIGNED_IN.allows(principal())
        with pytest.raises(Unauthenticated) as info:
            SIGNED_IN.check(None)
        assert info.value.status_code == 401 and "sign in" in info.value.message
        SIGNED_IN.check(principal(("student", ORG_A)))

    def test_roles_distinguishes_unauthenticated_from_forbidden(self) -> None:
        admin_only = roles(Role.admin)
        with pytest.raises(Unauthenticated):
            admin_only.check(None)
        with pytest.raises(Forbidden) as info:
            admin_only.check(principal(("student", ORG_A)))
        assert info.value.status_code == 403
        admin_only.check(principal(("admin", None)))
        assert admin_only.allows(principal(("admin", ORG_A)))

    def test_roles_helper_accepts_enum_members_and_strings(self) -> None:
        rule = roles(Role.mentor, "director")
        assert rule == Access("roles", ("mentor", "director"))
        assert rule.describe() == "roles: mentor, director"
        assert rule.allows(principal(("director", ORG_B)))
        assert not rule.allows(principal(("student", ORG_B)))
        assert PUBLIC.describe() == "public" and SIGNED_IN.describe() == "signed_in"

    def test_service_level_helpers(self) -> None:
        with pytest.raises(Unauthenticated):
            require_signed_in(None)
        with pytest.raises(Unauthenticated):
            require_role(None, "admin")
        with pytest.raises(Forbidden):
            require_role(principal(("mentor", ORG_A)), "mentor", organization_id=ORG_B)
        p = principal(("mentor", ORG_A))
        assert require_role(p, "mentor", organization_id=ORG_A) is p


def labels(user_roles: list[str] | None) -> list[str]:
    return [item["label"] for item in nav_for(user_roles)]


class TestNavigation:
    def test_signed_out_sees_only_public_nav_pages(self) -> None:
        public_nav = [
            p.nav_label
            for p in sorted(all_pages(), key=lambda p: p.nav_order)
            if p.nav_label and p.access.kind == "public"
        ]
        assert labels(None) == public_nav
        assert labels(None) == ["Tracks"]
        assert nav_for(None) == [{"label": "Tracks", "href": "/tracks"}]

    def test_student_sees_one_my_learning_missions_tracks_but_not_admin(self) -> None:
        # One "My learning" (issue 17 item 5): the generic Dashboard entry is gone from the nav.
        nav = labels(["student"])
        assert nav[:3] == ["My learning", "Missions", "Tracks"]
        assert "Dashboard" not in nav and "Admin" not in nav

    @pytest.mark.parametrize("role", ["mentor", "director", "sponsor"])
    def test_other_non_admin_roles_do_not_see_admin(self, role: str) -> None:
        assert "Admin" not in labels([role])

    def test_admin_sees_admin_linking_to_the_users_console(self) -> None:
        nav = nav_for(["admin"])
        assert {"label": "Admin", "href": "/admin/users"} in nav
        assert [i["label"] for i in nav][-1] == "Admin"  # last, after the everyday pages

    def test_signed_in_without_roles_still_sees_signed_in_pages(self) -> None:
        # /dashboard still answers (it tells a person with no role how to get one) but is not
        # a nav entry any more: every role has its own home.
        assert labels([]) == ["Missions", "Tracks"]
