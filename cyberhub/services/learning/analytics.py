"""Director analytics (issue 15, item 1): one programme's figures, one function per block,
read together through program_analytics (one permission check) or, for one cohort's at-risk
learners, cohort_at_risk.

Every block is computed by PostgreSQL (GROUP BY, FILTER, percentile_cont): no block loads the
programme's rows into Python, only its answer (a handful of rows per block; the at-risk list is
bounded by AT_RISK_LIMIT).

Who: the directors of the programme's organisation and admins (programs.get_program: NotFound /
Forbidden like the rest of the director's side).

The population of a block is the programme's enrolments, limited by the filters: a cohort, and
the learner's track (their latest profiler result's primary track, as mission_scope.learner_track
reads it). `date_from` / `date_to` (inclusive days in the reader's time zone) limit the
time-based blocks (weekly activity, approvals, turnaround), and the weeks begin on Monday at
midnight there, so a director reads the weeks of their own calendar; the funnel, track mix, backlog, mentor load and at-risk list
describe the state now. Work counts when it is on a mission the programme runs.

At-risk reasons are a list (AT_RISK_REASONS) of small SQL builders, each answering the
(student, cohort, days) of the learners it flags; adding a reason (for example "behind the
cohort's schedule" once cohorts have due dates) is one more entry in that list.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ClauseElement, delete, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from cyberhub.formatting import is_known_zone, plural, zone
from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Notification,
    Program,
    ProgramAnalyticsSnapshot,
    ProgramTrack,
    Role,
    RoleAssignment,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.schedule import CohortDueDate
from cyberhub.schemas.analytics import (
    AnalyticsFilters,
    AnalyticsSnapshot,
    ApprovalCell,
    AtRiskLearner,
    AtRiskReason,
    BacklogBucket,
    CohortOption,
    FunnelStep,
    MentorLoad,
    MentorLoads,
    MentorTurnaround,
    NudgeResult,
    ProgramAnalytics,
    RosterEntry,
    RosterPage,
    TrackMix,
    WeekActivity,
)
from cyberhub.schemas.paging import page_count
from cyberhub.services import dates, locks, pg_zones
from cyberhub.services import text as free_text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import programs, schedule
from cyberhub.services.learning.cohort_days import today_sql
from cyberhub.services.learning.programs import get_cohort, get_program
from cyberhub.services.learning.query_parts import waits_for_a_mentor
from cyberhub.services.messaging import notifications
from cyberhub.settings import get_settings

AT_RISK_LIMIT = 500
MAX_WEEKS = 104
NUDGE_KIND = "director_nudge"
NUDGE_MESSAGE_MAX = 1000
DEFAULT_NUDGE = (
    "Your programme team noticed you haven't been active for a while. Pick up where you left "
    "off: your next mission is waiting on your dashboard."
)
CONFIDENCE = "CASE confidence WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 END"


# -- the population ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """SQL with its bound parameters: the filtered population (`WITH pop (...), pm (...)`), or a
    condition to add to a query."""

    sql: str
    params: dict[str, Any]

    def run(self, session: Session, body: str, **extra: Any) -> list[Any]:
        return list(session.execute(text(self.sql + body), {**self.params, **extra}).all())


def _scope(
    program_id: int,
    filters: AnalyticsFilters,
    *,
    active_only: bool = False,
    profile: bool = True,
) -> Scope:
    """The population; `profile` False leaves out each learner's profiler result (track and
    confidence NULL) when neither the block nor the filter needs it: one probe less per learner."""
    where = ["c.program_id = :program_id"]
    params: dict[str, Any] = {"program_id": program_id}
    if filters.cohort_id is not None:
        where.append("e.cohort_id = :cohort_id")
        params["cohort_id"] = filters.cohort_id
    if filters.track:
        where.append("pr.primary_track = :track")
        params["track"] = filters.track
    if active_only:
        where.append("e.status = 'active'")
    # The latest profiler result of each enrolled learner (LATERAL: one index probe each).
    latest = """
  LEFT JOIN LATERAL (
    SELECT r.primary_track, r.confidence FROM profiler_results r
    WHERE r.user_id = e.student_id ORDER BY r.created_at DESC LIMIT 1
  ) pr ON true"""
    if not (profile or filters.track):
        latest = "\n  LEFT JOIN (SELECT NULL::text AS primary_track, NULL::text AS confidence) pr ON true"
    sql = f"""
WITH pop AS (
  SELECT e.student_id, e.cohort_id, e.status, e.enrolled_at, pr.primary_track AS track,
         pr.confidence, c.starts_on
  FROM enrollments e
  JOIN cohorts c ON c.id = e.cohort_id{latest}
  WHERE {" AND ".join(where)}
),
pm AS (SELECT mission_id FROM program_missions WHERE program_id = :program_id)
"""
    return Scope(sql, params)


def _inline(stmt: ClauseElement) -> str:
    """A SQLAlchemy query as SQL text, its values written in, to join into a scope's query: a
    condition kept once in query_parts serves the raw-SQL reads here too."""
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def reader_zone(principal: Principal | None) -> str:
    """The IANA name of the zone whose calendar the reader's weeks and days follow (their
    own; UTC when unset or unknown to the server)."""
    name = principal.time_zone if principal else ""
    return name if name and is_known_zone(name) else "UTC"


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone(tz))


def _range(filters: AnalyticsFilters, column: str, tz: str) -> Scope:
    """A condition limiting `column` to the filter's days (inclusive, calendar days in `tz`)."""
    parts, params = [], {}
    if filters.date_from is not None:
        parts.append(f"{column} >= :range_from")
        params["range_from"] = _midnight(filters.date_from, tz)
    if filters.date_to is not None:
        parts.append(f"{column} < :range_to")
        params["range_to"] = _midnight(filters.date_to + timedelta(days=1), tz)
    return Scope((" AND " + " AND ".join(parts)) if parts else "", params)


