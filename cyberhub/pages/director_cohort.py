"""/director/cohorts/[cohort_id]: one cohort for its director — the roster with progress and
mentor, enrolment by email and by CSV import (all or nothing, per-row errors), mentors with
their capacity, matching by hand or balanced by load, and the cohort's settings; applications,
the waitlist and the enrolment mode come from pages/cohort_enrolment.py."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import reflex as rx
from reflex.vars import FunctionStringVar

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, remove_button
from cyberhub.models import Role
from cyberhub.pages.cohort_enrolment import CohortEnrolmentState, enrolment_panel
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import enrollment, programs
from cyberhub.services.audit import RequestMeta
from cyberhub.services.enrollment import CsvImportError
from cyberhub.services.errors import DomainError, Forbidden, Invalid
from cyberhub.services.permissions import Principal
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState

ROUTE = "/director/cohorts/[cohort_id]"
HOME = "/dashboard/director"
NO_MENTOR = "none"
CSV_EXAMPLE = "email,full_name\nada@example.org,Ada Lovelace\ngrace@example.org,Grace Hopper"


def _dates(c: dict[str, Any]) -> str:
    a, b = date.fromisoformat(c["starts_on"]), date.fromisoformat(c["ends_on"])
    return f"{a:%d %b %Y} – {b:%d %b %Y}"


# -- data (worker threads) ---------------------------------------------------------------------


def _load(principal: Principal | None, cohort_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        cohort = programs.cohort_detail(session, principal, cohort_id)
        return {
            "cohort": cohort,
            "roster": programs.roster(session, principal, cohort_id),
            "mentors": enrollment.list_mentors(session, principal, cohort_id),
        }


def _enroll(
    principal: Principal | None, cohort_id: int, email: str, name: str, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        return enrollment.enroll(session, principal, cohort_id, email, full_name=name, meta=meta)


def _import(
    principal: Principal | None, cohort_id: int, text: str, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:  # one transaction: a failing row rolls back everything
        return enrollment.import_csv(session, principal, cohort_id, text, meta=meta)


def _withdraw(
    principal: Principal | None, cohort_id: int, student_id: int, meta: RequestMeta
) -> None:
    with db.session_scope() as session:
        enrollment.unenroll(session, principal, cohort_id, student_id, meta=meta)


def _add_mentor(
    principal: Principal | None, cohort_id: int, email: str, capacity: str, meta: RequestMeta
) -> dict[str, Any]:
    try:
        seats = int(capacity.strip())
    except ValueError:
        raise Invalid("Enter the mentor's capacity as a whole number.") from None
    with db.session_scope() as session:
        return enrollment.set_cohort_mentor(session, principal, cohort_id, email, seats, meta=meta)


def _assign(
    principal: Principal | None, cohort_id: int, student_id: int, mentor_id: int, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        return enrollment.assign_mentor(
            session, principal, cohort_id, student_id, mentor_id, meta=meta
        )


def _remove_mentor(
    principal: Principal | None, cohort_id: int, mentor_id: int, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        return enrollment.remove_cohort_mentor(session, principal, cohort_id, mentor_id, meta=meta)


def _balance(principal: Principal | None, cohort_id: int, meta: RequestMeta) -> dict[str, Any]:
    with db.session_scope() as session:
        return enrollment.balance_mentors(session, principal, cohort_id, meta=meta)


def _save_settings(
    principal: Principal | None, cohort_id: int, form: dict[str, str], meta: RequestMeta
) -> None:
    try:
        starts_on = date.fromisoformat(form["starts_on"])
        ends_on = date.fromisoformat(form["ends_on"])
    except ValueError:
        raise Invalid("Enter both dates (YYYY-MM-DD).") from None
    try:
        capacity = int(form["capacity"])
    except ValueError:
        raise Invalid("Enter the capacity as a whole number.") from None
    with db.session_scope() as session:
        programs.update_cohort(
            session,
            principal,
            cohort_id,
            name=form["name"],
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=capacity,
            meta=meta,
        )


# -- state -------------------------------------------------------------------------------------


# The browser reads the chosen file; its text lands in the text area for review (one character
# past the limit, so an oversized file gets the import's "too large" message, not a silent cut).
# A function compiled into the page, not rx.call_script: that code would reach the browser as a
# string to eval, which the Content-Security-Policy forbids.
_READ_CSV_FILE: FunctionStringVar[Any] = FunctionStringVar.create(
    "((_value) => { const file = document.getElementById('csv-file').files[0]; "
    "if (file) file.text().then((text) => { document.getElementById('csv-text').value = "
    f"text.slice(0, {enrollment.CSV_MAX_BYTES + 1}); }}); }})"
)


class DirectorCohortState(rx.State):
    cohort_id: int = 0
    cohort: dict[str, Any] = {}
    roster: list[dict[str, Any]] = []
    mentors: list[dict[str, Any]] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    action_error: str = ""
    # enrol one
    enroll_email: str = ""
    enroll_name: str = ""
    enroll_error: str = ""
    # CSV import
    csv_text: str = ""
    import_error: str = ""
    import_rows: list[dict[str, Any]] = []
    importing: bool = False
    # mentors
    mentor_email: str = ""
    mentor_capacity: str = "10"
    mentor_error: str = ""
    balance_open: bool = False
    # the mentor row awaiting confirmation of removal (dialog open while set)
    remove_open: bool = False
    removing: dict[str, Any] = {}
    # withdraw
    withdraw_open: bool = False
    withdraw_id: int = 0
    withdraw_name: str = ""
    # settings
    settings_open: bool = False
    settings_error: str = ""

    @rx.var
    def mentor_options(self) -> list[dict[str, str]]:
        return [{"id": str(m["mentor_id"]), "name": m["name"]} for m in self.mentors]

    @rx.var
    def unassigned(self) -> int:
        return sum(1 for r in self.roster if not r.get("mentor_id"))

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        try:
            data = await asyncio.to_thread(_load, await self._principal(), self.cohort_id)
        except Forbidden:
            # Another organisation's cohort: the 403 page, as for a page of a role one lacks.
            (await self.get_state(SessionState)).deny(ROUTE)
            self.loading = False
            return
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        c = data["cohort"]
        self.cohort = {**c, "dates": _dates(c)}
        self.roster = [
            {**r, "mentor_value": str(r["mentor_id"]) if r["mentor_id"] else NO_MENTOR}
            for r in data["roster"]
        ]
        self.mentors = data["mentors"]
        self.error, self.loading = "", False

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.action_error = True, "", ""
        self.enroll_error = self.import_error = self.mentor_error = ""
        self.import_rows = []
        cohort_id = parse_id(self.router.page.params.get("cohort_id", ""))
        if cohort_id is None:
            self.error, self.loading = "That cohort does not exist.", False
            return
        self.cohort_id = cohort_id
        await self._fetch()

    # enrol one --------------------------------------------------------------------------------
    @rx.event
    async def enroll(self, form: dict[str, Any]) -> Any:
        self.enroll_email = str(form.get("email", "")).strip()[:320]
        self.enroll_name = str(form.get("full_name", "")).strip()[:200]
        self.notice = ""
        try:
            out = await asyncio.to_thread(
                _enroll,
                await self._principal(),
                self.cohort_id,
                self.enroll_email,
                self.enroll_name,
                request_meta(self),
            )
        except DomainError as exc:
            self.enroll_error = exc.message
            return None
        self.enroll_error, self.enroll_email, self.enroll_name = "", "", ""
        await self._fetch()
        self.notice = f"Enrolled {out['email']}" + (
            " and sent them an invitation to their new account." if out["new_account"] else "."
        )
        return [rx.set_value("enroll-email", ""), rx.set_value("enroll-name", "")]

    # CSV import -------------------------------------------------------------------------------
    @rx.event
    async def import_csv(self, form: dict[str, Any]) -> Any:
        self.csv_text = str(form.get("csv", ""))[: enrollment.CSV_MAX_BYTES + 1]
        self.notice, self.import_rows, self.importing = "", [], True
        yield
        try:
            out = await asyncio.to_thread(
                _import, await self._principal(), self.cohort_id, self.csv_text, request_meta(self)
            )
        except CsvImportError as exc:
            self.import_error, self.import_rows, self.importing = exc.message, exc.rows, False
            return
        except DomainError as exc:
            self.import_error, self.importing = exc.message, False
            return
        self.import_error, self.csv_text, self.importing = "", "", False
        await self._fetch()
        new = out["new_accounts"]
        self.notice = f"Imported {out['imported']} students" + (
            f" ({new} new accounts invited by email)." if new else "."
        )
        yield rx.set_value("csv-text", "")

    # withdraw ---------------------------------------------------------------------------------
    @rx.event
    def ask_withdraw(self, row: dict[str, Any]) -> None:
        self.withdraw_id = int(row.get("student_id") or 0)
        self.withdraw_name = str(row.get("name", ""))
        self.withdraw_open = True

    @rx.event
    def set_withdraw_open(self, value: bool) -> None:
        self.withdraw_open = value

    @rx.event
    async def withdraw(self) -> Any:
        self.withdraw_open, self.notice = False, ""
        try:
            await asyncio.to_thread(
                _withdraw,
                await self._principal(),
                self.cohort_id,
                self.withdraw_id,
                request_meta(self),
            )
        except DomainError as exc:
            self.action_error = exc.message
            return
        self.action_error = ""
        await self._fetch()
        self.notice = f"{self.withdraw_name} was withdrawn from the cohort."
        return CohortEnrolmentState.load  # the freed seat went to the first on the waitlist

    # mentors ----------------------------------------------------------------------------------
    @rx.event
    async def add_mentor(self, form: dict[str, Any]) -> Any:
        self.mentor_email = str(form.get("email", "")).strip()[:320]
        self.mentor_capacity = str(form.get("capacity", "")).strip()[:6]
        self.notice = ""
        try:
            out = await asyncio.to_thread(
                _add_mentor,
                await self._principal(),
                self.cohort_id,
                self.mentor_email,
                self.mentor_capacity,
                request_meta(self),
            )
        except DomainError as exc:
            self.mentor_error = exc.message
            return None
        self.mentor_error, self.mentor_email = "", ""
        await self._fetch()
        self.notice = f"{out['name']} mentors here, up to {out['capacity']} learners."
        return rx.set_value("mentor-email", "")

    @rx.event
    async def assign(self, student_id: int, mentor: str) -> None:
        self.notice = ""
        mentor_id = parse_id(mentor)
        if mentor_id is None:
            return
        try:
            out = await asyncio.to_thread(
                _assign,
                await self._principal(),
                self.cohort_id,
                int(student_id),
                mentor_id,
                request_meta(self),
            )
        except DomainError as exc:
            self.action_error = exc.message
            await self._fetch()  # the select shows the real mentor again
            return
        self.action_error = ""
        await self._fetch()
        self.notice = f"Matched with {out['mentor']}."

    @rx.event
    def ask_remove_mentor(self, row: dict[str, Any]) -> None:
        self.removing = {
            "mentor_id": int(row.get("mentor_id") or 0),
            "name": str(row.get("name", "")),
            "mentees": int(row.get("mentees") or 0),
        }
        self.remove_open = True

    @rx.event
    def set_remove_open(self, value: bool) -> None:
        self.remove_open = value

    @rx.event
    async def remove_mentor(self) -> None:
        self.remove_open, self.notice = False, ""
        try:
            out = await asyncio.to_thread(
                _remove_mentor,
                await self._principal(),
                self.cohort_id,
                int(self.removing.get("mentor_id") or 0),
                request_meta(self),
            )
        except DomainError as exc:
            self.action_error = exc.message
            await self._fetch()  # show who really serves the cohort now
            return
        self.action_error = ""
        await self._fetch()
        n, k = out["unassigned"], out["released"]
        self.notice = (
            f"{out['name']} no longer mentors here; "
            + (f"{n} student needs a mentor" if n == 1 else f"{n} students need a mentor")
            + (
                f" ({k} claimed submission{'s' if k != 1 else ''} went back to the review queue)."
                if k
                else "."
            )
        )

    @rx.event
    def set_balance_open(self, value: bool) -> None:
        self.balance_open = value

    @rx.event
    async def balance(self) -> None:
        self.balance_open, self.notice = False, ""
        try:
            out = await asyncio.to_thread(
                _balance, await self._principal(), self.cohort_id, request_meta(self)
            )
        except DomainError as exc:
            self.action_error = exc.message
            return
        self.action_error = ""
        await self._fetch()
        n, left = len(out["assignments"]), out["unassigned"]
        self.notice = f"Matched {n} student{'s' if n != 1 else ''} by load" + (
            f"; {left} still without a mentor (every mentor is full)." if left else "."
        )

    # settings ---------------------------------------------------------------------------------
    @rx.event
    def set_settings_open(self, value: bool) -> None:
        self.settings_open, self.settings_error = value, ""

    @rx.event
    async def save_settings(self, form: dict[str, Any]) -> Any:
        data = {k: str(form.get(k, "")).strip()[:200] for k in ("name", "starts_on", "ends_on")}
        data["capacity"] = str(form.get("capacity", "")).strip()[:6]
        try:
            await asyncio.to_thread(
                _save_settings, await self._principal(), self.cohort_id, data, request_meta(self)
            )
        except DomainError as exc:
            self.settings_error = exc.message
            return
        self.settings_open, self.settings_error = False, ""
        await self._fetch()
        self.notice = "Saved the cohort's settings."
        return CohortEnrolmentState.load  # a capacity raised promotes the waitlist


# -- components --------------------------------------------------------------------------------


def _label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_weight="500")


def _table(headers: list[str], body: rx.Component, **props: Any) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )


def _mentor_select(r: rx.Var[dict[str, Any]]) -> rx.Component:
    S = DirectorCohortState
    return rx.select.root(
        rx.select.trigger(
            aria_label="Mentor of " + r["name"].to(str), placeholder="No mentor", min_width="10em"
        ),
        rx.select.content(
            rx.select.item("No mentor", value=NO_MENTOR, disabled=True),
            rx.foreach(S.mentor_options, lambda o: rx.select.item(o["name"], value=o["id"])),
        ),
        value=r["mentor_value"].to(str),
        on_change=lambda v: S.assign(r["student_id"].to(int), v),
        size="2",
    )


def _roster_row(r: rx.Var[dict[str, Any]]) -> rx.Component:
    progress = r["progress"].to(int)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r["name"], weight="medium"),
                rx.text(r["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.progress(
                    value=progress,
                    width="8em",
                    aria_label="Progress of " + r["name"].to(str),
                ),
                rx.text(
                    progress,
                    "% · ",
                    r["approved"],
                    " of ",
                    r["published"],
                    " missions",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.cond(
                DirectorCohortState.mentors.length() > 0,
                _mentor_select(r),
                rx.text(rx.cond(r["mentor"] != "", r["mentor"], "—"), size="2"),
            )
        ),
        rx.table.cell(
            rx.button(
                "Withdraw",
                variant="soft",
                color_scheme="red",
                size="2",
                on_click=DirectorCohortState.ask_withdraw(r),
                aria_label="Withdraw " + r["name"].to(str),
            )
        ),
    )


def _roster() -> rx.Component:
    S = DirectorCohortState
    return rx.vstack(
        rx.heading("Roster", size="5", as_="h2"),
        rx.cond(
            S.roster.length() > 0,
            _table(
                ["Student", "Progress", "Mentor", "Actions"],
                rx.foreach(S.roster, _roster_row),
                data_testid="roster",
            ),
            empty_state(
                "Nobody enrolled yet",
                "Enrol students one by one or import a CSV file below.",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _enroll_form() -> rx.Component:
    S = DirectorCohortState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Enrol a student", size="4", as_="h2"),
                rx.text(
                    "An address without an account gets one, and an invitation by email.",
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(S.enroll_error),
                rx.flex(
                    rx.vstack(
                        _label("Email", "enroll-email"),
                        rx.input(
                            id="enroll-email",
                            name="email",
                            type="email",
                            default_value=S.enroll_email,
                            max_length=320,
                            min_width="16em",
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        _label("Full name (for new accounts)", "enroll-name"),
                        rx.input(
                            id="enroll-name",
                            name="full_name",
                            default_value=S.enroll_name,
                            max_length=200,
                            min_width="14em",
                        ),
                        spacing="1",
                    ),
                    gap="1em",
                    wrap="wrap",
                ),
                rx.button(rx.icon("user_plus", size=16), "Enrol", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.enroll,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _import_row(r: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["row"]),
        rx.table.cell(rx.code(r["email"])),
        rx.table.cell(r["error"]),
    )


def _import_form() -> rx.Component:
    S = DirectorCohortState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Import from CSV", size="4", as_="h2"),
                rx.text(
                    "Columns email,full_name with that header row. All or nothing: if any row "
                    "has a problem, nobody is imported and each problem is listed.",
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(S.import_error),
                rx.cond(
                    S.import_rows.length() > 0,
                    _table(
                        ["Row", "Email", "Problem"],
                        rx.foreach(S.import_rows, _import_row),
                        data_testid="import-errors",
                    ),
                ),
                _label("CSV file (optional)", "csv-file"),
                rx.el.input(
                    id="csv-file",
                    name="csv_file",
                    type="file",
                    accept=".csv,text/csv,text/plain",
                    on_change=_READ_CSV_FILE,
                ),
                _label("CSV text", "csv-text"),
                rx.text_area(
                    id="csv-text",
                    name="csv",
                    default_value=S.csv_text,
                    placeholder=CSV_EXAMPLE,
                    rows="8",
                    width="100%",
                    font_family="monospace",
                ),
                rx.button(rx.icon("upload", size=16), "Import", type="submit", loading=S.importing),
                spacing="2",
                width="100%",
            ),
            on_submit=S.import_csv,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _mentor_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(m["name"], weight="medium"),
                rx.text(m["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(m["mentees"], " / ", m["capacity"]),
        rx.table.cell(m["free"]),
        rx.table.cell(remove_button(m["name"].to(str), DirectorCohortState.ask_remove_mentor(m))),
    )


def _mentors() -> rx.Component:
    S = DirectorCohortState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Mentors", size="4", as_="h2"),
                rx.button(
                    rx.icon("scale", size=16),
                    "Balance by load",
                    variant="soft",
                    on_click=S.set_balance_open(True),
                    disabled=(S.mentors.length() == 0) | (S.unassigned == 0),
                ),
                justify="between",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                S.mentors.length() > 0,
                _table(
                    ["Mentor", "Mentees / capacity", "Free places", "Actions"],
                    rx.foreach(S.mentors, _mentor_row),
                    data_testid="mentors",
                ),
                rx.text(
                    "No mentor serves this cohort yet: add one below.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.text(S.unassigned, " students without a mentor.", size="2"),
            rx.form(
                rx.vstack(
                    rx.heading("Add a mentor", size="3", as_="h3"),
                    error_callout(S.mentor_error),
                    rx.flex(
                        rx.vstack(
                            _label("Mentor's email", "mentor-email"),
                            rx.input(
                                id="mentor-email",
                                name="email",
                                type="email",
                                default_value=S.mentor_email,
                                max_length=320,
                                min_width="16em",
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            _label("Capacity (learners)", "mentor-capacity"),
                            rx.input(
                                id="mentor-capacity",
                                name="capacity",
                                type="number",
                                min=1,
                                max=200,
                                default_value=S.mentor_capacity,
                                width="8em",
                            ),
                            spacing="1",
                        ),
                        gap="1em",
                        wrap="wrap",
                    ),
                    rx.button(rx.icon("user_plus", size=16), "Add mentor", type="submit"),
                    spacing="2",
                ),
                on_submit=S.add_mentor,
                reset_on_submit=False,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _confirm(
    title: Any, body: Any, action: str, on_confirm: Any, open_: Any, on_open: Any, red: bool = False
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(body),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button(action, color_scheme="red" if red else "teal", on_click=on_confirm),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=open_,
        on_open_change=on_open,
    )


def _settings_dialog() -> rx.Component:
    S = DirectorCohortState
    c = S.cohort

    def field(label: str, name: str, **props: Any) -> rx.Component:
        return rx.vstack(
            _label(label, f"settings-{name}"),
            rx.input(
                id=f"settings-{name}",
                name=name,
                default_value=c[name].to(str),
                width="100%",
                **props,
            ),
            spacing="1",
            width="100%",
        )

    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cohort settings"),
            rx.alert_dialog.description(
                "The capacity can't go below the students already enrolled.", size="2"
            ),
            rx.form(
                rx.vstack(
                    error_callout(S.settings_error),
                    field("Name", "name", max_length=200),
                    field("Starts on", "starts_on", type="date"),
                    field("Ends on", "ends_on", type="date"),
                    field("Capacity (seats)", "capacity", type="number", min=1),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Save settings", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    margin_top="1em",
                ),
                on_submit=S.save_settings,
                reset_on_submit=False,
            ),
        ),
        open=S.settings_open,
        on_open_change=S.set_settings_open,
    )


def _header() -> rx.Component:
    S = DirectorCohortState
    c = S.cohort
    return rx.vstack(
        rx.link("← Programme", href=HOME, size="2"),
        rx.hstack(
            rx.vstack(
                rx.heading(c["name"], size="7", as_="h1"),
                rx.text(c["program"], " · ", c["dates"], color_scheme="gray"),
                spacing="1",
            ),
            rx.button(
                rx.icon("settings", size=16),
                "Settings",
                variant="soft",
                on_click=S.set_settings_open(True),
            ),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.flex(
            rx.badge(c["status"], variant="soft", size="2"),
            rx.badge(c["enrolled"], " of ", c["capacity"], " seats taken", size="2"),
            rx.badge(c["seats_left"], " left", variant="soft", size="2"),
            rx.cond(
                c["director"] != "",
                rx.badge("Director: ", c["director"], variant="outline", size="2"),
            ),
            gap="0.5em",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def director_cohort_content() -> rx.Component:
    S = DirectorCohortState
    return rx.cond(
        S.loading,
        loading_state("Loading the cohort…"),
        rx.cond(
            S.error != "",
            empty_state(
                "Cohort not available",
                S.error,
                rx.link(rx.button("Back to your programme"), href=HOME),
            ),
            rx.vstack(
                _header(),
                rx.cond(
                    S.notice != "",
                    rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
                ),
                error_callout(S.action_error),
                _roster(),
                enrolment_panel(),
                rx.grid(
                    _enroll_form(),
                    _mentors(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    gap="1em",
                    width="100%",
                ),
                _import_form(),
                _confirm(
                    rx.text("Withdraw ", S.withdraw_name, "?"),
                    "They lose their seat and their mentor here; their submissions are kept.",
                    "Withdraw",
                    S.withdraw,
                    S.withdraw_open,
                    S.set_withdraw_open,
                    red=True,
                ),
                _confirm(
                    rx.text("Remove ", S.removing["name"].to(str), " from this cohort?"),
                    rx.text(
                        "Their ",
                        S.removing["mentees"].to(int),
                        rx.cond(
                            S.removing["mentees"].to(int) == 1, " mentee becomes", " mentees become"
                        ),
                        " unassigned; you can balance mentors again afterwards.",
                    ),
                    "Remove",
                    S.remove_mentor,
                    S.remove_open,
                    S.set_remove_open,
                    red=True,
                ),
                _confirm(
                    "Balance mentors by load?",
                    rx.text(
                        "Each of the ",
                        S.unassigned,
                        " students without a mentor goes to the mentor with the fewest "
                        "mentees who still has room. Existing matches stay as they are.",
                    ),
                    "Balance",
                    S.balance,
                    S.balance_open,
                    S.set_balance_open,
                ),
                _settings_dialog(),
                spacing="4",
                width="100%",
            ),
        ),
    )


def director_cohort_page() -> rx.Component:
    return shell(guarded(ROUTE, director_cohort_content()))


page = register(
    Page(
        route=ROUTE,
        title="Cohort · CyberHub",
        component=director_cohort_page,
        access=roles(Role.director, Role.admin),
        on_load=(DirectorCohortState.load, CohortEnrolmentState.load),
    )
)
