"""Issue 13, acceptances 2 and 3: the boundaries are typed.

- No service function's return annotation contains `dict[str, Any]`: services return typed
  models (cyberhub/schemas/, dataclasses); the exceptions are listed here, each with its reason.
- `/api/v1/openapi.json` documents a response schema for every operation (a JSON answer names
  its model; a file, a redirect or "204 No Content" says so).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from cyberhub.api import create_api

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "cyberhub" / "services"

# "module:function" -> why it still returns a dict. Keep this list short and honest.
DICT_RETURNS_ALLOWED: dict[str, str] = {
    "cyberhub.services.ai.profiler_scoring:to_dict": (
        "the profiler result as stored in profiler_results.details (JSONB, versioned with the "
        "question bank); its shape is declared as schemas/profiler.ProfilerResultData"
    ),
    "cyberhub.services.ai.profiler_scoring:build_persona": (
        "the persona stored as JSON beside the result (free-form text blocks per track)"
    ),
    "cyberhub.services.learning.authoring:clean_rubric": (
        "rubric criteria exactly as stored in missions.rubric (JSONB); MissionPublic types them"
    ),
    "cyberhub.services.learning.authoring:_validated": (
        "private: the validated column values to set on a Mission row, with its prerequisites"
    ),
}


def _dict_returning_functions() -> list[str]:
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.returns is None:
                continue
            annotation = ast.unparse(node.returns).replace(" ", "")
            if "dict[str,Any]" in annotation or "Dict[str,Any]" in annotation:
                found.append(f"{module}:{node.name}")
    return found


def test_no_service_returns_an_untyped_dict() -> None:
    found = _dict_returning_functions()
    unexpected = [name for name in found if name not in DICT_RETURNS_ALLOWED]
    assert unexpected == [], "return a typed model (cyberhub/schemas/) instead:\n" + "\n".join(
        unexpected
    )
    stale = sorted(set(DICT_RETURNS_ALLOWED) - set(found))
    assert stale == [], f"typed now: remove from DICT_RETURNS_ALLOWED: {stale}"


def _documents_a_response(operation: dict[str, Any]) -> bool:
    for code, response in operation.get("responses", {}).items():
        if code == "204" or code.startswith("3"):
            return True  # no body by definition (a redirect names its target in a header)
        if not code.startswith("2"):
            continue
        for body in response.get("content", {}).values():
            if body.get("schema"):  # `{}` is what FastAPI writes for an untyped dict
                return True
    return False


def test_every_api_operation_documents_its_response_schema() -> None:
    document = create_api().openapi()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not _documents_a_response(operation)
    ]
    assert undocumented == [], "declare response_model (or responses=) on:\n" + "\n".join(
        undocumented
    )


def test_the_check_sees_an_untyped_answer() -> None:
    assert not _documents_a_response(
        {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}
    )
    assert _documents_a_response(
        {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/x"}}}}}}
    )
    assert _documents_a_response({"responses": {"204": {"description": "No Content"}}})
