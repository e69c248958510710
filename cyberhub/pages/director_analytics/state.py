"""DirectorAnalyticsState: the filters (kept in the address), every block's figures, and the
at-risk actions (nudge, assign or change the mentor)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec

from cyberhub.pages.director_analytics import data
from cyberhub.pages.director_analytics.data import ALL, RiskRow
from cyberhub.pages.director_analytics.roster import AnalyticsRosterState
from cyberhub.schemas.analytics import (
    ApprovalCell,
    BacklogBucket,
    FunnelStep,
    MentorLoad,
    MentorTurnaround,
    TrackMix,
    WeekActivity,
)
from cyberhub.services.learning import analytics, enrollment
from cyberhub.services.learning.analytics import DEFAULT_NUDGE
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.forms import parse_id
from cyberhub.state.service import ServiceState


class DirectorAnalyticsState(ServiceState, rx.State):
    loading: bool = True
    error: str = ""
    notice: str = ""
    # filters (the address holds them: program, cohort, track, from, to)
    program: str = ""
    cohort: str = ALL
    track: str = ALL
    date_from: str = ""
    date_to: str = ""
    program_options: list[dict[str, str]] = []
    cohort_options: list[dict[str, str]] = []
    track_options: list[dict[str, str]] = []
    program_name: str = ""
    as_of: str = ""  # "" when live; else the snapshot's time (a big programme, no filter)
    # blocks
    funnel: list[FunnelStep] = []
    weekly: list[WeekActivity] = []
    approvals: list[ApprovalCell] = []
    track_mix: list[TrackMix] = []
    backlog: list[BacklogBucket] = []
    turnaround: list[MentorTurnaround] = []
    mentor_load: list[MentorLoad] = []
    unassigned: int = 0
    at_risk: list[RiskRow] = []
    # the nudge dialog
    nudge_open: bool = False
    nudge_target: dict[str, Any] = {}
    nudge_message: str = DEFAULT_NUDGE
    nudge_error: str = ""
    # the mentor dialog
    mentor_open: bool = False
    mentor_target: dict[str, Any] = {}
    mentor_options: list[dict[str, str]] = []
    mentor_choice: str = ""
    mentor_error: str = ""

    @rx.var
    def funnel_chart(self) -> list[dict[str, Any]]:
        return [{"step": s.label, "learners": s.learners} for s in self.funnel]

    @rx.var
    def weekly_chart(self) -> list[dict[str, Any]]:
        return [w.model_dump(mode="json") for w in self.weekly]

    @rx.var
    def backlog_chart(self) -> list[dict[str, Any]]:
        return [{"age": b.label, "submissions": b.submissions} for b in self.backlog]

    @rx.var
    def load_chart(self) -> list[dict[str, Any]]:
        return [
            {"mentor": m.mentor, "mentees": m.mentees, "capacity": m.capacity}
            for m in self.mentor_load
        ]

    @rx.var
    def has_learners(self) -> bool:
        return bool(self.funnel) and self.funnel[0].learners > 0

    @rx.event
    async def load(self) -> None:
        params = self.router.url.query_parameters
        program = params.get("program", "")
        self.program = program if parse_id(program) else ""
        cohort = params.get("cohort", "")
        self.cohort = cohort if parse_id(cohort) else ALL
        self.track = params.get("track", "")[:32] or ALL
        self.date_from = params.get("from", "")[:10]
        self.date_to = params.get("to", "")[:10]
        self.notice = ""
        # A dialog left open (Back, then here again) is not the form of this visit.
        self.nudge_open = self.mentor_open = False
        await self._fetch()

    async def _fetch(self) -> None:
        self.loading = True
        found = await self._call(
            data.load,
            int(self.program or 0),
            self.cohort,
            self.track,
            self.date_from,
            self.date_to,
        )
        self.loading = False
        if not found:
            # Refused (dates in the wrong order, a programme not theirs): the figures of the
            # filters before would read as these; only the refusal and the filters stay.
            self._clear_figures()
            return
        view = found.value
        self.error = ""
        self.program_options = view.programs
        self.program = str(view.program_id) if view.program_id else ""
        d = view.data
        if d is None:
            self._clear_figures()
            return
        self.program_name = d.program
        self.as_of = view.as_of
        self.cohort_options = [{"id": str(c.id), "name": c.name} for c in d.cohorts]
        self.track_options = view.tracks
        self.funnel, self.weekly, self.approvals = d.funnel, d.weekly, d.approvals
        self.track_mix, self.backlog, self.turnaround = d.track_mix, d.backlog, d.turnaround
        self.mentor_load, self.unassigned = d.mentor_load, d.unassigned_learners
        self.at_risk = view.at_risk

    def _clear_figures(self) -> None:
        self.funnel, self.weekly, self.approvals, self.track_mix = [], [], [], []
        self.backlog, self.turnaround, self.mentor_load, self.at_risk = [], [], [], []
        self.unassigned, self.as_of = 0, ""

    def _show(self) -> EventSpec:
        """The filters into the address (a new history entry); on_load reads them back."""
        return rx.redirect(
            data.url_for(
                int(self.program or 0), self.cohort, self.track, self.date_from, self.date_to
            )
        )

    @rx.event
    def set_program(self, value: str) -> EventSpec:
        self.program, self.cohort = value, ALL
        return self._show()

    @rx.event
    def set_cohort(self, value: str) -> EventSpec:
        self.cohort = value
        return self._show()

    @rx.event
    def set_track(self, value: str) -> EventSpec:
        self.track = value
        return self._show()

    @rx.event
    def apply_dates(self, form: dict[str, Any]) -> EventSpec:
        self.date_from = str(form.get("from", "")).strip()[:10]
        self.date_to = str(form.get("to", "")).strip()[:10]
        return self._show()

    @rx.event
    def clear(self) -> EventSpec:
        self.cohort, self.track, self.date_from, self.date_to = ALL, ALL, "", ""
        return self._show()

    # -- nudge --------------------------------------------------------------------------------

    @rx.event
    def open_nudge(self, row: dict[str, Any]) -> None:
        self.nudge_target = row
        self.nudge_message = DEFAULT_NUDGE
        self.nudge_error = ""
        self.nudge_open = True

    set_nudge_open = open_setter("nudge_open")

    @rx.event
    async def send_nudge(self, form: dict[str, Any]) -> None:
        message = str(form.get("message", ""))
        self.nudge_message = message
        t = self.nudge_target
        self.nudge_error = ""
        found = await self._try(
            analytics.nudge,
            int(t.get("student_id", 0)),
            cohort_id=int(t.get("cohort_id", 0)),
            message=message,
            meta=self._meta(),
        )
        if not found:
            self.nudge_error = found.error
            return
        self.nudge_open = False
        self.notice = found.value.detail
        await self._fetch()

    # -- mentor -------------------------------------------------------------------------------

    @rx.event
    async def open_mentor(self, row: dict[str, Any]) -> None:
        self.mentor_target = row
        self.mentor_error = ""
        self.mentor_choice = ""
        found = await self._try(enrollment.list_mentors, int(row.get("cohort_id", 0)))
        if not found:
            self.mentor_options = []
            self.mentor_error = found.error
        else:
            self.mentor_options = [
                {"id": str(m.mentor_id), "name": f"{m.name} ({m.mentees} of {m.capacity})"}
                for m in found.value
            ]
        self.mentor_open = True

    set_mentor_open = open_setter("mentor_open")

    set_mentor_choice = value_setter("mentor_choice", str)

    @rx.event
    async def assign_mentor(self) -> Any:
        mentor_id = parse_id(self.mentor_choice)
        if mentor_id is None:
            self.mentor_error = "Choose a mentor first."
            return None
        t = self.mentor_target
        found = await self._try(
            enrollment.assign_mentor,
            int(t.get("cohort_id", 0)),
            int(t.get("student_id", 0)),
            mentor_id,
            meta=self._meta(),
        )
        if not found:
            self.mentor_error = found.error
            return None
        self.mentor_open = False
        self.notice = f"{found.value.mentor} now mentors {t.get('name', 'the learner')}."
        await self._fetch()
        return AnalyticsRosterState.refresh  # its Mentor column
