"""Every page and every API route declares who may use it; nothing is open by accident."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub.api import PREFIX, ROUTERS
from cyberhub.api.deps import Require
from cyberhub.models import Role
from cyberhub.routes import all_pages
from cyberhub.services.identity import browser_sessions

pytestmark = [pytest.mark.admin]

KINDS = {"public", "signed_in", "roles"}


def api_routes() -> list[APIRoute]:
    routes = [r for router in ROUTERS for r in router.routes]
    assert all(isinstance(r, APIRoute) for r in routes), routes
    return routes  # type: ignore[return-value]


def walk(dependant: Dependant) -> Iterator[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from walk(dep)


def access_rules(route: APIRoute) -> list[Require]:
    return [d.call for d in walk(route.dependant) if isinstance(d.call, Require)]


def methods_of(route: APIRoute) -> set[str]:
    assert route.methods is not None, route.path
    return route.methods


def describe(route: APIRoute) -> str:
    return f"{','.join(sorted(methods_of(route)))} {PREFIX}{route.path}"


class TestPages:
    def test_pages_are_registered(self) -> None:
        routes = {p.route for p in all_pages()}
        assert {
            "/",
            "/signin",
            "/signup",
            "/tracks",
            "/missions",
            "/dashboard",
            "/admin/users",
        } <= routes

    def test_every_page_has_an_access_rule(self) -> None:
        bad = [
            f"{p.route}: {p.access!r}"
            for p in all_pages()
            if p.access is None
            or p.access.kind not in KINDS
            or (p.access.kind == "roles" and not p.access.roles)
        ]
        assert not bad, "pages without a valid access rule:\n" + "\n".join(bad)

    def test_admin_pages_need_the_admin_role(self) -> None:
        # Directors manage their own organization's members there (the service filters).
        shared_with_directors = {"/admin/organizations", "/admin/organizations/[org_id]"}
        for page in all_pages():
            if page.route.startswith("/admin"):
                expected = (
                    ("admin", "director") if page.route in shared_with_directors else ("admin",)
                )
                assert page.access.kind == "roles" and page.access.roles == expected, page.route

    def test_every_role_home_is_a_page_that_role_may_open(self) -> None:
        by_route = {p.route: p for p in all_pages()}
        assert {role for role, _ in browser_sessions.ROLE_HOMES} == set(Role)
        for role, home in browser_sessions.ROLE_HOMES:
            page = by_route[home]
            assert page.access.kind == "roles" and role in page.access.roles, home
            assert page.nav_label, f"{home} is not in the navigation"
        # The generic dashboard is no home of its own and not in the navigation (old links work).
        assert by_route["/dashboard"].access.kind == "signed_in"
        assert by_route["/dashboard"].nav_label is None

    def test_a_user_lands_on_the_home_of_their_first_role(self) -> None:
        home_for = browser_sessions.home_for
        assert home_for(["student"]) == "/dashboard/student"
        assert home_for(["sponsor"]) == "/dashboard/sponsor"
        assert home_for(["admin"]) == "/admin/users"
        assert home_for(["student", "mentor"]) == "/dashboard/mentor"
        assert home_for(["admin", "director"]) == "/dashboard/director"
        assert home_for([]) == "/dashboard"

    def test_learning_pages_need_sign_in(self) -> None:
        by_route = {p.route: p for p in all_pages()}
        for route in ("/dashboard", "/missions", "/missions/[mission_id]"):
            assert by_route[route].access.kind != "public", route


class TestApiRoutes:
    def test_there_are_api_routes(self) -> None:
        assert len(api_routes()) >= 8

    def test_every_route_declares_an_access_rule(self) -> None:
        missing = [describe(r) for r in api_routes() if not access_rules(r)]
        assert not missing, "API routes without a Require(...) dependency:\n" + "\n".join(missing)

    def test_every_rule_is_a_known_kind(self) -> None:
        bad = [
            f"{describe(r)}: {rule!r}"
            for r in api_routes()
            for rule in access_rules(r)
            if rule.access.kind not in KINDS
        ]
        assert not bad, "\n".join(bad)

    def test_a_route_does_not_declare_conflicting_rules(self) -> None:
        conflicting = [
            f"{describe(r)}: {sorted({rule.access.describe() for rule in access_rules(r)})}"
            for r in api_routes()
            if len({rule.access for rule in access_rules(r)}) > 1
        ]
        assert not conflicting, "routes with more than one access rule:\n" + "\n".join(conflicting)

    @pytest.mark.parametrize(
        ("method", "path", "kind"),
        [
            ("GET", "/health", "public"),
            ("GET", "/metrics", "roles"),
            ("POST", "/auth/login", "public"),
            ("GET", "/auth/me", "signed_in"),
            ("POST", "/auth/me/password", "signed_in"),
            ("GET", "/auth/me/sessions", "signed_in"),
            ("DELETE", "/auth/me/sessions/{session_id}", "signed_in"),
            ("GET", "/tracks", "public"),
            ("GET", "/missions", "signed_in"),
            ("GET", "/missions/{mission_id}", "signed_in"),
            ("GET", "/submissions/{submission_id}/hints", "roles"),
            ("GET", "/submissions/{submission_id}/snippets", "roles"),
            ("POST", "/submissions/{submission_id}/snippets", "roles"),
            ("DELETE", "/snippets/{snippet_id}", "roles"),
            ("GET", "/certificates/{code}", "public"),
            ("GET", "/certificates/{code}.pdf", "public"),
            ("GET", "/me/certificates", "signed_in"),
            ("POST", "/certificates/{certificate_id}/revoke", "signed_in"),
            ("GET", "/cohorts/{cohort_id}/completions", "signed_in"),
            ("POST", "/cohorts/{cohort_id}/close", "signed_in"),
            ("POST", "/cohorts/{cohort_id}/completions/check", "signed_in"),
            ("PUT", "/programs/{program_id}/missions/{mission_id}/required", "signed_in"),
            ("GET", "/mentees/{user_id}", "roles"),
            ("POST", "/users/{user_id}/unlock", "roles"),
            ("POST", "/users/{user_id}/deactivate", "roles"),
            ("POST", "/users/{user_id}/reactivate", "roles"),
            ("POST", "/exports", "signed_in"),
            ("GET", "/exports", "signed_in"),
            ("GET", "/exports/choices", "signed_in"),
            ("GET", "/exports/{export_id}", "signed_in"),
            ("GET", "/exports/{export_id}/download", "signed_in"),
            ("GET", "/director/programs/{program_id}/analytics", "signed_in"),
            ("GET", "/director/cohorts/{cohort_id}/at-risk", "signed_in"),
            ("POST", "/director/learners/{student_id}/nudge", "signed_in"),
            ("GET", "/coaching/habits", "roles"),
            ("POST", "/coaching/habits/{habit_id}/logs", "roles"),
            ("POST", "/coaching/goals", "roles"),
            ("GET", "/coaching/goals/closed", "roles"),
            ("GET", "/coaching/reflections", "roles"),
            ("POST", "/coaching/reflections", "roles"),
            ("GET", "/coaching/summary", "roles"),
            ("GET", "/student/coaching/overview", "roles"),
            ("GET", "/student/coaching/ai-coach", "roles"),
            ("GET", "/sponsor/cohorts", "roles"),
            ("GET", "/sponsor/cohorts/{cohort_id}", "roles"),
            ("GET", "/sponsor/report.csv", "roles"),
            ("GET", "/director/sponsor-organizations", "signed_in"),
            ("GET", "/director/cohorts/{cohort_id}/sponsorships", "signed_in"),
            ("POST", "/director/cohorts/{cohort_id}/sponsorships", "signed_in"),
            ("PUT", "/director/sponsorships/{sponsorship_id}", "signed_in"),
            ("DELETE", "/director/sponsorships/{sponsorship_id}", "signed_in"),
            ("GET", "/calendar/{token}.ics", "public"),
            ("GET", "/me/calendar-feed", "signed_in"),
            ("POST", "/me/calendar-feed", "signed_in"),
            ("DELETE", "/me/calendar-feed", "signed_in"),
            ("GET", "/me/schedule", "signed_in"),
            ("GET", "/missions/{mission_id}/due", "signed_in"),
            ("GET", "/cohorts/{cohort_id}/schedule", "signed_in"),
            ("GET", "/cohorts/{cohort_id}/overdue", "signed_in"),
            ("PUT", "/cohorts/{cohort_id}/schedule/{mission_id}", "signed_in"),
            ("DELETE", "/cohorts/{cohort_id}/schedule/{mission_id}", "signed_in"),
        ],
    )
    def test_known_routes_have_the_expected_rule(self, method: str, path: str, kind: str) -> None:
        [route] = [r for r in api_routes() if r.path == path and method in methods_of(r)]
        assert {rule.access.kind for rule in access_rules(route)} == {kind}

    def test_openapi_lists_exactly_the_registered_routes(self, api_client: TestClient) -> None:
        r = api_client.get(f"{PREFIX}/openapi.json")
        assert r.status_code == 200
        documented = {
            (method.upper(), path) for path, ops in r.json()["paths"].items() for method in ops
        }
        registered = {
            (method, PREFIX + route.path)
            for route in api_routes()
            if route.include_in_schema
            for method in methods_of(route)
            if method != "HEAD"
        }
        assert documented == registered

    def test_signed_in_routes_answer_401_without_a_token(self, api_client: TestClient) -> None:
        for route in api_routes():
            kinds = {rule.access.kind for rule in access_rules(route)}
            if "public" in kinds or "{" in route.path:
                continue
            for method in methods_of(route):
                r = api_client.request(method, PREFIX + route.path, json={})
                assert r.status_code == 401, f"{method} {route.path}: {r.status_code}"
                assert r.headers.get("www-authenticate") == "Bearer"