def _run_dated(
    session: Session,
    program_id: int,
    filters: AnalyticsFilters,
    column: str,
    day_zone: str,
    body: str,
    **extra: Any,
) -> list[Any]:
    """Run `body` over the programme's population (no profiler results), `{window}` in it
    standing for the filter's days on `column` (calendar days in `day_zone`)."""
    window = _range(filters, column, day_zone)
    return _scope(program_id, filters, profile=False).run(
        session, body.format(window=window.sql), **extra, **window.params
    )


def _check_filters(session: Session, program_id: int, filters: AnalyticsFilters) -> None:
    if filters.cohort_id is not None:
        cohort = session.get(Cohort, filters.cohort_id)
        if cohort is None or cohort.program_id != program_id:
            raise NotFound("That cohort is not part of this programme.")
    for day in (filters.date_from, filters.date_to):
        if day is not None and not dates.plausible(day):
            raise Invalid(f"Choose dates between {dates.EARLIEST.year} and {dates.LATEST.year}.")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise Invalid("The start of the date range must not be after its end.")


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# -- blocks ------------------------------------------------------------------------------------


def _funnel(session: Session, scope: Scope) -> list[FunnelStep]:
    """Enrolled → profiler done → first submission → first approval → track complete."""
    [row] = scope.run(
        session,
        """
, flags AS (
  SELECT p.student_id,
         bool_or(p.track IS NOT NULL) AS profiled,
         bool_or(p.status = 'completed') AS completed
  FROM pop p GROUP BY p.student_id
), work AS (
  SELECT s.student_id,
         bool_or(s.submitted_at IS NOT NULL) AS submitted,
         bool_or(s.status = 'approved') AS approved
  FROM submissions s
  WHERE s.student_id IN (SELECT student_id FROM pop) AND s.mission_id IN (SELECT mission_id FROM pm)
  GROUP BY s.student_id
)
SELECT count(*), count(*) FILTER (WHERE f.profiled),
       count(*) FILTER (WHERE w.submitted), count(*) FILTER (WHERE w.approved),
       count(*) FILTER (WHERE f.completed)
FROM flags f LEFT JOIN work w ON w.student_id = f.student_id
""",
    )
    enrolled = int(row[0])
    labels = (
        ("enrolled", "Enrolled"),
        ("profiler", "Career profiler done"),
        ("submitted", "First submission"),
        ("approved", "First approval"),
        ("completed", "Track complete"),
    )
    return [
        FunnelStep(key=key, label=label, learners=int(n), percent=_percent(int(n), enrolled))
        for (key, label), n in zip(labels, row, strict=True)
    ]


def _weekly(
    session: Session, program_id: int, filters: AnalyticsFilters, tz: str, now: datetime
) -> list[WeekActivity]:
    """Submissions, approvals and active learners per ISO week (weeks without any shown as 0),
    over the filter's dates, else the cohorts' life so far; weeks of the reader's calendar: they
    begin on Monday at midnight in zone `tz`."""
    rows = _run_dated(
        session,
        program_id,
        filters,
        "e.at",
        tz,
        """
, events AS (
  -- One pass over the work: each attempt gives its start, its submission and its approval.
  SELECT s.student_id, ev.at, ev.kind
  FROM submissions s
  CROSS JOIN LATERAL (VALUES
    ('d', s.created_at),
    ('s', s.submitted_at),
    ('a', CASE WHEN s.status = 'approved' THEN s.decided_at END)
  ) AS ev(kind, at)
  WHERE ev.at IS NOT NULL
    AND s.student_id IN (SELECT student_id FROM pop) AND s.mission_id IN (SELECT mission_id FROM pm)
)
SELECT (date_trunc('week', e.at AT TIME ZONE :tz))::date AS week,
       count(*) FILTER (WHERE e.kind = 's'), count(*) FILTER (WHERE e.kind = 'a'),
       count(DISTINCT e.student_id)
FROM events e WHERE true {window}
GROUP BY 1 ORDER BY 1
""",
        tz=tz,
    )
    found = {week: (int(s), int(a), int(n)) for week, s, a, n in rows}
    today = now.astimezone(zone(tz)).date()
    first, last = _weeks_span(session, program_id, filters, list(found), today)
    if first is None or last is None:
        return []
    out: list[WeekActivity] = []
    week = first
    while week <= last and len(out) < MAX_WEEKS:
        s, a, n = found.get(week, (0, 0, 0))
        iso = week.isocalendar()
        out.append(
            WeekActivity(
                week=week,
                label=f"{iso.year}-W{iso.week:02d}",
                submissions=s,
                approvals=a,
                active_learners=n,
            )
        )
        week += timedelta(days=7)
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks_span(
    session: Session, program_id: int, filters: AnalyticsFilters, weeks: list[date], today: date
) -> tuple[date | None, date | None]:
    """The first and last Monday to show: the filter's dates, else the cohorts' life up to
    `today` (the reader's) and every week with activity."""
    stmt = select(col(Cohort.starts_on), col(Cohort.ends_on)).where(Cohort.program_id == program_id)
    if filters.cohort_id is not None:
        stmt = stmt.where(Cohort.id == filters.cohort_id)
    spans = session.exec(stmt).all()
    starts = [s for s, _ in spans] + weeks
    ends = [min(e, today) for _, e in spans] + weeks
    first = filters.date_from or (min(starts) if starts else None)
    last = filters.date_to or (max(ends) if ends else None)
    if first is None or last is None:
        return None, None
    # Within the dates a filter may name: a cohort stored with a year-1 or year-9999 date
    # (before cohort dates were checked) would run the weeks off the calendar.
    first, last = (min(max(day, dates.EARLIEST), dates.LATEST) for day in (first, last))
    first, last = _monday(first), _monday(last)
    if last < first:
        return first, first
    # Keep the latest weeks when the span is longer than a chart can hold.
    return max(first, last - timedelta(weeks=MAX_WEEKS - 1)), last


