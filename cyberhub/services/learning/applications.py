"""Cohort enrolment modes, learners' applications and the waitlist (issue 12, item 5).

A cohort's `enrolment_mode` says how people get a seat:
- `director` (the default): only a director enrols (services/learning/enrollment.py), as before.
- `application`: a learner applies; a director approves (a seat, or the waitlist when full) or
  rejects.
- `open`: a learner takes a seat themselves, or joins the waitlist when the cohort is full.

Rules chosen here:
- Seats are `enrollments` rows, active or completed (programs.SEATED: a learner who completes
  keeps their seat until the cohort ends, so a completion promotes nobody), counted under the
  cohort's row lock (SELECT ... FOR UPDATE) by every path that takes or frees one, so
  concurrent applications queue on that lock:
  no cohort ever holds more than its capacity, and the waitlist order is the order in which
  requests got the lock (`waitlist_seq`, handed out under it, has no ties).
- Nobody jumps the waitlist: while anyone waits, a new request waits behind them.
- When a seat frees (a withdrawal, an unenrolment, the rejection of an enrolled person, a capacity
  raised) the first waitlisted learner is promoted in the same transaction, with one in-app
  notification and one e-mail.
- A learner acts only for themselves; a director only on their organisation's cohorts (admins
  anywhere). Cohorts in `director` mode are not shown to learners (NotFound).
- Taking a seat makes the learner a member of the cohort's organisation (their application is
  their consent, services/memberships.join) with the student role there.
- A withdrawn learner may apply again (at the back of the queue); a rejected one may not (a
  director can still enrol them). Every step is audited.
- An application or waitlist place still pending after the cohort's last day is closed by the
  hourly sweep (`expired`, expire_ended_applications): the learner is told once, with the reason;
  they may apply again if the end date moves later. A cohort's dates are days in its zone (its
  director's, services/learning/cohort_days): it takes learners until the midnight after its last
  day there, for every path and the sweep alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from cyberhub import jobs
from cyberhub.formatting import when
from cyberhub.models import (
    ApplicationStatus,
    Certificate,
    Cohort,
    CohortApplication,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    MentorAssignment,
    Organization,
    Program,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.paging import Paged
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import memberships, roles
from cyberhub.services.identity.permissions import Principal, hold_account, require_signed_in
from cyberhub.services.learning.cohort_days import cohort_today, director_zone, today_sql
from cyberhub.services.learning.programs import (
    check_new_capacity,
    cohort_not_over,
    cohort_status,
    get_cohort,
    holds_seat,
    organization_directors,
    require_director,
    require_open,
    seats_taken,
    takes_learners,
)
from cyberhub.services.messaging import notifications
from cyberhub.services.paging import fetch_page
from cyberhub.services.text_match import contains

SELF_SERVICE_MODES = (EnrolmentMode.application, EnrolmentMode.open)
MODE_LABELS = {
    EnrolmentMode.director: "Directors enrol people",
    EnrolmentMode.application: "Learners apply, a director approves",
    EnrolmentMode.open: "Learners enrol themselves",
}
PENDING = (ApplicationStatus.applied, ApplicationStatus.waitlisted, ApplicationStatus.enrolled)
# Pending and not yet holding a seat: what closing or ending a cohort ends.
AWAITING = (ApplicationStatus.applied, ApplicationStatus.waitlisted)
EXPIRED_REASON = "The cohort ended before your application was decided."
DEACTIVATED_APPLICANT = (
    "This account is deactivated: it can't apply to or join a cohort. Contact your administrator."
)
# A learner's state in a cohort they completed (CohortOffer.my_status): no application state,
# their completed enrolment.
COMPLETED = "completed"


# -- what callers get --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationPublic:
    """One learner's application as they and the cohort's directors see it."""

    id: int
    cohort_id: int
    cohort_name: str
    student_id: int
    student_name: str
    student_email: str
    status: str
    applied_at: datetime
    decided_at: datetime | None
    # 1 for the first in line; None unless waitlisted.
    waitlist_position: int | None
    position_text: str
    # why it ended without a decision ("" unless expired: EXPIRED_REASON)
    reason: str = ""


@dataclass(frozen=True)
class ApplicationForDirectors(ApplicationPublic):
    """An application as the cohort's directors list it: whether approving it can work, and
    why a pending application or waitlist place can't move on ("" when it can)."""

    can_approve: bool = False  # pending, and the cohort still takes learners
    held: str = ""  # "Spring ended on 3 Nov 2026: move its end date to approve."


@dataclass(frozen=True)
class CohortOffer:
    """A cohort a learner may apply to or join, with their own state there."""

    id: int
    name: str
    program: str
    organization: str
    starts_on: date
    ends_on: date
    status: str  # upcoming / running
    mode: str
    capacity: int
    enrolled: int
    seats_left: int
    waitlist: int
    my_status: str  # "" when they never applied; "completed" when they completed the cohort
    my_position: int | None
    my_position_text: str
    # Their certificate's public page when they completed the cohort and hold one (not revoked).
    my_certificate_url: str = ""


@dataclass(frozen=True)
class EnrolmentSettings:
    """A cohort's enrolment mode, capacity and queue, for its directors."""

    cohort_id: int
    mode: str
    capacity: int
    enrolled: int
    seats_left: int
    pending: int
    waitlist: int


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position_text(position: int | None) -> str:
    return f"{ordinal(position)} on the waitlist" if position else ""


