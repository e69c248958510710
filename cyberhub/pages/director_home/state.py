"""DirectorHomeState: the programmes, the new cohort / programme forms and the edit dialogs."""

from __future__ import annotations

import asyncio
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
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState

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


class DirectorHomeState(rx.State):
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

    @rx.var
    def program_options(self) -> list[dict[str, str]]:
        return [{"id": str(p["id"]), "name": p["name"]} for p in self.programs]

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        try:
            data = await asyncio.to_thread(_home, await self._principal())
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        self.programs = data["programs"]
        self.org_options = data["organizations"]
        if not self.cohort_program and self.programs:
            self.cohort_program = str(self.programs[0]["id"])
        if not self.program_org and self.org_options:
            self.program_org = self.org_options[0]["id"]
        self.error, self.loading = "", False

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice = True, ""
        self.cohort_error = self.program_error = self.track_error = ""
        await self._fetch()

    @rx.event
    def set_cohort_program(self, value: str) -> None:
        self.cohort_program = value

    @rx.event
    def set_program_org(self, value: str) -> None:
        self.program_org = value

    @rx.event
    async def create_cohort(self, form: dict[str, Any]) -> Any:
        self.cohort_form = {k: str(form.get(k, ""))[:200] for k in EMPTY_COHORT}
        self.notice = ""
        try:
            await asyncio.to_thread(
                _create_cohort,
                await self._principal(),
                self.cohort_program,
                self.cohort_form,
                request_meta(self),
            )
        except DomainError as exc:
            self.cohort_error = exc.message
            return None
        name = self.cohort_form["name"]
        self.cohort_error, self.cohort_form = "", dict(EMPTY_COHORT)
        await self._fetch()
        self.notice = f"Created the cohort {name}."
        return [rx.set_value(f"cohort-{k}", v) for k, v in EMPTY_COHORT.items()]

    @rx.event
    async def create_program(self, form: dict[str, Any]) -> Any:
        self.program_form = {
            "name": str(form.get("name", ""))[:200],
            "description": str(form.get("description", ""))[:5000],
        }
        self.notice = ""
        try:
            name = await asyncio.to_thread(
                _create_program,
                await self._principal(),
                self.program_form,
                self.program_org,
                request_meta(self),
            )
        except DomainError as exc:
            self.program_error = exc.message
            return None
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

    @rx.event
    def set_edit_program_open(self, value: bool) -> None:
        self.edit_program_open = value

    @rx.event
    async def save_program(self, form: dict[str, Any]) -> None:
        self.edit_program = {
            **self.edit_program,
            "name": str(form.get("name", ""))[:200],
            "description": str(form.get("description", ""))[:5000],
        }
        try:
            await asyncio.to_thread(
                _update_program, await self._principal(), self.edit_program, request_meta(self)
            )
        except DomainError as exc:
            self.edit_program_error = exc.message
            return
        self.edit_program_open = False
        await self._fetch()
        self.notice = f"Saved the programme {self.edit_program['name']}."

    # edit a track
    @rx.event
    def open_track(self, t: dict[str, Any]) -> None:
        self.edit_track = {k: str(t.get(k, "")) for k in TRACK_FIELDS}
        self.edit_track_nice = list(t.get("nice_options", []))
        self.edit_track_error, self.edit_track_open = "", True

    @rx.event
    def set_edit_track_open(self, value: bool) -> None:
        self.edit_track_open = value

    @rx.event
    async def save_track(self, form: dict[str, Any]) -> None:
        self.edit_track["description"] = str(form.get("description", ""))[:5000]
        roles = [k[len(NICE_PREFIX) :] for k, v in form.items() if k.startswith(NICE_PREFIX) and v]
        try:
            await asyncio.to_thread(
                _update_track,
                await self._principal(),
                {**self.edit_track, "nice_work_roles": roles},
                request_meta(self),
            )
        except DomainError as exc:
            self.edit_track_error = exc.message
            return
        self.edit_track_open = False
        await self._fetch()
        self.notice = f"Saved the {self.edit_track['name']} track."

    # add / remove a track
    async def _change_track(self, action: str, program_id: int, track_id: int) -> None:
        await asyncio.to_thread(
            _change_track,
            await self._principal(),
            action,
            program_id,
            track_id,
            request_meta(self),
        )

    @rx.event
    async def add_track(self, t: dict[str, Any]) -> None:
        self.notice, self.track_error = "", ""
        program_id = parse_id(str(t.get("program_id", ""))) or 0
        try:
            await self._change_track("add", program_id, parse_id(str(t.get("id", ""))) or 0)
        except DomainError as exc:
            self.track_error, self.track_error_program = exc.message, program_id
            return
        await self._fetch()
        self.notice = f"{t.get('program', '')} now runs the {t.get('name', '')} track."

    @rx.event
    def ask_remove_track(self, t: dict[str, Any]) -> None:
        self.remove_track = {k: str(t.get(k, "")) for k in ("id", "program_id", "name", "program")}
        self.remove_track_error, self.remove_track_open = "", True

    @rx.event
    def set_remove_track_open(self, value: bool) -> None:
        self.remove_track_open = value

    @rx.event
    async def confirm_remove_track(self) -> None:
        t = self.remove_track
        self.notice = self.track_error = ""
        try:
            await self._change_track(
                "remove", parse_id(t.get("program_id", "")) or 0, parse_id(t.get("id", "")) or 0
            )
        except DomainError as exc:
            self.remove_track_error = exc.message
            return
        self.remove_track_open = False
        await self._fetch()
        self.notice = f"{t.get('program', '')} no longer runs the {t.get('name', '')} track."
