"""DirectorMissionsState: the list, its status filter, the editor and the confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from cyberhub.formatting import when
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.pages.director_missions.data import (
    ACTIONS,
    ALL,
    DIFFICULTIES,
    EMPTY_FORM,
    LISTED,
    ROUTE,
    ListQuery,
    _changes,
    _field_error,
    _field_errors,
    _load,
    _prereq_options,
    _save,
    _transition,
)
from cyberhub.pages.director_program_missions import ProgramMissionsState
from cyberhub.schemas.director import MissionPublic
from cyberhub.services import text as free_text
from cyberhub.services.errors import DomainError
from cyberhub.services.learning import authoring
from cyberhub.state import url_query
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import parse_id
from cyberhub.state.paging import filter_setter
from cyberhub.state.service import ServiceState


class DirectorMissionsState(ServiceState, url_query.AddressedList, rx.State):
    items: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    programs: list[dict[str, Any]] = []
    # the list's search, filters and page: all in the URL (load reads them back)
    status_filter: str = ALL
    track_filter: str = ALL
    difficulty_filter: str = ALL
    total: int = 0
    first: int = 0
    last: int = 0
    track_choices: list[dict[str, str]] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    # the editor
    editor_open: bool = False
    editing_id: int = 0
    editing_status: str = ""
    # False for a library mission a director opened: shown read-only (authoring.may_edit)
    editing_editable: bool = True
    form: dict[str, str] = dict(EMPTY_FORM)
    brief: str = ""  # apart from `form`: typing it touches nothing else (no computed var)
    rubric: list[dict[str, str]] = []
    hints: list[str] = []
    prereq_choices: list[dict[str, Any]] = []
    prereqs: list[int] = []
    nice: list[str] = []
    editor_error: str = ""
    editor_shown: int = 0  # counts the missions opened (the page scrolls to the form)
    field_errors: dict[str, str] = {}  # the form's own checks, by field (data.CHECKED_FIELDS)
    saving: bool = False
    # confirmation of publish / unpublish / archive
    confirm_open: bool = False
    confirm_action: str = ""
    confirm_id: int = 0
    confirm_title: str = ""

    @rx.var
    def track_options(self) -> list[dict[str, str]]:
        for p in self.programs:
            if p["id"] == self.form.get("program"):
                return [{"id": t["key"], "name": t["name"]} for t in p["tracks"]]
        return []

    @rx.var
    def nice_options(self) -> list[dict[str, Any]]:
        for p in self.programs:
            if p["id"] == self.form.get("program"):
                for t in p["tracks"]:
                    if t["key"] == self.form.get("track"):
                        return [
                            {
                                **r,
                                "label": f"{r['name']} ({r['id']})",
                                "checked": r["id"] in self.nice,
                            }
                            for r in t["nice"]
                        ]
        return []

    @rx.var
    def prereq_options(self) -> list[dict[str, Any]]:
        return [
            {
                **o,
                "label": o["title"]
                if o["status"] == "published"
                else f"{o['title']} ({o['status']})",
                "checked": o["id"] in self.prereqs,
            }
            for o in self.prereq_choices
        ]

    @rx.var
    def rubric_total(self) -> int:
        total = 0
        for row in self.rubric:
            points = str(row.get("points", "")).strip()
            total += int(points) if free_text.digits(points) else 0
        return total

    @rx.var
    def confirm_label(self) -> str:
        return ACTIONS.get(self.confirm_action, ("", ""))[0]

    @rx.var
    def confirm_text(self) -> str:
        return ACTIONS.get(self.confirm_action, ("", ""))[1]

    @rx.var
    def filtered(self) -> bool:
        return self.query != "" or ALL not in (
            self.status_filter,
            self.track_filter,
            self.difficulty_filter,
        )

    async def _fetch(self) -> None:
        f = ListQuery(
            q=self.query,
            status="" if self.status_filter == ALL else self.status_filter,
            track="" if self.track_filter == ALL else self.track_filter,
            difficulty=None if self.difficulty_filter == ALL else int(self.difficulty_filter),
            page=self.page,
        )
        done = await self._try(_load, f)
        if not done:
            self.error, self.loading = done.error, False
            return
        data, tz = done.value, await self._time_zone()
        self.items = [
            {**m.model_dump(mode="json", include=LISTED), "updated": when(m.updated_at, tz)}
            for m in data.found.items
        ]
        self.counts, self.programs, self.track_choices = data.counts, data.programs, data.tracks
        self.total, self.page, self.pages = data.found.total, data.found.page, data.found.pages
        self.first, self.last = data.first, data.last
        self.error, self.loading = "", False

    @rx.event
    async def load(self) -> None:
        """Restores the search, filters and page from the URL (unknown values mean "any"), so
        a shared link, a reload and Back all show the same list."""
        await self._load_from_address()

    def _new_visit(self) -> None:
        # A confirmation left open (Back, then here again) is not the question of this visit.
        self.notice, self.confirm_open = "", False

    @rx.event
    async def refresh(self) -> None:
        """Read the list again in place, after the programme's missions changed in the panel
        below (a library mission added shows here; one removed goes)."""
        await self._fetch()

    async def _read_filters(self, params: Mapping[str, str]) -> None:
        self.status_filter = url_query.choice(params, "status", authoring.STATUSES)
        self.track_filter = url_query.choice(params, "track", TRACK_KEYS)
        self.difficulty_filter = url_query.choice(params, "difficulty", DIFFICULTIES)

    def _url(self) -> str:
        filters = {
            "status": self.status_filter,
            "track": self.track_filter,
            "difficulty": self.difficulty_filter,
        }
        return url_query.list_url(ROUTE, filters, self.query, self.page)

    set_status_filter = filter_setter("status_filter")
    set_track_filter = filter_setter("track_filter")
    set_difficulty_filter = filter_setter("difficulty_filter")

    @rx.event
    async def clear_filters(self) -> None:
        self.status_filter = self.track_filter = self.difficulty_filter = ALL
        self.query, self.page = "", 1
        await self._show()

    # editor -----------------------------------------------------------------------------------
    async def _load_prereqs(self) -> None:
        program_id = parse_id(self.form.get("program", ""))
        if program_id is None:
            self.prereq_choices = []
            return
        found = await self._try(_prereq_options, program_id, self.editing_id)
        if found:
            self.prereq_choices = found.value
        else:
            self.editor_error = found.error

    @rx.event
    async def new_mission(self) -> None:
        self.editing_id, self.editing_status, self.editing_editable = 0, "draft", True
        self.form, self.brief = dict(EMPTY_FORM), ""
        if self.programs:
            self.form["program"] = self.programs[0]["id"]
            tracks = self.programs[0]["tracks"]
            self.form["track"] = tracks[0]["key"] if tracks else ""
        self.rubric = [{"key": "", "title": "", "description": "", "points": "10"}]
        self.hints, self.prereqs, self.nice = [], [], []
        self.editor_error, self.notice, self.editor_open = "", "", True
        self.field_errors = {}
        self._clear_refusal()
        await self._load_prereqs()

    @rx.event
    async def edit(self, mission_id: int) -> None:
        self.notice = ""
        done = await self._try(authoring.get_mission, int(mission_id))
        if not done:
            self.error = done.error
            return
        m = done.value
        self._fill(m)
        self.editor_error, self.editor_open, self.field_errors = "", True, {}
        self._clear_refusal()
        await self._load_prereqs()
        self.editor_shown += 1  # the page brings the form into view

    def _clear_refusal(self) -> None:
        """An earlier action's refusal above the form (a mission that could not be opened or
        changed) goes when a form opens; a list that failed to load keeps saying why."""
        if self.items or self.total:
            self.error = ""

    def _fill(self, m: MissionPublic) -> None:
        self.editing_id, self.editing_status = int(m.id), str(m.status)
        self.editing_editable = m.editable
        # a library mission runs in other organisations' programmes too: show one of ours
        runs, ours = [str(p) for p in m.program_ids], {p["id"] for p in self.programs}
        self.form = {
            "program": next((p for p in runs if p in ours), runs[0] if runs else ""),
            "track": m.track,
            "title": m.title,
            "summary": m.summary,
            "difficulty": str(m.difficulty),
            "minutes": str(m.estimated_minutes),
            "skills": ", ".join(m.skills),
        }
        self.rubric = [
            {
                "key": str(c.get("key", "")),
                "title": str(c.get("title", "")),
                "description": str(c.get("description", "")),
                "points": str(c.get("points", "")),
            }
            for c in m.rubric
        ]
        self.brief = m.brief
        self.hints = list(m.hints)
        self.prereqs = [int(p.id) for p in m.prerequisites]
        self.nice = list(m.nice_work_roles)

    @rx.event
    def close_editor(self) -> None:
        """Cancel: the form closes and keeps nothing (the next one starts afresh)."""
        self.editor_open, self.editing_id, self.editing_status = False, 0, ""
        self.form, self.brief = dict(EMPTY_FORM), ""
        self.rubric, self.hints, self.prereqs, self.nice = [], [], [], []
        self.editor_error, self.field_errors = "", {}

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in EMPTY_FORM:
            self.form[name] = str(value)[:50_000]
        if name in self.field_errors:  # a field marked wrong: its message goes once it is fixed
            problem = _field_error(name, self.form[name])
            if problem:
                self.field_errors[name] = problem
            else:
                self.field_errors.pop(name)

    @rx.event
    def set_brief(self, value: str) -> None:
        self.brief = str(value)[:50_000]

    @rx.event
    async def set_program(self, value: str) -> None:
        self.form["program"] = value
        tracks: list[dict[str, Any]] = next(
            (p["tracks"] for p in self.programs if p["id"] == value), []
        )
        self.form["track"] = tracks[0]["key"] if tracks else ""
        self.prereqs, self.nice = [], []
        await self._load_prereqs()

    @rx.event
    def set_track(self, value: str) -> None:
        self.form["track"] = value
        self.nice = []  # NICE roles belong to one track

    @rx.event
    def set_rubric(self, index: int, name: str, value: str) -> None:
        if 0 <= index < len(self.rubric) and name in ("key", "title", "description", "points"):
            self.rubric[index][name] = str(value)[:1000]

    @rx.event
    def add_rubric_row(self) -> None:
        if len(self.rubric) < authoring.RUBRIC_MAX:
            self.rubric.append({"key": "", "title": "", "description": "", "points": "10"})

    @rx.event
    def remove_rubric_row(self, index: int) -> None:
        if 0 <= index < len(self.rubric):
            self.rubric.pop(index)

    @rx.event
    def set_hint(self, index: int, value: str) -> None:
        if 0 <= index < len(self.hints):
            self.hints[index] = str(value)[:1000]

    @rx.event
    def add_hint(self) -> None:
        if len(self.hints) < authoring.HINTS_MAX:
            self.hints.append("")

    @rx.event
    def remove_hint(self, index: int) -> None:
        if 0 <= index < len(self.hints):
            self.hints.pop(index)

    @rx.event
    def toggle_prereq(self, mission_id: int, checked: bool) -> None:
        mission_id = int(mission_id)
        if checked and mission_id not in self.prereqs:
            self.prereqs.append(mission_id)
        elif not checked and mission_id in self.prereqs:
            self.prereqs.remove(mission_id)

    @rx.event
    def toggle_nice(self, role_id: str, checked: bool) -> None:
        if checked and role_id not in self.nice:
            self.nice.append(role_id)
        elif not checked and role_id in self.nice:
            self.nice.remove(role_id)

    @rx.event
    async def save(self, _form: dict[str, Any]) -> Any:
        self.notice, self.saving = "", True
        yield
        self.field_errors = _field_errors(self.form)
        if self.field_errors:  # each shown under its field
            self.editor_error, self.saving = "", False
            return
        try:  # the form's other checks (rubric points, ...) before any service call
            form = {**self.form, "brief": self.brief}
            changes = _changes(form, self.rubric, self.hints, self.prereqs, self.nice)
        except DomainError as exc:
            self.editor_error, self.saving = exc.message, False
            return
        done = await self._try(_save, self.editing_id, changes, self._meta())
        if not done:
            self.editor_error, self.saving = done.error, False
            return
        m = done.value
        created = self.editing_id == 0
        self._fill(m)
        self.editor_error, self.saving = "", False
        await self._fetch()
        self.notice = f"{'Created' if created else 'Saved'} “{m.title}” ({m.status})."
        # The panel below: a new mission runs in its programme from creation; a saved one shows
        # its status there.
        yield ProgramMissionsState.refresh

    # publish / unpublish / archive ------------------------------------------------------------
    @rx.event
    def ask(self, action: str, mission_id: int, title: str) -> None:
        self.confirm_action, self.confirm_id, self.confirm_title = action, int(mission_id), title
        self.confirm_open = True

    set_confirm_open = open_setter("confirm_open")

    @rx.event
    async def confirm(self) -> Any:
        self.confirm_open, self.notice = False, ""
        done = await self._try(_transition, self.confirm_action, self.confirm_id, self._meta())
        if not done:
            self.error = done.error
            if self.editor_open and self.editing_id == self.confirm_id:
                self.editor_error = done.error
            return None
        m = done.value
        self.error = ""
        if self.editor_open and self.editing_id == self.confirm_id:
            self._fill(m)
            self.editor_error = ""
        await self._fetch()
        self.notice = f"“{m.title}” is now {m.status}."
        return ProgramMissionsState.refresh  # its badge there, or gone from it once archived
