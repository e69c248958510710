"""/dashboard/director: a director's programmes with their tracks and cohorts (seats, mentors,
learners without a mentor), and forms to create and edit programmes, tracks and cohorts.

Admins see every programme; the services decide what each user may see and change.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.models import Role, Track
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import catalog, organizations, programs
from cyberhub.services.audit import RequestMeta
from cyberhub.services.errors import DomainError, Invalid
from cyberhub.services.permissions import Principal
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState

ROUTE = "/dashboard/director"


def _dates(starts_on: str, ends_on: str) -> str:
    a, b = date.fromisoformat(starts_on), date.fromisoformat(ends_on)
    return f"{a:%d %b %Y} – {b:%d %b %Y}"


def _csv(values: list[str]) -> str:
    return ", ".join(values)


def _day(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a date (YYYY-MM-DD).") from None


def _int(value: Any, what: str) -> int:
    try:
        return int(str(value or "").strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a whole number.") from None


# -- data (worker threads) ---------------------------------------------------------------------


def _track_row(t: programs.ProgramTrackView, program_id: int) -> dict[str, Any]:
    chosen = programs.program_nice_roles(t)
    return {
        "id": t.id,
        "program_id": program_id,
        "key": t.key,
        "name": t.name,
        "tagline": t.tagline,
        "description": t.description,
        "careers": _csv(t.careers),
        "focus": _csv(t.focus),
        "nice": _csv([r["name"] for r in chosen]),
        # Every standard role of the key, checked when this programme uses it.
        "nice_options": [
            {"id": r["id"], "name": r["name"], "checked": r in chosen}
            for r in programs.nice_roles_for(t.key)
        ],
    }


def _track_choices(
    every: list[Track], runs: list[programs.ProgramTrackView], program: dict[str, Any]
) -> list[dict[str, Any]]:
    """The five global tracks, each with whether the programme runs it (and, when it does, what
    the edit dialog needs)."""
    by_id = {t.id: t for t in runs}
    rows = []
    for track in every:
        view = by_id.get(track.id)
        row = _track_row(view, program["id"]) if view else {"id": track.id, "name": track.name}
        rows.append(
            {
                **row,
                "runs": view is not None,
                "program_id": program["id"],
                "program": program["name"],
            }
        )
    return rows


def _home(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        items = programs.list_programs(session, principal)
        cohorts = programs.list_cohorts(session, principal)
        every = catalog.list_tracks(session)
        for p in items:
            runs = programs.list_tracks(session, principal, p["id"])
            p["track_rows"] = [_track_row(t, p["id"]) for t in runs]
            p["track_choices"] = _track_choices(every, runs, p)
            p["cohort_rows"] = [
                {**c, "dates": _dates(c["starts_on"], c["ends_on"])}
                for c in cohorts
                if c["program_id"] == p["id"]
            ]
        orgs = organizations.list_organizations(session, principal)
        return {
            "programs": items,
            "organizations": [{"id": str(o["id"]), "name": o["name"]} for o in orgs],
        }


def _create_program(
    principal: Principal | None, form: dict[str, str], org: str, meta: RequestMeta
) -> str:
    with db.session_scope() as session:
        p = programs.create_program(
            session,
            principal,
            name=form["name"],
            organization_id=parse_id(org),
            description=form["description"],
            meta=meta,
        )
        return p.name


def _update_program(principal: Principal | None, form: dict[str, Any], meta: RequestMeta) -> None:
    with db.session_scope() as session:
        programs.update_program(
            session,
            principal,
            int(form["id"]),
            name=form["name"],
            description=form["description"],
            meta=meta,
        )


def _update_track(principal: Principal | None, form: dict[str, Any], meta: RequestMeta) -> None:
    """The programme's own description and NICE work roles of a (global) track."""
    with db.session_scope() as session:
        programs.set_program_track(
            session,
            principal,
            int(form["program_id"]),
            int(form["id"]),
            description=form["description"],
            nice_work_roles=list(form["nice_work_roles"]),
            meta=meta,
        )


