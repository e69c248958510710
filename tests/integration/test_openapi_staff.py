"""Issue 13, acceptance 3 for the staff routes (mentor review and the director's API): the
published OpenAPI document describes what each operation answers, not `{}`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cyberhub.api import PREFIX, analytics, director, reviews

pytestmark = [pytest.mark.integration]

ROUTERS = {
    "reviews": reviews.router,
    "director": director.router,
    "analytics": analytics.router,
}


def operations() -> list[tuple[str, str]]:
    return [
        (f"{PREFIX}{route.path}", method.lower())
        for router in ROUTERS.values()
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]


def described(response: dict[str, Any]) -> bool:
    """A 2xx answer is described: a JSON body with a schema that says something, another media
    type with a description, or no body (204)."""
    content = response.get("content") or {}
    if not content:
        return bool(response.get("description"))
    schema = (content.get("application/json") or {}).get("schema")
    if schema is not None:
        return schema != {}
    return all(bool(media) or response.get("description") for media in content.values())


def test_the_moved_mentor_routes_are_still_served_at_their_paths(api_client: TestClient) -> None:
    paths = api_client.get(f"{PREFIX}/openapi.json").json()["paths"]
    for path, method in [
        ("/submissions/{submission_id}/claim", "post"),
        ("/submissions/{submission_id}/release", "post"),
        ("/submissions/{submission_id}/review", "post"),
        ("/mentor/dashboard", "get"),
        ("/mentor/queue", "get"),
        ("/mentor/workload", "get"),
        ("/progress/cohorts/{cohort_id}", "get"),
    ]:
        assert method in paths[f"{PREFIX}{path}"], path


def test_every_staff_operation_documents_its_response(api_client: TestClient) -> None:
    doc = api_client.get(f"{PREFIX}/openapi.json")
    assert doc.status_code == 200
    paths = doc.json()["paths"]
    missing = []
    for path, method in operations():
        responses = paths[path][method]["responses"]
        ok = {code: r for code, r in responses.items() if code.startswith("2")}
        if not ok or not all(described(r) for r in ok.values()):
            missing.append(f"{method.upper()} {path}")
    assert missing == [], f"declare response_model= (or response_class=) on: {missing}"


def test_a_mentor_dashboard_schema_names_its_parts(api_client: TestClient) -> None:
    doc = api_client.get(f"{PREFIX}/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert set(schemas["MentorDashboard"]["properties"]) == {
        "mentees",
        "mentees_total",
        "queue",
        "pending_preview",
        "workload",
    }