def _approvals(
    session: Session, program_id: int, filters: AnalyticsFilters, tz: str
) -> list[ApprovalCell]:
    """Approved submissions per mission track and difficulty (decided within the dates)."""
    rows = _run_dated(
        session,
        program_id,
        filters,
        "s.decided_at",
        tz,
        """
SELECT t.key, m.difficulty, count(*)
FROM submissions s JOIN missions m ON m.id = s.mission_id JOIN tracks t ON t.id = m.track_id
WHERE s.status = 'approved' {window}
  AND s.student_id IN (SELECT student_id FROM pop) AND s.mission_id IN (SELECT mission_id FROM pm)
GROUP BY t.key, m.difficulty ORDER BY t.key, m.difficulty
""",
    )
    return [ApprovalCell(track=k, difficulty=int(d), approvals=int(n)) for k, d, n in rows]


def _track_mix(session: Session, scope: Scope) -> list[TrackMix]:
    """Learners per profiler track, with the mean confidence (1 low .. 3 high)."""
    rows = scope.run(
        session,
        f"""
, learners AS (SELECT DISTINCT ON (student_id) student_id, track, confidence FROM pop)
SELECT coalesce(track, ''), count(*), avg({CONFIDENCE}),
       count(*) FILTER (WHERE confidence = 'low')
FROM learners GROUP BY 1 ORDER BY 2 DESC, 1
""",
    )
    return [
        TrackMix(
            track=track,
            learners=int(n),
            mean_confidence=round(float(mean), 2) if mean is not None else None,
            low_confidence=int(low),
        )
        for track, n, mean, low in rows
    ]


BACKLOG_BUCKETS = (
    ("lt1d", "Under 1 day"),
    ("1to3d", "1–3 days"),
    ("3to7d", "3–7 days"),
    ("gt7d", "Over 7 days"),
)


def _backlog(session: Session, scope: Scope, now: datetime) -> list[BacklogBucket]:
    """Submissions waiting for a review (submitted or in review), by how long they have waited.

    Only learners still enrolled (not withdrawn) count: a withdrawn learner's work is in no
    mentor's queue (learning_access.mentor_pairs), so it waits for nobody."""
    [row] = scope.run(
        session,
        """
, waiting AS (
  SELECT CAST(:now AS timestamptz) - s.submitted_at AS age FROM submissions s
  WHERE s.status IN ('submitted', 'in_review') AND s.submitted_at IS NOT NULL
    AND s.student_id IN (SELECT student_id FROM pop WHERE status <> 'withdrawn')
    AND s.mission_id IN (SELECT mission_id FROM pm)
)
SELECT count(*) FILTER (WHERE age < interval '1 day'),
       count(*) FILTER (WHERE age >= interval '1 day' AND age < interval '3 days'),
       count(*) FILTER (WHERE age >= interval '3 days' AND age < interval '7 days'),
       count(*) FILTER (WHERE age >= interval '7 days')
FROM waiting
""",
        now=now,
    )
    return [
        BacklogBucket(key=key, label=label, submissions=int(n))
        for (key, label), n in zip(BACKLOG_BUCKETS, row, strict=True)
    ]


def _turnaround(
    session: Session, program_id: int, filters: AnalyticsFilters, tz: str
) -> list[MentorTurnaround]:
    """Per mentor, hours from submission to decision: median and 90th percentile."""
    rows = _run_dated(
        session,
        program_id,
        filters,
        "r.created_at",
        tz,
        """
, hours AS (
  SELECT r.mentor_id, extract(epoch FROM r.created_at - s.submitted_at) / 3600.0 AS h
  FROM reviews r JOIN submissions s ON s.id = r.submission_id
  WHERE r.mentor_id IS NOT NULL AND s.submitted_at IS NOT NULL {window}
    AND s.student_id IN (SELECT student_id FROM pop) AND s.mission_id IN (SELECT mission_id FROM pm)
)
SELECT h.mentor_id, coalesce(nullif(u.full_name, ''), u.email), count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY h.h),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY h.h)
FROM hours h JOIN users u ON u.id = h.mentor_id
GROUP BY h.mentor_id, u.full_name, u.email ORDER BY 4 DESC, 2
""",
    )
    return [
        MentorTurnaround(
            mentor_id=mid,
            mentor=name,
            reviews=int(n),
            median_hours=round(float(med), 1),
            p90_hours=round(float(p90), 1),
        )
        for mid, name, n, med, p90 in rows
    ]


