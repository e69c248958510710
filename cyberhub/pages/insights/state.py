"""The /insights page's state: the learner's work-style analysis, as view rows with their dates
already written for the reader (in their time zone). Goals and reflections are kept on
/coaching (services/coaching/) since issue 16; this page links there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.ai import DimensionPublic, ProfilerEvidence, WorkStylePublic
from cyberhub.services.ai import personality
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import ServiceState

ROUTE = "/insights"
COACHING = "/coaching"  # where goals and reflections are written


# -- view rows -----------------------------------------------------------------------------------


@dataclass
class EvidenceView:
    title: str  # "Career profiler: <question>" or "From your reflection"
    text: str
    towards: str  # "towards hands-on"


@dataclass
class DimensionView:
    name: str  # "Systems-focused or people-focused": the scale's left end first
    left: str  # the low pole, at the scale's left end (0)
    right: str  # the high pole, at its right end (100)
    score: int
    label: str  # "Leans people-focused", "Balanced", "Not enough evidence yet"
    description: str
    known: bool  # False while there is not enough evidence: the scale shows no marker
    position: str  # the marker's CSS left, "calc(68% - 7px)"
    confidence: str  # "Low confidence · 3 of 4 pieces of evidence point this way"
    scale_label: str  # the scale's accessible name
    evidence: list[EvidenceView] = field(default_factory=list)
    count: int = 0


@dataclass
class AnalysisView:
    status: str
    message: str
    dims: list[DimensionView]
    basis: str  # "Based on 12 profiler answers and 2 reflections · analysed <when>"


def _pieces(n: int) -> str:
    return f"{n} piece{'s' if n != 1 else ''} of evidence"


def _confidence(d: DimensionPublic) -> str:
    """How far to trust the label, in words: the amount and the agreement of the evidence."""
    if d.label == personality.NOT_ENOUGH:
        return f"Only {_pieces(d.evidence_items)} so far" if d.evidence_items else ""
    if d.label == personality.BALANCED:
        return f"{_pieces(d.evidence_items).capitalize()}, pulling both ways"
    point = "points" if d.agreeing_items == 1 else "point"  # "1 of 2 pieces … points"
    return (
        f"{d.confidence.capitalize()} confidence · {d.agreeing_items} of "
        f"{_pieces(d.evidence_items)} {point} this way"
    )


def _dimension_view(d: DimensionPublic) -> DimensionView:
    evidence = [
        EvidenceView("Career profiler: " + e.question, e.answer, "towards " + e.towards)
        if isinstance(e, ProfilerEvidence)
        else EvidenceView("From your reflection", e.excerpt, "towards " + e.towards)
        for e in d.evidence
    ]
    known = d.label != personality.NOT_ENOUGH
    confidence = _confidence(d)
    reading = d.label + (f" ({confidence.lower()})" if known else "")
    return DimensionView(
        **d.model_dump(include={"name", "score", "label", "description"}),
        left=d.low,
        right=d.high,
        known=known,
        position=f"calc({max(0, min(100, d.score))}% - 7px)",
        confidence=confidence,
        scale_label=f"Scale from {d.low} (left) to {d.high} (right): {reading}",
        evidence=evidence,
        count=len(evidence),
    )


def analysis_view(a: WorkStylePublic, tz: str) -> AnalysisView:
    dims = [_dimension_view(d) for d in a.dimensions]
    parts = []
    if a.based_on.answers:
        parts.append(f"{a.based_on.answers} profiler answers")
    if n := a.based_on.reflections:
        parts.append(f"{n} reflection{'s' if n != 1 else ''}")
    basis = ""
    if dims:
        basis = "Based on " + (" and ".join(parts) or "your answers")
        basis += f" · analysed {when(a.computed_at, tz)}"
    return AnalysisView(a.status, a.message, dims, basis)


# -- service calls (one transaction each, in a worker thread) -------------------------------------


def _tz(principal: Principal | None) -> str:
    return principal.time_zone if principal else "UTC"


def _read(session: Session, principal: Principal | None) -> AnalysisView:
    analysis = personality.overview(session, principal)
    if analysis.status == "none":
        # Something to analyse and no analysis yet (e.g. the profiler was taken before this
        # feature existed): ask the worker for one instead of making the learner click.
        analysis = personality.request_analysis(session, principal)
    return analysis_view(analysis, _tz(principal))


def _analyse(session: Session, principal: Principal | None) -> AnalysisView:
    return analysis_view(personality.request_analysis(session, principal), _tz(principal))


# -- state ---------------------------------------------------------------------------------------


class InsightsState(ServiceState, rx.State):
    loading: bool = True
    error: str = ""
    notice: str = ""
    # analysis
    status: str = ""
    message: str = ""
    dims: list[DimensionView] = []
    basis: str = ""
    analyse_error: str = ""
    queuing: bool = False

    def _apply_analysis(self, a: AnalysisView) -> None:
        self.status, self.message, self.dims, self.basis = a.status, a.message, a.dims, a.basis

    async def _fetch(self) -> str:
        """Reload the analysis; the refusal's message, or ""."""
        read = await self._try(_read)
        if read:
            self._apply_analysis(read.value)
        return read.error

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice = True, "", ""
        self.analyse_error = ""
        self.error = await self._fetch()
        self.loading = False

    @rx.event
    async def refresh(self) -> None:
        self.notice = ""
        self.analyse_error = await self._fetch()

    @rx.event
    async def analysis_written(self) -> None:
        """The worker wrote the analysis (live update): show it, keeping the page's notice."""
        if not self.loading:
            self.analyse_error = await self._fetch()

    # analysis ---------------------------------------------------------------------------------
    @rx.event
    async def analyse(self) -> Any:
        self.analyse_error, self.notice, self.queuing = "", "", True
        yield
        queued = await self._try(_analyse)
        if queued:
            self._apply_analysis(queued.value)
        self.analyse_error, self.queuing = queued.error, False
