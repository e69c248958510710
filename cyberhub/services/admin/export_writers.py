"""What each export kind writes: rows streamed from the database into a CSV file, or (a
learner's own data) JSON + CSV files in a zip.

Every query runs with `yield_per` (a server-side cursor): rows arrive in batches and are written
one by one, so a 100k-row export never holds its rows in memory (bench/exports.py measures it).
`progress(n)` is called every PROGRESS_EVERY rows with the rows written so far.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.formatting import person_name
from cyberhub.models import (
    AuditLog,
    Certificate,
    Cohort,
    CohortApplication,
    CohortMentor,
    ConsentRecord,
    Enrollment,
    EnrollmentStatus,
    HintReveal,
    LearnerNote,
    MentorAssignment,
    Mission,
    Notification,
    Organization,
    OrganizationMembership,
    PersonalityProfile,
    ProfilerAnswer,
    ProfilerResult,
    ProfilerSession,
    Program,
    ProgramMission,
    Review,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.models.ai import Recommendation, RecommendationFeedback
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import (
    CoachPlan,
    Goal,
    GoalHabit,
    GoalMission,
    Habit,
    HabitCheckin,
    Reflection,
)
from cyberhub.services import text
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.coaching import plan_links
from cyberhub.services.learning.learning_access import mentor_pairs
from cyberhub.services.learning.mission_scope import program_scopes
from cyberhub.services.learning.query_parts import enrollment_assignment, name_order

BATCH = 1000  # rows fetched per round trip of the server-side cursor
PROGRESS_EVERY = 500
Progress = Callable[[int], None]
Row = Sequence[object]

# A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...), +cmd|...,
# @SUM(...)); tab and carriage return start one too in some programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: strings that would start a formula get a leading
    apostrophe (OWASP's advice); numbers stay numbers; dates are ISO 8601; None is empty;
    control characters other than line breaks and tabs, and bidi overrides, are removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    # Text stored before services/text.py may hold control characters (an ESC sequence runs in
    # the terminal of whoever prints the file) or bidi overrides (a cell reads reversed): left
    # out, before looking for a formula (ESC "=cmd" is "=cmd" to some programs).
    value = text.printable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(path: Path, header: Row, rows: Iterable[Row], progress: Progress) -> int:
    """Write `header` and `rows` to `path` one row at a time; the number of rows written."""
    done = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([safe_cell(h) for h in header])
        for row in rows:
            out.writerow([safe_cell(c) for c in row])
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done)
    return done


def _stream(session: Session, stmt: Any) -> Iterator[Any]:
    """The statement's rows through a server-side cursor, BATCH at a time."""
    yield from session.execute(stmt.execution_options(yield_per=BATCH))


# -- roster with progress -------------------------------------------------------------------------

ROSTER_HEADER = (
    "cohort",
    "learner",
    "email",
    "status",
    "enrolled_at",
    "completed_at",
    "mentor",
    "approved_missions",
    "published_missions",
    "progress_percent",
    # Last, so the columns before keep their places in spreadsheets built on the export.
    "withdrawn_at",
)


def roster_count(session: Session, cohort_ids: Any) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Enrollment)
            .where(col(Enrollment.cohort_id).in_(cohort_ids))
        ).one()
    )


def roster_rows(session: Session, cohort_ids: Any) -> Iterator[Row]:
    """Every enrolment of the cohorts (withdrawn ones too, marked, with the day they left as the
    roster page shows it: None for withdrawals older than migration 0024), with the mentor and the
    learner's progress in the cohort's programme — the director's roster's (programs.roster):
    mission_scope.scopes, one statement per BATCH of rows."""
    student, mentor = aliased(User), aliased(User)
    stmt = (
        sa_select(
            col(Enrollment.student_id),
            col(Cohort.program_id),
            col(Cohort.name),
            col(student.full_name),
            col(student.email),
            col(Enrollment.status),
            col(Enrollment.enrolled_at),
            col(Enrollment.completed_at),
            func.coalesce(func.nullif(col(mentor.full_name), ""), col(mentor.email)),
            col(Enrollment.withdrawn_at),
        )
        .select_from(Enrollment)
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(student, col(student.id) == col(Enrollment.student_id))
        .join(MentorAssignment, enrollment_assignment(), isouter=True)
        .join(mentor, col(mentor.id) == col(MentorAssignment.mentor_id), isouter=True)
        .where(col(Enrollment.cohort_id).in_(cohort_ids))
        .order_by(col(Cohort.name), col(Cohort.id), name_order(student), col(student.id))
    )
    batch: list[Any] = []
    for row in _stream(session, stmt):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _roster_batch(session, batch)
            batch = []
    yield from _roster_batch(session, batch)