def _mentor_load(session: Session, program_id: int, filters: AnalyticsFilters) -> MentorLoads:
    """Each mentor's mentees against their capacity (cohort_mentors.capacity, summed over the
    cohorts they serve), and how many active learners have no mentor yet.

    A mentee is counted as the cohort page counts them against the capacity (enrollment's
    mentor loads, which assign_mentor enforces): a learner who completed keeps their seat and
    their mentor, so they still take a place (withdrawal frees it)."""
    scope = _scope(program_id, filters, profile=False)
    cohort_cond = "AND cm.cohort_id = :cohort_id" if filters.cohort_id is not None else ""
    rows = scope.run(
        session,
        f"""
, served AS (
  SELECT cm.mentor_id, sum(cm.capacity) AS capacity
  FROM cohort_mentors cm JOIN cohorts c ON c.id = cm.cohort_id
  WHERE c.program_id = :program_id {cohort_cond}
  GROUP BY cm.mentor_id
), load AS (
  SELECT ma.mentor_id, count(*) AS mentees FROM mentor_assignments ma
  JOIN pop p ON p.student_id = ma.student_id AND p.cohort_id = ma.cohort_id
  WHERE p.status <> 'withdrawn'
  GROUP BY ma.mentor_id
)
SELECT sv.mentor_id, coalesce(nullif(u.full_name, ''), u.email), coalesce(l.mentees, 0),
       sv.capacity
FROM served sv JOIN users u ON u.id = sv.mentor_id LEFT JOIN load l ON l.mentor_id = sv.mentor_id
ORDER BY coalesce(l.mentees, 0)::float / sv.capacity DESC, 2
""",
    )
    # The learners of the population who wait for a mentor by the one rule the cohort page and
    # Balance count with (query_parts.waits_for_a_mentor).
    waiting = select(col(Enrollment.student_id), col(Enrollment.cohort_id)).where(
        waits_for_a_mentor()
    )
    [(unassigned,)] = scope.run(
        session,
        f"SELECT count(*) FROM pop JOIN ({_inline(waiting)}) w USING (student_id, cohort_id)",
    )
    loads = [
        MentorLoad(
            mentor_id=mid,
            mentor=name,
            mentees=int(n),
            capacity=int(cap),
            percent=_percent(int(n), int(cap)),
        )
        for mid, name, n, cap in rows
    ]
    return MentorLoads(mentors=loads, unassigned_learners=int(unassigned))


# -- at-risk learners --------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskReason:
    """One reason a learner is at risk: `sql` selects `student_id, cohort_id, days` from the
    active learners (`active`, with `last_at`: the learner's latest activity, or `since` when
    that is later: the later of their enrolment and the cohort's first day) and `label` words
    it ("{days}" is filled in: the count with `noun` in the right number, "1 day", "6 days";
    the bare count when `noun` is empty)."""

    code: str
    label: str
    sql: Callable[[], str]
    noun: str = "day"

    def words(self, days: int) -> str:
        return self.label.format(days=plural(days, self.noun) if self.noun else days)


def _inactive_sql() -> str:
    # Calendar days in the learner's own time zone: a learner in Nairobi who last worked at
    # 23:30 their time on Monday has been away since Monday, whatever the UTC date says.
    return """
SELECT student_id, cohort_id, days FROM (
  SELECT a.student_id, a.cohort_id,
         (CAST(:now AS timestamptz) AT TIME ZONE a.tz)::date - (a.last_at AT TIME ZONE a.tz)::date AS days
  FROM active a) x
WHERE days >= :inactive_days
"""


def _changes_sql() -> str:
    # The latest attempt of a mission has "changes requested" and no later attempt was submitted.
    # Calendar days in the learner's own time zone, as inactivity counts them: the reason shows
    # from the learner's midnight that begins day :changes_days.
    return """
SELECT student_id, cohort_id, max(days) AS days FROM (
  SELECT a.student_id, a.cohort_id,
         (CAST(:now AS timestamptz) AT TIME ZONE a.tz)::date
         - (s.decided_at AT TIME ZONE a.tz)::date AS days
  FROM active a JOIN submissions s ON s.student_id = a.student_id
  WHERE s.status = 'changes_requested' AND s.mission_id IN (SELECT mission_id FROM pm)
    AND NOT EXISTS (
      SELECT 1 FROM submissions later
      WHERE later.student_id = s.student_id AND later.mission_id = s.mission_id
        AND later.attempt > s.attempt AND later.submitted_at IS NOT NULL)) x
WHERE days >= :changes_days
GROUP BY student_id, cohort_id
"""


def _behind_sql() -> str:
    # The overdue counts come from the schedule service (its rule: services/learning/schedule.py
    # behind_schedule), computed for the cohorts in scope that have due dates and passed in as
    # arrays; "days" carries the count of overdue missions.
    return """
SELECT a.student_id, a.cohort_id, o.n AS days
FROM active a
JOIN unnest(CAST(:od_students AS int[]), CAST(:od_cohorts AS int[]), CAST(:od_counts AS int[]))
  AS o(student_id, cohort_id, n) ON o.student_id = a.student_id AND o.cohort_id = a.cohort_id
"""


def _overdue(
    session: Session, program_id: int, filters: AnalyticsFilters, now: datetime
) -> dict[str, list[int]]:
    """The schedule's overdue counts per (learner, cohort) for the cohorts in scope that have
    due dates, as the arrays `_behind_sql` reads."""
    with_dates = select(CohortDueDate.cohort_id).join(
        Cohort, col(Cohort.id) == col(CohortDueDate.cohort_id)
    )
    with_dates = with_dates.where(Cohort.program_id == program_id).distinct()
    if filters.cohort_id is not None:
        with_dates = with_dates.where(CohortDueDate.cohort_id == filters.cohort_id)
    students: list[int] = []
    cohorts: list[int] = []
    counts: list[int] = []
    for cohort_id in session.exec(with_dates).all():
        for student_id, n in schedule.behind_schedule(session, cohort_id, now=now).items():
            students.append(student_id)
            cohorts.append(cohort_id)
            counts.append(n)
    return {"od_students": students, "od_cohorts": cohorts, "od_counts": counts}


def _low_confidence_sql() -> str:
    # Calendar days since the learner could begin (`since`: enrolling, or the cohort's first day
    # when later) in their own time zone, as inactivity counts them.
    return """
SELECT student_id, cohort_id, days FROM (
  SELECT a.student_id, a.cohort_id,
         (CAST(:now AS timestamptz) AT TIME ZONE a.tz)::date
         - (a.since AT TIME ZONE a.tz)::date AS days
  FROM active a
  WHERE a.confidence = 'low'
    AND NOT EXISTS (
      SELECT 1 FROM submissions s
      WHERE s.student_id = a.student_id AND s.status = 'approved'
        AND s.mission_id IN (SELECT mission_id FROM pm))) x
WHERE days >= :no_progress_days
"""


