"""What /coaching tells a learner about who reads a reflection they share."""

from __future__ import annotations

from typing import Any

import pytest

from cyberhub.pages.coaching.reflections_view import reflections_section

pytestmark = [pytest.mark.coaching]


def _texts(node: Any) -> list[str]:
    """The text contents of a rendered component tree."""
    if isinstance(node, dict):
        own = [str(node["contents"])] if "contents" in node else []
        return own + [t for child in node.get("children", []) for t in _texts(child)]
    return []


def test_the_form_says_who_reads_a_shared_reflection() -> None:
    """A shared reflection is read on the mentee page by the learner's mentor and by the
    directors of their programme (services/coaching/reflections.shared_reflections); the form
    said "shared ones your mentor can read", so a learner sharing something personal did not
    know their programme's directors read it too."""
    form = " ".join(_texts(reflections_section().render()))
    assert "your mentor can read." not in form
    assert "shared ones your mentor and your programme's directors can read" in form
