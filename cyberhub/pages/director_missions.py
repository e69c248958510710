"""/director/missions: the missions of a director's organisation and programmes — a list
filtered by status, an editor with the brief's markdown preview beside it (rubric rows, hints,
prerequisites, NICE work roles), publish / unpublish / archive behind a confirmation, and which
missions each programme runs (pages/director_program_missions.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import (
    difficulty_badge,
    empty_state,
    error_callout,
    loading_state,
    page_heading,
)
from cyberhub.models import Role
from cyberhub.pages.director_program_missions import (
    ProgramMissionsState,
    program_missions_panel,
)
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import authoring, programs
from cyberhub.services.audit import RequestMeta
from cyberhub.services.authoring import MissionChanges
from cyberhub.services.errors import DomainError, Invalid
from cyberhub.services.permissions import Principal
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState

ROUTE = "/director/missions"
ALL = "all"
ACTIONS = {
    "publish": ("Publish", "Students of the programme can see and start it at once."),
    "unpublish": ("Unpublish", "It goes back to draft: students no longer see it."),
    "archive": ("Archive", "It is hidden from students and from new prerequisites."),
}
EMPTY_FORM = {
    "program": "",
    "track": "",
    "title": "",
    "summary": "",
    "brief": "",
    "difficulty": "1",
    "minutes": "60",
    "skills": "",
}


def _when(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %b %Y %H:%M") if value else ""


# -- data (worker threads) ---------------------------------------------------------------------


def _load(principal: Principal | None, status: str) -> dict[str, Any]:
    with db.session_scope() as session:
        items = authoring.list_missions(session, principal, status=status)
        counts = authoring.status_counts(session, principal)
        progs = []
        for p in programs.list_programs(session, principal):
            tracks = programs.list_tracks(session, principal, p["id"])
            progs.append(
                {
                    "id": str(p["id"]),
                    "name": p["name"],
                    "tracks": [
                        {
                            "key": t.key,
                            "name": t.name,
                            "nice": [
                                {"id": r["id"], "name": r["name"]}
                                for r in programs.program_nice_roles(t)
                            ],
                        }
                        for t in tracks
                    ],
                }
            )
        return {"items": items, "counts": counts, "programs": progs}


def _mission(principal: Principal | None, mission_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        return authoring.get_mission(session, principal, mission_id)


def _prereq_options(
    principal: Principal | None, program_id: int, mission_id: int
) -> list[dict[str, Any]]:
    with db.session_scope() as session:
        return authoring.prerequisite_options(session, principal, program_id, mission_id or None)


def _int(value: str, what: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a whole number.") from None


def _changes(
    form: dict[str, str],
    rubric: list[dict[str, str]],
    hints: list[str],
    prereqs: list[int],
    nice: list[str],
) -> MissionChanges:
    criteria = []
    for n, row in enumerate(rubric, start=1):
        if not any(str(v).strip() for v in row.values()):
            continue  # an untouched empty row
        criteria.append(
            {
                "key": row.get("key", ""),
                "title": row.get("title", ""),
                "description": row.get("description", ""),
                "points": _int(row.get("points", ""), f"points of rubric criterion {n}"),
            }
        )
    return MissionChanges(
        program_id=parse_id(form["program"]),
        track=form["track"] or None,
        title=form["title"],
        summary=form["summary"],
        brief=form["brief"],
        difficulty=_int(form["difficulty"], "difficulty"),
        estimated_minutes=_int(form["minutes"], "estimated minutes"),
        skills=[s.strip() for s in form["skills"].split(",") if s.strip()],
        rubric=criteria,
        hints=hints,
        prerequisites=prereqs,
        nice_work_roles=nice,
    )


def _save(
    principal: Principal | None, mission_id: int, changes: MissionChanges, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        if mission_id:
            changes.program_id = None  # a mission never moves programme
            return authoring.update_mission(session, principal, mission_id, changes, meta=meta)
        return authoring.create_mission(session, principal, changes, meta=meta)


def _transition(
    principal: Principal | None, action: str, mission_id: int, meta: RequestMeta
) -> dict[str, Any]:
    do = {
        "publish": authoring.publish_mission,
        "unpublish": authoring.unpublish_mission,
        "archive": authoring.archive_mission,
    }[action]
    with db.session_scope() as session:
        return do(session, principal, mission_id, meta=meta)


# -- state -------------------------------------------------------------------------------------


class DirectorMissionsState(rx.State):
    items: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    programs: list[dict[str, Any]] = []
    status_filter: str = ALL
    loading: bool = True
    error: str = ""
    notice: str = ""
    # the editor
    editor_open: bool = False
    editing_id: int = 0
    editing_status: str = ""
    form: dict[str, str] = dict(EMPTY_FORM)
    rubric: list[dict[str, str]] = []
    hints: list[str] = []
    prereq_choices: list[dict[str, Any]] = []
    prereqs: list[int] = []
    nice: list[str] = []
    editor_error: str = ""
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
            total += int(points) if points.isdigit() else 0
        return total

    @rx.var
    def confirm_label(self) -> str:
        return ACTIONS.get(self.confirm_action, ("", ""))[0]

    @rx.var
    def confirm_text(self) -> str:
        return ACTIONS.get(self.confirm_action, ("", ""))[1]

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        status = "" if self.status_filter == ALL else self.status_filter
        try:
            data = await asyncio.to_thread(_load, await self._principal(), status)
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        self.items = [{**m, "updated": _when(m["updated_at"])} for m in data["items"]]
        self.counts = data["counts"]
        self.programs = data["programs"]
        self.error, self.loading = "", False

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice = True, ""
        status = self.router.url.query_parameters.get("status", ALL)
        self.status_filter = status if status in (*authoring.STATUSES, ALL) else ALL
        await self._fetch()

    @rx.event
    async def set_status_filter(self, value: str) -> None:
        self.status_filter = value
        self.loading = True
        await self._fetch()

    # editor -----------------------------------------------------------------------------------
    async def _load_prereqs(self) -> None:
        program_id = parse_id(self.form.get("program", ""))
        if program_id is None:
            self.prereq_choices = []
            return
        try:
            self.prereq_choices = await asyncio.to_thread(
                _prereq_options, await self._principal(), program_id, self.editing_id
            )
        except DomainError as exc:
            self.editor_error = exc.message

    @rx.event
    async def new_mission(self) -> None:
        self.editing_id, self.editing_status = 0, "draft"
        self.form = dict(EMPTY_FORM)
        if self.programs:
            self.form["program"] = self.programs[0]["id"]
            tracks = self.programs[0]["tracks"]
            self.form["track"] = tracks[0]["key"] if tracks else ""
        self.rubric = [{"key": "", "title": "", "description": "", "points": "10"}]
        self.hints, self.prereqs, self.nice = [], [], []
        self.editor_error, self.notice, self.editor_open = "", "", True
        await self._load_prereqs()

    @rx.event
    async def edit(self, mission_id: int) -> None:
        self.notice = ""
        try:
            m = await asyncio.to_thread(_mission, await self._principal(), int(mission_id))
        except DomainError as exc:
            self.error = exc.message
            return
        self._fill(m)
        self.editor_error, self.editor_open = "", True
        await self._load_prereqs()

    def _fill(self, m: dict[str, Any]) -> None:
        self.editing_id, self.editing_status = int(m["id"]), str(m["status"])
        self.form = {
            "program": str(m["program_ids"][0]) if m["program_ids"] else "",
            "track": m["track"],
            "title": m["title"],
            "summary": m["summary"],
            "brief": m["brief"],
            "difficulty": str(m["difficulty"]),
            "minutes": str(m["estimated_minutes"]),
            "skills": ", ".join(m["skills"]),
        }
        self.rubric = [
            {
                "key": str(c.get("key", "")),
                "title": str(c.get("title", "")),
                "description": str(c.get("description", "")),
                "points": str(c.get("points", "")),
            }
            for c in m["rubric"]
        ]
        self.hints = list(m["hints"])
        self.prereqs = [int(p["id"]) for p in m["prerequisites"]]
        self.nice = list(m["nice_work_roles"])

    @rx.event
    def close_editor(self) -> None:
        self.editor_open = False

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in EMPTY_FORM:
            self.form[name] = str(value)[:50_000]

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
        try:
            changes = _changes(self.form, self.rubric, self.hints, self.prereqs, self.nice)
            m = await asyncio.to_thread(
                _save, await self._principal(), self.editing_id, changes, request_meta(self)
            )
        except DomainError as exc:
            self.editor_error, self.saving = exc.message, False
            return
        created = self.editing_id == 0
        self._fill(m)
        self.editor_error, self.saving = "", False
        await self._fetch()
        self.notice = f"{'Created' if created else 'Saved'} “{m['title']}” ({m['status']})."

    # publish / unpublish / archive ------------------------------------------------------------
    @rx.event
    def ask(self, action: str, mission_id: int, title: str) -> None:
        self.confirm_action, self.confirm_id, self.confirm_title = action, int(mission_id), title
        self.confirm_open = True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @rx.event
    async def confirm(self) -> None:
        self.confirm_open, self.notice = False, ""
        try:
            m = await asyncio.to_thread(
                _transition,
                await self._principal(),
                self.confirm_action,
                self.confirm_id,
                request_meta(self),
            )
        except DomainError as exc:
            self.error = exc.message
            if self.editor_open and self.editing_id == self.confirm_id:
                self.editor_error = exc.message
            return
        self.error = ""
        if self.editor_open and self.editing_id == self.confirm_id:
            self._fill(m)
            self.editor_error = ""
        await self._fetch()
        self.notice = f"“{m['title']}” is now {m['status']}."


# -- components --------------------------------------------------------------------------------

S = DirectorMissionsState


def _label(text: Any, for_id: Any) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_weight="500")


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("published", "green"), ("draft", "amber"), "gray"),
        variant="soft",
    )


def _action_buttons(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return _transitions(m["status"].to(str), m["id"].to(int), m["title"].to(str))


def _editor_actions() -> rx.Component:
    return _transitions(S.editing_status, S.editing_id, S.form["title"])


def _transitions(status: Any, mid: Any, title: Any, size: str = "2") -> rx.Component:
    def button(action: str, label: str, **props: Any) -> rx.Component:
        return rx.button(
            label,
            size=size,
            variant="soft",
            on_click=S.ask(action, mid, title),
            aria_label=label + " " + title,
            **props,
        )

    return rx.hstack(
        rx.cond(status != "published", button("publish", "Publish", color_scheme="green")),
        rx.cond(status != "draft", button("unpublish", "Unpublish")),
        rx.cond(status != "archived", button("archive", "Archive", color_scheme="gray")),
        spacing="2",
        wrap="wrap",
    )


def _mission_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(
                    m["title"],
                    href="#editor",
                    on_click=S.edit(m["id"].to(int)),
                    weight="medium",
                    aria_label="Edit " + m["title"].to(str),
                ),
                rx.text(m["summary"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(m["track_name"]),
        rx.table.cell(difficulty_badge(m["difficulty"].to(int))),
        rx.table.cell(_status_badge(m["status"].to(str))),
        rx.table.cell(rx.text(m["updated"], size="1")),
        rx.table.cell(_action_buttons(m)),
    )


def _filter() -> rx.Component:
    def option(value: str, label: str) -> rx.Component:
        return rx.select.item(label, value=value)

    return rx.hstack(
        _label("Status", "status-filter"),
        rx.select.root(
            rx.select.trigger(id="status-filter", aria_label="Status"),
            rx.select.content(
                option(ALL, "All"),
                option("draft", "Draft"),
                option("published", "Published"),
                option("archived", "Archived"),
            ),
            value=S.status_filter,
            on_change=S.set_status_filter,
        ),
        rx.text(
            S.counts["draft"].to(int),
            " draft · ",
            S.counts["published"].to(int),
            " published · ",
            S.counts["archived"].to(int),
            " archived",
            size="2",
            color_scheme="gray",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _list() -> rx.Component:
    return rx.cond(
        S.items.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Mission", "Track", "Level", "Status", "Updated", "Actions")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.items, _mission_row)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            data_testid="missions-table",
        ),
        rx.cond(
            S.error == "",
            empty_state(
                "No missions here",
                rx.cond(
                    S.status_filter == ALL,
                    "Write your programme's first mission.",
                    "No mission has this status.",
                ),
                rx.button(rx.icon("plus", size=16), "New mission", on_click=S.new_mission),
            ),
        ),
    )


def _input(label: str, name: str, **props: Any) -> rx.Component:
    id_ = f"mission-{name}"
    return rx.vstack(
        _label(label, id_),
        rx.input(
            id=id_,
            name=name,
            value=S.form[name],
            on_change=lambda v: S.set_field(name, v),
            width="100%",
            **props,
        ),
        spacing="1",
        width="100%",
    )


def _choice(label: str, id_: str, options: Any, value: Any, on_change: Any) -> rx.Component:
    return rx.vstack(
        _label(label, id_),
        rx.select.root(
            rx.select.trigger(id=id_, aria_label=label, width="100%"),
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))
            ),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        width="100%",
    )


LEVEL_NAMES = ("Beginner", "Foundation", "Intermediate", "Advanced", "Expert")
LEVELS = [{"id": str(n), "name": f"{n} · {name}"} for n, name in enumerate(LEVEL_NAMES, start=1)]


def _rubric_row(row: rx.Var[dict[str, str]], i: rx.Var[int]) -> rx.Component:
    n = (i + 1).to(str)
    return rx.table.row(
        rx.table.cell(
            rx.input(
                value=row["title"],
                on_change=lambda v: S.set_rubric(i, "title", v),
                aria_label="Criterion " + n + " title",
                max_length=120,
            )
        ),
        rx.table.cell(
            rx.input(
                value=row["description"],
                on_change=lambda v: S.set_rubric(i, "description", v),
                aria_label="Criterion " + n + " description",
                max_length=1000,
                width="100%",
            )
        ),
        rx.table.cell(
            rx.input(
                value=row["points"],
                on_change=lambda v: S.set_rubric(i, "points", v),
                aria_label="Criterion " + n + " points",
                type="number",
                min=1,
                max=1000,
                width="6em",
            )
        ),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash_2", size=16),
                variant="ghost",
                color_scheme="red",
                on_click=S.remove_rubric_row(i),
                aria_label="Remove criterion " + n,
                type="button",
            )
        ),
    )


def _hint_row(hint: rx.Var[str], i: rx.Var[int]) -> rx.Component:
    n = (i + 1).to(str)
    return rx.hstack(
        rx.text_area(
            value=hint,
            on_change=lambda v: S.set_hint(i, v),
            aria_label="Hint " + n,
            max_length=1000,
            rows="2",
            width="100%",
        ),
        rx.icon_button(
            rx.icon("trash_2", size=16),
            variant="ghost",
            color_scheme="red",
            on_click=S.remove_hint(i),
            aria_label="Remove hint " + n,
            type="button",
        ),
        width="100%",
        align="start",
    )


def _checks(legend: str, options: Any, on_toggle: Any, empty: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, font_weight="500", margin_bottom="0.25em"),
        rx.cond(
            options.length() > 0,
            rx.flex(
                rx.foreach(
                    options,
                    lambda o: rx.checkbox(
                        o["label"],
                        checked=o["checked"].to(bool),
                        on_change=lambda v: on_toggle(o["id"], v),
                    ),
                ),
                direction="column",
                gap="0.4em",
                max_height="12em",
                overflow_y="auto",
            ),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        border="none",
        padding="0",
        width="100%",
    )


def _editor() -> rx.Component:
    f = S.form
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        rx.cond(S.editing_id > 0, "Edit mission", "New mission"), size="5", as_="h2"
                    ),
                    rx.cond(S.editing_id > 0, _status_badge(S.editing_status)),
                    align="center",
                    spacing="3",
                ),
                error_callout(S.editor_error),
                rx.grid(
                    rx.cond(
                        S.programs.length() > 1,
                        _choice(
                            "Programme",
                            "mission-program",
                            S.programs.to(list[dict[str, Any]]),
                            f["program"],
                            S.set_program,
                        ),
                    ),
                    _choice("Track", "mission-track", S.track_options, f["track"], S.set_track),
                    _choice(
                        "Difficulty",
                        "mission-difficulty",
                        LEVELS,
                        f["difficulty"],
                        lambda v: S.set_field("difficulty", v),
                    ),
                    _input("Estimated minutes", "minutes", type="number", min=1, max=6000),
                    columns=rx.breakpoints(initial="1", sm="2", md="4"),
                    gap="1em",
                    width="100%",
                ),
                _input("Title", "title", max_length=200),
                _input("Summary", "summary", max_length=400),
                _input("Skills (comma-separated)", "skills", max_length=1000),
                rx.grid(
                    rx.vstack(
                        _label("Brief (markdown)", "mission-brief"),
                        rx.text_area(
                            id="mission-brief",
                            name="brief",
                            value=f["brief"],
                            on_change=lambda v: S.set_field("brief", v),
                            rows="16",
                            width="100%",
                            min_height="28em",
                            font_family="monospace",
                            max_length=50_000,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.text("Preview", font_weight="500", id="brief-preview-label"),
                        rx.card(
                            rx.cond(
                                f["brief"] != "",
                                safe_markdown(f["brief"].to(str)),
                                rx.text(
                                    "The brief appears here as students will see it.",
                                    color_scheme="gray",
                                ),
                            ),
                            width="100%",
                            min_height="20em",
                            max_height="32em",
                            overflow_y="auto",
                            class_name="mission-brief",
                            data_testid="brief-preview",
                            aria_labelledby="brief-preview-label",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    gap="1em",
                    width="100%",
                ),
                rx.heading("Rubric", size="4", as_="h3"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Criterion"),
                                rx.table.column_header_cell("What mentors look for"),
                                rx.table.column_header_cell("Points"),
                                rx.table.column_header_cell(rx.el.span("Remove")),
                            )
                        ),
                        rx.table.body(rx.foreach(S.rubric, _rubric_row)),
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("plus", size=14),
                        "Add criterion",
                        variant="soft",
                        type="button",
                        on_click=S.add_rubric_row,
                    ),
                    rx.text("Total: ", S.rubric_total, " points", size="2"),
                    align="center",
                    spacing="3",
                ),
                rx.heading("Hints", size="4", as_="h3"),
                rx.foreach(S.hints, _hint_row),
                rx.button(
                    rx.icon("plus", size=14),
                    "Add hint",
                    variant="soft",
                    type="button",
                    on_click=S.add_hint,
                ),
                rx.grid(
                    _checks(
                        "Prerequisites",
                        S.prereq_options,
                        S.toggle_prereq,
                        "No other mission in this programme yet.",
                    ),
                    _checks(
                        "NICE work roles",
                        S.nice_options,
                        S.toggle_nice,
                        "Choose a track first.",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    gap="1em",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("save", size=16), "Save mission", type="submit", loading=S.saving
                    ),
                    rx.cond(S.editing_id > 0, _editor_actions()),
                    rx.button("Close", variant="ghost", type="button", on_click=S.close_editor),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
        ),
        width="100%",
        id="editor",
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_label, " “", S.confirm_title, "”?"),
            rx.alert_dialog.description(S.confirm_text),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button(
                    S.confirm_label,
                    color_scheme=rx.match(
                        S.confirm_action, ("publish", "green"), ("archive", "gray"), "amber"
                    ),
                    on_click=S.confirm,
                ),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def director_missions_content() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            page_heading("Missions", "Write, preview and publish your programmes' missions."),
            rx.button(rx.icon("plus", size=16), "New mission", on_click=S.new_mission),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        error_callout(S.error),
        rx.cond(S.editor_open, _editor()),
        _filter(),
        rx.cond(S.loading, loading_state("Loading missions…"), _list()),
        program_missions_panel(),
        _confirm_dialog(),
        spacing="4",
        width="100%",
    )


def director_missions_page() -> rx.Component:
    return shell(guarded(ROUTE, director_missions_content()))


page = register(
    Page(
        route=ROUTE,
        title="Missions · Director · CyberHub",
        component=director_missions_page,
        access=roles(Role.director, Role.admin),
        on_load=(DirectorMissionsState.load, ProgramMissionsState.load),
    )
)
