"""The "Missions your programme runs" panel of /director/missions: for one programme, the
missions it runs (its organisation's own and adopted library ones) with a Remove button (after a
confirmation), and those of its tracks it may add (its organisation's own, and the published
CyberHub library ones) with an Add button. Every change goes through
services/authoring (add_to_program / remove_from_program), which checks and audits it."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.fields import field_label
from cyberhub.components.layout import flag_confirm
from cyberhub.components.notice import notice_callout
from cyberhub.components.sections import heading_with_actions, section_card
from cyberhub.components.tables import list_or
from cyberhub.components.ui import difficulty_badge, error_callout, icon_button, muted
from cyberhub.schemas.director import MissionPublic
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import authoring, certificates, programs
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import parse_id
from cyberhub.state.service import ServiceState


def _row(m: MissionPublic) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "track_name": m.track_name,
        "difficulty": m.difficulty,
        "status": m.status,
        "library": m.library,
    }


def _load(session: Session, principal: Principal | None, program: str) -> dict[str, Any]:
    choices = [
        {"id": str(p.id), "name": p.name} for p in programs.list_programs(session, principal)
    ]
    program_id = parse_id(program) or (int(choices[0]["id"]) if choices else None)
    if program_id is None:
        return {"programs": choices, "program": "", "runs": [], "library": []}
    runs = authoring.list_missions(session, principal, program_id=program_id)
    library = authoring.addable_missions(session, principal, program_id)
    required = certificates.required_ids(session, [program_id])
    return {
        "programs": choices,
        "program": str(program_id),
        "runs": [
            {**_row(m), "required": (program_id, m.id) in required}
            for m in runs
            if m.status != "archived"
        ],
        "library": [_row(m) for m in library],
    }


def _change(
    session: Session,
    principal: Principal | None,
    action: str,
    program_id: int,
    mission_id: int,
    meta: RequestMeta,
) -> str:
    if action == "add":
        m = authoring.add_to_program(session, principal, program_id, mission_id, meta=meta)
        return f"The programme now runs “{m.title}”."
    authoring.remove_from_program(session, principal, program_id, mission_id, meta=meta)
    return "Removed the mission from the programme (its submissions are kept)."


class ProgramMissionsState(ServiceState, rx.State):
    programs: list[dict[str, str]] = []
    program: str = ""
    runs: list[dict[str, Any]] = []
    library: list[dict[str, Any]] = []
    error: str = ""
    notice: str = ""
    # the mission awaiting confirmation of its removal (dialog open while set)
    remove_open: bool = False
    remove_id: int = 0
    remove_title: str = ""

    set_remove_open = open_setter("remove_open")

    async def _fetch(self) -> None:
        done = await self._try(_load, self.program)
        if not done:
            self.error = done.error
            return
        data = done.value
        self.programs, self.program = data["programs"], data["program"]
        self.runs, self.library, self.error = data["runs"], data["library"], ""

    @rx.event
    async def load(self) -> None:
        self.notice, self.remove_open = "", False
        await self._fetch()

    @rx.event
    async def refresh(self) -> None:
        """Read the programme's missions again in place, after a mission was created,
        published, unpublished or archived in the list above (a new one runs from creation)."""
        await self._fetch()

    def _list_changed(self) -> Any:
        """The missions list above shows what the programme runs too: read it again."""
        from cyberhub.pages.director_missions.state import DirectorMissionsState  # noqa: PLC0415  (why: that state's module imports this one, to refresh this panel)

        return DirectorMissionsState.refresh

    @rx.event
    async def set_program(self, value: str) -> None:
        self.program, self.notice = value, ""
        await self._fetch()

    async def _do(self, action: str, mission_id: int) -> Any:
        program_id = parse_id(self.program)
        if program_id is None:
            self.error = "Choose a programme first."
            return None
        done = await self._try(_change, action, program_id, int(mission_id), self._meta())
        if not done:
            await self._refused(done.error)
            return None
        self.notice = done.value
        await self._fetch()
        return self._list_changed()

    async def _refused(self, error: str) -> None:
        """A change was refused, most often because the programme changed meanwhile (another
        director, another tab): the lists are read again, so the page shows what the programme
        runs now, under the refusal."""
        self.notice = ""
        await self._fetch()
        self.error = error

    @rx.event
    async def add(self, mission_id: int) -> Any:
        return await self._do("add", mission_id)

    @rx.event
    def ask_remove(self, mission_id: int, title: str) -> None:
        self.remove_id, self.remove_title, self.remove_open = int(mission_id), title, True

    @rx.event
    async def remove(self) -> Any:
        self.remove_open = False
        return await self._do("remove", self.remove_id)

    @rx.event
    async def set_required(self, mission_id: int, required: bool) -> None:
        program_id = parse_id(self.program)
        if program_id is None:
            return
        done = await self._try(
            certificates.set_required,
            program_id,
            int(mission_id),
            bool(required),
            meta=self._meta(),
        )
        if not done:
            await self._refused(done.error)
            return
        m = done.value
        self.notice = (
            f"“{m.title}” is now required to complete the programme."
            if m.required
            else f"“{m.title}” is no longer required."
        )
        await self._fetch()


S = ProgramMissionsState


def _mission_line(m: rx.Var[dict[str, Any]], button: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(m["title"], weight="medium"),
            rx.hstack(
                muted(m["track_name"], size="1"),
                difficulty_badge(m["difficulty"].to(int)),
                rx.cond(
                    m["library"].to(bool),
                    rx.badge("Library", variant="soft", color_scheme="blue"),
                    rx.badge("Your organisation", variant="soft"),
                ),
                rx.cond(m["status"].to(str) != "published", rx.badge(m["status"].to(str))),
                spacing="2",
                align="center",
            ),
            spacing="1",
        ),
        rx.spacer(),
        button,
        width="100%",
        align="center",
    )


def _run_line(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return _mission_line(
        m,
        rx.hstack(
            # Required missions of a learner's track complete the programme (certificates).
            rx.checkbox(
                "Required",
                checked=m["required"].to(bool),
                on_change=lambda v: S.set_required(m["id"].to(int), v),
                aria_label="Required: " + m["title"].to(str),
            ),
            rx.button(
                "Remove",
                variant="soft",
                color_scheme="gray",
                on_click=S.ask_remove(m["id"].to(int), m["title"].to(str)),
                aria_label="Remove " + m["title"].to(str) + " from the programme",
            ),
            spacing="3",
            align="center",
        ),
    )


def _library_line(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return _mission_line(
        m,
        icon_button(
            "plus",
            "Add",
            variant="soft",
            on_click=S.add(m["id"].to(int)),
            aria_label="Add " + m["title"].to(str) + " to the programme",
        ),
    )


def program_missions_panel() -> rx.Component:
    """The panel; the page calls ProgramMissionsState.load on load."""
    return section_card(
        heading_with_actions(
            "Missions your programme runs",
            field_label("Programme", "runs-program"),
            rx.select.root(
                rx.select.trigger(id="runs-program", aria_label="Programme"),
                rx.select.content(
                    rx.foreach(S.programs, lambda p: rx.select.item(p["name"], value=p["id"]))
                ),
                value=S.program,
                on_change=S.set_program,
            ),
            size="4",
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        list_or(S.runs, _run_line, "This programme runs no missions yet.", spacing="2"),
        rx.heading("Missions to add", size="3", as_="h3"),
        list_or(
            S.library,
            _library_line,
            "Every mission of this programme's tracks, your organisation's and the CyberHub "
            "library's, is already in it.",
            spacing="2",
        ),
        flag_confirm(
            S,
            "remove_open",
            "Remove “" + S.remove_title + "” from the programme?",
            "Its learners no longer start it here, and it no longer counts toward completing "
            "the programme (a Required mark goes with it). Work already handed in is kept. You "
            "can add it again under Missions to add.",
            confirm="Remove",
            on_confirm=S.remove,
        ),
        data_testid="program-missions",
    )