def _change_track(
    principal: Principal | None, action: str, program_id: int, track_id: int, meta: RequestMeta
) -> None:
    """The programme starts ("add") or stops running a global track."""
    with db.session_scope() as session:
        if action == "add":
            programs.add_program_track(session, principal, program_id, track_id, meta=meta)
        else:
            programs.remove_program_track(session, principal, program_id, track_id, meta=meta)


def _create_cohort(
    principal: Principal | None, program: str, form: dict[str, str], meta: RequestMeta
) -> int:
    program_id = parse_id(program)
    if program_id is None:
        raise Invalid("Choose the programme of the cohort.")
    with db.session_scope() as session:
        c = programs.create_cohort(
            session,
            principal,
            program_id,
            name=form["name"],
            starts_on=_day(form["starts_on"], "start date"),
            ends_on=_day(form["ends_on"], "end date"),
            capacity=_int(form["capacity"], "capacity"),
            meta=meta,
        )
        return c.id or 0


# -- state -------------------------------------------------------------------------------------

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


# -- components --------------------------------------------------------------------------------


def _label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_weight="500")


def _field(label: str, id_: str, name: str, value: Any, **props: Any) -> rx.Component:
    return rx.vstack(
        _label(label, id_),
        rx.input(id=id_, name=name, default_value=value, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("running", "green"), ("upcoming", "blue"), "gray"),
    )


def _cohort_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(c["name"], href="/director/cohorts/" + c["id"].to(str), weight="medium")
        ),
        rx.table.cell(rx.text(c["dates"], size="2")),
        rx.table.cell(_status_badge(c["status"].to(str))),
        rx.table.cell(c["enrolled"], " / ", c["capacity"]),
        rx.table.cell(c["mentors"]),
        rx.table.cell(
            rx.cond(
                c["unassigned"].to(int) > 0,
                rx.badge(c["unassigned"], " without mentor", color_scheme="amber"),
                rx.text("all matched", size="2", color_scheme="gray"),
            )
        ),
    )


