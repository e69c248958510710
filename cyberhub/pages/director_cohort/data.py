"""The cohort page's constants and the service calls its state runs in worker threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.director import (
    CohortMentorPublic,
    CohortPublic,
    CsvImported,
    CsvRowProblem,
    RosterRow,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import applications, enrollment, programs, schedule
from cyberhub.services.learning.enrollment import CsvImportError
from cyberhub.state.forms import url_id, whole_number

ROUTE = "/director/cohorts/[cohort_id]"
HOME = "/dashboard/director"
NO_MENTOR = "none"
CSV_EXAMPLE = "email,full_name\nada@example.org,Ada Lovelace\ngrace@example.org,Grace Hopper"


async def fetch_panel(state: Any) -> None:
    """Point a panel's state (it has `cohort_id` and `_fetch`) at the cohort in the page's
    address and fetch it; an address that names no cohort leaves it empty."""
    cohort_id = url_id(state, "cohort_id")
    if cohort_id is None:
        return
    state.cohort_id = cohort_id
    await state._fetch()


@dataclass(frozen=True)
class CohortHeader:
    """The cohort as its page's header and settings dialog show it: its dates as the date inputs
    take them (YYYY-MM-DD) and as one line of text."""

    id: int = 0
    program_id: int = 0
    program: str = ""
    name: str = ""
    starts_on: str = ""
    ends_on: str = ""
    dates: str = ""
    capacity: int = 0
    director: str = ""
    status: str = ""
    enrolled: int = 0
    seats_left: int = 0
    # Active learners without a mentor: those Balance matches (programs.list_cohorts' count,
    # the director home's badge); a learner who completed without one is not among them.
    unassigned: int = 0

    @classmethod
    def of(cls, c: CohortPublic) -> CohortHeader:
        return from_row(
            cls,
            c,
            starts_on=c.starts_on.isoformat(),
            ends_on=c.ends_on.isoformat(),
            dates=f"{when(c.starts_on, style='date')} – {when(c.ends_on, style='date')}",
        )


@dataclass(frozen=True)
class RosterLine:
    """A student of the roster with their overdue missions, and their mentor as the mentor
    select's value (NO_MENTOR without one)."""

    student_id: int
    name: str
    email: str
    mentor_id: int | None
    mentor: str
    approved: int
    published: int
    progress: int
    overdue: int
    mentor_value: str

    @classmethod
    def of(cls, r: RosterRow, overdue: int) -> RosterLine:
        value = str(r.mentor_id) if r.mentor_id else NO_MENTOR
        return from_row(cls, r, overdue=overdue, mentor_value=value)


@dataclass(frozen=True)
class CohortLoaded:
    cohort: CohortHeader
    roster: list[RosterLine]  # one page of it
    roster_page: int
    roster_pages: int
    roster_found: int  # the learners the search finds, all pages
    mentors: list[CohortMentorPublic]


def _load(
    session: Session, principal: Principal | None, cohort_id: int, q: str, page: int
) -> CohortLoaded:
    cohort = programs.cohort_detail(session, principal, cohort_id)
    # A learner withdrawn from the last page's only row: the page before it (last_if_past).
    found = programs.roster_page(session, principal, cohort_id, q=q, page=page, last_if_past=True)
    # Missions past their cohort due date with nothing handed in, per learner of the page
    # (issue 15 item 3).
    shown = [r.student_id for r in found.items]
    overdue = {
        o.student_id: o.overdue
        for o in schedule.roster_overdue(session, principal, cohort_id, among=shown)
    }
    return CohortLoaded(
        CohortHeader.of(cohort),
        [RosterLine.of(r, overdue.get(r.student_id, 0)) for r in found.items],
        found.page,
        found.pages,
        found.total,
        enrollment.list_mentors(session, principal, cohort_id),
    )


@dataclass(frozen=True)
class ApplicationRow:
    """A pending application or waitlist place as the enrolment panel lists it."""

    id: int
    student_name: str
    student_email: str
    status: str
    applied_at: str
    waitlist_position: int
    can_approve: bool
    held: str

    @classmethod
    def of(cls, a: applications.ApplicationForDirectors, tz: str | None) -> ApplicationRow:
        return from_row(
            cls, a, applied_at=when(a.applied_at, tz), waitlist_position=a.waitlist_position or 0
        )


@dataclass(frozen=True)
class ScheduleRow:
    """A mission of the schedule: its due date as a datetime-local input's value in the
    director's zone ("" without one), and the key its form remounts by."""

    key: str
    id: int
    title: str
    track: str
    local: str


@dataclass
class ImportRefused:
    """The CSV's failing rows (nothing was imported)."""

    message: str
    rows: list[CsvRowProblem]


def _import(
    session: Session, principal: Principal | None, cohort_id: int, text: str, meta: RequestMeta
) -> CsvImported | ImportRefused:
    try:
        return enrollment.import_csv(session, principal, cohort_id, text, meta=meta)
    except CsvImportError as exc:
        session.rollback()  # nothing half-imported, whatever was touched while checking
        return ImportRefused(exc.message, [CsvRowProblem.model_validate(r) for r in exc.rows])


def _add_mentor(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    email: str,
    capacity: str,
    meta: RequestMeta,
) -> CohortMentorPublic:
    seats = whole_number(capacity, "mentor's capacity")
    return enrollment.set_cohort_mentor(session, principal, cohort_id, email, seats, meta=meta)


def _save_settings(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    form: dict[str, str],
    meta: RequestMeta,
) -> None:
    try:
        starts_on = date.fromisoformat(form["starts_on"])
        ends_on = date.fromisoformat(form["ends_on"])
    except ValueError:
        raise Invalid("Enter both dates (YYYY-MM-DD).") from None
    capacity = whole_number(form["capacity"], "capacity")
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
