"""The /insights page's rows: each dimension's words and scale come from the analysis as shown."""

from __future__ import annotations

from cyberhub.pages.insights.state import analysis_view
from cyberhub.schemas.ai import DimensionPublic, ProfilerEvidence, WorkStylePublic


def test_a_dimension_shows_its_name_poles_score_label_and_evidence() -> None:
    evidence = ProfilerEvidence(towards="hands-on", strength=0.8, question="Q1?", answer="Try it")
    dim = DimensionPublic(
        key="hands",
        name="Theory-first or hands-on",
        low="theory-first",
        high="hands-on",
        score=72,
        label="Leans hands-on",
        description="How you learn.",
        evidence=[evidence],
        confidence="low",
        evidence_items=1,
        agreeing_items=1,
    )
    work_style = WorkStylePublic(user_id=1, version="v1", status="ready", dimensions=[dim])

    view = analysis_view(work_style, "UTC").dims[0]

    assert (view.name, view.left, view.right) == (dim.name, "theory-first", "hands-on")
    assert (view.score, view.label, view.description) == (72, "Leans hands-on", "How you learn.")
    assert view.known and view.position == "calc(72% - 7px)"
    assert view.count == 1 and view.evidence[0].text == "Try it"
    assert view.scale_label.startswith("Scale from theory-first (left) to hands-on (right)")
