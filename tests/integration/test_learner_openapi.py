"""The learner's API operations describe their answers in /api/v1/openapi.json (issue 13,
acceptance 3), and the typed answers keep the JSON they always had (timestamps included)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import GOOD_ANSWER, build_world, login

pytestmark = [pytest.mark.missions, pytest.mark.student, pytest.mark.integration]

API = "/api/v1"

# (method, path, status): every operation of api/learning.py (the learner's part),
# api/catalog.py, api/profiling.py and api/applications.py answering JSON.
JSON_OPERATIONS = [
    ("post", "/missions/{mission_id}/submit", "201"),
    ("put", "/missions/{mission_id}/draft", "200"),
    ("post", "/missions/{mission_id}/draft/file", "200"),
    ("delete", "/missions/{mission_id}/draft/file", "200"),
    ("get", "/missions/{mission_id}/work", "200"),
    ("get", "/missions/{mission_id}/history", "200"),
    ("get", "/missions/{mission_id}/hints", "200"),
    ("post", "/missions/{mission_id}/hints/reveal", "200"),
    ("get", "/submissions/{submission_id}", "200"),
    ("get", "/progress", "200"),
    ("get", "/student/dashboard", "200"),
    ("get", "/tracks", "200"),
    ("get", "/missions", "200"),
    ("get", "/missions/{mission_id}", "200"),
    ("post", "/profiling/session/start", "200"),
    ("get", "/profiling/session/{session_id}/progress", "200"),
    ("get", "/profiling/questions", "200"),
    ("post", "/profiling/session/{session_id}/respond", "200"),
    ("post", "/profiling/session/{session_id}/complete", "200"),
    ("get", "/profiling/session/{session_id}/results", "200"),
    ("get", "/profiling/session/{session_id}/answers", "200"),
    ("get", "/profiling/history", "200"),
    ("get", "/profiling/tracks", "200"),
    ("get", "/enrolment/cohorts", "200"),
    ("get", "/me/applications", "200"),
    ("post", "/cohorts/{cohort_id}/applications", "201"),
    ("post", "/cohorts/{cohort_id}/applications/withdraw", "200"),
    ("get", "/cohorts/{cohort_id}/applications", "200"),
    ("post", "/cohorts/{cohort_id}/applications/{application_id}/approve", "200"),
    ("post", "/cohorts/{cohort_id}/applications/{application_id}/reject", "200"),
    ("get", "/cohorts/{cohort_id}/enrolment", "200"),
    ("put", "/cohorts/{cohort_id}/enrolment", "200"),
]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from cyberhub.api import create_api

    with TestClient(create_api()) as client:
        r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize(("method", "path", "status"), JSON_OPERATIONS)
def test_each_json_answer_has_a_schema(
    openapi: dict[str, Any], method: str, path: str, status: str
) -> None:
    answer = openapi["paths"][API + path][method]["responses"][status]
    schema = resolve(openapi, answer["content"]["application/json"]["schema"])
    assert schema.get("type") in ("object", "array") or "anyOf" in schema, (path, schema)
    if schema.get("type") == "array":
        assert resolve(openapi, schema["items"]), path
    else:
        assert (
            schema.get("properties") or schema.get("anyOf") or schema.get("additionalProperties")
        ), (path, schema)


def test_the_file_download_and_the_deletion_say_what_they_answer(openapi: dict[str, Any]) -> None:
    download = openapi["paths"][f"{API}/submissions/{{submission_id}}/file"]["get"]["responses"][
        "200"
    ]
    assert download["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    deleted = openapi["paths"][f"{API}/profiling/session/{{session_id}}"]["delete"]["responses"]
    assert "204" in deleted and "content" not in deleted["204"]


def test_a_submission_keeps_its_json(session: Session) -> None:
    """Typed answers, same text: ISO timestamps with "+00:00", nested objects, nulls."""
    from cyberhub.api import create_api

    world = build_world(session)
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        token = login(client, world.student.email)["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        made = client.post(
            f"{API}/missions/{world.m1.id}/submit",
            json={"answer": GOOD_ANSWER, "links": ["https://github.com/a/b"]},
        )
        assert made.status_code == 201, made.text
        assert set(made.json()) == {
            "id",
            "mission_id",
            "status",
            "attempt",
            "claimed_by",
            "claim_expires_at",
            "file",
        }
        sub = client.get(f"{API}/submissions/{made.json()['id']}").json()
    assert list(sub) == [
        "id",
        "mission",
        "student",
        "attempt",
        "status",
        "answer",
        "links",
        "file",
        "created_at",
        "submitted_at",
        "claimed_by",
        "claim_expires_at",
        "decided_at",
        "review",
        "timeline",
    ]
    assert sub["created_at"].endswith("+00:00") and sub["submitted_at"].endswith("+00:00")
    assert sub["mission"] == {"id": world.m1.id, "title": world.m1.title}
    assert (sub["file"], sub["review"], sub["decided_at"]) == (None, None, None)
    assert sub["timeline"][0]["kind"] == "submitted"
    assert sub["timeline"][0]["at"].endswith("+00:00")