# The reasons checked, in the order a learner's reasons are listed. Add one here (e.g. "behind
# the cohort's schedule" once cohorts have due dates); each is one SQL SELECT over `active`.
AT_RISK_REASONS: list[RiskReason] = [
    RiskReason("inactive", "No activity for {days}", _inactive_sql),
    RiskReason("changes_unanswered", "Changes requested {days} ago, not resubmitted", _changes_sql),
    RiskReason(
        "low_confidence_no_progress",
        "Low profiler confidence and nothing approved after {days}",
        _low_confidence_sql,
    ),
    RiskReason(
        "behind_schedule", "Behind the cohort's schedule: {days} overdue", _behind_sql, noun=""
    ),
]


def cohort_at_risk(
    session: Session, principal: Principal | None, cohort_id: int, *, now: datetime | None = None
) -> list[AtRiskLearner]:
    """The at-risk learners of one cohort (see _at_risk)."""
    cohort, program = get_cohort(session, principal, cohort_id)
    filters = AnalyticsFilters(cohort_id=cohort.id)
    return _at_risk(session, program.id or 0, filters, now or utcnow())


def _at_risk(
    session: Session, program_id: int, filters: AnalyticsFilters, now: datetime
) -> list[AtRiskLearner]:
    """Active learners of the programme (within the filters) with every reason they are at
    risk, most reasons first, then longest inactive."""
    settings = get_settings()
    scope = _scope(program_id, filters, active_only=True)
    # `active`: each active enrolment with the learner's zone and latest activity on the
    # programme's missions (`since` when they have done nothing since): one index probe
    # per learner. Work elsewhere (another programme or organisation) is not activity here.
    # The learner's zone (pg_zones: UTC when they chose none).
    # A deactivated learner keeps their seat but can't sign in: nothing to chase (nor nudge).
    # `since`: when the learner could begin, the later of enrolling and the midnight beginning
    # the cohort's first day (in their zone): a learner of a cohort that has not started yet
    # (or enrolled early) is not "inactive" nor "without progress" for the days before it.
    # A cohort that is over (its last day past, in its zone: cohort_days.today_sql) has no one left at
    # risk of falling behind it: its unfinished learners stay on the roster, not here, where
    # every past cohort's would pile up, their days away counting on for ever.
    running = select(col(Cohort.id)).where(
        col(Cohort.program_id) == program_id, col(Cohort.ends_on) >= today_sql(now)
    )
    active = f"""
, active AS (
  SELECT p.student_id, p.cohort_id, p.confidence, z.tz, z.since,
         greatest(z.since, act.at, hint.at) AS last_at,
         greatest(act.at, hint.at) AS activity_at
  FROM pop p JOIN users u ON u.id = p.student_id AND u.is_active
  CROSS JOIN LATERAL (SELECT {pg_zones.zone_sql("u.time_zone")} AS tz) lz
  CROSS JOIN LATERAL (
    SELECT lz.tz, greatest(p.enrolled_at, CAST(p.starts_on AS timestamp) AT TIME ZONE lz.tz)
           AS since
  ) z
  LEFT JOIN LATERAL (
    SELECT max(greatest(s.created_at, s.submitted_at)) AS at FROM submissions s
    WHERE s.student_id = p.student_id AND s.mission_id IN (SELECT mission_id FROM pm)
  ) act ON true
  LEFT JOIN LATERAL (
    SELECT max(h.revealed_at) AS at FROM hint_reveals h
    WHERE h.student_id = p.student_id AND h.mission_id IN (SELECT mission_id FROM pm)
  ) hint ON true
  WHERE p.cohort_id IN ({_inline(running)})
)
"""
    union = "\nUNION ALL\n".join(
        f"SELECT student_id, cohort_id, days, {i} AS reason FROM ({r.sql()}) r{i}"
        for i, r in enumerate(AT_RISK_REASONS)
    )
    rows = scope.run(
        session,
        active
        + f"""
, flagged AS ({union})
SELECT f.student_id, f.cohort_id, c.name, coalesce(nullif(u.full_name, ''), u.email), u.email,
       ma.mentor_id, coalesce(nullif(mu.full_name, ''), mu.email), a.activity_at,
       array_agg(f.reason ORDER BY f.reason), array_agg(f.days ORDER BY f.reason),
       EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = f.student_id
               AND n.kind = :nudge_kind  -- the programme's organisation's
               AND n.organization_id = (SELECT organization_id FROM programs
                                        WHERE id = :program_id)
               -- since midnight, the learner's (nudge's day)
               AND n.created_at >= (date_trunc('day', CAST(:now AS timestamptz) AT TIME ZONE a.tz)
                                    AT TIME ZONE a.tz))
FROM flagged f
JOIN active a ON a.student_id = f.student_id AND a.cohort_id = f.cohort_id
JOIN users u ON u.id = f.student_id JOIN cohorts c ON c.id = f.cohort_id
LEFT JOIN mentor_assignments ma ON ma.student_id = f.student_id AND ma.cohort_id = f.cohort_id
LEFT JOIN users mu ON mu.id = ma.mentor_id
GROUP BY f.student_id, f.cohort_id, c.name, u.full_name, u.email, ma.mentor_id, mu.full_name,
         mu.email, a.activity_at, a.tz
ORDER BY count(*) DESC, a.activity_at ASC NULLS FIRST, 4
LIMIT :limit
""",
        now=now,
        inactive_days=settings.at_risk_inactive_days,
        changes_days=settings.at_risk_changes_days,
        no_progress_days=settings.at_risk_no_progress_days,
        nudge_kind=NUDGE_KIND,
        limit=AT_RISK_LIMIT,
        **_overdue(session, program_id, filters, now),
    )
    out: list[AtRiskLearner] = []
    for sid, cid, cname, name, email, mid, mname, last, reasons, days, nudged in rows:
        out.append(
            AtRiskLearner(
                student_id=sid,
                name=name,
                email=email,
                cohort_id=cid,
                cohort=cname,
                mentor_id=mid,
                mentor=mname or "",
                last_activity=last,
                reasons=[
                    AtRiskReason(
                        code=AT_RISK_REASONS[i].code,
                        label=AT_RISK_REASONS[i].words(int(d)),
                    )
                    for i, d in zip(reasons, days, strict=True)
                ],
                nudged_today=bool(nudged),
            )
        )
    return out


