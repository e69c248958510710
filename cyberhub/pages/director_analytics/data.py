"""The analytics page's constants and the service calls its state runs in worker threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.analytics import AnalyticsFilters, ProgramAnalytics
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import analytics, programs
from cyberhub.state.forms import parse_day, parse_id

ROUTE = "/dashboard/director/analytics"
HOME = "/dashboard/director"
ALL = "all"


@dataclass(frozen=True)
class RiskRow:
    """An at-risk learner as the table shows them (last activity in the reader's zone)."""

    student_id: int
    name: str
    email: str
    cohort_id: int
    cohort: str
    mentor: str
    last_activity: str
    reasons: list[str]
    nudged_today: bool


@dataclass
class AnalyticsView:
    programs: list[dict[str, str]]
    program_id: int
    data: ProgramAnalytics | None
    at_risk: list[RiskRow] = field(default_factory=list)
    # The track filter's choices: the key (in the address) and the name shown.
    tracks: list[dict[str, str]] = field(default_factory=list)
    as_of: str = ""  # when the figures come from the worker's snapshot: its time, for people


def url_for(program_id: int, cohort: str, track: str, date_from: str, date_to: str) -> str:
    """The page's address for these filters (only what is set)."""
    query: dict[str, str] = {}
    if program_id:
        query["program"] = str(program_id)
    if cohort != ALL:
        query["cohort"] = cohort
    if track != ALL:
        query["track"] = track
    if date_from:
        query["from"] = date_from
    if date_to:
        query["to"] = date_to
    return ROUTE + ("?" + urlencode(query) if query else "")


def _risk_row(r: Any, tz: str | None) -> RiskRow:
    return from_row(
        RiskRow,
        r,
        mentor=r.mentor or "—",
        last_activity=when(r.last_activity, tz, "date", empty="never"),
        reasons=[x.label for x in r.reasons],
    )


def track_name(key: str) -> str:
    return TRACK_NAMES.get(key, key)


def _with_track_names(data: ProgramAnalytics) -> ProgramAnalytics:
    """The page names a track as every other page does ("Builders"); the API keeps its key."""
    return data.model_copy(
        update={
            "approvals": [
                c.model_copy(update={"track": track_name(c.track)}) for c in data.approvals
            ],
            "track_mix": [
                m.model_copy(update={"track": track_name(m.track)}) for m in data.track_mix
            ],
        }
    )


def load(
    session: Session,
    principal: Principal | None,
    program_id: int,
    cohort: str,
    track: str,
    date_from: str,
    date_to: str,
) -> AnalyticsView:
    """The director's programmes and, for the chosen one (else the first), every block."""
    listed = programs.list_programs(session, principal)
    options = [{"id": str(p.id), "name": p.name} for p in listed]
    if not listed:
        return AnalyticsView(programs=[], program_id=0, data=None)
    chosen = program_id or listed[0].id
    filters = AnalyticsFilters(
        cohort_id=parse_id(cohort),
        track=None if track == ALL else track,
        date_from=parse_day(date_from, "start"),
        date_to=parse_day(date_to, "end"),
    )
    data = _with_track_names(analytics.program_analytics(session, principal, chosen, filters))
    tz = principal.time_zone if principal else None
    return AnalyticsView(
        programs=options,
        program_id=chosen,
        data=data,
        at_risk=[_risk_row(r, tz) for r in data.at_risk],
        tracks=[{"key": k, "name": track_name(k)} for k in data.tracks],
        as_of=when(data.as_of, tz, "datetime", empty=""),
    )
