"""The sponsor's state: the funded cohorts as the pages show them (dates already in the
reader's zone, amounts formatted), loaded through services/learning/sponsorships.dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import reflex as rx

from cyberhub.components.counts import plural
from cyberhub.formatting import when
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.sponsorships import SponsoredCohort
from cyberhub.services.learning import sponsorships
from cyberhub.state.service import ServiceState

CSV_URL = "/api/v1/sponsor/report.csv"
REPORT_ROUTE = "/dashboard/sponsor/report"
EXPORT_ROUTE = "/exports"


@dataclass
class TrackRow:
    track: str
    approvals: int


@dataclass
class WeekRow:
    week: str  # "Week of 23 Nov 2026"
    submissions: int


@dataclass
class LearnerRow:
    name: str
    track: str
    progress: str  # "2 of 7 missions (28%)"
    percent: int


@dataclass
class CohortCard:
    cohort_id: int
    cohort: str
    program: str
    organization: str
    dates: str
    sponsor: str
    funding: str  # "10 seats · USD 1,500.00 · 1 Dec 2026 – 28 Feb 2027"
    seats: int
    seats_used: int
    enrolled: int
    active_7d: int
    active_30d: int
    approvals: int
    completions: int
    certificates: int
    withheld: int
    notes: str
    ended: str  # "" while the sponsorship runs; else its end date ("28 Feb 2027")
    starts: str = ""  # "" once the sponsorship has begun; else its start date ("1 Mar 2027")
    tracks: list[TrackRow] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)
    learners: list[LearnerRow] = field(default_factory=list)


def _amount(value: str, currency: str) -> str:
    return f"{currency} {Decimal(value):,.2f}"


def card(c: SponsoredCohort, tz: str) -> CohortCard:
    """A funded cohort as the dashboard and the printable report show it."""
    s = c.sponsorship
    dates = f"{when(c.starts_on, tz, 'date')} – {when(c.ends_on, tz, 'date')}"
    period = f"{when(s.starts_on, tz, 'date')} – {when(s.ends_on, tz, 'date')}"
    return from_row(
        CohortCard,
        c,
        dates=dates,
        sponsor=s.sponsor,
        funding=f"{plural(s.seats, 'seat')} · {_amount(s.amount, s.currency)} · {period}",
        seats=s.seats,
        notes=s.notes,
        ended=when(s.ends_on, tz, "date") if c.ended else "",
        starts=when(c.starts_on_later, tz, "date"),
        tracks=[TrackRow(t.track, t.approvals) for t in c.approvals_per_track],
        weeks=[
            WeekRow(f"Week of {when(w.week, tz, 'date')}", w.submissions)
            for w in c.submissions_per_week
        ],
        learners=[
            LearnerRow(
                name=le.name,
                track=le.track or "Not chosen yet",
                progress=f"{le.approved} of {plural(le.published, 'mission')} ({le.progress}%)",
                percent=le.progress,
            )
            for le in c.learners
        ],
    )


def intro(organizations: list[str], *, every: bool = False) -> str:
    """The line under the dashboard's heading: whose cohorts these are, the verb agreeing with
    the number of organisations ("Acme funds", "Acme and Savannah Fund fund"); `every`: an
    admin's view of every sponsored cohort."""
    if every:
        return (
            "Every sponsored cohort, whichever organisation funds it: seats, activity and results."
        )
    if not organizations:
        return "The cohorts your organisation funds: seats, activity and results."
    *others, last = organizations
    who = f"{', '.join(others)} and {last}" if others else last
    verb = "fund" if others else "funds"
    return f"The cohorts {who} {verb}: seats, activity and results."


class SponsorHomeState(ServiceState, rx.State):
    cohorts: list[CohortCard] = []
    organizations: str = ""
    intro_line: str = intro([])
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        self.loaded = False
        found = await self._call(sponsorships.dashboard)
        self.loaded = True
        if not found:
            self.cohorts = []
            return
        tz = await self._time_zone()
        self.error = ""
        self.organizations = ", ".join(found.value.organizations)
        self.intro_line = intro(found.value.organizations, every=found.value.every_organization)
        self.cohorts = [card(c, tz) for c in found.value.cohorts]