# -- reading -----------------------------------------------------------------------------------


def _count_applications(
    session: Session, cohort_id: int, status: ApplicationStatus, *also: ColumnElement[bool] | bool
) -> int:
    """How many of the cohort's applications are in `status` (and meet `also`)."""
    return session.exec(
        select(func.count()).where(
            CohortApplication.cohort_id == cohort_id, CohortApplication.status == status, *also
        )
    ).one()


def _waitlist_count(session: Session, cohort_id: int) -> int:
    return _count_applications(session, cohort_id, ApplicationStatus.waitlisted)


def _position(session: Session, app: CohortApplication) -> int | None:
    if app.status != ApplicationStatus.waitlisted or app.waitlist_seq is None:
        return None
    ahead = _count_applications(
        session,
        app.cohort_id,
        ApplicationStatus.waitlisted,
        col(CohortApplication.waitlist_seq) < app.waitlist_seq,
    )
    return int(ahead) + 1


def _public(
    session: Session, app: CohortApplication, *, position: int | None = -1
) -> ApplicationPublic:
    cohort = session.get(Cohort, app.cohort_id)
    user = session.get(User, app.student_id)
    if position == -1:
        position = _position(session, app)
    return from_row(
        ApplicationPublic,
        app,
        id=app.id or 0,
        cohort_name=cohort.name if cohort else "",
        student_name=(user.full_name or user.email) if user else "",
        student_email=user.email if user else "",
        waitlist_position=position,
        position_text=position_text(position),
        reason=EXPIRED_REASON if app.status == ApplicationStatus.expired else "",
    )


def _seat_counts(session: Session, cohort_ids: list[int]) -> tuple[Counter[int], Counter[int]]:
    """(seats taken, waitlisted) per cohort."""
    if not cohort_ids:
        return Counter(), Counter()
    seats = _per_cohort(session, Enrollment.cohort_id, holds_seat(), cohort_ids)
    waiting = _per_cohort(
        session,
        CohortApplication.cohort_id,
        CohortApplication.status == ApplicationStatus.waitlisted,
        cohort_ids,
    )
    return seats, waiting


def _per_cohort(
    session: Session, cohort_id: int, where: ColumnElement[bool] | bool, cohort_ids: list[int]
) -> Counter[int]:
    """How many rows meet `where`, per cohort (`cohort_id`: the table's cohort column)."""
    rows = session.exec(
        select(cohort_id, func.count())
        .where(col(cohort_id).in_(cohort_ids), where)
        .group_by(col(cohort_id))
    ).all()
    return Counter(dict(rows))


OFFERS_PAGE_SIZE = 20


class CohortOfferPage(Paged[CohortOffer]):
    """One page of the cohorts on offer, searched by cohort, programme or organisation name."""


def _on_offer(now: datetime) -> list[ColumnElement[bool]]:
    """A cohort is on offer: it takes applications or self-enrolment and has not ended."""
    return [
        col(Cohort.enrolment_mode).in_([m.value for m in SELF_SERVICE_MODES]),
        cohort_not_over(now),
    ]


def on_offer_ids(session: Session, cohort_ids: list[int]) -> set[int]:
    """Those of `cohort_ids` on offer now (open_cohorts lists them, on some page). The rule is
    the cohort's alone: every cohort has its programme and organisation (non-null foreign keys),
    so open_cohorts' joins, there for the names shown, leave none out."""
    if not cohort_ids:
        return set()
    found = session.exec(
        select(col(Cohort.id)).where(col(Cohort.id).in_(cohort_ids), *_on_offer(utcnow()))
    ).all()
    return {cid for cid in found if cid is not None}


def open_cohorts(
    session: Session,
    principal: Principal | None,
    *,
    q: str = "",
    page: int = 1,
    page_size: int = OFFERS_PAGE_SIZE,
    last_if_past: bool = False,
) -> CohortOfferPage:
    """Cohorts taking applications or self-enrolment that have not ended, soonest first, with
    seats left, waitlist length and the caller's own status and position: one page, searched
    by the cohort's, its programme's or its organisation's name (a page past the last is empty,
    or with `last_if_past` the last one)."""
    actor = require_signed_in(principal)
    now = utcnow()
    stmt = (
        select(Cohort, Program, Organization, director_zone())
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(*_on_offer(now))
    )
    typed = q.strip()[:200]
    if typed:
        stmt = stmt.where(
            or_(
                contains(col(Cohort.name), typed),
                contains(col(Program.name), typed),
                contains(col(Organization.name), typed),
            )
        )
    found = fetch_page(
        session,
        stmt.order_by(col(Cohort.starts_on), col(Cohort.id)),
        page,
        page_size,
        last_if_past=last_if_past,
    )
    rows = found.items
    ids = [c.id or 0 for c, _p, _o, _tz in rows]
    enrolled, waiting = _seat_counts(session, ids)
    mine = {
        a.cohort_id: a
        for a in session.exec(
            select(CohortApplication).where(
                CohortApplication.student_id == actor.user_id,
                col(CohortApplication.cohort_id).in_(ids or [-1]),
            )
        ).all()
    }
    seated = dict(
        session.exec(
            select(Enrollment.cohort_id, Enrollment.status).where(
                Enrollment.student_id == actor.user_id,
                Enrollment.status != EnrollmentStatus.withdrawn,
                col(Enrollment.cohort_id).in_(ids or [-1]),
            )
        ).all()
    )
    certified = _certificate_urls(session, actor.user_id, ids)
    out = []
    for c, p, o, tz in rows:
        cid = c.id or 0
        app = mine.get(cid)
        position = _position(session, app) if app else None
        status = app.status if app else ""
        if cid in seated:  # enrolled by a director, perhaps without applying
            status = ApplicationStatus.enrolled
        if seated.get(cid) == EnrollmentStatus.completed:  # nothing left to withdraw from
            status = COMPLETED
        out.append(
            from_row(
                CohortOffer,
                c,
                id=cid,
                program=p.name,
                organization=o.name,
                status=cohort_status(c, cohort_today(tz, now)),
                mode=c.enrolment_mode,
                enrolled=enrolled[cid],
                seats_left=max(0, c.capacity - enrolled[cid]),
                waitlist=waiting[cid],
                my_status=status,
                my_position=position,
                my_position_text=position_text(position),
                my_certificate_url=certified.get(cid, "") if status == COMPLETED else "",
            )
        )
    return CohortOfferPage.of(found.with_items(out))