def _roster_batch(session: Session, rows: list[Any]) -> Iterator[Row]:
    figures = program_scopes(session, [(r[0], r[1]) for r in rows])
    for (_, _, cohort, name, email, status, enrolled, completed, mentor_name, left), scope in zip(
        rows, figures, strict=True
    ):
        yield (
            cohort,
            person_name(name, email),
            email,
            str(status),
            enrolled,
            completed,
            mentor_name or "",
            scope.approved,
            scope.expected,
            scope.percent,
            left if status == EnrollmentStatus.withdrawn else None,
        )


# -- gradebook ------------------------------------------------------------------------------------

GRADEBOOK_HEADER = (
    "learner",
    "email",
    "mission",
    "attempt",
    "status",
    "submitted_at",
    "criterion",
    "score",
    "max_points",
    "total",
    "decision",
    "reviewer",
    "reviewed_at",
)


def _gradebook_students(cohort: Cohort, mentor_id: int | None) -> Any:
    """The cohort's learners (not withdrawn); for a mentor, only those they mentor there."""
    stmt = select(Enrollment.student_id).where(
        Enrollment.cohort_id == cohort.id, Enrollment.status != EnrollmentStatus.withdrawn
    )
    if mentor_id is not None:
        pairs = mentor_pairs(mentor_id)
        stmt = stmt.where(
            col(Enrollment.student_id).in_(
                select(pairs.c.student_id).where(pairs.c.program_id == cohort.program_id)
            )
        )
    return stmt


def _gradebook_where(cohort: Cohort, mentor_id: int | None) -> list[Any]:
    runs = select(ProgramMission.mission_id).where(ProgramMission.program_id == cohort.program_id)
    return [
        col(Submission.student_id).in_(_gradebook_students(cohort, mentor_id)),
        col(Submission.mission_id).in_(runs),
        col(Submission.status) != SubmissionStatus.draft,
    ]


def gradebook_count(session: Session, cohort: Cohort, mentor_id: int | None) -> int:
    """Attempts in the gradebook (each gives one row per scored criterion, or one row)."""
    return int(
        session.exec(
            select(func.count()).select_from(Submission).where(*_gradebook_where(cohort, mentor_id))
        ).one()
    )


def gradebook_rows(
    session: Session, cohort: Cohort, mentor_id: int | None, progress_attempt: Progress
) -> Iterator[Row]:
    """One row per rubric criterion of each reviewed attempt (one row for an attempt not yet
    reviewed), ordered by learner, mission and attempt."""
    student, reviewer = aliased(User), aliased(User)
    stmt = (
        sa_select(
            col(student.full_name),
            col(student.email),
            col(Submission.mission_id),
            col(Submission.attempt),
            col(Submission.status),
            col(Submission.submitted_at),
            col(Review.scores),
            col(Review.total),
            col(Review.decision),
            func.coalesce(func.nullif(col(reviewer.full_name), ""), col(reviewer.email)),
            col(Review.created_at),
        )
        .select_from(Submission)
        .join(student, col(student.id) == col(Submission.student_id))
        .join(Review, col(Review.submission_id) == col(Submission.id), isouter=True)
        .join(reviewer, col(reviewer.id) == col(Review.mentor_id), isouter=True)
        .where(*_gradebook_where(cohort, mentor_id))
        .order_by(
            name_order(student),
            col(student.id),
            col(Submission.mission_id),
            col(Submission.attempt),
        )
    )
    missions: dict[int, Mission] = {}
    for attempts, row in enumerate(_stream(session, stmt), start=1):
        name, email, mission_id, attempt, status, submitted, scores, total, decision, who, at = row
        mission = missions.get(mission_id)
        if mission is None:  # a programme runs tens of missions: kept, not re-read per row
            mission = missions[mission_id] = session.get(Mission, mission_id) or Mission(
                title="(deleted mission)", track_id=0, slug=""
            )
        base = (person_name(name, email), email, mission.title, attempt, str(status), submitted)
        tail = (total, decision, who, at)
        if scores is None:
            yield (*base, "", None, None, None, None, None, None)
        else:
            for criterion in mission.rubric or []:
                key = str(criterion.get("key", ""))
                title = str(criterion.get("title") or key)
                yield (*base, title, scores.get(key), criterion.get("points"), *tail)
        if attempts % PROGRESS_EVERY == 0:
            progress_attempt(attempts)


