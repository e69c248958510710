"""Every identity route shows what it answers in /api/v1/openapi.json (a schema, not `{}`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.auth, pytest.mark.integration]

# (method, path) of the identity routers: auth, browser, consents, memberships, mfa, passwordless.
OPERATIONS = [
    ("post", "/api/v1/auth/signup"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/token/refresh"),
    ("get", "/api/v1/auth/me"),
    ("put", "/api/v1/auth/me/time-zone"),
    ("post", "/api/v1/auth/me/password"),
    ("get", "/api/v1/auth/me/sessions"),
    ("delete", "/api/v1/auth/me/sessions/{session_id}"),
    ("get", "/api/v1/auth/consents"),
    ("post", "/api/v1/auth/consents"),
    ("get", "/api/v1/auth/consents/documents"),
    ("post", "/api/v1/organizations/{org_id}/invitations"),
    ("get", "/api/v1/organizations/{org_id}/invitations"),
    ("delete", "/api/v1/organizations/{org_id}/invitations/{inv_id}"),
    ("post", "/api/v1/invitations/{token}/accept"),
    ("post", "/api/v1/invitations/{token}/decline"),
    ("get", "/api/v1/me/invitations"),
    ("post", "/api/v1/organizations/{org_id}/leave"),
    ("get", "/api/v1/auth/mfa"),
    ("post", "/api/v1/auth/mfa/enroll"),
    ("post", "/api/v1/auth/mfa/verify"),
    ("post", "/api/v1/auth/mfa/disable"),
    ("post", "/api/v1/auth/mfa/recovery-codes"),
    ("post", "/api/v1/auth/magic-link"),
    ("post", "/api/v1/auth/magic-link/verify"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
]
NO_CONTENT = [("post", "/api/v1/auth/logout"), ("post", "/api/v1/auth/logout-everywhere")]
REDIRECTS = [("get", "/api/v1/auth/browser/complete"), ("get", "/api/v1/auth/browser/signout")]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    from cyberhub.api import create_api

    with TestClient(create_api()) as client:
        r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    paths = spec["paths"]
    key = path if path in paths else path.removeprefix("/api/v1")
    assert key in paths, f"{path} is not in the OpenAPI document"
    return paths[key][method]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_json_answers_declare_a_schema(spec: dict[str, Any], method: str, path: str) -> None:
    op = _operation(spec, method, path)
    ok = next(c for c in ("200", "201", "202") if c in op["responses"])
    schema = op["responses"][ok]["content"]["application/json"]["schema"]
    assert schema and schema != {}, f"{method.upper()} {path}: empty response schema"


@pytest.mark.parametrize(("method", "path"), NO_CONTENT)
def test_no_content_answers_are_204_without_a_body(
    spec: dict[str, Any], method: str, path: str
) -> None:
    op = _operation(spec, method, path)
    assert "204" in op["responses"] and "content" not in op["responses"]["204"]


@pytest.mark.parametrize(("method", "path"), REDIRECTS)
def test_redirects_are_described(spec: dict[str, Any], method: str, path: str) -> None:
    op = _operation(spec, method, path)
    assert op["responses"]["303"]["description"]
