"""DirectorHomeState: the programmes, the new cohort / programme forms and the edit dialogs."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.pages.director_home.data import (
    _change_track,
    _create_cohort,
    _create_program,
    _home,
    _update_program,
    _update_track,
)
from cyberhub.state import resubmit
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.forms import parse_id
from cyberhub.state.service import Outcome, ServiceState

TRACK_FIELDS = (
    "id",
    "program_id",
    "key",
    "name",
    "tagline",
    "description",
    "careers",
    "focus",
    "nice",
)
NICE_PREFIX = "nice:"
EMPTY_COHORT = {"name": "", "starts_on": "", "ends_on": "", "capacity": "30"}


class DirectorHomeState(ServiceState, rx.State):
    programs: list[dict[str, Any]] = []
    org_options: list[dict[str, str]] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    # new cohort
    cohort_form: dict[str, str] = dict(EMPTY_COHORT)
    cohort_program: str = ""
    cohort_error: str = ""
    # new programme
    program_form: dict[str, str] = {"name": "", "description": ""}
    program_org: str = ""
    program_error: str = ""
    # edit dialogs
    edit_program: dict[str, str] = {}
    edit_program_open: bool = False
    edit_program_error: str = ""
    edit_track: dict[str, str] = {}
    edit_track_nice: list[dict[str, Any]] = []
    edit_track_open: bool = False
    edit_track_error: str = ""
    # which tracks a programme runs
    track_error: str = ""
    track_error_program: int = 0
    remove_track: dict[str, str] = {}
    remove_track_open: bool = False
    remove_track_error: str = ""
    # What the create forms made just now (a double click's second submit makes nothing)
    _made_at: dict[str, float] = {}

    @rx.var
    def program_options(self) -> list[dict[str, str]]:
        return [{"id": str(p["id"]), "name": p["name"]} for p in self.programs]

    async def _fetch(self) -> None:
        done = await self._try(_home)
        if not done:
            self.error, self.loading = done.error, False
            return
        data = done.value
        self.programs = data["programs"]
        self.org_options = data["organizations"]
        if not self.cohort_program and self.programs:
            self.cohort_program = str(self.programs[0]["id"])
        if not self.program_org and self.org_options:
            self.program_org = self.org_options[0]["id"]
        self.error, self.loading = "", False

    async def _dialog_done(self, done: Outcome[Any], dialog: str, notice: str) -> None:
        """After the action of the dialog `dialog` (vars `<dialog>_open`, `<dialog>_error`): its
        refusal shown inside it, which stays open; or the dialog closed, the page read again and
        `notice` said."""
        if not done:
            setattr(self, f"{dialog}_error", done.error)
            return
        setattr(self, f"{dialog}_open", False)
        await self._fetch()
        self.notice = notice

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice = True, ""
        self.cohort_error = self.program_error = self.track_error = ""
        # A dialog left open (Back, then here again) is not the form of this visit, nor are
        # the values a refused form kept.
        self.edit_program_open = self.edit_track_open = self.remove_track_open = False
        self.cohort_form, self.program_form = dict(EMPTY_COHORT), {"name": "", "description": ""}
        await self._fetch()

    set_cohort_program = value_setter("cohort_program", str)

    set_program_org = value_setter("program_org", str)

    @rx.event
    async def create_cohort(self, form: dict[str, Any]) -> Any:
        typed = {k: str(form.get(k, ""))[:200] for k in EMPTY_COHORT}
        sent = f"cohort:{self.cohort_program}:{sorted(typed.items())}"
        if resubmit.sent_again(self._made_at, sent):
            return None  # the second submit of a double click: "Created …" stands
        self.cohort_form, self.notice = typed, ""
        done = await self._try(_create_cohort, self.cohort_program, self.cohort_form, self._meta())
        if not done:
            self.cohort_error = done.error
            return None
        self._made_at = resubmit.made_now(self._made_at, sent)
        name = self.cohort_form["name"]
        self.cohort_error, self.cohort_form = "", dict(EMPTY_COHORT)
        await self._fetch()
        self.notice = f"Created the cohort {name}."
        return [rx.set_value(f"cohort-{k}", v) for k, v in EMPTY_COHORT.items()]

    @rx.event
    async def create_program(self, form: dict[str, Any]) -> Any:
        typed = {
            "name": str(form.get("name", ""))[:200],
            "description": str(form.get("description", ""))[:5000],
        }
        sent = f"program:{self.program_org}:{sorted(typed.items())}"
        if resubmit.sent_again(self._made_at, sent):
            return None  # the second submit of a double click: "Created …" stands
        self.program_form, self.notice = typed, ""
        done = await self._try(_create_program, self.program_form, self.program_org, self._meta())
        if not done:
            self.program_error = done.error
            return None
        self._made_at = resubmit.made_now(self._made_at, sent)
        name = done.value
        self.program_error, self.program_form = "", {"name": "", "description": ""}
        await self._fetch()
        self.notice = f"Created the programme {name} with its five tracks."
        return [rx.set_value("program-name", ""), rx.set_value("program-description", "")]

    # edit a programme
    @rx.event
    def open_program(self, p: dict[str, Any]) -> None:
        self.edit_program = {
            "id": str(p.get("id", "")),
            "name": str(p.get("name", "")),
            "description": str(p.get("description", "")),
        }
        self.edit_program_error, self.edit_program_open = "", True

    set_edit_program_open = open_setter("edit_program_open")

    @rx.event
    async def save_program(self, form: dict[str, Any]) -> None:
        self.edit_program = {
            **self.edit_program,
            "name": str(form.get("name", ""))[:200],
            "description": str(form.get("description", ""))[:5000],
        }
        done = await self._try(_update_program, self.edit_program, self._meta())
        await self._dialog_done(
            done, "edit_program", f"Saved the programme {self.edit_program['name']}."
        )

    # edit a track
    @rx.event
    def open_track(self, t: dict[str, Any]) -> None:
        self.edit_track = {k: str(t.get(k, "")) for k in TRACK_FIELDS}
        self.edit_track_nice = list(t.get("nice_options", []))
        self.edit_track_error, self.edit_track_open = "", True

    set_edit_track_open = open_setter("edit_track_open")

    @rx.event
    async def save_track(self, form: dict[str, Any]) -> None:
        self.edit_track["description"] = str(form.get("description", ""))[:5000]
        roles = [k[len(NICE_PREFIX) :] for k, v in form.items() if k.startswith(NICE_PREFIX) and v]
        done = await self._try(
            _update_track, {**self.edit_track, "nice_work_roles": roles}, self._meta()
        )
        await self._dialog_done(done, "edit_track", f"Saved the {self.edit_track['name']} track.")

    # add / remove a track
    async def _change_track(self, action: str, program_id: int, track_id: int) -> Outcome[None]:
        return await self._try(_change_track, action, program_id, track_id, self._meta())

    @rx.event
    async def add_track(self, t: dict[str, Any]) -> None:
        self.notice, self.track_error = "", ""
        program_id = parse_id(str(t.get("program_id", ""))) or 0
        done = await self._change_track("add", program_id, parse_id(str(t.get("id", ""))) or 0)
        if not done:
            self.track_error, self.track_error_program = done.error, program_id
            return
        await self._fetch()
        self.notice = f"{t.get('program', '')} now runs the {t.get('name', '')} track."

    @rx.event
    def ask_remove_track(self, t: dict[str, Any]) -> None:
        self.remove_track = {k: str(t.get(k, "")) for k in ("id", "program_id", "name", "program")}
        self.remove_track_error, self.remove_track_open = "", True

    set_remove_track_open = open_setter("remove_track_open")

    @rx.event
    async def confirm_remove_track(self) -> None:
        t = self.remove_track
        self.notice = self.track_error = ""
        done = await self._change_track(
            "remove", parse_id(t.get("program_id", "")) or 0, parse_id(t.get("id", "")) or 0
        )
        await self._dialog_done(
            done,
            "remove_track",
            f"{t.get('program', '')} no longer runs the {t.get('name', '')} track.",
        )