# -- mentor workload --------------------------------------------------------------------------------

WORKLOAD_HEADER = (
    "cohort",
    "mentor",
    "email",
    "capacity",
    "mentees",
    "claimed_now",
    "reviews_total",
    "reviews_last_30_days",
    "median_turnaround_hours_30_days",
)


def workload_count(session: Session, program_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(CohortMentor)
            .join(Cohort, col(Cohort.id) == col(CohortMentor.cohort_id))
            .where(Cohort.program_id == program_id)
        ).one()
    )


def workload_rows(session: Session, program_id: int) -> Iterator[Row]:
    """One row per mentor serving a cohort of the programme: capacity, mentees assigned there,
    claims held now, reviews of that cohort's learners (all time, last 30 days) and the median
    hours from submission to decision over the last 30 days. Claims and reviews are of work on
    the programme's missions: a mentor who also mentors the same learner at another
    organisation (or in another programme) does that work for them, not for this programme."""
    since = utcnow().timestamp() - 30 * 86400
    mentor = aliased(User)
    # The row's own cohort: correlated to the outer query's cohort_mentors two levels up (left
    # to itself, SQL would read cohort_mentors afresh here: every served cohort's learners).
    enrolled = (
        select(Enrollment.student_id)
        .where(col(Enrollment.cohort_id) == col(CohortMentor.cohort_id))
        .correlate(CohortMentor)
    )
    runs = select(ProgramMission.mission_id).where(ProgramMission.program_id == program_id)
    mentees = (
        select(func.count())
        .select_from(MentorAssignment)
        .where(
            col(MentorAssignment.cohort_id) == col(CohortMentor.cohort_id),
            col(MentorAssignment.mentor_id) == col(CohortMentor.mentor_id),
        )
        .scalar_subquery()
    )
    claimed = (
        select(func.count())
        .select_from(Submission)
        .where(
            col(Submission.claimed_by_id) == col(CohortMentor.mentor_id),
            col(Submission.status) == SubmissionStatus.in_review,
            col(Submission.student_id).in_(enrolled),
            col(Submission.mission_id).in_(runs),
        )
        .scalar_subquery()
    )
    hours = (
        func.extract("epoch", col(Submission.decided_at) - col(Submission.submitted_at)) / 3600.0
    )
    recent = func.extract("epoch", col(Review.created_at)) >= since
    reviews = (
        select(
            func.count(),
            func.count().filter(recent),
            func.percentile_cont(0.5).within_group(hours).filter(recent),
        )
        .select_from(Review)
        .join(Submission, col(Submission.id) == col(Review.submission_id))
        .where(
            col(Review.mentor_id) == col(CohortMentor.mentor_id),
            col(Submission.student_id).in_(enrolled),
            col(Submission.mission_id).in_(runs),
        )
        .lateral("r")
    )
    stmt = (
        sa_select(
            col(Cohort.name),
            col(mentor.full_name),
            col(mentor.email),
            col(CohortMentor.capacity),
            mentees,
            claimed,
            *reviews.c,
        )
        .select_from(CohortMentor)
        .join(Cohort, col(Cohort.id) == col(CohortMentor.cohort_id))
        .join(mentor, col(mentor.id) == col(CohortMentor.mentor_id))
        .join(reviews, true())
        .where(col(Cohort.program_id) == program_id)
        .order_by(col(Cohort.name), col(mentor.full_name), col(mentor.id))
    )
    for cohort, name, email, capacity, n_mentees, n_claimed, total, last30, median in _stream(
        session, stmt
    ):
        yield (
            cohort,
            person_name(name, email),
            email,
            capacity,
            int(n_mentees or 0),
            int(n_claimed or 0),
            int(total or 0),
            int(last30 or 0),
            round(float(median), 1) if median is not None else None,
        )


# -- audit log --------------------------------------------------------------------------------------

AUDIT_HEADER = (
    "id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "ip",
    "user_agent",
    "details",
)