# -- everything at once ------------------------------------------------------------------------


def program_analytics(
    session: Session,
    principal: Principal | None,
    program_id: int,
    filters: AnalyticsFilters,
    *,
    now: datetime | None = None,
) -> ProgramAnalytics:
    """Every block of the programme's analytics (one permission check, one query per block),
    with the weeks and days of the reader's calendar."""
    program = get_program(session, principal, program_id)
    _check_filters(session, program_id, filters)
    now = now or utcnow()
    tz = reader_zone(principal)
    if filters == AnalyticsFilters():
        kept = _from_snapshot(session, program, now, tz)
        if kept is not None:
            return kept
    return _compute(session, program, filters, now, tz)


def _options(session: Session, program_id: int) -> tuple[list[CohortOption], list[str]]:
    """The programme's cohorts and track keys, for the filters."""
    cohorts = session.exec(
        select(Cohort.id, Cohort.name)
        .where(Cohort.program_id == program_id)
        .order_by(col(Cohort.starts_on).desc(), col(Cohort.id))
    ).all()
    tracks = session.exec(
        select(Track.key)
        .join(ProgramTrack, col(ProgramTrack.track_id) == col(Track.id))
        .where(ProgramTrack.program_id == program_id)
        .order_by(col(Track.id))
    ).all()
    return [CohortOption(id=cid or 0, name=name) for cid, name in cohorts], list(tracks)


def compute_live(
    session: Session,
    program: Program,
    filters: AnalyticsFilters,
    *,
    now: datetime | None = None,
    tz: str = "UTC",
) -> ProgramAnalytics:
    """Every block computed now, never from a snapshot. No permission check: for the worker's
    refresh and benchmarks; readers go through program_analytics."""
    return _compute(session, program, filters, now or utcnow(), tz)


def _compute(
    session: Session, program: Program, filters: AnalyticsFilters, now: datetime, tz: str
) -> ProgramAnalytics:
    program_id = program.id or 0
    cohorts, tracks = _options(session, program_id)
    scope = _scope(program_id, filters)
    loads = _mentor_load(session, program_id, filters)
    return ProgramAnalytics(
        program_id=program_id,
        program=program.name,
        filters=filters,
        cohorts=cohorts,
        tracks=tracks,
        funnel=_funnel(session, scope),
        weekly=_weekly(session, program_id, filters, tz, now),
        approvals=_approvals(session, program_id, filters, tz),
        track_mix=_track_mix(session, scope),
        backlog=_backlog(session, _scope(program_id, filters, profile=False), now),
        turnaround=_turnaround(session, program_id, filters, tz),
        mentor_load=loads.mentors,
        unassigned_learners=loads.unassigned_learners,
        at_risk=_at_risk(session, program_id, filters, now),
    )


# -- snapshots of big programmes ---------------------------------------------------------------
# A programme of 400 cohorts takes seconds to aggregate (bench/director_analytics.py): its
# unfiltered view is computed by the worker every few minutes (refresh_snapshots, the
# scheduler's refresh_program_analytics) and read from program_analytics_snapshots. The figures
# are exactly what _compute returned at `as_of`; the filter options, the programme's name and
# today's nudge flags are read live. The weekly activity is kept for UTC and for the zone of
# each of the organisation's directors (a reader's weeks are their own calendar's); a reader in
# another zone (an admin abroad) gets that one block computed live. Filtered views are always computed live (a cohort's in tens
# of milliseconds).


@dataclass(frozen=True)
class SnapshotRefresh:
    """What refresh_snapshots did: the programmes refreshed (with the ms each took) and how
    many snapshots of programmes now under the threshold were dropped."""

    refreshed: dict[int, int]
    dropped: int


def _director_zones(session: Session, organization_id: int) -> list[str]:
    """The zones of the organisation's directors (known ones, UTC left out), sorted."""
    names = session.exec(
        select(User.time_zone)
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(
            RoleAssignment.role == Role.director,
            RoleAssignment.organization_id == organization_id,
            col(User.time_zone).is_not(None),
        )
        .distinct()
    ).all()
    return sorted({n for n in names if n and n != "UTC" and is_known_zone(n)})


def _big_programs(session: Session) -> list[int]:
    least = get_settings().analytics_snapshot_min_cohorts
    rows = session.exec(
        select(Cohort.program_id)
        .group_by(col(Cohort.program_id))
        .having(func.count() >= least)
        .order_by(col(Cohort.program_id))
    ).all()
    return list(rows)


