"""Cohort schedule (issue 15, item 3): due dates, "due this week", overdue, reminders.

Rules:
- a director of the cohort's organisation (or an admin) sets or clears a **due date** per
  mission the cohort's programme runs (published, of a track the programme runs). A date typed
  without an offset is read in the director's time zone (their profile setting); it is stored
  as a UTC moment, so every reader sees it in their own zone. Audited;
- a due date **applies** to a learner actively enrolled in the cohort when the mission is of
  their track (the profiler's primary track; every track while they have none) — the same
  learners progress expects it of (services/learning/mission_scope.expected_missions) — while
  the cohort is not over (programs.cohort_not_over: not closed, not past its last day, a day in
  the cohort's zone: services/learning/cohort_days). A closed
  or ended cohort's dates are listed nowhere as due or overdue (the learner's schedule, the
  mission page, the calendar feed, the roster, analytics) and reminded of no more; its director
  still sees them on its schedule;
- a learner has **handed in** a mission when a submission of it is submitted, in review or
  approved: a submission waiting for review counts. **Overdue** = the due date has passed and
  nothing is handed in (a draft, or changes requested and not resubmitted, is not handed in);
- **reminders**: `send_reminders` (run hourly by the worker) tells every learner who has not
  handed in a mission due within `REMINDER_DAYS_BEFORE` days — one notification and one e-mail
  per (learner, cohort, mission, kind), exactly once, even when two sweeps run at once (the
  unique row in `schedule_reminders` is written first, with ON CONFLICT DO UPDATE only when the
  row is for another date; only the transaction that wrote it sends). Moving a due date forgets
  its reminders, so the new date gets one (and a row for the old date, committed by a sweep
  still sending when the date moved, is taken over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from cyberhub.formatting import when, zone
from cyberhub.models import (
    Cohort,
    CohortDueDate,
    Enrollment,
    EnrollmentStatus,
    Mission,
    MissionStatus,
    ProfilerResult,
    ProgramMission,
    ProgramTrack,
    ScheduleReminder,
    Submission,
    SubmissionStatus,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.schedule import (
    CohortSchedule,
    DueDatePublic,
    DueItem,
    DueStatus,
    LearnerSchedule,
    MissionDue,
    ReminderSweep,
    RosterOverdue,
    ScheduledMission,
)
from cyberhub.services import dates
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning.mission_scope import require_visible
from cyberhub.services.learning.programs import (
    audit_mission_change,
    cohort_not_over,
    get_cohort,
    require_director,
)
from cyberhub.services.learning.query_parts import runs_mission_track
from cyberhub.services.messaging import notifications
from cyberhub.settings import get_settings

DUE_SOON = "due_soon"  # the reminder kind (and notification kind) sent before a due date
WEEK = timedelta(days=7)
HANDED_IN = (SubmissionStatus.submitted, SubmissionStatus.in_review, SubmissionStatus.approved)
BAD_DATE = "Enter the due date as a date and a time, for example 2026-12-12 17:00."


def mission_url(mission_id: int) -> str:
    return f"/missions/{mission_id}"


def overdue_by(due_at: datetime, now: datetime) -> str:
    """ "Overdue by 2 days", "Overdue by 1 day", or "Overdue" within the first day."""
    days = (now - due_at).days
    if days < 1:
        return "Overdue"
    return f"Overdue by {days} day{'s' if days != 1 else ''}"


# -- the director's side ---------------------------------------------------------------------


def _program_missions(session: Session, program_id: int) -> list[tuple[Mission, str]]:
    """The published missions the programme runs, of the tracks it runs (track name beside)."""
    rows = session.exec(
        select(Mission, Track.name)
        .join(ProgramMission, col(ProgramMission.mission_id) == col(Mission.id))
        .join(Track, col(Track.id) == col(Mission.track_id))
        .join(ProgramTrack, runs_mission_track(col(ProgramMission.program_id)))
        .where(ProgramMission.program_id == program_id, Mission.status == MissionStatus.published)
        .order_by(col(Track.name), col(Mission.difficulty), col(Mission.title), col(Mission.id))
    ).all()
    return [(m, name) for m, name in rows]


def cohort_schedule(
    session: Session, principal: Principal | None, cohort_id: int
) -> CohortSchedule:
    """Every mission the cohort's programme runs, with its due date in the cohort (directors)."""
    cohort, program = get_cohort(session, principal, cohort_id)
    due = {
        d.mission_id: d.due_at
        for d in session.exec(select(CohortDueDate).where(CohortDueDate.cohort_id == cohort_id))
    }
    return CohortSchedule(
        cohort_id=cohort_id,
        cohort=cohort.name,
        missions=[
            ScheduledMission(
                mission_id=m.id or 0, title=m.title, track=track, due_at=due.get(m.id or 0)
            )
            for m, track in _program_missions(session, program.id or 0)
        ],
    )