def _certificate_urls(session: Session, user_id: int, cohort_ids: list[int]) -> dict[int, str]:
    """The public page of the learner's certificate (not revoked) per cohort among these."""
    # why: certificates imports this module at its top (it closes cohorts' applications)
    from cyberhub.services.learning.certificates import certificate_url  # noqa: PLC0415

    rows = session.exec(
        select(Certificate.cohort_id, Certificate.code).where(
            Certificate.user_id == user_id,
            col(Certificate.cohort_id).in_(cohort_ids or [-1]),
            col(Certificate.revoked_at).is_(None),
        )
    ).all()
    return {cohort_id: certificate_url(code) for cohort_id, code in rows}


def _applications_of(principal: Principal | None) -> SelectOfScalar[CohortApplication]:
    """The query for the caller's applications, newest first (anyone signed in)."""
    actor = require_signed_in(principal)
    return (
        select(CohortApplication)
        .where(CohortApplication.student_id == actor.user_id)
        .order_by(col(CohortApplication.applied_at).desc(), col(CohortApplication.id).desc())
    )


def my_applications(session: Session, principal: Principal | None) -> list[ApplicationPublic]:
    """The caller's applications (every state), newest first."""
    return [_public(session, a) for a in session.exec(_applications_of(principal)).all()]


APPLICATIONS_PAGE_SIZE = 20


class ApplicationsPage(Paged[ApplicationPublic]):
    """One page of a learner's own applications, newest first."""


def my_application_page(
    session: Session,
    principal: Principal | None,
    *,
    page: int = 1,
    page_size: int = APPLICATIONS_PAGE_SIZE,
) -> ApplicationsPage:
    """One page of my_applications (a page past the last is empty, with the total)."""
    found = fetch_page(session, _applications_of(principal), page, page_size)
    return ApplicationsPage.of(found.with_items([_public(session, a) for a in found.items]))


def held(cohort: Cohort, status: str, *, taking: bool) -> str:
    """Why a pending application (status `applied`) or a waitlist place can't move on: the
    cohort takes nobody new (`taking`: programs.takes_learners), so approving answers Conflict
    and nobody moves up from the waitlist. "" when it can, and for any other status. Nothing is
    ended here: moving the end date later opens the cohort again (a closed cohort ended them
    already; the hourly expire_ended_applications ends those of a cohort past its last day)."""
    if taking or status not in (
        ApplicationStatus.applied,
        ApplicationStatus.waitlisted,
    ):
        return ""
    if cohort.closed_at is not None:
        return f"{cohort.name} is closed: it takes no more learners."
    ended = f"{cohort.name} ended on {when(cohort.ends_on, style='date')}"
    if status == ApplicationStatus.applied:
        return f"{ended}: move its end date to approve."
    return f"{ended}: nobody moves up from the waitlist until its end date moves."


def _for_directors(
    a: ApplicationPublic, cohort: Cohort, *, taking: bool
) -> ApplicationForDirectors:
    why = held(cohort, a.status, taking=taking)
    return ApplicationForDirectors(
        **asdict(a), can_approve=a.status == ApplicationStatus.applied and not why, held=why
    )


COHORT_APPLICATIONS_PAGE_SIZE = 50  # a cohort's applications, as its page and the API list them

# The order a cohort's applications are listed in: pending, then the waitlist, then the rest.
_LISTED_FIRST = [
    ApplicationStatus.applied,
    ApplicationStatus.waitlisted,
    ApplicationStatus.enrolled,
    ApplicationStatus.rejected,
]


class CohortApplicationsPage(Paged[ApplicationForDirectors]):
    """One page of a cohort's applications as its directors list them."""