def refresh_snapshots(session: Session, *, now: datetime | None = None) -> SnapshotRefresh:
    """Recompute the unfiltered analytics of every programme with at least
    ANALYTICS_SNAPSHOT_MIN_COHORTS cohorts and store them (the worker; no principal: the
    snapshot is only ever read through program_analytics, which checks the reader). Safe to run
    twice at once: the upsert keeps the one computed later, whichever is written last."""
    big = _big_programs(session)
    dropped = session.execute(
        delete(ProgramAnalyticsSnapshot).where(col(ProgramAnalyticsSnapshot.program_id).not_in(big))
    )
    refreshed: dict[int, int] = {}
    for program_id in big:
        program = session.get(Program, program_id)
        if program is None:
            continue
        at = now or utcnow()
        started = time.perf_counter()
        data = _compute(session, program, AnalyticsFilters(), at, "UTC")
        weekly = {"UTC": data.weekly} | {
            tz: _weekly(session, program_id, AnalyticsFilters(), tz, at)
            for tz in _director_zones(session, program.organization_id)
        }
        took = round((time.perf_counter() - started) * 1000)
        values = {
            "program_id": program_id,
            "computed_at": at,
            "took_ms": took,
            "payload": AnalyticsSnapshot(data=data, weekly=weekly).model_dump_json(),
        }
        insert = pg_insert(ProgramAnalyticsSnapshot).values(**values)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["program_id"],
                set_=values,
                where=col(ProgramAnalyticsSnapshot.computed_at) <= insert.excluded.computed_at,
            )
        )
        session.flush()
        refreshed[program_id] = took
    return SnapshotRefresh(refreshed=refreshed, dropped=int(getattr(dropped, "rowcount", 0) or 0))


def _from_snapshot(
    session: Session, program: Program, now: datetime, tz: str
) -> ProgramAnalytics | None:
    """The programme's fresh snapshot, or None (none kept, or older than
    ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS: the worker is behind, compute live). Its weekly
    activity is the one kept for the reader's zone `tz`, else computed live for it."""
    computed_at = session.exec(
        select(ProgramAnalyticsSnapshot.computed_at).where(
            ProgramAnalyticsSnapshot.program_id == program.id
        )
    ).first()
    oldest = now - timedelta(seconds=get_settings().analytics_snapshot_max_age_seconds)
    if computed_at is None or computed_at < oldest:
        return None
    kept = _parsed(session, program.id or 0, computed_at)
    if kept is None:  # refreshed between the two reads: the next load shows the new one
        return None
    data = kept.data
    weekly = kept.weekly.get(tz)
    if weekly is None:
        weekly = _weekly(session, program.id or 0, AnalyticsFilters(), tz, computed_at)
    cohorts, tracks = _options(session, program.id or 0)
    nudged = _nudged_today(
        session, program.organization_id, [r.student_id for r in data.at_risk], now
    )
    at_risk = [r.model_copy(update={"nudged_today": r.student_id in nudged}) for r in data.at_risk]
    return data.model_copy(
        update={
            "program": program.name,
            "cohorts": cohorts,
            "tracks": tracks,
            "at_risk": at_risk,
            "weekly": weekly,
            "as_of": computed_at,
        }
    )


# Parsed snapshots by (programme, computed_at), a few per process: parsing ~1 MB of JSON into
# the models takes 40 ms on an idle core and several times that on a loaded one, so each
# process parses a snapshot once; its next loads read only `computed_at`. A refresh changes the
# key (the old entry ages out). Shared by the page's worker threads, hence the lock.
_PARSED: OrderedDict[tuple[int, datetime], AnalyticsSnapshot] = OrderedDict()
_PARSED_LOCK = threading.Lock()
PARSED_KEPT = 8


def _parsed(session: Session, program_id: int, computed_at: datetime) -> AnalyticsSnapshot | None:
    key = (program_id, computed_at)
    with _PARSED_LOCK:
        found = _PARSED.get(key)
        if found is not None:
            _PARSED.move_to_end(key)
            return found
    payload = session.exec(
        select(ProgramAnalyticsSnapshot.payload).where(
            ProgramAnalyticsSnapshot.program_id == program_id,
            ProgramAnalyticsSnapshot.computed_at == computed_at,
        )
    ).first()
    if payload is None:
        return None
    try:
        data = AnalyticsSnapshot.model_validate_json(payload)
    except ValidationError:  # written before the weeks were kept per zone: compute live
        return None
    with _PARSED_LOCK:
        _PARSED[key] = data
        while len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return data


# -- nudging -----------------------------------------------------------------------------------


def _day_start(time_zone: str | None, now: datetime) -> datetime:
    """Midnight of `now`'s day in the learner's zone: a nudge's day is the learner's."""
    tz = zone(time_zone)
    return datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)


def _nudged_today(
    session: Session, organization_id: int, student_ids: list[int], now: datetime
) -> set[int]:
    """The learners among `student_ids` nudged by the organisation since midnight of their own
    day (another organisation's nudges are not its staff's to know of)."""
    if not student_ids:
        return set()
    rows = session.exec(
        select(User.id, User.time_zone, func.max(Notification.created_at))
        .join(User, col(User.id) == col(Notification.user_id))
        .where(
            col(Notification.user_id).in_(student_ids),
            Notification.kind == NUDGE_KIND,
            Notification.organization_id == organization_id,
        )
        .group_by(col(User.id), col(User.time_zone))
    ).all()
    return {uid for uid, tz, last in rows if uid and last and last >= _day_start(tz, now)}


