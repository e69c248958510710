"""The enrolment part of the director's cohort page (/director/cohorts/[cohort_id]): how people
enrol (director only, application, open) and the capacity; pending applications with approve /
reject (after a confirmation); the waitlist in order. Kept apart from the rest of the package,
whose view shows it and whose page loads it with its own on_load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.counts import plural
from cyberhub.components.dialogs import action_dialog
from cyberhub.components.layout import flow
from cyberhub.components.notice import notice_callout
from cyberhub.components.panels import cells_row, keeping_form
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import section_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import danger_button, error_callout, muted
from cyberhub.models import EnrolmentMode
from cyberhub.pages.director_cohort.data import ApplicationRow
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import applications
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.forms import url_id, whole_number
from cyberhub.state.service import ServiceState

MODES = [{"value": m.value, "label": applications.MODE_LABELS[m]} for m in EnrolmentMode]


# Pending applications and waitlist places shown a page at a time, each list with its own pager.
PANEL_PAGE_SIZE = 20


@dataclass(frozen=True)
class _Listed:
    """One page of the pending applications or of the waitlist."""

    rows: list[ApplicationRow]
    page: int
    pages: int


@dataclass(frozen=True)
class _Loaded:
    settings: applications.EnrolmentSettings
    pending: _Listed
    waitlist: _Listed


def _listed(
    session: Session, principal: Principal | None, cohort_id: int, status: str, page: int
) -> _Listed:
    found = applications.list_applications(
        session,
        principal,
        cohort_id,
        status=status,
        page=page,
        page_size=PANEL_PAGE_SIZE,
        last_if_past=True,  # the last row of the last page settled: the page before it
    )
    tz = principal.time_zone if principal else None
    return _Listed([ApplicationRow.of(a, tz) for a in found.items], found.page, found.pages)


def _load(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    pending_page: int,
    waitlist_page: int,
) -> _Loaded:
    return _Loaded(
        applications.enrolment_settings(session, principal, cohort_id),
        _listed(session, principal, cohort_id, "applied", pending_page),
        _listed(session, principal, cohort_id, "waitlisted", waitlist_page),
    )


def _decide(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    app_id: int,
    approve: bool,
    meta: RequestMeta,
) -> applications.ApplicationPublic:
    act = applications.approve if approve else applications.reject
    return act(session, principal, cohort_id, app_id, meta=meta)


def _save(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    mode: str,
    capacity: str,
    meta: RequestMeta,
) -> applications.EnrolmentSettings:
    seats = whole_number(capacity, "capacity")
    return applications.set_enrolment(
        session, principal, cohort_id, mode=mode, capacity=seats, meta=meta
    )


class CohortEnrolmentState(ServiceState, rx.State):
    cohort_id: int = 0
    settings: applications.EnrolmentSettings = applications.EnrolmentSettings(
        cohort_id=0,
        mode=EnrolmentMode.director.value,
        capacity=0,
        enrolled=0,
        seats_left=0,
        pending=0,
        waitlist=0,
    )
    pending: list[ApplicationRow] = []
    pending_page: int = 1
    pending_pages: int = 1
    waitlist: list[ApplicationRow] = []
    waitlist_page: int = 1
    waitlist_pages: int = 1
    loaded: bool = False
    error: str = ""
    notice: str = ""
    mode: str = EnrolmentMode.director.value
    # the application awaiting confirmation of a rejection (dialog open while set)
    reject_open: bool = False
    reject_id: int = 0
    reject_name: str = ""
    reject_status: str = ""

    @rx.var
    def waitlist_held(self) -> str:
        """Why nobody moves up from the waitlist (the cohort has ended), or ""."""
        return next((r.held for r in self.waitlist if r.held), "")

    @rx.var
    def reject_warning(self) -> str:
        if self.reject_status == "waitlisted":
            return "They lose their place on the waitlist and are told so."
        return "They are told their application was not accepted and can't apply again."

    async def _fetch(self) -> None:
        done = await self._try(_load, self.cohort_id, self.pending_page, self.waitlist_page)
        if not done:
            self.error, self.loaded = done.error, True
            return
        data = done.value
        self.settings, self.mode = data.settings, data.settings.mode
        self.pending, self.pending_page = data.pending.rows, data.pending.page
        self.pending_pages = data.pending.pages
        self.waitlist, self.waitlist_page = data.waitlist.rows, data.waitlist.page
        self.waitlist_pages = data.waitlist.pages
        self.loaded = True

    @rx.event
    async def go_pending(self, page: int) -> None:
        """The pending applications' pager."""
        self.pending_page = max(1, min(int(page), self.pending_pages))
        await self._fetch()

    @rx.event
    async def go_waitlist(self, page: int) -> None:
        """The waitlist's pager."""
        self.waitlist_page = max(1, min(int(page), self.waitlist_pages))
        await self._fetch()

    @rx.event
    async def load(self) -> None:
        self.loaded, self.error, self.notice, self.reject_open = False, "", "", False
        self.pending_page = self.waitlist_page = 1
        cohort_id = url_id(self, "cohort_id")
        if cohort_id is None:
            self.loaded = True
            return
        self.cohort_id = cohort_id
        await self._fetch()

    async def _refresh_page(self) -> Any:
        from cyberhub.pages.director_cohort import DirectorCohortState  # noqa: PLC0415  (why: the package's __init__ imports this module)

        await self._fetch()
        return DirectorCohortState.refresh  # the roster and seat badges changed too

    set_mode = value_setter("mode", str)

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        self.notice, self.error = "", ""
        done = await self._try(
            _save, self.cohort_id, self.mode, str(form.get("capacity", ""))[:8], self._meta()
        )
        if not done:
            self.error = done.error
            return None
        out = done.value
        refresh = await self._refresh_page()
        self.notice = (
            f"Saved: {applications.MODE_LABELS[EnrolmentMode(out.mode)].lower()}, "
            f"{plural(out.capacity, 'seat')}."
        )
        return refresh

    async def _decide(self, app_id: int, approve: bool) -> Any:
        self.notice, self.error = "", ""
        done = await self._try(_decide, self.cohort_id, app_id, approve, self._meta())
        if not done:
            self.error = done.error
            return None
        out = done.value
        refresh = await self._refresh_page()
        if not approve:
            self.notice = f"{out.student_name}'s application was rejected."
        elif out.status == "enrolled":
            self.notice = f"{out.student_name} is enrolled."
        else:
            self.notice = f"The cohort is full: {out.student_name} is {out.position_text}."
        return refresh

    @rx.event
    async def approve(self, app_id: int) -> Any:
        if not any(r.id == int(app_id) for r in self.pending):
            # A second click on a row this page has already settled (a double click): the
            # first one's notice stands, not "only pending ones can be approved".
            return None
        return await self._decide(int(app_id), True)

    @rx.event
    def ask_reject(self, row: ApplicationRow) -> None:
        self.reject_id, self.reject_name, self.reject_status = row.id, row.student_name, row.status
        self.reject_open = True

    set_reject_open = open_setter("reject_open")

    @rx.event
    async def reject(self) -> Any:
        self.reject_open = False
        return await self._decide(self.reject_id, False)


