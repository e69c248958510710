"""The /insights page's state: the learner's notes and their work-style analysis, as view rows
with their dates already written for the reader (in their time zone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.ai import DimensionPublic, ProfilerEvidence, WorkStylePublic
from cyberhub.schemas.notes import NotePublic
from cyberhub.services.ai import personality
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import learner_notes
from cyberhub.state.service import ServiceState

ROUTE = "/insights"
KIND_LABELS = {"goal": "Goal", "reflection": "Reflection"}
# What the page keeps of a typed body before the service checks it (and names its length).
BODY_KEPT = learner_notes.BODY_MAX * 2


# -- view rows -----------------------------------------------------------------------------------


@dataclass
class NoteView:
    id: int
    kind: str
    kind_label: str
    body: str
    when: str  # "3 Dec 2026, 17:05 EAT · edited"


@dataclass
class EvidenceView:
    title: str  # "Career profiler: <question>" or "From your reflection"
    text: str
    towards: str  # "towards hands-on"


@dataclass
class DimensionView:
    name: str
    high: str
    low: str
    score: int
    label: str
    description: str
    evidence: list[EvidenceView] = field(default_factory=list)
    count: int = 0


@dataclass
class AnalysisView:
    status: str
    message: str
    dims: list[DimensionView]
    basis: str  # "Based on 12 profiler answers and 2 reflections · analysed <when>"


def note_view(n: NotePublic, tz: str) -> NoteView:
    edited = " · edited" if n.edited else ""
    return NoteView(
        n.id, n.kind, KIND_LABELS.get(n.kind, n.kind), n.body, when(n.created_at, tz) + edited
    )


def _dimension_view(d: DimensionPublic) -> DimensionView:
    evidence = [
        EvidenceView("Career profiler: " + e.question, e.answer, "towards " + e.towards)
        if isinstance(e, ProfilerEvidence)
        else EvidenceView("From your reflection", e.excerpt, "towards " + e.towards)
        for e in d.evidence
    ]
    return DimensionView(
        d.name, d.high, d.low, d.score, d.label, d.description, evidence, len(evidence)
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


def _read(session: Session, principal: Principal | None) -> tuple[list[NoteView], AnalysisView]:
    notes = learner_notes.list_notes(session, principal)
    analysis = personality.overview(session, principal)
    if analysis.status == "none":
        # Something to analyse and no analysis yet (e.g. the profiler was taken before this
        # feature existed): ask the worker for one instead of making the learner click.
        analysis = personality.request_analysis(session, principal)
    tz = _tz(principal)
    return [note_view(n, tz) for n in notes], analysis_view(analysis, tz)


def _analyse(session: Session, principal: Principal | None) -> AnalysisView:
    return analysis_view(personality.request_analysis(session, principal), _tz(principal))


# -- state ---------------------------------------------------------------------------------------


class InsightsState(ServiceState, rx.State):
    loading: bool = True
    error: str = ""
    notice: str = ""
    notes: list[NoteView] = []
    # add
    new_kind: str = "reflection"
    new_body: str = ""
    add_error: str = ""
    saving: bool = False
    # edit in place
    editing_id: int = 0
    edit_kind: str = "reflection"
    edit_body: str = ""
    edit_error: str = ""
    # delete
    delete_open: bool = False
    delete_id: int = 0
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
        """Reload the notes and the analysis; the refusal's message, or ""."""
        read = await self._try(_read)
        if read:
            self.notes, analysis = read.value
            self._apply_analysis(analysis)
        return read.error

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice = True, "", ""
        self.add_error = self.edit_error = self.analyse_error = ""
        self.editing_id, self.delete_open = 0, False
        self.error = await self._fetch()
        self.loading = False

    @rx.event
    async def refresh(self) -> None:
        self.notice = ""
        self.analyse_error = await self._fetch()

    # add --------------------------------------------------------------------------------------
    @rx.event
    def set_new_kind(self, value: str) -> None:
        self.new_kind = value if value in KIND_LABELS else "reflection"

    @rx.event
    async def add(self, form: dict[str, Any]) -> Any:
        self.new_body = str(form.get("body", ""))[:BODY_KEPT]
        self.notice, self.saving = "", True
        yield
        added = await self._try(learner_notes.add_note, kind=self.new_kind, body=self.new_body)
        error = added.error or await self._fetch()
        self.add_error, self.saving = error, False
        if error:
            return
        self.new_body = ""
        self.notice = f"{KIND_LABELS.get(self.new_kind, 'Note')} saved."
        yield rx.set_value("note-body", "")

    # edit -------------------------------------------------------------------------------------
    @rx.event
    def start_edit(self, note_id: int) -> None:
        note = next((n for n in self.notes if n.id == int(note_id)), None)
        if note is None:
            return
        self.editing_id, self.edit_kind, self.edit_body = note.id, note.kind, note.body
        self.edit_error, self.notice = "", ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing_id, self.edit_error = 0, ""

    @rx.event
    def set_edit_kind(self, value: str) -> None:
        self.edit_kind = value if value in KIND_LABELS else "reflection"

    @rx.event
    async def save_edit(self, form: dict[str, Any]) -> None:
        self.edit_body = str(form.get("body", ""))[:BODY_KEPT]
        saved = await self._try(
            learner_notes.update_note, self.editing_id, kind=self.edit_kind, body=self.edit_body
        )
        self.edit_error = saved.error or await self._fetch()
        if not self.edit_error:
            self.editing_id, self.notice = 0, "Changes saved."

    # delete -----------------------------------------------------------------------------------
    @rx.event
    def ask_delete(self, note_id: int) -> None:
        self.delete_id, self.delete_open = int(note_id), True

    @rx.event
    def set_delete_open(self, value: bool) -> None:
        self.delete_open = value

    @rx.event
    async def delete(self) -> None:
        self.delete_open, self.notice = False, ""
        if not await self._call(learner_notes.delete_note, self.delete_id):
            return
        if error := await self._fetch():
            self.error = error
            return
        if self.editing_id == self.delete_id:
            self.editing_id = 0
        self.notice = "Deleted."

    # analysis ---------------------------------------------------------------------------------
    @rx.event
    async def analyse(self) -> Any:
        self.analyse_error, self.notice, self.queuing = "", "", True
        yield
        queued = await self._try(_analyse)
        if queued:
            self._apply_analysis(queued.value)
        self.analyse_error, self.queuing = queued.error, False
