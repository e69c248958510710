"""What the profiler's pages show: the consent card says why a consent was not recorded, an
answer is sent with its question, and a failed load of the results says why (not "No results
yet", with the error hidden in the results' column)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cyberhub.pages.profiler_results import ProfilerResultsState, results_content
from cyberhub.pages.profiler_wizard import ProfilerWizardState, wizard_content

pytestmark = [pytest.mark.profiler]


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a rendered component tree (both branches of a cond)."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def _says(node: Any, contents: str) -> bool:
    return any(contents in str(n.get("contents", "")) for n in _nodes(node))


def _alerts(node: Any) -> list[str]:
    """The contents of each role=alert element (error_callout) of a rendered tree."""
    return [
        str(c["contents"])
        for n in _nodes(node)
        if 'role:"alert"' in n.get("props", [])
        for c in _nodes(n)
        if "contents" in c
    ]


def _consent_card_of(page: Any) -> Any:
    """The consent card of the wizard's page (the element offering "Give consent and start")."""
    cards = [
        n
        for n in _nodes(page)
        if _says(n, "Give consent and start") and n.get("name") == "RadixThemesCard"
    ]
    assert cards, "no consent card"
    return cards[-1]


def test_the_consent_card_says_why_the_consent_was_not_recorded() -> None:
    assert str(ProfilerWizardState.error) in _alerts(_consent_card_of(wizard_content().render()))


def test_an_answer_is_sent_with_the_question_it_answers() -> None:
    [change] = [
        p
        for n in _nodes(wizard_content().render())
        for p in n.get("props", [])
        if "onValueChange" in p
    ]
    assert "choose" in change and '["question_id"]' in change and '["option_id"]' in change


def test_a_failed_load_of_the_results_says_why_and_not_that_there_are_none() -> None:
    error = str(ProfilerResultsState.error)
    # The cond that shows "No results yet" only while there is no error, and the error else.
    on_error = [
        n
        for n in _nodes(results_content().render())
        if "cond_state" in n
        and error in str(n["cond_state"])
        and _says(n["false_value"], "No results yet")
    ]
    assert on_error, "'No results yet' is shown whatever the error"
    assert error in _alerts(on_error[0]["true_value"])