def audit_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditLog)).one())


def audit_rows(session: Session) -> Iterator[Row]:
    """The whole audit trail, oldest first."""
    stmt = (
        sa_select(
            col(AuditLog.id),
            col(AuditLog.created_at),
            col(User.email),
            col(AuditLog.action),
            col(AuditLog.target_type),
            col(AuditLog.target_id),
            col(AuditLog.ip),
            col(AuditLog.user_agent),
            col(AuditLog.details),
        )
        .select_from(AuditLog)
        .join(User, col(User.id) == col(AuditLog.actor_id), isouter=True)
        .order_by(col(AuditLog.id))
    )
    for row in _stream(session, stmt):
        yield (*row[:6], str(row[6]) if row[6] is not None else "", row[7], row[8])


# -- a learner's own data ---------------------------------------------------------------------------


def _records(rows: Iterable[Any], fields: Sequence[str]) -> list[dict[str, object]]:
    return [{f: getattr(r, f) for f in fields} for r in rows]


GOAL_FIELDS = (
    "id",
    "title",
    "why",
    "target_date",
    "status",
    "progress_source",
    "manual_percent",
    "created_at",
    "updated_at",
    "achieved_at",
)


def _profiler_words(bank_version: str, answer: ProfilerAnswer) -> tuple[str, str]:
    """(the question, the option chosen) of a profiler answer, in the words of the bank it was
    asked from; "" for what that bank no longer has (an unknown version, a retired id)."""
    try:
        bank = load_bank(bank_version)
    except ValueError:
        return "", ""
    question = bank.question(answer.question_id)
    if question is None:
        return "", ""
    option = question.option(answer.option_id)
    return question.text, option.text if option else ""


