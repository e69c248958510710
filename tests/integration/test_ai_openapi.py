"""/api/v1/openapi.json describes the AI domain's responses (issue 13, acceptance 3): every
operation of the notes, work-style, recommendations, search and embeddings routes names a real
response schema, with the fields the JSON carries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.ai, pytest.mark.integration]

# (method, path) -> (success status, the fields of one returned object; None: no body)
OPERATIONS: dict[tuple[str, str], tuple[str, set[str] | None]] = {
    ("get", "/me/notes"): ("200", {"id", "kind", "body", "created_at", "updated_at", "edited"}),
    ("post", "/me/notes"): ("201", {"id", "kind", "body", "created_at", "updated_at", "edited"}),
    ("patch", "/me/notes/{note_id}"): ("200", {"id", "kind", "body", "edited"}),
    ("delete", "/me/notes/{note_id}"): ("204", None),
    ("post", "/personality/analyze"): ("202", {"user_id", "dimensions", "status", "message"}),
    ("get", "/personality"): ("200", {"user_id", "dimensions", "computed_at", "pending"}),
    ("get", "/recommendations"): (
        "200",
        {"mission_id", "title", "score", "reason", "difficulty", "track"},
    ),
    ("get", "/recommendations/unlocks"): (
        "200",
        {"mission_id", "title", "reason", "difficulty", "track"},
    ),
    ("post", "/recommendations/refresh"): ("202", {"status", "user"}),
    ("post", "/recommendations/{mission_id}/not-interested"): ("200", {"mission_id", "status"}),
    ("delete", "/recommendations/{mission_id}/not-interested"): (
        "200",
        {"mission_id", "status"},
    ),
    ("get", "/search/missions"): (
        "200",
        {"id", "title", "summary", "track", "difficulty", "score", "matched"},
    ),
    ("post", "/embeddings"): ("200", {"model", "dimensions", "vectors"}),
}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The object schema behind `schema` (following $ref, and `items` of an array)."""
    if schema.get("type") == "array":
        schema = schema["items"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


@pytest.fixture
def openapi(api_client: TestClient) -> dict[str, Any]:
    r = api_client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_each_operation_documents_its_response(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    status, fields = OPERATIONS[(method, path)]
    responses = openapi["paths"]["/api/v1" + path][method]["responses"]
    assert status in responses, (method, path, list(responses))
    content = responses[status].get("content")
    if fields is None:
        assert not content, "a 204 has no body"
        return
    schema = _resolve(openapi, content["application/json"]["schema"])
    assert schema.get("properties"), f"{method.upper()} {path}: no response schema"
    assert fields <= set(schema["properties"]), (method, path, set(schema["properties"]))


def test_work_style_evidence_is_either_a_profiler_answer_or_a_reflection(
    openapi: dict[str, Any],
) -> None:
    schemas = openapi["components"]["schemas"]
    dimension = schemas["DimensionPublic"]["properties"]
    refs = {s["$ref"].rsplit("/", 1)[-1] for s in dimension["evidence"]["items"]["oneOf"]}
    assert refs == {"ProfilerEvidence", "ReflectionEvidence"}
    assert {"question", "answer"} <= set(schemas["ProfilerEvidence"]["properties"])
    assert {"excerpt", "note_id"} <= set(schemas["ReflectionEvidence"]["properties"])