S = CohortEnrolmentState


def _shown(
    title: str, rows: Any, headers: list[str], row: Any, testid: str, empty: str
) -> tuple[rx.Component, rx.Component]:
    """A heading and its table of `rows`, or `empty` when there are none."""
    return (
        rx.heading(title, size="3", as_="h3"),
        table_or(rows, headers, row, muted(empty), label=title, data_testid=testid),
    )


def _pending_row(r: rx.Var[ApplicationRow]) -> rx.Component:
    S = CohortEnrolmentState
    name = r.student_name.to(str)
    return cells_row(
        name,
        r.student_email,
        r.applied_at,
        rx.hstack(
            # Approving only answers Conflict once the cohort has ended: say why instead.
            rx.cond(
                r.can_approve,
                rx.button(
                    "Approve",
                    size="1",
                    on_click=S.approve(r.id),
                    aria_label="Approve " + name,
                ),
                muted(r.held, size="1"),
            ),
            danger_button("Reject", "Reject " + name, S.ask_reject(r), size="1"),
            spacing="2",
            align="center",
        ),
    )


def _waitlist_row(r: rx.Var[ApplicationRow]) -> rx.Component:
    S = CohortEnrolmentState
    name = r.student_name.to(str)
    return cells_row(
        r.waitlist_position,
        name,
        r.student_email,
        danger_button("Remove", "Remove " + name + " from the waitlist", S.ask_reject(r), size="1"),
    )


def _settings_form() -> rx.Component:
    return keeping_form(
        flow(
            rx.vstack(
                rx.el.label(
                    "How people enrol", html_for="enrolment-mode", font_size="var(--font-size-2)"
                ),
                rx.select.root(
                    rx.select.trigger(id="enrolment-mode", aria_label="How people enrol"),
                    rx.select.content(
                        *[rx.select.item(m["label"], value=m["value"]) for m in MODES]
                    ),
                    value=S.mode,
                    on_change=S.set_mode,
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(
                    "Capacity (seats)",
                    html_for="enrolment-capacity",
                    font_size="var(--font-size-2)",
                ),
                rx.input(
                    id="enrolment-capacity",
                    name="capacity",
                    type="number",
                    min=1,
                    default_value=S.settings.capacity.to(str),
                    key=S.settings.capacity.to(str),
                    width="8em",
                ),
                spacing="1",
            ),
            rx.button("Save enrolment", type="submit"),
            align="end",
        ),
        on_submit=S.save,
    )


def enrolment_panel() -> rx.Component:
    """Applications, waitlist and enrolment settings of the cohort."""
    return section_card(
        "Applications and waitlist",
        muted(
            "Learners see cohorts in application or open mode at /cohorts. When the cohort is "
            "full, approved and self-enrolled learners wait in arrival order and get the next "
            "free seat automatically."
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        _settings_form(),
        rx.flex(
            rx.badge(S.settings.pending, " pending", size="2"),
            rx.badge(S.settings.waitlist, " on the waitlist", size="2"),
            gap="0.5em",
        ),
        *_shown(
            "Pending applications",
            S.pending,
            ["Learner", "Email", "Applied", ""],
            _pending_row,
            "pending-applications",
            "No pending applications.",
        ),
        pager_if_many(S.pending_page, S.pending_pages, S.go_pending, "the pending applications"),
        *_shown(
            "Waitlist",
            S.waitlist,
            ["Place", "Learner", "Email", ""],
            _waitlist_row,
            "waitlist",
            "Nobody is waiting.",
        ),
        pager_if_many(S.waitlist_page, S.waitlist_pages, S.go_waitlist, "the waitlist"),
        rx.cond(S.waitlist_held != "", muted(S.waitlist_held)),
        action_dialog(
            rx.alert_dialog.title(rx.text("Reject ", S.reject_name, "?")),
            rx.alert_dialog.description(S.reject_warning),
            confirm=rx.button("Reject", color_scheme="red", on_click=S.reject),
            is_open=S.reject_open,
            on_open_change=S.set_reject_open,
            margin_top="1em",
        ),
        data_testid="applications",
        align="start",
    )