def own_data_sections(session: Session, user_id: int) -> dict[str, list[dict[str, object]]]:
    """Everything CyberHub keeps about the user, by section (a person's data is small: read
    whole). Secrets (password hash, two-step secrets, key hashes) are left out."""
    user = session.get(User, user_id)
    assert user is not None
    sections: dict[str, list[dict[str, object]]] = {}
    sections["profile"] = _records(
        [user],
        ("id", "email", "full_name", "time_zone", "created_at", "last_login_at", "is_active"),
    )
    sections["profile"][0]["two_step_sign_in"] = user.mfa_enabled_at is not None

    def rows(model: Any, where: Any, order: Any) -> list[Any]:
        return list(session.exec(select(model).where(where).order_by(order)).all())

    sections["consents"] = _records(
        rows(ConsentRecord, ConsentRecord.user_id == user_id, col(ConsentRecord.id)),
        ("kind", "version", "granted", "created_at"),
    )
    profiler = rows(ProfilerSession, ProfilerSession.user_id == user_id, col(ProfilerSession.id))
    sections["profiler_sessions"] = _records(
        profiler, ("id", "bank_version", "status", "started_at", "completed_at")
    )
    banks = {p.id: p.bank_version for p in profiler}
    sections["profiler_answers"] = [
        {
            "session_id": a.session_id,
            "question_id": a.question_id,
            "question": question,
            "option_id": a.option_id,
            "answer": answer,
            "answered_at": a.answered_at,
        }
        for a in rows(
            ProfilerAnswer,
            col(ProfilerAnswer.session_id).in_([p.id for p in profiler] or [-1]),
            col(ProfilerAnswer.answered_at),
        )
        for question, answer in [_profiler_words(banks.get(a.session_id, ""), a)]
    ]
    sections["profiler_results"] = _records(
        rows(ProfilerResult, ProfilerResult.user_id == user_id, col(ProfilerResult.session_id)),
        ("session_id", "primary_track", "secondary_track", "confidence", "scores", "reasoning"),
    )
    sections["organisations"] = [
        {
            "organisation": o.name,
            "status": str(m.status),
            "joined_at": m.joined_at,
            "left_at": m.left_at,
        }
        for m, o in session.exec(
            select(OrganizationMembership, Organization)
            .join(Organization, col(Organization.id) == col(OrganizationMembership.organization_id))
            .where(OrganizationMembership.user_id == user_id)
            .order_by(col(OrganizationMembership.id))
        ).all()
    ]
    enrolments = session.exec(
        select(Enrollment, Cohort, Program)
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(Enrollment.student_id == user_id)
        .order_by(col(Enrollment.id))
    ).all()
    sections["enrolments"] = [
        {
            "cohort": c.name,
            "program": p.name,
            "status": str(e.status),
            "enrolled_at": e.enrolled_at,
            "completed_at": e.completed_at,
        }
        for e, c, p in enrolments
    ]
    sections["applications"] = [
        {
            "cohort_id": a.cohort_id,
            "cohort": c.name,
            "program": p.name,
            "status": a.status,
            "applied_at": a.applied_at,
            "decided_at": a.decided_at,
        }
        for a, c, p in session.exec(
            select(CohortApplication, Cohort, Program)
            .join(Cohort, col(Cohort.id) == col(CohortApplication.cohort_id))
            .join(Program, col(Program.id) == col(Cohort.program_id))
            .where(CohortApplication.student_id == user_id)
            .order_by(col(CohortApplication.id))
        ).all()
    ]
    subs = session.exec(
        select(Submission, Mission)
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .where(Submission.student_id == user_id)
        .order_by(col(Submission.id))
    ).all()
    sections["submissions"] = [
        {
            "id": s.id,
            "mission": m.title,
            "attempt": s.attempt,
            "status": str(s.status),
            "answer": s.answer,
            "links": s.links,
            "file_name": s.file_name,
            "created_at": s.created_at,
            "submitted_at": s.submitted_at,
            "decided_at": s.decided_at,
        }
        for s, m in subs
    ]
    reviews = session.exec(
        select(Review, Submission, Mission)
        .join(Submission, col(Submission.id) == col(Review.submission_id))
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .where(Submission.student_id == user_id)
        .order_by(col(Review.id))
    ).all()
    sections["reviews_of_my_work"] = [
        {
            "submission_id": s.id,
            "mission": m.title,
            "attempt": s.attempt,
            "decision": r.decision,
            "scores": r.scores,
            "total": r.total,
            "feedback": r.feedback,
            "comments": r.comments,
            "reviewed_at": r.created_at,
        }
        for r, s, m in reviews
    ]
    sections["hints_revealed"] = [
        {
            "mission_id": h.mission_id,
            "mission": m.title,
            "hint_index": h.hint_index,
            "hint": m.hints[h.hint_index] if 0 <= h.hint_index < len(m.hints) else "",
            "revealed_at": h.revealed_at,
        }
        for h, m in session.exec(
            select(HintReveal, Mission)
            .join(Mission, col(Mission.id) == col(HintReveal.mission_id))
            .where(HintReveal.student_id == user_id)
            .order_by(col(HintReveal.revealed_at))
        ).all()
    ]
    sections["notes"] = _records(
        rows(LearnerNote, LearnerNote.user_id == user_id, col(LearnerNote.id)),
        ("kind", "body", "created_at"),
    )
    # The Coaching OS: habits and their check-ins, goals with what they link to, reflections.
    sections["habits"] = _records(
        rows(Habit, Habit.user_id == user_id, col(Habit.id)),
        (
            "id",
            "title",
            "cadence",
            "per_week",
            "reminder_time",
            "skill",
            "archived_at",
            "created_at",
        ),
    )
    sections["habit_checkins"] = _records(
        rows(HabitCheckin, HabitCheckin.user_id == user_id, col(HabitCheckin.id)),
        ("habit_id", "day", "period_start", "note", "created_at"),
    )
    goals = rows(Goal, Goal.user_id == user_id, col(Goal.id))
    goal_ids = [g.id for g in goals] or [-1]
    missions_of = dict.fromkeys(goal_ids, "")
    for gm, title in session.exec(
        select(GoalMission, Mission.title)
        .join(Mission, col(Mission.id) == col(GoalMission.mission_id))
        .where(col(GoalMission.goal_id).in_(goal_ids))
        .order_by(col(GoalMission.goal_id), col(Mission.title))
    ).all():
        missions_of[gm.goal_id] = "; ".join(filter(None, [missions_of[gm.goal_id], title]))
    habits_of = dict.fromkeys(goal_ids, "")
    for gh in session.exec(select(GoalHabit).where(col(GoalHabit.goal_id).in_(goal_ids))).all():
        linked = f"{gh.habit_id} (target {gh.target_checkins})"
        habits_of[gh.goal_id] = "; ".join(filter(None, [habits_of[gh.goal_id], linked]))
    sections["goals"] = [
        {
            **_records([g], GOAL_FIELDS)[0],
            "linked_missions": missions_of.get(g.id, ""),
            "linked_habits": habits_of.get(g.id, ""),
        }
        for g in goals
    ]
    sections["reflections"] = _records(
        rows(Reflection, Reflection.user_id == user_id, col(Reflection.id)),
        ("prompt", "body", "mood", "energy", "visibility", "created_at", "updated_at"),
    )
    sections["coach_plan"] = [
        {
            "week_start": plan.week_start,
            "computed_at": plan.computed_at,
            # as the learner reads it (it is stored without its links: plan_links)
            "payload": plan_links.as_the_learner_reads(plan.payload).model_dump(mode="json"),
        }
        for plan in rows(CoachPlan, CoachPlan.user_id == user_id, col(CoachPlan.week_start))
    ]
    sections |= _what_the_ai_made(session, user_id)
    sections["notifications"] = _records(
        rows(Notification, Notification.user_id == user_id, col(Notification.id)),
        ("kind", "title", "body", "link", "created_at", "read_at"),
    )
    certs = session.exec(
        select(Certificate, Cohort)
        .join(Cohort, col(Cohort.id) == col(Certificate.cohort_id))
        .where(Certificate.user_id == user_id)
        .order_by(col(Certificate.id))
    ).all()
    sections["certificates"] = [
        {
            "code": c.code,
            "cohort": k.name,
            "missions": c.missions,
            "issued_at": c.issued_at,
            "issued_on": c.issued_on,
            "revoked_at": c.revoked_at,
            "revoked_on": c.revoked_on,
            "revoke_reason": c.revoke_reason,
        }
        for c, k in certs
    ]
    return sections