def list_applications(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    status: str | None = None,
    page: int = 1,
    page_size: int = COHORT_APPLICATIONS_PAGE_SIZE,
    last_if_past: bool = False,
) -> CohortApplicationsPage:
    """One page of a cohort's applications for its directors: pending first (oldest first), then
    the waitlist in order, then the rest; `status` keeps one state only. Each says whether it
    can be approved, and why a pending one can't move on (`held`: the cohort has ended). Paged
    in the database: a popular cohort's thousands of applications are not all read. A page
    past the last is empty, or with `last_if_past` the last one (fetch_page)."""
    cohort, _program = get_cohort(session, principal, cohort_id)
    queue_order = (
        col(CohortApplication.waitlist_seq),
        col(CohortApplication.applied_at),
        col(CohortApplication.id),
    )
    # A waitlist place's position: its rank among the cohort's waitlisted, whatever the page.
    place = func.row_number().over(partition_by=col(CohortApplication.status), order_by=queue_order)
    stmt = select(CohortApplication, place).where(CohortApplication.cohort_id == cohort_id)
    if status:
        if status not in [s.value for s in ApplicationStatus]:
            raise Invalid(
                "Unknown status: choose applied, enrolled, waitlisted, rejected, withdrawn or "
                "expired."
            )
        stmt = stmt.where(CohortApplication.status == status)
    listed = case(
        {s.value: i for i, s in enumerate(_LISTED_FIRST)},
        value=col(CohortApplication.status),
        else_=len(_LISTED_FIRST),
    )
    found = fetch_page(
        session,
        stmt.order_by(listed, *queue_order),
        page,
        page_size,
        last_if_past=last_if_past,
    )
    taking = takes_learners(session, cohort)
    return CohortApplicationsPage.of(
        found.with_items(
            [
                _for_directors(
                    _public(
                        session, a, position=n if a.status == ApplicationStatus.waitlisted else None
                    ),
                    cohort,
                    taking=taking,
                )
                for a, n in found.items
            ]
        )
    )


def enrolment_settings(
    session: Session, principal: Principal | None, cohort_id: int
) -> EnrolmentSettings:
    """The cohort's mode, capacity, seats, pending applications and waitlist length."""
    cohort, _program = get_cohort(session, principal, cohort_id)
    return _settings(session, cohort)


def _settings(session: Session, cohort: Cohort) -> EnrolmentSettings:
    cid = cohort.id or 0
    taken = seats_taken(session, cid)
    pending = _count_applications(session, cid, ApplicationStatus.applied)
    return EnrolmentSettings(
        cohort_id=cid,
        mode=cohort.enrolment_mode,
        capacity=cohort.capacity,
        enrolled=taken,
        seats_left=max(0, cohort.capacity - taken),
        pending=int(pending),
        waitlist=_waitlist_count(session, cid),
    )


# -- seats -------------------------------------------------------------------------------------


def _lock_for_learner(session: Session, cohort_id: int) -> tuple[Cohort, Program]:
    """The cohort row locked (the same lock as enrollment._lock_cohort), for a learner's request:
    only cohorts that take applications or self-enrolment exist for them."""
    cohort = session.exec(select(Cohort).where(Cohort.id == cohort_id).with_for_update()).first()
    if cohort is None or cohort.enrolment_mode not in SELF_SERVICE_MODES:
        raise NotFound("That cohort does not exist or does not take applications.")
    program = session.get(Program, cohort.program_id)
    assert program is not None
    return cohort, program


def _mine(session: Session, cohort_id: int, user_id: int) -> CohortApplication | None:
    return session.exec(
        select(CohortApplication).where(
            CohortApplication.cohort_id == cohort_id, CohortApplication.student_id == user_id
        )
    ).first()


def _is_enrolled(session: Session, cohort_id: int, user_id: int) -> bool:
    """Whether the learner is in the cohort (an active or completed enrolment), however they got
    there: a completed learner is still enrolled, not someone to seat again."""
    seat = select(Enrollment.id).where(
        Enrollment.cohort_id == cohort_id,
        Enrollment.student_id == user_id,
        Enrollment.status != EnrollmentStatus.withdrawn,
    )
    return session.exec(seat).first() is not None


def _completed(session: Session, cohort_id: int, user_id: int) -> bool:
    """Whether the learner completed the cohort (their enrolment there is `completed`)."""
    done = select(Enrollment.id).where(
        Enrollment.cohort_id == cohort_id,
        Enrollment.student_id == user_id,
        Enrollment.status == EnrollmentStatus.completed,
    )
    return session.exec(done).first() is not None


def _has_room(session: Session, cohort: Cohort) -> bool:
    """A free seat and nobody waiting for it (callers hold the cohort lock)."""
    cid = cohort.id or 0
    return seats_taken(session, cid) < cohort.capacity and _waitlist_count(session, cid) == 0


def _to_waitlist(session: Session, app: CohortApplication) -> None:
    last = session.exec(
        select(func.max(CohortApplication.waitlist_seq)).where(
            CohortApplication.cohort_id == app.cohort_id
        )
    ).one()
    app.status = ApplicationStatus.waitlisted
    app.waitlist_seq = int(last or 0) + 1
    app.waitlisted_at = utcnow()
    session.add(app)


def _take_seat(
    session: Session,
    cohort: Cohort,
    program: Program,
    app: CohortApplication,
    *,
    actor_id: int | None,
    how: str,
    meta: RequestMeta,
) -> None:
    """Give the applicant a seat: membership (their application is their consent), the student
    role there, an active enrolment. The caller holds the cohort lock and checked the room."""
    from cyberhub.services.learning.enrollment import (  # noqa: PLC0415  (why: enrollment imports this module at its top)
        _existing,
        seat,
    )

    user = session.get(User, app.student_id)
    org = session.get(Organization, program.organization_id)
    assert user is not None and org is not None and user.id is not None
    memberships.join(
        session, user.id, org.id or 0, how="cohort application", actor_id=user.id, meta=meta
    )
    existing = _existing(session, cohort.id or 0, user.id)
    app.status = ApplicationStatus.enrolled
    app.waitlist_seq = None
    session.add(app)
    seat(session, cohort, org, user, existing, actor_id=actor_id, meta=meta, method=how)


