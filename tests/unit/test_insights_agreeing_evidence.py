"""/insights' confidence line agrees with its count: "1 of 2 pieces of evidence points this
way" (it said "point" whatever the count)."""

from __future__ import annotations

import pytest

from cyberhub.pages.insights.state import analysis_view
from cyberhub.schemas.ai import DimensionPublic, WorkStylePublic


def _confidence(agreeing: int, items: int) -> str:
    dim = DimensionPublic(
        key="hands",
        name="Theory-first or hands-on",
        low="theory-first",
        high="hands-on",
        score=72,
        label="Leans hands-on",
        description="How you learn.",
        evidence=[],
        confidence="low",
        evidence_items=items,
        agreeing_items=agreeing,
    )
    work_style = WorkStylePublic(user_id=1, version="v1", status="ready", dimensions=[dim])
    return analysis_view(work_style, "UTC").dims[0].confidence


@pytest.mark.parametrize(
    ("agreeing", "items", "said"),
    [
        (1, 2, "Low confidence · 1 of 2 pieces of evidence points this way"),
        (1, 1, "Low confidence · 1 of 1 piece of evidence points this way"),
        (2, 3, "Low confidence · 2 of 3 pieces of evidence point this way"),
    ],
)
def test_the_confidence_line_agrees_with_how_many_point_this_way(
    agreeing: int, items: int, said: str
) -> None:
    assert _confidence(agreeing, items) == said