def parse_due(value: datetime | str, time_zone: str) -> datetime:
    """A due moment in UTC: an aware datetime as is; a naive one (or "YYYY-MM-DDTHH:MM" text)
    read in `time_zone`. Invalid when it is no date and time, or outside 2000-2100."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        if len(text) < 16:  # a date alone ("2026-12-12") is not enough: say which time
            raise Invalid(BAD_DATE)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(BAD_DATE) from None
    if not dates.plausible(value.date()):
        raise Invalid(
            f"The due date must be between the years {dates.EARLIEST.year} and {dates.LATEST.year}."
        )
    if value.tzinfo is None:
        value = _local_moment(value, time_zone)
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def _local_moment(wall: datetime, time_zone: str) -> datetime:
    """The naive `wall` time read in `time_zone`. Invalid for a time the clocks skip when
    daylight saving starts (01:30 on the day London goes from 01:00 to 02:00): it was taken as
    an hour later without a word. A time that happens twice (when it ends) is the first."""
    tz = zone(time_zone)
    moment = wall.replace(tzinfo=tz)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        raise Invalid(
            f"{when(wall, style='time')} on {when(wall.date(), style='date')} does not exist in "
            f"{time_zone}: the clocks go forward then. Choose a time outside the hour they skip."
        )
    return moment


def _scheduled_mission(session: Session, program_id: int, mission_id: int) -> Mission:
    for m, _track in _program_missions(session, program_id):
        if m.id == mission_id:
            return m
    raise NotFound("This cohort's programme does not run that mission.")


def _due_row(session: Session, cohort_id: int, mission_id: int) -> CohortDueDate | None:
    """The mission's due date in the cohort (None: it has none)."""
    return session.exec(
        select(CohortDueDate).where(
            CohortDueDate.cohort_id == cohort_id, CohortDueDate.mission_id == mission_id
        )
    ).first()


def set_due_date(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    mission_id: int,
    due_at: datetime | str,
    *,
    meta: RequestMeta = NO_META,
) -> DueDatePublic:
    """Set when a mission is due in the cohort (a time without an offset is read in the
    director's time zone). Audited; a moved date gets a fresh reminder."""
    actor = require_director(principal)
    # Locked: two saves at once (a double click) take turns, the second updating the first's row.
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    mission = _scheduled_mission(session, program.id or 0, mission_id)
    moment = parse_due(due_at, actor.time_zone)
    row = _due_row(session, cohort_id, mission_id)
    result = DueDatePublic(
        cohort_id=cohort_id, mission_id=mission_id, title=mission.title, due_at=moment
    )
    if row is not None and row.due_at == moment:
        return result
    if row is None:
        row = CohortDueDate(cohort_id=cohort_id, mission_id=mission_id, due_at=moment)
    row.due_at, row.set_by_id, row.updated_at = moment, actor.user_id, utcnow()
    session.add(row)
    _forget_reminders(session, cohort_id, mission_id)
    session.flush()
    audit_mission_change(
        session, "cohort.due_date_set", actor, cohort, mission, meta, due_at=moment.isoformat()
    )
    return result


