"""DirectorCohortState: the cohort, its roster and mentors, enrolment by email and CSV, matching
and the settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx
from sqlmodel import Session

from cyberhub.components.counts import plural
from cyberhub.pages.director_cohort.data import (
    ROUTE,
    CohortHeader,
    ImportRefused,
    RosterLine,
    _add_mentor,
    _import,
    _load,
    _save_settings,
)
from cyberhub.pages.director_cohort.enrolment import CohortEnrolmentState
from cyberhub.pages.director_cohort.sponsors import CohortSponsorsState
from cyberhub.schemas.director import CohortMentorPublic, CsvRowProblem
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import enrollment
from cyberhub.state import resubmit
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import parse_id, url_id
from cyberhub.state.service import Outcome, ServiceState
from cyberhub.state.session import SessionState

P = ParamSpec("P")
T = TypeVar("T")


class DirectorCohortState(ServiceState, rx.State):
    cohort_id: int = 0
    cohort: CohortHeader = CohortHeader()
    roster: list[RosterLine] = []
    # The roster a page at a time (programs.ROSTER_PAGE_SIZE), searched by name or e-mail.
    roster_q: str = ""
    roster_page: int = 1
    roster_pages: int = 1
    roster_found: int = 0
    mentors: list[CohortMentorPublic] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    action_error: str = ""
    # enrol one
    enroll_email: str = ""
    enroll_name: str = ""
    enroll_error: str = ""
    # Who this page enrolled just now (address -> when): the same form sent twice (a double
    # click) enrols once (resubmit).
    _just_enrolled: dict[str, float] = {}
    # CSV import
    csv_text: str = ""
    import_error: str = ""
    import_rows: list[CsvRowProblem] = []
    importing: bool = False
    # mentors
    mentor_email: str = ""
    mentor_capacity: str = "10"
    mentor_error: str = ""
    balance_open: bool = False
    # the mentor row awaiting confirmation of removal (dialog open while set)
    remove_open: bool = False
    removing: CohortMentorPublic = CohortMentorPublic(
        mentor_id=0, name="", email="", capacity=0, mentees=0, free=0
    )
    # withdraw
    withdraw_open: bool = False
    withdraw_id: int = 0
    withdraw_name: str = ""
    # settings
    settings_open: bool = False
    settings_error: str = ""

    @rx.var
    def mentor_options(self) -> list[dict[str, str]]:
        return [{"id": str(m.mentor_id), "name": m.name} for m in self.mentors]

    @rx.var
    def unassigned(self) -> int:
        """Students Balance would match: the service's count (active, no mentor), not the
        roster's rows without a mentor (a completed learner is listed, never matched)."""
        return self.cohort.unassigned

    async def _fetch(self) -> None:
        found = await self._try(_load, self.cohort_id, self.roster_q, self.roster_page)
        if not found and found.code == "Forbidden":
            # A member of the cohort's organisation who doesn't direct it: the 403 page, as for a
            # page of a role one lacks. Another organisation's cohort is not found (NotFound).
            (await self.get_state(SessionState)).deny(ROUTE)
            self.loading = False
            return
        if not found:
            self.error, self.loading = found.error, False
            return
        data = found.value
        self.cohort, self.roster, self.mentors = data.cohort, data.roster, data.mentors
        self.roster_page, self.roster_pages = data.roster_page, data.roster_pages
        self.roster_found = data.roster_found
        self.error, self.loading = "", False

    @rx.event
    async def search_roster(self, form: dict[str, Any]) -> None:
        """The roster's search box: learners whose name or e-mail holds what was typed, from
        the first page ("" shows everyone)."""
        self.roster_q, self.roster_page = str(form.get("q", "")).strip()[:200], 1
        await self._fetch()

    @rx.event
    async def clear_roster_search(self) -> None:
        self.roster_q, self.roster_page = "", 1  # the box is drawn again, empty (its key)
        await self._fetch()

    @rx.event
    async def go_roster(self, page: int) -> None:
        """The roster's pager."""
        self.roster_page = max(1, min(int(page), self.roster_pages))
        await self._fetch()

    async def _act(
        self,
        fn: Callable[Concatenate[Session, Principal | None, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome[T]:
        """A roster or mentors action: its error shown above the roster, and the cohort read
        again either way (after a refusal, it shows who really is enrolled and mentors now)."""
        self.notice = ""
        done = await self._try(fn, *args, **kwargs)
        self.action_error = "" if done else done.error
        await self._fetch()
        return done

    @rx.event
    async def load(self) -> Any:
        self.loading, self.notice, self.action_error = True, "", ""
        self.enroll_error = self.import_error = self.mentor_error = ""
        # A confirmation left open on another cohort (Back, then this one) asked about its people.
        self.balance_open = self.remove_open = self.withdraw_open = self.settings_open = False
        self.import_rows = []
        # Nor what was typed into its forms (the forms are drawn afresh after the spinner).
        self.enroll_email = self.enroll_name = self.csv_text = self.mentor_email = ""
        self._just_enrolled = {}
        self.mentor_capacity = "10"
        self.roster_q, self.roster_page = "", 1
        yield  # the spinner at once, not the last cohort's page while this one loads
        cohort_id = url_id(self, "cohort_id")
        if cohort_id is None:
            self.error, self.loading = "That cohort does not exist.", False
            return
        self.cohort_id = cohort_id
        await self._fetch()

    @rx.event
    async def refresh(self) -> Any:
        """Read the cohort again in place, after a change made in another panel (a due date,
        an approval, a closing): no spinner, so what is typed elsewhere on the page stays. The
        sponsors' seats follow the roster."""
        self.notice = self.action_error = ""
        await self._fetch()
        return CohortSponsorsState.refresh

    # enrol one --------------------------------------------------------------------------------
    @rx.event
    async def enroll(self, form: dict[str, Any]) -> Any:
        email = str(form.get("email", "")).strip()[:320]
        if email and resubmit.sent_again(self._just_enrolled, email.lower()):
            # The same form sent again before it was cleared (a double click): the first
            # one's notice stands, not "already enrolled".
            return None
        self.enroll_email = email
        self.enroll_name = str(form.get("full_name", "")).strip()[:200]
        self.notice = self.action_error = ""  # the top's message is this action's
        done = await self._try(
            enrollment.enroll,
            self.cohort_id,
            self.enroll_email,
            full_name=self.enroll_name,
            meta=self._meta(),
        )
        if not done:
            self.enroll_error = done.error
            return None
        out = done.value
        self._just_enrolled = resubmit.made_now(self._just_enrolled, self.enroll_email.lower())
        self.enroll_error, self.enroll_email, self.enroll_name = "", "", ""
        await self._fetch()
        self.notice = f"Enrolled {out.email}" + (
            " and sent them an invitation to their new account." if out.new_account else "."
        )
        # The enrolment panel too: its seat figures, and an application of theirs is settled
        # (enrollment.enroll: no longer pending, nor offered for approval).
        return [
            rx.set_value("enroll-email", ""),
            rx.set_value("enroll-name", ""),
            CohortEnrolmentState.load,
            CohortSponsorsState.refresh,  # the seats the sponsorships use
        ]

    # CSV import -------------------------------------------------------------------------------
    @rx.event
    async def import_csv(self, form: dict[str, Any]) -> Any:
        self.csv_text = str(form.get("csv", ""))[: enrollment.CSV_MAX_BYTES + 1]
        self.notice, self.action_error, self.import_rows, self.importing = "", "", [], True
        yield
        done = await self._try(_import, self.cohort_id, self.csv_text, self._meta())
        if not done:
            self.import_error, self.importing = done.error, False
            return
        out = done.value
        if isinstance(out, ImportRefused):
            self.import_error, self.import_rows, self.importing = out.message, out.rows, False
            return
        self.import_error, self.csv_text, self.importing = "", "", False
        await self._fetch()
        new = out.new_accounts
        self.notice = f"Imported {plural(out.imported, 'student')}" + (
            f" ({plural(new, 'new account')} invited by email)." if new else "."
        )
        yield rx.set_value("csv-text", "")
        yield [CohortEnrolmentState.load, CohortSponsorsState.refresh]  # as enroll

    # withdraw ---------------------------------------------------------------------------------
    @rx.event
    def ask_withdraw(self, row: RosterLine) -> None:
        self.withdraw_id, self.withdraw_name = row.student_id, row.name
        self.withdraw_open = True

    set_withdraw_open = open_setter("withdraw_open")

    @rx.event
    async def withdraw(self) -> Any:
        self.withdraw_open = False
        done = await self._act(
            enrollment.unenroll, self.cohort_id, self.withdraw_id, meta=self._meta()
        )
        if not done:
            return None
        self.notice = f"{self.withdraw_name} was withdrawn from the cohort."
        # The freed seat went to the first on the waitlist; the sponsors' seats follow.
        return [CohortEnrolmentState.load, CohortSponsorsState.refresh]

    # mentors ----------------------------------------------------------------------------------
    @rx.event
    async def add_mentor(self, form: dict[str, Any]) -> Any:
        self.mentor_email = str(form.get("email", "")).strip()[:320]
        self.mentor_capacity = str(form.get("capacity", "")).strip()[:6]
        self.notice = self.action_error = ""
        done = await self._try(
            _add_mentor, self.cohort_id, self.mentor_email, self.mentor_capacity, self._meta()
        )
        if not done:
            self.mentor_error = done.error
            return None
        out = done.value
        self.mentor_error, self.mentor_email = "", ""
        await self._fetch()
        self.notice = f"{out.name} mentors here, up to {plural(out.capacity, 'learner')}."
        return rx.set_value("mentor-email", "")

    @rx.event
    async def assign(self, student_id: int, mentor: str) -> None:
        mentor_id = parse_id(mentor)
        if mentor_id is None:
            return
        done = await self._act(  # after a refusal, the select shows the real mentor again
            enrollment.assign_mentor, self.cohort_id, int(student_id), mentor_id, meta=self._meta()
        )
        if done:
            self.notice = f"Matched with {done.value.mentor}."

    @rx.event
    def ask_remove_mentor(self, mentor: CohortMentorPublic) -> None:
        self.removing, self.remove_open = mentor, True

    set_remove_open = open_setter("remove_open")

    @rx.event
    async def remove_mentor(self) -> None:
        self.remove_open = False
        done = await self._act(
            enrollment.remove_cohort_mentor,
            self.cohort_id,
            self.removing.mentor_id,
            meta=self._meta(),
        )
        if not done:
            return
        out = done.value
        n, k = out.unassigned, out.released
        self.notice = (
            f"{out.name} no longer mentors here; "
            + (f"{n} student needs a mentor" if n == 1 else f"{n} students need a mentor")
            + (
                f" ({k} claimed submission{'s' if k != 1 else ''} went back to the review queue)."
                if k
                else "."
            )
        )

    set_balance_open = open_setter("balance_open")

    @rx.event
    async def balance(self) -> None:
        self.balance_open = False
        done = await self._act(enrollment.balance_mentors, self.cohort_id, meta=self._meta())
        if not done:
            return
        out = done.value
        n, left = len(out.assignments), out.unassigned
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
        done = await self._try(_save_settings, self.cohort_id, data, self._meta())
        if not done:
            self.settings_error = done.error
            return None
        self.settings_open, self.settings_error, self.action_error = False, "", ""
        await self._fetch()
        self.notice = "Saved the cohort's settings."
        # A capacity raised promotes the waitlist, whose learners take sponsors' seats.
        return [CohortEnrolmentState.load, CohortSponsorsState.refresh]
