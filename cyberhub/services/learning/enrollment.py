"""Putting students into cohorts (one by one or from a CSV file) and matching them with mentors.

Rules chosen here:
- Seats: a cohort holds at most `capacity` active enrolments. Every path that takes seats locks
  the cohort row first (SELECT ... FOR UPDATE), so concurrent enrolments queue on that lock and
  the count they see is current: two people racing for the last seat can't both get it.
- Enrolling an address with no account creates a passwordless student account and mails an
  invitation holding a magic link (valid INVITE_DAYS days); the person signs in with it. An
  enrolled person gets the student role in the programme's organization when they lack it.
- A withdrawn student can be enrolled again (the same row becomes active; history is in the
  audit log). Withdrawing frees the seat and the mentor's slot, and gives back claims on the
  learner's work there that their mentors can no longer review.
- CSV import is all or nothing: every row is checked first and any problem raises
  CsvImportError carrying every row's error; only a clean file writes anything.
- Mentors serve a cohort with a capacity (mentees there). Hand assignment and balancing both
  respect it; balancing gives each unassigned student (oldest enrolment first) to the mentor
  with the fewest mentees, ties going to the one with more free places, then the lower id.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from cyberhub import jobs
from cyberhub.formatting import plural
from cyberhub.models import (
    Cohort,
    CohortApplication,
    CohortMentor,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    OneTimeToken,
    Organization,
    Program,
    ProgramMission,
    Role,
    RoleAssignment,
    Submission,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.director import (
    AssignmentPublic,
    Balanced,
    CohortMentorPublic,
    CohortMentorRemoved,
    CsvImported,
    EnrollmentPublic,
    EnrollmentsPage,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import text as free_text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity import accounts, memberships, passwordless
from cyberhub.services.identity.permissions import Principal, hold_account, holds_role
from cyberhub.services.learning import applications, reviews
from cyberhub.services.learning.programs import (
    get_cohort,
    lock_organization_cohorts,
    require_director,
    require_open,
    seats_taken,
)
from cyberhub.services.learning.query_parts import name_order, waits_for_a_mentor
from cyberhub.services.messaging import mail
from cyberhub.services.paging import fetch_page
from cyberhub.settings import get_settings

INVITE_DAYS = 7
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 2_000
CSV_COLUMNS = ("email", "full_name")
MENTOR_CAPACITY_MAX = 200
ENROLLMENTS_PAGE_SIZE = 25


class CsvImportError(Invalid):
    """The CSV file can't be imported; `rows` lists every problem as {row, email, error}."""

    def __init__(self, message: str, rows: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.rows = rows


# -- enrolling ---------------------------------------------------------------------------------


def _lock_cohort(session: Session, principal: Principal | None, cohort_id: int) -> Any:
    return get_cohort(session, principal, cohort_id, lock=True)


def _seat_error(cohort: Cohort, taken: int) -> Conflict:
    return Conflict(
        f"{cohort.name} is full: "
        + (
            "its one seat is taken"
            if cohort.capacity == 1
            else f"all {cohort.capacity} seats are taken"
        )
        + f" ({taken} enrolled). "
        "Raise the capacity or withdraw someone first."
    )


def activate_enrollment(
    session: Session, enrollment: Enrollment | None, cohort_id: int, student_id: int
) -> Enrollment:
    """The student's enrolment in the cohort, active from now: `enrollment` (a withdrawn one)
    re-activated, or a new one when it is None. A re-activated one is not complete (a
    completion before the withdrawal keeps its certificate and audit entry, not its date here:
    the completion rule dates the next one)."""
    if enrollment is None:
        enrollment = Enrollment(cohort_id=cohort_id, student_id=student_id)
    enrollment.status = EnrollmentStatus.active
    enrollment.enrolled_at = utcnow()
    enrollment.withdrawn_at = None
    enrollment.completed_at = None
    session.add(enrollment)
    # What the learner may start changed (the programme's missions): their list and their
    # coach's plan are recomputed after commit (the worker checks their AI consent).
    jobs.recommendations_stale(session, student_id)
    return enrollment


def _existing(session: Session, cohort_id: int, user_id: int) -> Enrollment | None:
    return session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort_id, Enrollment.student_id == user_id
        )
    ).first()