def nudge(
    session: Session,
    principal: Principal | None,
    student_id: int,
    *,
    cohort_id: int,
    message: str = "",
    meta: RequestMeta = NO_META,
    now: datetime | None = None,
) -> NudgeResult:
    """Send an actively enrolled learner a nudge (in-app notification + e-mail; Conflict when their
    account is deactivated: they could read neither), at most once a
    day per learner and organisation (the learner's day, in their time zone): a second nudge
    from the cohort's organisation that day (a double click, two directors) sends nothing and
    says so; another organisation's nudges neither count nor show. Audited."""
    cohort, program = get_cohort(session, principal, cohort_id)
    assert principal is not None
    # Two nudges of the learner by the organisation at once (a double click, two directors, two
    # of its cohorts) take turns: the second sees the first.
    locks.hold(session, locks.Lock.LEARNER_NUDGES, f"{student_id}:{program.organization_id}")
    # The enrolment row's lock: a withdrawal at the same moment lands before or after, never
    # between the check and the nudge.
    enrolment = session.exec(
        select(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.student_id == student_id)
        .with_for_update()
    ).first()
    if enrolment is None or enrolment.status != EnrollmentStatus.active:
        raise NotFound("That learner is not enrolled in this cohort.")
    body = free_text.block(message, "message", NUDGE_MESSAGE_MAX) or DEFAULT_NUDGE
    now = now or utcnow()
    learner = session.get(User, student_id)
    assert learner is not None
    if not learner.is_active:
        raise Conflict(
            f"{learner.full_name or learner.email}'s account is deactivated: they can't sign in "
            "to read a nudge."
        )
    day_start = _day_start(learner.time_zone, now)
    name = learner.full_name or learner.email
    already = session.exec(
        select(Notification.id).where(
            Notification.user_id == student_id,
            Notification.kind == NUDGE_KIND,
            Notification.organization_id == program.organization_id,
            col(Notification.created_at) >= day_start,
        )
    ).first()
    if already is not None:
        return NudgeResult(
            student_id=student_id, sent=False, detail=f"{name} was already nudged today."
        )
    note = notifications.notify(
        session,
        student_id,
        kind=NUDGE_KIND,
        title=f"A note from your {program.name} team"[:200],
        body=body,
        link="/dashboard/student",
        organization_id=program.organization_id,
    )
    note.created_at = now
    session.add(note)
    session.flush()
    audit.record(
        session,
        "learner.nudged",
        ("user", student_id),
        by=principal,
        meta=meta,
        cohort_id=cohort.id,
    )
    return NudgeResult(student_id=student_id, sent=True, detail=f"{name} was nudged.")


# -- the roster --------------------------------------------------------------------------------

ROSTER_PAGE_SIZE = 25
ROSTER_SORTS = ("name", "progress", "last_activity", "enrolled")
ROSTER_STATUSES = ("active", "completed", "withdrawn")


def cohort_roster(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    q: str = "",
    status: str = "",
    sort: str = "name",
    page: int = 1,
    page_size: int = ROSTER_PAGE_SIZE,
    include_withdrawn: bool = True,
) -> RosterPage:
    """The cohort page's roster (programs.roster, withdrawn learners included) with each
    learner's last activity (on the programme's missions, as the at-risk list counts it) and
    withdrawal date; searched by name or e-mail, filtered by status,
    sorted (name, progress or last activity: lowest / oldest first; enrolled: newest first) and
    paged (`include_withdrawn=False`: the withdrawn left out, as the API lists by default,
    unless `status` asks for them). The withdrawal date is the enrolment's `withdrawn_at` (None for withdrawals older than
    migration 0024 that left no record: the page says "date unknown")."""
    if sort not in ROSTER_SORTS:
        raise Invalid("Sort by name, progress, last_activity or enrolled.")
    if status and status not in ROSTER_STATUSES:
        raise Invalid("Filter by status: active, completed or withdrawn.")
    withdrawn = include_withdrawn or status == "withdrawn"  # asked for, they are listed
    rows = programs.roster(session, principal, cohort_id, include_withdrawn=withdrawn)
    needle = q.strip().lower()[:200]
    if needle:
        rows = [r for r in rows if needle in r.name.lower() or needle in r.email.lower()]
    if status:
        rows = [r for r in rows if r.status == status]
    ids = [r.student_id for r in rows]
    extra: dict[int, tuple[datetime | None, datetime | None]] = {}
    if ids:
        found = session.execute(
            text(
                """
WITH pm AS (
  SELECT pm.mission_id FROM program_missions pm JOIN cohorts c ON c.program_id = pm.program_id
  WHERE c.id = :cohort_id
)
SELECT u.id,
       greatest((SELECT max(greatest(s.created_at, s.submitted_at)) FROM submissions s
                 WHERE s.student_id = u.id AND s.mission_id IN (SELECT mission_id FROM pm)),
                (SELECT max(h.revealed_at) FROM hint_reveals h
                 WHERE h.student_id = u.id AND h.mission_id IN (SELECT mission_id FROM pm))),
       e.withdrawn_at
FROM users u JOIN enrollments e ON e.student_id = u.id AND e.cohort_id = :cohort_id
WHERE u.id = ANY(:ids)
"""
            ),
            {"cohort_id": cohort_id, "ids": ids},
        ).all()
        extra = {uid: (last, left) for uid, last, left in found}
    entries = [
        RosterEntry(
            **r.model_dump(),
            last_activity=extra.get(r.student_id, (None, None))[0],
            withdrawn_at=(
                extra.get(r.student_id, (None, None))[1] if r.status == "withdrawn" else None
            ),
        )
        for r in rows
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    if sort == "progress":
        entries.sort(key=lambda e: (e.progress, e.name.lower()))
    elif sort == "last_activity":
        entries.sort(key=lambda e: (e.last_activity or oldest, e.name.lower()))
    elif sort == "enrolled":
        entries.sort(key=lambda e: e.enrolled_at, reverse=True)
    pages = page_count(len(entries), page_size)
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return RosterPage(
        cohort_id=cohort_id,
        total=len(entries),
        page=page,
        pages=pages,
        items=entries[start : start + page_size],
    )