def _what_the_ai_made(session: Session, user_id: int) -> dict[str, list[dict[str, object]]]:
    """The own-data sections the AI wrote about the learner: the work-style analysis (theirs,
    and the one staff read), the recommended missions with their reasons, and the missions
    they marked "not interested"."""
    style = session.get(PersonalityProfile, user_id)
    recommended = session.exec(
        select(Recommendation, Mission.title)
        .join(Mission, col(Mission.id) == col(Recommendation.mission_id))
        .where(Recommendation.user_id == user_id)
        .order_by(col(Recommendation.rank), col(Recommendation.id))
    ).all()
    dismissed = session.exec(
        select(RecommendationFeedback, Mission.title)
        .join(Mission, col(Mission.id) == col(RecommendationFeedback.mission_id))
        .where(RecommendationFeedback.user_id == user_id)
        .order_by(col(RecommendationFeedback.created_at))
    ).all()
    return {
        "work_style": [
            {
                "computed_at": style.computed_at,
                "dimensions": style.dimensions,
                "dimensions_staff_read": style.staff_dimensions,
            }
        ]
        if style
        else [],
        "recommendations": [
            {
                "mission": title,
                "rank": r.rank,
                "reason": r.reason,
                "source": r.source,
                "computed_at": r.computed_at,
            }
            for r, title in recommended
        ],
        "not_interested": [
            {"mission": title, "kind": str(f.kind), "created_at": f.created_at}
            for f, title in dismissed
        ],
    }


def _csv_text(records: list[dict[str, object]]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf)
    fields = list(records[0]) if records else []
    out.writerow(fields)
    for r in records:
        out.writerow([safe_cell(r.get(f)) for f in fields])
    return buf.getvalue()


def write_own_data(
    path: Path, sections: dict[str, list[dict[str, object]]], files: Iterable[tuple[str, Path]]
) -> int:
    """A zip with `<section>.json` and `<section>.csv` per section, `all.json` with every
    section, and the files the learner uploaded under `files/`; the number of records."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "README.txt",
            "Everything CyberHub keeps about you, as JSON (all.json and one file per section)\n"
            "and CSV (one file per section). Times are UTC, ISO 8601.\n",
        )
        z.writestr("all.json", json.dumps(sections, default=str, indent=2, ensure_ascii=False))
        for name, records in sections.items():
            z.writestr(
                f"{name}.json", json.dumps(records, default=str, indent=2, ensure_ascii=False)
            )
            z.writestr(f"{name}.csv", _csv_text(records))
        for arcname, source in files:
            if source.is_file():
                z.write(source, f"files/{arcname}")
    return sum(len(r) for r in sections.values())