def free_seat(
    session: Session, cohort_id: int, student_id: int, *, actor_id: int
) -> Enrollment | None:
    """Withdraw a current enrolment (active, or completed: a completed learner is still in the
    cohort): the seat and the mentor's slot are freed (submissions and certificates are kept),
    and claims on the learner's work that its holder may no longer review go back to the queue
    (the learner's own withdrawal, a rejected enrolment and a director's unenrolment alike).
    Returns the enrolment, or None when there was none to withdraw. Caller holds the lock."""
    from cyberhub.services.learning.enrollment import (  # noqa: PLC0415  (why: enrollment imports this module at its top)
        _existing,
        release_claims_on,
    )

    enrollment = _existing(session, cohort_id, student_id)
    if enrollment is None or enrollment.status == EnrollmentStatus.withdrawn:
        return None
    enrollment.status = EnrollmentStatus.withdrawn
    enrollment.withdrawn_at = utcnow()
    session.add(enrollment)
    # The programme's missions are no longer theirs to start: list and plan recomputed.
    jobs.recommendations_stale(session, student_id)
    assignment = session.exec(
        select(MentorAssignment).where(
            MentorAssignment.cohort_id == cohort_id, MentorAssignment.student_id == student_id
        )
    ).first()
    if assignment is not None:
        session.delete(assignment)
    session.flush()
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    release_claims_on(session, cohort.program_id, student_id, actor_id)
    return enrollment


def _hold_learner(session: Session, user_id: int) -> User | None:
    """The learner's roles-and-memberships lock (roles.lock_user_roles), then their account row
    (permissions.hold_account), before any cohort's: the order a removal from an organisation
    (that lock, their row when they serve there, then its cohorts) and a deactivation (their
    row, then the cohorts where they wait) take them in. Returns the account as committed."""
    roles.lock_user_roles(session, user_id)
    return hold_account(session, user_id)


def _free_to_seat(session: Session, student_id: int) -> bool:
    """Whether the waitlisted learner can be seated now: their account is active and nobody is
    changing it in a way that takes the cohort's lock after theirs (a deactivation holds their
    row, a removal from the organisation their roles-and-memberships lock). The caller holds
    the cohort's lock, so it takes theirs out of that order and must not wait for them (the
    two would deadlock): it only tries, and holds them until commit when it gets them."""
    if not locks.try_hold(session, locks.Lock.USER_ROLES, student_id):
        return False
    account = session.exec(
        select(User)
        .where(col(User.id) == student_id)
        .with_for_update(read=True, key_share=True, skip_locked=True)  # FOR KEY SHARE
        .execution_options(populate_existing=True)
    ).first()
    return account is not None and account.is_active


def fill_seats(
    session: Session,
    cohort: Cohort,
    program: Program,
    *,
    actor_id: int | None,
    meta: RequestMeta = NO_META,
) -> list[int]:
    """Promote waitlisted learners, first in line first, while seats are free and the cohort
    takes learners (programs.takes_learners; the caller holds the cohort lock). Each promoted
    learner gets one notification and one e-mail. Returns their ids.

    A learner being deactivated or removed from the organisation at this moment, or inactive,
    is passed over (_free_to_seat) and keeps their place: the seat goes to the next in line
    rather than wait for what will most likely end that place (and waiting could deadlock)."""
    cid = cohort.id or 0
    free = cohort.capacity - seats_taken(session, cid)
    if free <= 0 or not takes_learners(session, cohort):  # a closed or ended cohort promotes nobody
        return []
    queue = session.exec(
        select(CohortApplication)
        .where(
            CohortApplication.cohort_id == cid,
            CohortApplication.status == ApplicationStatus.waitlisted,
        )
        .order_by(col(CohortApplication.waitlist_seq))
    ).all()
    promoted: list[int] = []
    for app in queue:
        if len(promoted) == free:
            break
        if not _free_to_seat(session, app.student_id):
            continue
        _take_seat(session, cohort, program, app, actor_id=actor_id, how="waitlist", meta=meta)
        audit.record(
            session,
            "application.promoted",
            cohort,
            by=actor_id,
            meta=meta,
            student_id=app.student_id,
            application_id=app.id,
        )
        notifications.notify(
            session,
            app.student_id,
            kind="waitlist_promoted",
            title=f"A seat opened: you're enrolled in {cohort.name}"[:200],
            body=(
                f"A seat opened in {cohort.name} of {program.name} ({cohort.starts_on:%d %b %Y} "
                f"– {cohort.ends_on:%d %b %Y}) and you were next on the waitlist: you are now "
                "enrolled. Your missions are waiting."
            ),
            link="/cohorts",
        )
        promoted.append(app.student_id)
    return promoted


def after_seat_freed(
    session: Session,
    cohort: Cohort,
    program: Program,
    student_id: int,
    *,
    actor_id: int | None,
    meta: RequestMeta = NO_META,
) -> None:
    """Called by a director's unenrolment (enrollment.unenroll), under the cohort lock: the
    learner's application, if any, becomes withdrawn, and the waitlist moves up."""
    app = _mine(session, cohort.id or 0, student_id)
    if app is not None and app.status == ApplicationStatus.enrolled:
        app.status, app.decided_at, app.decided_by_id = (
            ApplicationStatus.withdrawn,
            utcnow(),
            actor_id,
        )
        session.add(app)
    fill_seats(session, cohort, program, actor_id=actor_id, meta=meta)


