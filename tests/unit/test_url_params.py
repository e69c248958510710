"""Pages read their address (a dynamic route segment such as /legal/[kind], or a query parameter)
through Reflex's current router API, not the deprecated RouterData.page, which logged a
DeprecationWarning in the web log on every such page load."""

from __future__ import annotations

import ast
import pathlib
from types import SimpleNamespace
from typing import Any

import pytest
from reflex.istate import data as router_data_module
from reflex.istate.data import RouterData

from cyberhub.state.forms import url_id, url_param

ROOT = pathlib.Path(__file__).resolve().parents[2] / "cyberhub"


@pytest.fixture(autouse=True)
def _no_deprecated_router_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: Any) -> None:
        raise AssertionError(f"deprecated API used: {kwargs.get('feature_name')}")

    monkeypatch.setattr(router_data_module.console, "deprecate", refuse)


def _state(route: str, address: str, query: dict[str, str]) -> Any:
    """A state as an event sees it: the matched route, the browser's address and the query that
    the frontend sends (route segments and query string together)."""
    data = {
        "pathname": route,
        "asPath": address,
        "query": query,
        "headers": {"origin": "http://localhost:3000"},
    }
    return SimpleNamespace(router=RouterData.from_router_data(data))


def test_a_route_segment_and_a_query_parameter_are_read() -> None:
    state = _state("/legal/[kind]", "/legal/privacy?lang=en", {"kind": "privacy", "lang": "en"})
    assert url_param(state, "kind") == "privacy"
    assert url_param(state, "lang") == "en"
    assert url_param(state, "absent") == ""


def test_an_id_in_the_route_is_read_and_checked() -> None:
    assert (
        url_id(_state("/missions/[mission_id]", "/missions/42", {"mission_id": "42"}), "mission_id")
        == 42
    )
    assert (
        url_id(_state("/missions/[mission_id]", "/missions/4x", {"mission_id": "4x"}), "mission_id")
        is None
    )
    state = _state("/review/[submission_id]", "/review/7/?tab=files#top", {"submission_id": "7"})
    assert url_id(state, "submission_id") == 7


def test_a_segment_is_read_decoded() -> None:
    state = _state("/certificates/[code]", "/certificates/AB%2DCD", {"code": "AB-CD"})
    assert url_param(state, "code") == "AB-CD"


def test_no_page_reads_the_deprecated_router_page() -> None:
    users = [
        f"{path.relative_to(ROOT.parent)}:{node.lineno}"
        for path in ROOT.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr == "page"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "router"
    ]
    assert users == []