def _ensure_student_role(
    session: Session,
    granted_by_id: int | None,
    user: User,
    org: Organization,
    cohort: Cohort,
    meta: Any,
) -> bool:
    """Give the user the student role in the organization if they lack it (audited)."""
    if holds_role(session, user.id, Role.student, org.id):
        return False
    reason = f"enrolled in the cohort {cohort.name}"
    session.add(
        RoleAssignment(
            user_id=user.id or 0,
            role=Role.student,
            organization_id=org.id,
            granted_by_id=granted_by_id,
            reason=reason,
        )
    )
    audit.record(
        session,
        "role.assigned",
        user,
        by=granted_by_id,
        meta=meta,
        role=Role.student.value,
        organization_id=org.id,
        organization=org.name,
        reason=reason,
    )
    return True


def _invite_link(session: Session, user: User) -> str:
    """A magic link for the new passwordless account (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            purpose=passwordless.MAGIC_LINK,
            token_hash=passwordless.hash_token(token),
            email=user.email,
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=INVITE_DAYS),
        )
    )
    return f"{get_settings().base_url}/auth/magic/{token}"


def _mail_enrolled(
    session: Session, user: User, cohort: Cohort, program: Program, invite: str | None
) -> None:
    base = get_settings().base_url
    dates = f"{cohort.starts_on:%d %b %Y} – {cohort.ends_on:%d %b %Y}"
    if invite:
        subject = f"You're invited to {program.name} on CyberHub"
        body = (
            f"Hello {user.full_name or user.email},\n\n"
            f"You have a place in the cohort {cohort.name} of {program.name} ({dates}).\n\n"
            f"Open this link to sign in to your new CyberHub account (it works once and expires "
            f"in {INVITE_DAYS} days):\n\n{invite}\n\n"
            f"Later you can sign in with a new link from {base}/signin.\n\n— CyberHub"
        )
    else:
        subject = f"You're enrolled in {cohort.name}"
        body = (
            f"Hello {user.full_name or user.email},\n\n"
            f"You have a place in the cohort {cohort.name} of {program.name} ({dates}).\n"
            f"Your missions are waiting: {base}/missions\n\n— CyberHub"
        )
    mail.send(session, to=user.email, subject=subject[:200], body=body, kind="enrollment")


def seat(
    session: Session,
    cohort: Cohort,
    org: Organization,
    user: User,
    enrollment: Enrollment | None,
    *,
    actor_id: int | None,
    meta: RequestMeta,
    **how: object,
) -> Enrollment:
    """Give `user` an active seat in the cohort (re-activating `enrollment`, a withdrawn one,
    when given): the student role in the organisation, then the enrolment, audited as
    `enrollment.created` with `how` it came about. The caller holds the cohort lock."""
    _ensure_student_role(session, actor_id, user, org, cohort, meta)
    seated = activate_enrollment(session, enrollment, cohort.id or 0, user.id or 0)
    session.flush()
    audit.record(
        session,
        "enrollment.created",
        cohort,
        by=actor_id,
        meta=meta,
        student_id=user.id,
        email=user.email,
        **how,
    )
    return seated


def _create_invited(
    session: Session, email: str, full_name: str, meta: Any, actor: Principal
) -> User:
    user = User(email=email, full_name=full_name, password_hash=None)
    session.add(user)
    session.flush()
    audit.record(session, "user.invited", user, by=actor, meta=meta, method="enrollment")
    return user


@dataclass
class _Plan:
    """One person to enrol, checked and ready to write."""

    email: str
    full_name: str
    user: User | None
    enrollment: Enrollment | None  # a withdrawn one to re-activate


def _write(
    session: Session,
    actor: Principal,
    cohort: Cohort,
    program: Program,
    plan: _Plan,
    meta: RequestMeta,
) -> tuple[Enrollment, User, bool]:
    org = session.get(Organization, program.organization_id)
    assert org is not None
    created = plan.user is None
    user = plan.user or _create_invited(session, plan.email, plan.full_name, meta, actor)
    enrollment = seat(
        session,
        cohort,
        org,
        user,
        plan.enrollment,
        actor_id=actor.user_id,
        meta=meta,
        new_account=created,
    )
    _mail_enrolled(session, user, cohort, program, _invite_link(session, user) if created else None)
    return enrollment, user, created


def _plan_one(session: Session, cohort: Cohort, email: str, full_name: str) -> _Plan:
    """Check one person (Invalid / Conflict with a message); nothing is written."""
    email = accounts.normalize_email(email)
    full_name = free_text.line(full_name, "name", 200, required=False)
    user = accounts.find_user(session, email)
    if user is None:
        return _Plan(email, full_name, None, None)
    if not user.is_active:
        raise Invalid(f"The account {email} is deactivated.")
    existing = _existing(session, cohort.id or 0, user.id or 0)
    if existing is not None and existing.status != EnrollmentStatus.withdrawn:
        raise Conflict(f"{email} is already enrolled in {cohort.name}.")
    program = session.get(Program, cohort.program_id)
    if program is not None and not memberships.is_member(
        session, user.id or 0, program.organization_id
    ):
        # Membership by consent: an existing account is never attached silently.
        raise Conflict(
            f"{email} already has a CyberHub account but is not a member of your organisation. "
            "Invite them from the organisation page; once they accept, enrol them here."
        )
    return _Plan(email, full_name, user, existing)


def enrollment_public(e: Enrollment, user: User, *, created: bool = False) -> EnrollmentPublic:
    return from_row(EnrollmentPublic, e, email=user.email, name=user.full_name, new_account=created)


def enroll(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    email: str,
    *,
    full_name: str = "",
    meta: RequestMeta = NO_META,
) -> EnrollmentPublic:
    """Enrol one person by email (creating an invited account for an unknown address).

    Invalid: malformed address, deactivated account. Conflict: already enrolled, cohort full,
    closed or past its last day (programs.require_open).
    """
    actor = require_director(principal)
    cohort, program = _lock_cohort(session, actor, cohort_id)
    require_open(session, cohort)
    plan = _plan_one(session, cohort, email, full_name)
    taken = seats_taken(session, cohort_id)
    if taken >= cohort.capacity:
        raise _seat_error(cohort, taken)
    enrollment, user, created = _write(session, actor, cohort, program, plan, meta)

    applications.mark_enrolled_by_director(session, cohort_id, user.id or 0, actor.user_id)
    return enrollment_public(enrollment, user, created=created)


def _cohort_enrollments(
    session: Session, principal: Principal | None, cohort_id: int
) -> Select[Enrollment, User]:
    """The query for the cohort's enrolments with their students, newest first, for those who
    may see the cohort (programs.get_cohort's check)."""
    get_cohort(session, principal, cohort_id)
    return (
        select(Enrollment, User)
        .join(User, col(User.id) == col(Enrollment.student_id))
        .where(Enrollment.cohort_id == cohort_id)
        .order_by(col(Enrollment.enrolled_at).desc(), col(Enrollment.id).desc())
    )


def list_enrollments(
    session: Session, principal: Principal | None, cohort_id: int
) -> list[EnrollmentPublic]:
    """Every enrolment of the cohort (withdrawn ones too), newest first."""
    rows = session.exec(_cohort_enrollments(session, principal, cohort_id)).all()
    return [enrollment_public(e, u) for e, u in rows]


def enrollment_page(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    page: int = 1,
    page_size: int = ENROLLMENTS_PAGE_SIZE,
) -> EnrollmentsPage:
    """One page of list_enrollments (a page past the last is empty, with the total)."""
    found = fetch_page(session, _cohort_enrollments(session, principal, cohort_id), page, page_size)
    return EnrollmentsPage.of(found.with_items([enrollment_public(e, u) for e, u in found.items]))


def unenroll(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    student_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> EnrollmentPublic:
    """Withdraw a student (active, or completed: the roster lists both): the seat and their
    mentor's slot are freed; submissions and certificates are kept."""
    actor = require_director(principal)
    cohort, program = _lock_cohort(session, actor, cohort_id)
    enrollment = _withdraw(session, cohort, program, student_id, actor_id=actor.user_id, meta=meta)
    if enrollment is None:
        raise NotFound("That student is not enrolled in this cohort.")
    user = session.get(User, student_id)
    assert user is not None
    return enrollment_public(enrollment, user)


def _withdraw(
    session: Session,
    cohort: Cohort,
    program: Program,
    student_id: int,
    *,
    actor_id: int,
    meta: RequestMeta,
) -> Enrollment | None:
    """unenroll's work, rights checked and the cohort locked by the caller: the enrolment
    withdrawn (seat and mentor slot freed), audited, claims on the learner's work there that
    their mentors can no longer review given back, and the waitlist moved up. None when the
    learner held no seat there."""
    enrollment = applications.free_seat(session, cohort.id or 0, student_id, actor_id=actor_id)
    if enrollment is None:
        return None
    user = session.get(User, student_id)
    assert user is not None
    audit.record(
        session,
        "enrollment.withdrawn",
        cohort,
        by=actor_id,
        meta=meta,
        student_id=student_id,
        email=user.email,
    )
    # The freed seat goes to the first waitlisted learner, in this transaction.
    applications.after_seat_freed(
        session, cohort, program, student_id, actor_id=actor_id, meta=meta
    )
    return enrollment


def _cohorts_to_leave(
    session: Session, student_id: int, organization_id: int | None, *, seats: bool
) -> list[tuple[Cohort, Program]]:
    """The cohorts (of the organisation; of any when None) where the learner has a pending
    application or waitlist place, or (`seats`) an active enrolment: locked in id order, as
    _lock_cohort does (seat changes take turns)."""
    pending = select(CohortApplication.cohort_id).where(
        CohortApplication.student_id == student_id,
        col(CohortApplication.status).in_(applications.AWAITING),
    )
    held: ColumnElement[bool] = col(Cohort.id).in_(pending)
    if seats:
        active = select(Enrollment.cohort_id).where(
            Enrollment.student_id == student_id, Enrollment.status == EnrollmentStatus.active
        )
        held = held | col(Cohort.id).in_(active)
    stmt = select(Cohort, Program).join(Program, col(Program.id) == col(Cohort.program_id))
    if organization_id is not None:
        stmt = stmt.where(Program.organization_id == organization_id)
    rows = session.exec(stmt.where(held).order_by(col(Cohort.id)).with_for_update(of=Cohort))
    return [(cohort, program) for cohort, program in rows.all()]


def leave_organization_cohorts(
    session: Session,
    student_id: int,
    organization_id: int,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> int:
    """The user is no longer a member of the organisation (they left, or were removed): their
    active enrolments in its cohorts are withdrawn as a director's withdrawal does (_withdraw:
    seat and mentor freed, claims given back, the waitlist moved up), and their applications
    and waitlist places there too. A completed enrolment stays (its certificate is kept).
    Returns how many cohorts they left."""
    rows = _cohorts_to_leave(session, student_id, organization_id, seats=True)
    for cohort, program in rows:
        cohort_id = cohort.id or 0
        existing = _existing(session, cohort_id, student_id)
        if existing is not None and existing.status == EnrollmentStatus.active:
            _withdraw(session, cohort, program, student_id, actor_id=actor_id, meta=meta)
        applications.withdraw_pending(session, cohort_id, student_id, actor_id=actor_id, meta=meta)
    return len(rows)


def end_pending_applications(
    session: Session, student_id: int, *, actor_id: int, meta: RequestMeta = NO_META
) -> int:
    """The account is deactivated (deactivation.deactivate_user): its pending applications and
    waitlist places in every cohort end as when the person leaves the organisation
    (applications.withdraw_pending, audited as a withdrawal by `actor_id`), so the learners
    behind them move up and no seat is given to someone who can't sign in. Seats are kept.
    Returns how many ended."""
    rows = _cohorts_to_leave(session, student_id, None, seats=False)
    for cohort, _program in rows:
        applications.withdraw_pending(
            session, cohort.id or 0, student_id, actor_id=actor_id, meta=meta
        )
    return len(rows)


def release_claims_on(session: Session, program_id: int, student_id: int, actor_id: int) -> int:
    """Claims on the learner's work on the programme's missions, held by a mentor who may no
    longer claim it (reviews.holder_may_keep: claim's rule), go back to the queue: that mentor could neither
    finish nor release them. Returns how many. The caller (applications.free_seat) has flushed
    the enrolment change."""
    return reviews.give_back_claims_where(
        session,
        col(Submission.student_id) == student_id,
        col(Submission.mission_id).in_(
            select(ProgramMission.mission_id).where(ProgramMission.program_id == program_id)
        ),
        actor_id=actor_id,
    )


# -- CSV import --------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    email: str
    full_name: str
    error: str = ""
    plan: _Plan | None = field(default=None)


def _cell(record: list[str], at: dict[str, int], name: str) -> str:
    i = at.get(name)
    return record[i].strip() if i is not None and i < len(record) else ""


def _parse_csv(text: str) -> list[_Row]:
    """The data rows, numbered as a spreadsheet shows them (the header is row 1)."""
    if len(text.encode("utf-8", "replace")) > CSV_MAX_BYTES:
        raise Invalid(f"The file is too large: at most {CSV_MAX_BYTES // 1000} kB.")
    text = text.lstrip("\ufeff")  # spreadsheets often save UTF-8 with a byte order mark
    if not text.strip():
        raise Invalid(
            "The file is empty: it needs a header row 'email,full_name' and one row per student."
        )
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise Invalid(f"This is not a readable CSV file: {exc}.") from exc
    header = [h.strip().lower() for h in records[0]]
    if "email" not in header:
        raise Invalid(
            "The first row must be the header 'email,full_name' (an 'email' column is required)."
        )
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if unknown:
        raise Invalid(f"Unknown column '{unknown[0]}'. The columns are: {', '.join(CSV_COLUMNS)}.")
    at = {h: header.index(h) for h in CSV_COLUMNS if h in header}
    rows: list[_Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines are skipped, but still counted as rows
        rows.append(_Row(number, _cell(record, at, "email"), _cell(record, at, "full_name")))
    if not rows:
        raise Invalid("The file has a header but no students.")
    if len(rows) > CSV_MAX_ROWS:
        raise Invalid(f"Import at most {CSV_MAX_ROWS} students at a time.")
    return rows


def import_csv(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    text: str,
    *,
    meta: RequestMeta = NO_META,
) -> CsvImported:
    """Enrol every student of a CSV file (columns email,full_name; the header row is required).

    All or nothing: every row is checked (address, duplicates in the file, already enrolled,
    deactivated accounts, seats left); if any row fails, CsvImportError lists every failing row
    as {"row", "email", "error"} and nothing is written. Unknown addresses get invited accounts.
    Returns {"imported", "new_accounts", "students": [...]}.
    """
    actor = require_director(principal)
    cohort, program = _lock_cohort(session, actor, cohort_id)
    require_open(session, cohort)
    rows = _parse_csv(text)
    first_seen: dict[str, int] = {}
    for r in rows:
        try:
            r.plan = _plan_one(session, cohort, r.email, r.full_name)
        except (Invalid, Conflict) as exc:
            r.error = exc.message
            continue
        earlier = first_seen.get(r.plan.email)
        if earlier is not None:
            r.error = f"{r.plan.email} is already in row {earlier} of this file."
            r.plan = None
            continue
        first_seen[r.plan.email] = r.row
    taken = seats_taken(session, cohort_id)
    seats = max(0, cohort.capacity - taken)
    ok = [r for r in rows if not r.error]
    for r in ok[seats:]:
        r.error = (
            f"No seat left: {cohort.name} has {seats} free of {cohort.capacity} and this file "
            f"has {plural(len(ok), 'student')} to add."
        )
    failed = [r for r in rows if r.error]
    if failed:
        one = len(failed) == 1
        raise CsvImportError(
            f"Nothing was imported: {len(failed)} {'row has' if one else 'rows have'} a problem. "
            f"Fix {'it' if one else 'them'} and import the whole file again.",
            [{"row": r.row, "email": r.email, "error": r.error} for r in failed],
        )

    students = []
    created = 0
    for r in rows:
        assert r.plan is not None
        enrollment, user, new = _write(session, actor, cohort, program, r.plan, meta)
        applications.mark_enrolled_by_director(session, cohort_id, user.id or 0, actor.user_id)
        created += int(new)
        students.append(enrollment_public(enrollment, user, created=new))
    audit.record(
        session,
        "enrollment.imported",
        cohort,
        by=actor,
        meta=meta,
        imported=len(students),
        new_accounts=created,
    )
    return CsvImported(imported=len(students), new_accounts=created, students=students)


# -- mentors -----------------------------------------------------------------------------------


def _mentor_loads(session: Session, cohort_id: int) -> dict[int, int]:
    rows = session.exec(
        select(MentorAssignment.mentor_id, func.count())
        .where(MentorAssignment.cohort_id == cohort_id)
        .group_by(col(MentorAssignment.mentor_id))
    ).all()
    return dict(rows)


def list_mentors(
    session: Session, principal: Principal | None, cohort_id: int
) -> list[CohortMentorPublic]:
    """The cohort's mentors with capacity and current mentees, by name."""
    get_cohort(session, principal, cohort_id)
    loads = _mentor_loads(session, cohort_id)
    rows = session.exec(
        select(CohortMentor, User)
        .join(User, col(User.id) == col(CohortMentor.mentor_id))
        .where(CohortMentor.cohort_id == cohort_id)
        .order_by(name_order(User), col(User.email))
    ).all()
    return [_mentor_public(u, cm.capacity, loads.get(cm.mentor_id, 0)) for cm, u in rows]


def _mentor_public(mentor: User, capacity: int, mentees: int) -> CohortMentorPublic:
    """A mentor serving a cohort: their name, capacity, mentees there and free places."""
    return CohortMentorPublic(
        mentor_id=mentor.id or 0,
        name=mentor.full_name or mentor.email,
        email=mentor.email,
        capacity=capacity,
        mentees=mentees,
        free=max(0, capacity - mentees),
    )


def set_cohort_mentor(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    mentor_email: str,
    capacity: int,
    *,
    meta: RequestMeta = NO_META,
) -> CohortMentorPublic:
    """Let a mentor of the organization serve the cohort with `capacity` mentees (or change it).

    Invalid: unknown address, not a mentor of the organization, capacity out of 1..200.
    Conflict: the new capacity is below the mentees they already have here.
    """
    actor = require_director(principal)
    # Their row, then the cohort (permissions.hold_account): a deactivation or role revocation at
    # the same moment takes turns with this, so no inactive or former mentor is left serving.
    found = accounts.find_user(session, mentor_email)
    if found is not None:
        hold_account(session, found.id or 0)
    cohort, program = _lock_cohort(session, actor, cohort_id)
    if not 1 <= capacity <= MENTOR_CAPACITY_MAX:
        raise Invalid(f"A mentor's capacity must be between 1 and {MENTOR_CAPACITY_MAX} mentees.")
    email = accounts.normalize_email(mentor_email)
    user = accounts.find_user(session, email)
    is_mentor = (
        user is not None
        and user.is_active
        and holds_role(session, user.id, Role.mentor, program.organization_id)
    )
    if user is None or not is_mentor:
        raise Invalid(
            f"{email} is not a mentor of this organization: give them the mentor role first "
            "(Organizations → members)."
        )
    row = session.get(CohortMentor, (cohort_id, user.id), with_for_update=True)
    mentees = _mentor_loads(session, cohort_id).get(user.id or 0, 0)
    if capacity < mentees:
        raise Conflict(
            f"{user.full_name or email} already mentors {plural(mentees, 'student')} here: the capacity "
            "can't be lower than that."
        )
    action = "cohort.mentor_updated" if row else "cohort.mentor_added"
    if row is None:
        row = CohortMentor(cohort_id=cohort_id, mentor_id=user.id or 0, capacity=capacity)
    row.capacity = capacity
    session.add(row)
    session.flush()
    audit.record(session, action, cohort, by=actor, meta=meta, mentor_id=user.id, capacity=capacity)
    return _mentor_public(user, capacity, mentees)


def remove_cohort_mentor(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    mentor_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> CohortMentorRemoved:
    """Stop a mentor serving the cohort: their mentees here become unassigned.

    Claims the mentor holds on work of this cohort's students whom they no longer mentor in the
    programme (another cohort or assignment may still make them a mentor) go back to "submitted"
    at once, so that work isn't stuck until the 24-hour claim expires. Decided reviews are kept.
    NotFound: the mentor doesn't serve this cohort. Returns {mentor_id, name, unassigned,
    released}.
    """
    actor = require_director(principal)
    cohort, _program = _lock_cohort(session, actor, cohort_id)
    row = session.get(CohortMentor, (cohort_id, mentor_id), with_for_update=True)
    mentor = session.get(User, mentor_id) if row is not None else None
    if row is None or mentor is None:
        raise NotFound("That mentor doesn't serve this cohort.")
    return _stop_serving(session, cohort, row, mentor, actor.user_id, meta)


def stop_mentoring_in_organization(
    session: Session,
    mentor_id: int,
    organization_id: int,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> int:
    """The user no longer holds the mentor role in the organisation (revoked, removed from it,
    left it) or their account was deactivated: they stop serving its cohorts, as
    remove_cohort_mentor does for one (a cohort mentor needs that role and an active account,
    set_cohort_mentor's rule) — their mentees there unassigned, their claims there given back,
    audited per cohort. Returns how many claims went back."""
    mentor = session.get(User, mentor_id)
    if mentor is None:
        return 0
    served = select(CohortMentor.cohort_id).where(CohortMentor.mentor_id == mentor_id)
    cohorts = lock_organization_cohorts(session, organization_id, col(Cohort.id).in_(served))
    released = 0
    for cohort in cohorts:
        row = session.get(CohortMentor, (cohort.id, mentor_id), with_for_update=True)
        if row is not None:
            released += _stop_serving(session, cohort, row, mentor, actor_id, meta).released
    return released


def _stop_serving(
    session: Session,
    cohort: Cohort,
    row: CohortMentor,
    mentor: User,
    actor_id: int,
    meta: RequestMeta,
) -> CohortMentorRemoved:
    """remove_cohort_mentor's work, rights checked and the cohort locked by the caller."""
    cohort_id, mentor_id = cohort.id or 0, mentor.id or 0
    mentees = session.exec(
        select(MentorAssignment).where(
            MentorAssignment.cohort_id == cohort_id, MentorAssignment.mentor_id == mentor_id
        )
    ).all()
    for a in mentees:
        session.delete(a)
    session.delete(row)
    # holder_may_keep reads the mentoring tables: the deletions must be visible to it.
    session.flush()
    students = select(Enrollment.student_id).where(Enrollment.cohort_id == cohort_id)
    released = reviews.give_back_claims_where(
        session,
        col(Submission.claimed_by_id) == mentor_id,
        col(Submission.mission_id).in_(
            select(ProgramMission.mission_id).where(ProgramMission.program_id == cohort.program_id)
        ),
        col(Submission.student_id).in_(students),
        actor_id=actor_id,
    )
    audit.record(
        session,
        "cohort.mentor_removed",
        cohort,
        by=actor_id,
        meta=meta,
        mentor_id=mentor_id,
        unassigned=len(mentees),
        released=released,
    )
    return CohortMentorRemoved(
        mentor_id=mentor_id,
        name=mentor.full_name or mentor.email,
        unassigned=len(mentees),
        released=released,
    )


def assign_mentor(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    student_id: int,
    mentor_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> AssignmentPublic:
    """Match an enrolled student with a mentor serving the cohort (replacing an earlier match).

    Invalid: the student isn't enrolled (active, or completed: they keep working, and the
    roster lists them) or the mentor doesn't serve this cohort. Conflict: the mentor is at
    capacity here.
    """
    actor = require_director(principal)
    cohort, _program = _lock_cohort(session, actor, cohort_id)
    enrollment = _existing(session, cohort_id, student_id)
    if enrollment is None or enrollment.status == EnrollmentStatus.withdrawn:
        raise Invalid("That student is not enrolled in this cohort.")
    serving = session.get(CohortMentor, (cohort_id, mentor_id))
    if serving is None:
        raise Invalid("That mentor doesn't serve this cohort: add them as a mentor first.")
    if mentor_id == student_id:
        # Someone who learns in the cohort and mentors it too: no one reviews their own work.
        raise Invalid("A learner can't be their own mentor: choose another mentor.")
    current = session.exec(
        select(MentorAssignment).where(
            MentorAssignment.cohort_id == cohort_id, MentorAssignment.student_id == student_id
        )
    ).first()
    mentor = session.get(User, mentor_id)
    assert mentor is not None
    if current is not None and current.mentor_id == mentor_id:
        return _assignment_public(current, mentor)
    load = _mentor_loads(session, cohort_id).get(mentor_id, 0)
    if load >= serving.capacity:
        raise Conflict(
            f"{mentor.full_name or mentor.email} already has {plural(load, 'mentee')} in this cohort, "
            "their capacity: raise it or choose another mentor."
        )
    if current is None:
        current = MentorAssignment(cohort_id=cohort_id, mentor_id=mentor_id, student_id=student_id)
    current.mentor_id = mentor_id
    current.assigned_at = utcnow()
    session.add(current)
    session.flush()
    audit.record(
        session,
        "mentor.assigned",
        cohort,
        by=actor,
        meta=meta,
        student_id=student_id,
        mentor_id=mentor_id,
        method="hand",
    )
    return _assignment_public(current, mentor)


def _assignment_public(a: MentorAssignment, mentor: User) -> AssignmentPublic:
    return from_row(AssignmentPublic, a, mentor=mentor.full_name or mentor.email)


def balance_mentors(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> Balanced:
    """Give every student waiting for a mentor (query_parts.waits_for_a_mentor: a deactivated
    account is not) one, least-loaded first, within capacity.

    Deterministic: students by enrolment time then id; the mentor with the fewest mentees here
    wins, ties to more free places, then the lower id. Students left over when every mentor is
    full stay unassigned (counted in "unassigned"). Returns {"assignments": [...], "unassigned"}.
    """
    actor = require_director(principal)
    cohort, _program = _lock_cohort(session, actor, cohort_id)
    mentors = session.exec(
        select(CohortMentor, User)
        .join(User, col(User.id) == col(CohortMentor.mentor_id))
        .where(CohortMentor.cohort_id == cohort_id)
    ).all()
    loads = _mentor_loads(session, cohort_id)
    waiting = session.exec(
        select(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, waits_for_a_mentor())
        .order_by(col(Enrollment.enrolled_at), col(Enrollment.id))
    ).all()
    load = {cm.mentor_id: loads.get(cm.mentor_id, 0) for cm, _u in mentors}
    capacity = {cm.mentor_id: cm.capacity for cm, _u in mentors}
    people = {cm.mentor_id: u for cm, u in mentors}
    out: list[AssignmentPublic] = []
    left = 0
    for e in waiting:
        # (never the learner themselves, who may mentor the cohort they learn in)
        open_ = [m for m in load if load[m] < capacity[m] and m != e.student_id]
        if not open_:
            left += 1
            continue
        best = min(open_, key=lambda m: (load[m], load[m] - capacity[m], m))
        load[best] += 1
        a = MentorAssignment(cohort_id=cohort_id, mentor_id=best, student_id=e.student_id)
        session.add(a)
        out.append(_assignment_public(a, people[best]))
    session.flush()
    audit.record(
        session, "mentor.balanced", cohort, by=actor, meta=meta, assigned=len(out), unassigned=left
    )
    return Balanced(assignments=out, unassigned=left)