def withdraw_pending(
    session: Session,
    cohort_id: int,
    student_id: int,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> bool:
    """The learner's application or waitlist place in the cohort (not a seat) is withdrawn,
    audited as their own withdrawal is; False when they had none. Caller holds the lock."""
    app = _mine(session, cohort_id, student_id)
    if app is None or app.status not in AWAITING:
        return False
    _withdraw(session, app, actor_id, meta, student_id=student_id)
    return True


def _withdraw(
    session: Session, app: CohortApplication, actor_id: int, meta: RequestMeta, **details: object
) -> str:
    """Withdraw the application (its seat freed, if it held one), audited against its cohort.
    Returns the status it had."""
    was = _close(session, app, ApplicationStatus.withdrawn, actor_id)
    audit.record(
        session,
        "application.withdrawn",
        ("cohort", app.cohort_id),
        by=actor_id,
        meta=meta,
        application_id=app.id,
        **details,
        was=was,
    )
    return was


def mark_enrolled_by_director(
    session: Session, cohort_id: int, student_id: int, actor_id: int | None
) -> None:
    """A director enrolled someone directly: an application of theirs is settled as enrolled."""
    app = _mine(session, cohort_id, student_id)
    if app is not None and app.status != ApplicationStatus.enrolled:
        app.status, app.waitlist_seq = ApplicationStatus.enrolled, None
        app.decided_at, app.decided_by_id = utcnow(), actor_id
        session.add(app)
        session.flush()


# -- the learner -------------------------------------------------------------------------------


def apply(
    session: Session, principal: Principal | None, cohort_id: int, *, meta: RequestMeta = NO_META
) -> ApplicationPublic:
    """The caller applies (application mode) or enrols themselves (open mode; the waitlist when
    full or when others wait). Conflict: already applied / enrolled / waiting, rejected before,
    the cohort is closed or has ended. Forbidden: the account was deactivated meanwhile."""
    actor = require_signed_in(principal)
    # Their locks, then the cohort's (_hold_learner): a deactivation or a removal from the
    # organisation at the same moment takes turns with this, so it either ends this application
    # or is seen here.
    account = _hold_learner(session, actor.user_id)
    if account is None or not account.is_active:
        raise Forbidden(DEACTIVATED_APPLICANT)
    cohort, program = _lock_for_learner(session, cohort_id)
    require_open(session, cohort)
    app = _mine(session, cohort_id, actor.user_id)
    if app is not None and app.status in PENDING:
        raise Conflict(
            {
                ApplicationStatus.applied: f"You have already applied to {cohort.name}.",
                ApplicationStatus.waitlisted: f"You are already on the waitlist of {cohort.name}.",
                ApplicationStatus.enrolled: f"You are already enrolled in {cohort.name}.",
            }[ApplicationStatus(app.status)]
        )
    if app is not None and app.status == ApplicationStatus.rejected:
        raise Conflict(
            f"Your application to {cohort.name} was not accepted. Ask its programme director "
            "if you think this is a mistake."
        )
    if _is_enrolled(session, cohort_id, actor.user_id):
        raise Conflict(f"You are already enrolled in {cohort.name}.")
    if app is None:
        app = CohortApplication(cohort_id=cohort_id, student_id=actor.user_id)
    app.applied_at, app.decided_at, app.decided_by_id = utcnow(), None, None
    app.status, app.waitlist_seq, app.waitlisted_at = ApplicationStatus.applied, None, None
    session.add(app)
    session.flush()
    audit.record(
        session,
        "application.submitted",
        cohort,
        by=actor,
        meta=meta,
        application_id=app.id,
        mode=cohort.enrolment_mode,
    )
    if cohort.enrolment_mode == EnrolmentMode.open:
        if _has_room(session, cohort):
            _take_seat(session, cohort, program, app, actor_id=actor.user_id, how="self", meta=meta)
        else:
            _to_waitlist(session, app)
            session.flush()
            audit.record(
                session,
                "application.waitlisted",
                cohort,
                by=actor,
                meta=meta,
                application_id=app.id,
                seq=app.waitlist_seq,
            )
    else:
        user = session.get(User, actor.user_id)
        who = (user.full_name or user.email) if user else "A learner"
        for director_id in _deciders(session, cohort, program):
            notifications.notify(
                session,
                director_id,
                kind="application",
                title=f"New application to {cohort.name}"[:200],
                body=f"{who} applied to {cohort.name}. Approve or reject it on the cohort page.",
                link=f"/director/cohorts/{cohort_id}",
                send_mail=False,
            )
    return _public(session, app)


def _deciders(session: Session, cohort: Cohort, program: Program) -> list[int]:
    """Whom a new application to the cohort is told to: its director; a cohort without one
    (its director lost the role or was deactivated, programs.stop_directing_in_organization)
    the directors of its organisation, each once."""
    if cohort.director_id is not None:
        return [cohort.director_id]
    return [u.id for u in organization_directors(session, program.organization_id) if u.id]


def withdraw(
    session: Session, principal: Principal | None, cohort_id: int, *, meta: RequestMeta = NO_META
) -> ApplicationPublic:
    """The caller withdraws their application, their waitlist place or their seat (then the
    next waitlisted learner is promoted). NotFound: nothing to withdraw. Conflict: they
    completed the cohort (a completion stays on their record, seat included)."""
    actor = require_signed_in(principal)
    cohort = session.exec(select(Cohort).where(Cohort.id == cohort_id).with_for_update()).first()
    if cohort is not None and _completed(session, cohort_id, actor.user_id):
        raise Conflict(
            f"You completed {cohort.name}: a completed cohort stays on your record and can't be "
            "withdrawn from."
        )
    app = _mine(session, cohort_id, actor.user_id) if cohort else None
    if (
        cohort is not None
        and cohort.enrolment_mode in SELF_SERVICE_MODES
        and (app is None or app.status not in PENDING)
        and _is_enrolled(session, cohort_id, actor.user_id)
    ):
        # A seat a director gave without an application: open_cohorts shows it as "enrolled"
        # (with Withdraw), so it is given up like a seat taken by applying.
        app = app or CohortApplication(cohort_id=cohort_id, student_id=actor.user_id)
        app.status, app.waitlist_seq = ApplicationStatus.enrolled, None
        session.add(app)
        session.flush()
    if cohort is None or app is None or app.status not in PENDING:
        raise NotFound("You have no application, waitlist place or seat to withdraw here.")
    program = session.get(Program, cohort.program_id)
    assert program is not None
    was = _withdraw(session, app, actor.user_id, meta)
    if was == ApplicationStatus.enrolled:
        fill_seats(session, cohort, program, actor_id=actor.user_id, meta=meta)
    return _public(session, app)


def end_for_closed_cohort(
    session: Session,
    cohort: Cohort,
    program: Program,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> int:
    """The cohort is being closed (certificates.close_cohort, under its lock): its pending
    applications and waitlist places end, each learner is told (in-app and e-mail) and each end
    is audited. Returns how many ended; seats already taken are kept.

    They end as `withdrawn` (taken back, by the director closing the cohort), as an unenrolment
    ends an application: `rejected` would tell the learner they were turned down, and bar them
    from applying again."""
    ended = _pending(session, cohort)
    for app in ended:
        what = (
            "your waitlist place"
            if app.status == ApplicationStatus.waitlisted
            else "your application"
        )
        _end(
            session,
            cohort,
            app,
            ApplicationStatus.withdrawn,
            "application.cohort_closed",
            actor_id=actor_id,
            meta=meta,
            title=f"{cohort.name} has closed",
            body=f"The programme director of {program.name} closed {cohort.name}: it takes no "
            f"more learners, so {what} has ended.",
        )
    return len(ended)


def expire_ended_applications(session: Session, now: datetime | None = None) -> int:
    """The scheduler's hourly sweep (id-free): each application or waitlist place still pending
    in a cohort whose last day has passed at `now` (default: now; a day in the cohort's zone,
    cohort_days.today_sql, as takes_learners) becomes `expired`, its learner told once (in-app
    and e-mail, EXPIRED_REASON's words) and the change audited (by the system). Returns how
    many expired.

    Idempotent and safe twice at once: each cohort is taken under its row lock (as every path
    that changes its applications), one another transaction holds is left to the next sweep,
    and only applications still pending under that lock change."""
    ended = session.exec(
        select(Cohort.id)
        .where(
            col(Cohort.ends_on) < today_sql(now or utcnow()),
            col(Cohort.id).in_(
                select(CohortApplication.cohort_id).where(
                    col(CohortApplication.status).in_(AWAITING)
                )
            ),
        )
        .order_by(col(Cohort.id))
    ).all()
    count = 0
    for cohort_id in ended:
        cohort = session.exec(
            select(Cohort).where(Cohort.id == cohort_id).with_for_update(skip_locked=True)
        ).first()
        if cohort is None:  # another transaction holds it: the next sweep
            continue
        for app in _pending(session, cohort):
            _end(
                session,
                cohort,
                app,
                ApplicationStatus.expired,
                "application.expired",
                actor_id=None,
                meta=NO_META,
                title=f"{cohort.name} has ended",
                body=f"{cohort.name} ended on {when(cohort.ends_on, style='date')} and your "
                f"application was closed. {EXPIRED_REASON}",
            )
            count += 1
    return count


def _pending(session: Session, cohort: Cohort) -> list[CohortApplication]:
    """The cohort's applications and waitlist places still waiting for a decision, oldest first."""
    return list(
        session.exec(
            select(CohortApplication)
            .where(
                CohortApplication.cohort_id == cohort.id,
                col(CohortApplication.status).in_(AWAITING),
            )
            .order_by(col(CohortApplication.id))
        ).all()
    )


def _end(
    session: Session,
    cohort: Cohort,
    app: CohortApplication,
    status: str,
    action: str,
    *,
    actor_id: int | None,
    meta: RequestMeta,
    title: str,
    body: str,
) -> str:
    """End a learner's application (a director rejects it or closes the cohort; the system, with
    `actor_id` None, expires it): closed as `_close` does, audited against the cohort and the
    learner told (in-app and e-mail). Returns the status it had."""
    was = _close(session, app, status, actor_id)
    audit.record(
        session,
        action,
        cohort,
        by=actor_id,
        meta=meta,
        application_id=app.id,
        student_id=app.student_id,
        was=was,
    )
    notifications.notify(
        session, app.student_id, kind="application", title=title[:200], body=body, link="/cohorts"
    )
    return was


def _close(session: Session, app: CohortApplication, status: str, actor_id: int | None) -> str:
    """End an application (withdrawn, rejected, or expired by the system with `actor_id` None):
    off the waitlist, its seat freed if it held one (the caller then lets the waitlist fill it).
    Returns the status it had."""
    was = app.status
    app.status, app.waitlist_seq = ApplicationStatus(status), None
    app.decided_at, app.decided_by_id = utcnow(), actor_id
    session.add(app)
    if was == ApplicationStatus.enrolled:
        # Only a person ends a seat: the system expires pending applications, never seats.
        assert actor_id is not None
        free_seat(session, app.cohort_id, app.student_id, actor_id=actor_id)
    session.flush()
    return was


# -- the director ------------------------------------------------------------------------------


def _decidable(
    session: Session, principal: Principal | None, cohort_id: int, application_id: int
) -> tuple[Principal, Cohort, Program, CohortApplication]:
    actor = require_director(principal)
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    app = session.exec(
        select(CohortApplication)
        .where(CohortApplication.id == application_id)
        .execution_options(populate_existing=True)
    ).first()
    if app is None or app.cohort_id != cohort_id:
        raise NotFound("That application does not exist.")
    return actor, cohort, program, app


def approve(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    application_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> ApplicationPublic:
    """Accept a pending application: a seat when one is free and nobody waits, else the waitlist.
    The learner is told (in-app and e-mail). Conflict: not pending, the cohort takes nobody new,
    or the applicant's account is deactivated."""
    require_director(principal)
    # The applicant's locks before the cohort's (_hold_learner), the order a deactivation or a
    # removal from the organisation takes them in: it either ends the application first or
    # waits for this, and the applicant is read as committed under that lock.
    student_id = session.exec(
        select(CohortApplication.student_id).where(CohortApplication.id == application_id)
    ).first()
    applicant = _hold_learner(session, student_id) if student_id is not None else None
    actor, cohort, program, app = _decidable(session, principal, cohort_id, application_id)
    if app.status != ApplicationStatus.applied:
        raise Conflict(f"This application is {app.status}: only pending ones can be approved.")
    require_open(session, cohort)
    assert applicant is not None  # the application exists, and so does its learner
    if not applicant.is_active:
        # As enrolling the address is refused (enrollment._plan_one): a seat they can't use.
        raise Conflict(
            f"The account {applicant.email} is deactivated: it can't take a seat. Reject the "
            "application, or ask an admin to reactivate the account first."
        )
    app.decided_at, app.decided_by_id = utcnow(), actor.user_id
    if _is_enrolled(session, cohort_id, app.student_id):  # a director enrolled them: settle it
        mark_enrolled_by_director(session, cohort_id, app.student_id, actor.user_id)
        return _public(session, app)
    if _has_room(session, cohort):
        _take_seat(
            session, cohort, program, app, actor_id=actor.user_id, how="application", meta=meta
        )
        title = f"You're enrolled in {cohort.name}"
        body = (
            f"Your application to {cohort.name} of {program.name} was approved: you are "
            "enrolled. Your missions are waiting."
        )
    else:
        _to_waitlist(session, app)
        session.flush()
        place = position_text(_position(session, app))
        title = f"You're on the waitlist of {cohort.name}"
        body = (
            f"Your application to {cohort.name} of {program.name} was approved, but every seat "
            f"is taken: you are {place}. You will be enrolled automatically when a seat frees."
        )
    session.flush()
    audit.record(
        session,
        "application.approved",
        cohort,
        by=actor,
        meta=meta,
        application_id=app.id,
        student_id=app.student_id,
        result=app.status,
    )
    notifications.notify(
        session, app.student_id, kind="application", title=title[:200], body=body, link="/cohorts"
    )
    return _public(session, app)


def reject(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    application_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> ApplicationPublic:
    """Turn down an application, a waitlist place or (freeing the seat, which the waitlist then
    fills) an enrolment that came from an application. The learner is told. Conflict: already
    rejected or withdrawn."""
    actor, cohort, program, app = _decidable(session, principal, cohort_id, application_id)
    if app.status not in PENDING:
        raise Conflict(f"This application is already {app.status}.")
    was = _end(
        session,
        cohort,
        app,
        ApplicationStatus.rejected,
        "application.rejected",
        actor_id=actor.user_id,
        meta=meta,
        title=f"Your application to {cohort.name} was not accepted",
        body=f"The programme director of {program.name} did not accept your place in "
        f"{cohort.name}.",
    )
    if was == ApplicationStatus.enrolled:
        fill_seats(session, cohort, program, actor_id=actor.user_id, meta=meta)
    return _public(session, app)


def set_enrolment(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    mode: str | None = None,
    capacity: int | None = None,
    meta: RequestMeta = NO_META,
) -> EnrolmentSettings:
    """Change how people enrol and how many seats there are; a capacity raised promotes the
    waitlist at once. Invalid: unknown mode, capacity out of 1..10000. Conflict: capacity below
    the students enrolled."""
    actor = require_director(principal)
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    if mode is not None:
        if mode not in [m.value for m in EnrolmentMode]:
            raise Invalid("Choose how people enrol: director, application or open.")
        cohort.enrolment_mode = EnrolmentMode(mode)
    if capacity is not None:
        check_new_capacity(session, cohort_id, capacity)
        cohort.capacity = capacity
    session.add(cohort)
    session.flush()
    audit.record(
        session,
        "cohort.enrolment_updated",
        cohort,
        by=actor,
        meta=meta,
        mode=cohort.enrolment_mode,
        capacity=cohort.capacity,
    )
    fill_seats(session, cohort, program, actor_id=actor.user_id, meta=meta)
    return _settings(session, cohort)
