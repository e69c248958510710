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
from cyberhub.routes import all_pages

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
            ("GET", "/metrics", "public"),
            ("POST", "/auth/login", "public"),
            ("GET", "/auth/me", "signed_in"),
            ("GET", "/tracks", "public"),
            ("GET", "/missions", "signed_in"),
            ("GET", "/missions/{mission_id}", "signed_in"),
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