def clear_due_date(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    mission_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> DueDatePublic:
    """Remove a mission's due date in the cohort (nothing to do when it has none). Audited.
    NotFound for a mission the programme does not run, unless the cohort has a date for it."""
    actor = require_director(principal)
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    row = _due_row(session, cohort_id, mission_id)
    # A date set before the programme stopped running the mission can still be cleared; any
    # other mission is not found, so its title is never named to this director.
    mission = (
        session.get(Mission, mission_id)
        if row is not None
        else _scheduled_mission(session, program.id or 0, mission_id)
    )
    if mission is None:
        raise NotFound("That mission does not exist.")
    if row is not None:
        session.delete(row)
        _forget_reminders(session, cohort_id, mission_id)
        session.flush()
        audit_mission_change(session, "cohort.due_date_cleared", actor, cohort, mission, meta)
    return DueDatePublic(cohort_id=cohort_id, mission_id=mission_id, title=mission.title)


def _forget_reminders(session: Session, cohort_id: int, mission_id: int) -> None:
    session.execute(
        delete(ScheduleReminder).where(
            col(ScheduleReminder.cohort_id) == cohort_id,
            col(ScheduleReminder.mission_id) == mission_id,
        )
    )


# -- who has what due ------------------------------------------------------------------------


def _learner_tracks(session: Session, student_ids: set[int]) -> dict[int, str]:
    """Each learner's track key (their newest profiler result's primary track; "" before one),
    in one query — mission_scope.learner_track for many learners at once."""
    rows = session.exec(
        select(ProfilerResult.user_id, ProfilerResult.primary_track)
        .where(col(ProfilerResult.user_id).in_(student_ids or {-1}))
        .order_by(col(ProfilerResult.created_at), col(ProfilerResult.session_id))
    ).all()
    found = dict(rows)  # oldest first: each learner's newest result is the one kept
    return {sid: str(found.get(sid, "")) for sid in student_ids}


@dataclass(frozen=True)
class _Due:
    """One due date that applies to one learner, with what they have handed in."""

    student_id: int
    cohort_id: int
    cohort: str
    mission_id: int
    title: str
    due_at: datetime
    status: DueStatus


def applicable(
    session: Session,
    *,
    student_id: int | None = None,
    cohort_id: int | None = None,
    due_between: tuple[datetime, datetime] | None = None,
    now: datetime,
) -> list[_Due]:
    """Every due date that applies to an actively enrolled learner (of one learner, or of one
    cohort) of a cohort not over at `now`, with its status for that learner at `now`."""
    # Columns, not entities: a cohort of 250 with 40 due dates is 10,000 rows, and loading a
    # full Mission (brief, rubric) and CohortDueDate object for each took seconds.
    stmt = (
        sa_select(
            col(Enrollment.student_id),
            col(CohortDueDate.cohort_id),
            col(CohortDueDate.mission_id),
            col(CohortDueDate.due_at),
            col(Cohort.name),
            col(Mission.title),
            col(Mission.track_id),
        )
        .join(CohortDueDate, col(CohortDueDate.cohort_id) == col(Enrollment.cohort_id))
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(Mission, col(Mission.id) == col(CohortDueDate.mission_id))
        # still run by the programme, in a track it runs, and published
        .join(
            ProgramMission,
            (col(ProgramMission.program_id) == col(Cohort.program_id))
            & (col(ProgramMission.mission_id) == col(Mission.id)),
        )
        .join(ProgramTrack, runs_mission_track(col(Cohort.program_id)))
        .where(
            col(Enrollment.status) == EnrollmentStatus.active,
            col(Mission.status) == MissionStatus.published,
            cohort_not_over(now),
        )
    )
    if student_id is not None:
        stmt = stmt.where(col(Enrollment.student_id) == student_id)
    if cohort_id is not None:
        stmt = stmt.where(col(Enrollment.cohort_id) == cohort_id)
    if due_between is not None:
        stmt = stmt.where(
            col(CohortDueDate.due_at) > due_between[0], col(CohortDueDate.due_at) <= due_between[1]
        )
    rows = session.execute(stmt).all()
    if not rows:
        return []
    tracks = _learner_tracks(session, {r[0] for r in rows})
    keys = dict(
        session.exec(
            select(Track.id, Track.key).where(col(Track.id).in_({r[6] for r in rows}))
        ).all()
    )
    rows = [r for r in rows if not tracks[r[0]] or tracks[r[0]] == keys.get(r[6])]
    students = sorted({r[0] for r in rows})
    missions = sorted({r[2] for r in rows})
    done: dict[tuple[int, int], str] = {}
    for sid, mid, handed_status in session.exec(
        select(Submission.student_id, Submission.mission_id, Submission.status).where(
            col(Submission.student_id).in_(students or [-1]),
            col(Submission.mission_id).in_(missions or [-1]),
            col(Submission.status).in_(HANDED_IN),
        )
    ):
        if done.get((sid, mid)) != SubmissionStatus.approved:
            done[(sid, mid)] = handed_status
    out = []
    for sid, cohort_id, mission_id, due_at, cohort_name, title, _track in rows:
        handed = done.get((sid, mission_id))
        status: DueStatus = (
            "approved"
            if handed == SubmissionStatus.approved
            else "handed_in"
            if handed is not None
            else "overdue"
            if due_at <= now
            else "due"
        )
        out.append(_Due(sid, cohort_id, cohort_name, mission_id, title, due_at, status))
    out.sort(key=lambda d: (d.due_at, d.title, d.cohort_id))
    return out


def _item(d: _Due) -> DueItem:
    return from_row(DueItem, d, url=mission_url(d.mission_id))


def my_schedule(
    session: Session, principal: Principal | None, *, now: datetime | None = None
) -> LearnerSchedule:
    """The signed-in learner's due dates of the next 7 days (any status) and overdue missions."""
    actor = require_signed_in(principal)
    now = now or utcnow()
    dues = applicable(session, student_id=actor.user_id, now=now)
    return LearnerSchedule(
        due_this_week=[_item(d) for d in dues if now < d.due_at <= now + WEEK],
        overdue=[_item(d) for d in dues if d.status == "overdue"],
    )


def mission_due(
    session: Session, principal: Principal | None, mission_id: int, *, now: datetime | None = None
) -> MissionDue | None:
    """The learner's due date for a mission (the earliest, when several cohorts set one).
    NotFound for a mission they may not see (another organisation's, a draft)."""
    actor = require_signed_in(principal)
    require_visible(session, actor, mission_id)
    now = now or utcnow()
    dues = [
        d
        for d in applicable(session, student_id=actor.user_id, now=now)
        if d.mission_id == mission_id
    ]
    if not dues:
        return None
    d = dues[0]
    late = (now - d.due_at).days if d.status == "overdue" else 0
    return MissionDue(
        mission_id=mission_id, cohort=d.cohort, due_at=d.due_at, status=d.status, days_overdue=late
    )


def behind_schedule(
    session: Session,
    cohort_id: int,
    *,
    now: datetime | None = None,
    among: list[int] | None = None,
) -> dict[int, int]:
    """{learner id: missions overdue} for the cohort's active learners who are behind (none
    listed when nothing is overdue, or the cohort is over); `among`: only those of these
    learners (a page of the roster). No permission check: the caller has checked the cohort.

    The rule of `applicable` ("overdue": a due date that applies to the learner has passed and
    nothing is handed in), counted by PostgreSQL: a cohort of 250 with 40 due dates is 10,000
    (learner, due date) pairs, too many to bring into Python on every at-risk list and roster
    (tests/integration/test_schedule_counts.py checks both agree). The CTEs are materialised:
    each learner's track is looked up once (not once per due date), and the handed-in pairs
    come through the per-learner submissions index (left to itself the planner hashed every
    handed-in submission of the database: 200 ms)."""
    now = now or utcnow()
    running = select(Cohort.id).where(Cohort.id == cohort_id, cohort_not_over(now))
    if session.exec(running).first() is None:  # closed or ended: its dates no longer stand
        return {}
    rows = session.execute(
        text(
            """
WITH learners AS MATERIALIZED (
  SELECT e.student_id,
         coalesce((SELECT r.primary_track FROM profiler_results r WHERE r.user_id = e.student_id
                   ORDER BY r.created_at DESC, r.session_id DESC LIMIT 1), '') AS track
  FROM enrollments e WHERE e.cohort_id = :cohort_id AND e.status = :active
    AND (CAST(:among AS bigint[]) IS NULL OR e.student_id = ANY(CAST(:among AS bigint[])))
), due AS MATERIALIZED (
  SELECT d.mission_id, t.key AS track
  FROM cohort_due_dates d
  JOIN cohorts c ON c.id = d.cohort_id
  JOIN missions m ON m.id = d.mission_id
  JOIN program_missions pm ON pm.program_id = c.program_id AND pm.mission_id = m.id
  JOIN program_tracks pt ON pt.program_id = c.program_id AND pt.track_id = m.track_id
  JOIN tracks t ON t.id = m.track_id
  WHERE d.cohort_id = :cohort_id AND m.status = :published AND d.due_at <= :now
), handed AS MATERIALIZED (
  SELECT DISTINCT s.student_id, s.mission_id
  FROM learners l JOIN submissions s ON s.student_id = l.student_id
  WHERE s.status = ANY(:handed_in) AND s.mission_id IN (SELECT mission_id FROM due)
)
SELECT l.student_id, count(*)
FROM learners l JOIN due ON l.track = '' OR l.track = due.track
WHERE NOT EXISTS (
  SELECT 1 FROM handed h WHERE h.student_id = l.student_id AND h.mission_id = due.mission_id)
GROUP BY l.student_id
"""
        ),
        {
            "cohort_id": cohort_id,
            "active": EnrollmentStatus.active.value,
            "published": MissionStatus.published.value,
            "now": now,
            "handed_in": [x.value for x in HANDED_IN],
            "among": among,
        },
    ).all()
    return {int(sid): int(n) for sid, n in rows}


def roster_overdue(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    now: datetime | None = None,
    among: list[int] | None = None,
) -> list[RosterOverdue]:
    """How many missions each learner of the cohort is overdue with (directors; only those
    behind; `among`: only those of these learners, as behind_schedule)."""
    get_cohort(session, principal, cohort_id)
    return [
        RosterOverdue(student_id=sid, overdue=n)
        for sid, n in sorted(behind_schedule(session, cohort_id, now=now, among=among).items())
    ]


# -- reminders ---------------------------------------------------------------------------------


def send_reminders(session: Session, *, now: datetime | None = None) -> ReminderSweep:
    """Remind every learner who has not handed in a mission due within REMINDER_DAYS_BEFORE
    days (bell + e-mail), once per due date. Safe to run at any interval and twice at once."""
    now = now or utcnow()
    horizon = now + timedelta(days=get_settings().reminder_days_before)
    sent = 0
    for d in applicable(session, due_between=(now, horizon), now=now):
        if d.status != "due" or d.due_at > horizon:
            continue
        user = session.get(User, d.student_id)
        if user is None or not user.is_active:
            continue  # a deactivated account is told nothing (reactivated in time: reminded)
        # The unique key decides: a concurrent sweep waits on our row and then writes nothing.
        # A row for another date is this one's no longer (a sweep still sending for the old
        # date can commit its row after the move forgot the old ones): it is taken over.
        stmt = insert(ScheduleReminder).values(
            user_id=d.student_id,
            cohort_id=d.cohort_id,
            mission_id=d.mission_id,
            kind=DUE_SOON,
            due_at=d.due_at,
            sent_at=now,
        )
        inserted = session.execute(
            stmt.on_conflict_do_update(
                constraint="uq_schedule_reminder",
                set_={"due_at": stmt.excluded.due_at, "sent_at": stmt.excluded.sent_at},
                where=col(ScheduleReminder.due_at) != stmt.excluded.due_at,
            ).returning(col(ScheduleReminder.id))
        ).first()
        if inserted is None:
            continue
        tz = user.time_zone
        notifications.notify(
            session,
            d.student_id,
            kind=DUE_SOON,
            title=f"Due {when(d.due_at, tz)}: {d.title}"[:200],
            body=(
                f"{d.title} is due in {d.cohort} on {when(d.due_at, tz)}. Submit it before then "
                "(a submission waiting for review counts as handed in)."
            ),
            link=mission_url(d.mission_id),
        )
        sent += 1
    return ReminderSweep(sent=sent)