def _track_chip(t: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.button(
        t["name"],
        rx.icon("pencil", size=12),
        variant="surface",
        size="2",
        on_click=DirectorHomeState.open_track(t),
        aria_label="Edit the " + t["name"].to(str) + " track",
    )


def _track_choice(t: rx.Var[dict[str, Any]]) -> rx.Component:
    S = DirectorHomeState
    name = t["name"].to(str)
    return rx.hstack(
        rx.text(name, weight="medium", min_width="8em"),
        rx.cond(
            t["runs"].to(bool),
            rx.hstack(
                rx.badge("runs", color_scheme="green"),
                _track_chip(t),
                rx.button(
                    rx.icon("minus", size=14),
                    "Remove",
                    variant="soft",
                    color_scheme="red",
                    size="2",
                    on_click=S.ask_remove_track(t),
                    aria_label="Remove the " + name + " track from " + t["program"].to(str),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.badge("not run", color_scheme="gray"),
                rx.button(
                    rx.icon("plus", size=14),
                    "Add",
                    variant="soft",
                    size="2",
                    on_click=S.add_track(t),
                    aria_label="Add the " + name + " track to " + t["program"].to(str),
                ),
                align="center",
            ),
        ),
        align="center",
        wrap="wrap",
        data_testid="track-" + t["id"].to(str),
    )


def _program_card(p: rx.Var[dict[str, Any]]) -> rx.Component:
    cohorts = p["cohort_rows"].to(list[dict[str, Any]])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(p["name"], size="5", as_="h2"),
                    rx.text(p["organization"], size="2", color_scheme="gray"),
                    spacing="0",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit programme",
                        variant="soft",
                        on_click=DirectorHomeState.open_program(p),
                    ),
                    rx.link(
                        rx.button(rx.icon("file_pen_line", size=14), "Missions", variant="soft"),
                        href="/director/missions",
                    ),
                    wrap="wrap",
                ),
                justify="between",
                width="100%",
                wrap="wrap",
                gap="0.5em",
            ),
            rx.cond(p["description"] != "", rx.text(p["description"], color_scheme="gray")),
            rx.flex(
                rx.badge(p["cohorts"], " cohorts", variant="soft", size="2"),
                rx.badge(p["students"], " students", variant="soft", size="2"),
                rx.badge(p["published_missions"], " published missions", variant="soft", size="2"),
                rx.badge(p["tracks"], " tracks", variant="soft", size="2"),
                gap="0.5em",
                wrap="wrap",
            ),
            rx.heading("Tracks", size="3", as_="h3"),
            rx.cond(
                DirectorHomeState.track_error_program == p["id"].to(int),
                error_callout(DirectorHomeState.track_error),
            ),
            rx.vstack(
                rx.foreach(p["track_choices"].to(list[dict[str, Any]]), _track_choice),
                spacing="2",
                width="100%",
            ),
            rx.heading("Cohorts", size="3", as_="h3"),
            rx.cond(
                cohorts.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "Cohort",
                                        "Dates",
                                        "Status",
                                        "Enrolled",
                                        "Mentors",
                                        "Matching",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(cohorts, _cohort_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text("No cohorts yet: create one below.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _select(
    id_: str, label: str, options: Any, value: Any, on_change: Any, placeholder: str
) -> rx.Component:
    return rx.vstack(
        _label(label, id_),
        rx.select.root(
            rx.select.trigger(id=id_, aria_label=label, placeholder=placeholder),
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))
            ),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _cohort_form() -> rx.Component:
    S = DirectorHomeState
    f = S.cohort_form
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New cohort", size="4", as_="h2"),
                error_callout(S.cohort_error),
                _select(
                    "cohort-program",
                    "Programme",
                    S.program_options,
                    S.cohort_program,
                    S.set_cohort_program,
                    "Choose a programme",
                ),
                rx.grid(
                    _field("Name", "cohort-name", "name", f["name"], max_length=200),
                    _field(
                        "Starts on", "cohort-starts_on", "starts_on", f["starts_on"], type="date"
                    ),
                    _field("Ends on", "cohort-ends_on", "ends_on", f["ends_on"], type="date"),
                    _field(
                        "Capacity (seats)",
                        "cohort-capacity",
                        "capacity",
                        f["capacity"],
                        type="number",
                        min=1,
                        max=10000,
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", md="4"),
                    gap="1em",
                    width="100%",
                ),
                rx.button(rx.icon("plus", size=16), "Create cohort", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.create_cohort,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _program_form() -> rx.Component:
    S = DirectorHomeState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New programme", size="4", as_="h2"),
                rx.text(
                    "It starts with the five career tracks and their standard texts.",
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(S.program_error),
                rx.cond(
                    S.org_options.length() > 1,
                    _select(
                        "program-org",
                        "Organization",
                        S.org_options,
                        S.program_org,
                        S.set_program_org,
                        "Choose an organization",
                    ),
                ),
                _field("Name", "program-name", "name", S.program_form["name"], max_length=200),
                _label("Description", "program-description"),
                rx.text_area(
                    id="program-description",
                    name="description",
                    default_value=S.program_form["description"],
                    max_length=5000,
                    width="100%",
                ),
                rx.button(rx.icon("plus", size=16), "Create programme", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.create_program,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _dialog_buttons(save: str) -> rx.Component:
    return rx.hstack(
        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
        rx.button(save, type="submit"),
        justify="end",
        width="100%",
    )


def _program_dialog() -> rx.Component:
    S = DirectorHomeState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Edit programme"),
            rx.alert_dialog.description("Learners see the name and description.", size="2"),
            rx.form(
                rx.vstack(
                    error_callout(S.edit_program_error),
                    _field(
                        "Name", "edit-program-name", "name", S.edit_program["name"], max_length=200
                    ),
                    _label("Description", "edit-program-description"),
                    rx.text_area(
                        id="edit-program-description",
                        name="description",
                        default_value=S.edit_program["description"],
                        max_length=5000,
                        width="100%",
                        rows="5",
                    ),
                    _dialog_buttons("Save programme"),
                    spacing="2",
                    margin_top="1em",
                ),
                on_submit=S.save_program,
                reset_on_submit=False,
            ),
        ),
        open=S.edit_program_open,
        on_open_change=S.set_edit_program_open,
    )


def _track_dialog() -> rx.Component:
    S = DirectorHomeState
    t = S.edit_track
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Edit the ", t["name"], " track"),
            rx.alert_dialog.description(
                "NICE work roles: ", rx.cond(t["nice"] != "", t["nice"], "none"), size="2"
            ),
            rx.form(
                rx.vstack(
                    error_callout(S.edit_track_error),
                    rx.text(
                        t["tagline"],
                        " Careers: ",
                        t["careers"],
                        ". The track's name, tagline and careers are shared by every "
                        "programme (an admin edits them).",
                        size="2",
                        color_scheme="gray",
                    ),
                    _label("Description in this programme", "track-description"),
                    rx.text_area(
                        id="track-description",
                        name="description",
                        default_value=t["description"],
                        max_length=5000,
                        width="100%",
                        rows="4",
                    ),
                    rx.el.fieldset(
                        rx.el.legend("NICE work roles in this programme", font_weight="500"),
                        rx.foreach(
                            S.edit_track_nice,
                            lambda r: rx.checkbox(
                                r["name"].to(str) + " (" + r["id"].to(str) + ")",
                                name=NICE_PREFIX + r["id"].to(str),
                                default_checked=r["checked"].to(bool),
                            ),
                        ),
                        display="flex",
                        flex_direction="column",
                        gap="0.4em",
                        border="none",
                        padding="0",
                    ),
                    _dialog_buttons("Save track"),
                    spacing="2",
                    margin_top="1em",
                ),
                on_submit=S.save_track,
                reset_on_submit=False,
            ),
        ),
        open=S.edit_track_open,
        on_open_change=S.set_edit_track_open,
    )


def _remove_track_dialog() -> rx.Component:
    S = DirectorHomeState
    t = S.remove_track
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Stop running the ", t["name"], " track?"),
            rx.alert_dialog.description(
                t["program"],
                " will no longer run the ",
                t["name"],
                " track; its learners are no longer expected to do missions of it. Remove the "
                "programme's missions of this track first. Its description and NICE work roles "
                "in this programme start again from the standard ones if you add it back.",
                size="2",
            ),
            rx.vstack(
                error_callout(S.remove_track_error),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                    rx.button(
                        "Remove track",
                        color_scheme="red",
                        on_click=S.confirm_remove_track,
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="2",
                margin_top="1em",
            ),
        ),
        open=S.remove_track_open,
        on_open_change=S.set_remove_track_open,
    )


def director_home_content() -> rx.Component:
    S = DirectorHomeState
    return rx.vstack(
        page_heading("Programme", "Your programmes, their tracks and cohorts."),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        error_callout(S.error),
        rx.cond(
            S.loading,
            loading_state("Loading your programmes…"),
            rx.vstack(
                rx.cond(
                    S.programs.length() > 0,
                    rx.foreach(S.programs, _program_card),
                    rx.cond(
                        S.error == "",
                        empty_state(
                            "No programme yet",
                            "Create your organization's first programme below.",
                        ),
                    ),
                ),
                rx.cond(S.programs.length() > 0, _cohort_form()),
                rx.cond(S.org_options.length() > 0, _program_form()),
                spacing="4",
                width="100%",
            ),
        ),
        _program_dialog(),
        _track_dialog(),
        _remove_track_dialog(),
        spacing="4",
        width="100%",
    )


def director_home_page() -> rx.Component:
    return shell(guarded(ROUTE, director_home_content()))


page = register(
    Page(
        route=ROUTE,
        title="Programme · CyberHub",
        component=director_home_page,
        access=roles(Role.director, Role.admin),
        on_load=(DirectorHomeState.load,),
        nav_label="Programme",
        nav_order=15,
    )
)
