"""The OpenAPI document describes what the admin, jobs, health and notification routes answer:
every success response names a schema (a client generator gets real types, not `{}`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.services.messaging import notifications
from tests.integration.conftest import ClientFor

# The operations of api/admin.py, api/admin_jobs.py, api/health.py and api/notifications.py.
OPERATIONS = [
    ("get", "/api/v1/roles"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{user_id}"),
    ("get", "/api/v1/users/{user_id}/roles"),
    ("post", "/api/v1/users/{user_id}/roles"),
    ("delete", "/api/v1/users/{user_id}/roles"),
    ("post", "/api/v1/users/{user_id}/roles/revoke"),
    ("post", "/api/v1/users/{user_id}/unlock"),
    ("post", "/api/v1/users/{user_id}/deactivate"),
    ("post", "/api/v1/users/{user_id}/reactivate"),
    ("get", "/api/v1/organizations"),
    ("post", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{org_id}"),
    ("get", "/api/v1/organizations/{org_id}/members"),
    ("post", "/api/v1/organizations/{org_id}/members"),
    ("delete", "/api/v1/organizations/{org_id}/members/{user_id}"),
    ("get", "/api/v1/audit-logs"),
    ("get", "/api/v1/audit-logs/actions"),
    ("get", "/api/v1/audit-logs/stats"),
    ("get", "/api/v1/api-keys"),
    ("get", "/api/v1/api-keys/scopes"),
    ("post", "/api/v1/api-keys"),
    ("delete", "/api/v1/api-keys/{key_id}"),
    ("get", "/api/v1/admin/jobs"),
    ("get", "/api/v1/admin/jobs/queues"),
    ("get", "/api/v1/admin/jobs/last-runs"),
    ("get", "/api/v1/admin/jobs/failures"),
    ("post", "/api/v1/admin/jobs/failures/{failure_id}/retry"),
    ("delete", "/api/v1/admin/jobs/failures/{failure_id}"),
    ("post", "/api/v1/admin/jobs/rebuild"),
    ("get", "/api/v1/admin/jobs/rebuild"),
    ("get", "/api/v1/admin/jobs/rebuild/{run_id}"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/read"),
]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from cyberhub.api import create_api

    with TestClient(create_api()) as client:
        r = client.get("/api/v1/openapi.json")
        assert r.status_code == 200
        return dict(r.json())


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    name = ref.rsplit("/", 1)[-1]
    return dict(doc["components"]["schemas"][name])


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_success_response_has_a_schema(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    operation = openapi["paths"][path][method]
    [(status, response)] = [(s, r) for s, r in operation["responses"].items() if s.startswith("2")]
    schema = response["content"]["application/json"]["schema"]
    assert schema, f"{method.upper()} {path} ({status}) documents no response schema"
    resolved = _resolve(openapi, schema)
    # An object with its fields, an array of a described item, or a union of such.
    assert (
        resolved.get("properties")
        or resolved.get("items")
        or resolved.get("anyOf")
        or resolved.get("type") == "array"
    ), f"{method.upper()} {path}: {resolved}"


def test_metrics_is_documented_as_text(openapi: dict[str, Any]) -> None:
    ok = openapi["paths"]["/api/v1/metrics"]["get"]["responses"]["200"]
    assert any(media.startswith("text/plain") for media in ok["content"])


def test_times_are_documented_as_date_times(openapi: dict[str, Any]) -> None:
    failure = openapi["components"]["schemas"]["JobFailurePublic"]["properties"]["failed_at"]
    assert {"type": "string", "format": "date-time"} in failure["anyOf"]


def test_times_keep_their_iso_text(
    session: Session, student_user: User, client_for: ClientFor
) -> None:
    """The JSON carries `isoformat()` text ("+00:00"), as before the models: clients compare it."""
    note = notifications.notify(
        session, student_user.id or 0, kind="review_done", title="Reviewed", send_mail=False
    )
    session.commit()
    [item] = client_for(student_user).get("/api/v1/notifications").json()["items"]
    assert item["created_at"] == note.created_at.isoformat()
    assert item["created_at"].endswith("+00:00")
