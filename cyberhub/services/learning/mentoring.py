"""The mentor's side: their dashboard (assigned mentees with progress, queue counts, workload)
and their home (the cohorts and learners of the organizations they mentor in, each with the
attempt the mentor can act on now)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.formatting import person_name
from cyberhub.models import (
    Cohort,
    HintReveal,
    MentorAssignment,
    Mission,
    Organization,
    Program,
    ProgramMission,
    Role,
    RoleAssignment,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.paging import PageOf, page_count
from cyberhub.schemas.reviews import (
    MenteeProgress,
    MentorCohort,
    MentorDashboard,
    MentorFigures,
    MentorHome,
    MentorLearner,
    MentorLearnersPage,
    NamedRef,
    QueueItem,
    WaitingWork,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning import mission_scope, reviews
from cyberhub.services.learning.cohort_days import cohort_today, director_zone
from cyberhub.services.learning.learning_access import mentor_pairs
from cyberhub.services.learning.programs import cohort_status
from cyberhub.services.learning.query_parts import name_order
from cyberhub.services.text_match import contains

MAX_LEARNERS = 200  # a page of the mentor home's learners list (mentor_learners)
MAX_MENTEES = 200  # GET /mentor/dashboard lists the first, by name (of mentees_total)
MENTEES_PAGE_SIZE = 50  # a page of the mentor home's mentees table (mentee_page)


def mentor_dashboard(session: Session, principal: Principal | None) -> MentorDashboard:
    """GET /mentor/dashboard: the first MAX_MENTEES assigned mentees by name (mentee_page) and
    how many there are, with the queue's figures (mentor_figures)."""
    mentees = mentee_page(session, principal, 1, page_size=MAX_MENTEES)
    figures = mentor_figures(session, principal)
    return MentorDashboard(mentees=mentees.items, mentees_total=mentees.total, **dict(figures))


def mentor_figures(
    session: Session, principal: Principal | None, *, preview: bool = True
) -> MentorFigures:
    """The mentor's queue counts, the oldest pending submissions (unless `preview` is False:
    the mentor home lists the queue itself) and the workload figures."""
    actor = require_role(principal, Role.mentor)
    me = actor.user_id
    pending: list[QueueItem] = []
    if preview:
        pending = reviews.queue(session, actor, bucket="pending", page_size=5).items
    else:
        reviews.expire_claims(session, for_mentor=me)  # what queue() would have done first
    counts = reviews.queue_counts(session, me)
    return MentorFigures(
        queue=counts,
        pending_preview=pending,
        workload=reviews.workload(session, actor, counts=counts),
    )


def mentee_page(
    session: Session,
    principal: Principal | None,
    page: int = 1,
    *,
    page_size: int = MENTEES_PAGE_SIZE,
) -> PageOf[MenteeProgress]:
    """A page of the mentor's assigned mentees, by name, with their progress and last activity
    (a page past the end, the list having shrunk, answers the last one; `page_size` is the
    caller's own, up to MAX_MENTEES)."""
    actor = require_role(principal, Role.mentor)
    me = actor.user_id
    assigned = col(MentorAssignment.mentor_id) == me
    total = int(
        session.exec(select(func.count()).select_from(MentorAssignment).where(assigned)).one()
    )
    page = max(1, min(page, page_count(total, page_size)))
    # The learner's latest work or hint revealed on a mission of the cohort's programme, as the
    # director's roster and at-risk list count activity (analytics.cohort_roster, _at_risk).
    runs = (
        select(ProgramMission.mission_id)
        .where(col(ProgramMission.program_id) == col(Cohort.program_id))
        .correlate_except(ProgramMission)
    )
    last_work = (
        select(func.max(func.greatest(Submission.created_at, Submission.submitted_at)))
        .where(
            col(Submission.student_id) == col(MentorAssignment.student_id),
            col(Submission.mission_id).in_(runs),
        )
        .correlate(MentorAssignment, Cohort)
        .scalar_subquery()
    )
    last_hint = (
        select(func.max(HintReveal.revealed_at))
        .where(
            col(HintReveal.student_id) == col(MentorAssignment.student_id),
            col(HintReveal.mission_id).in_(runs),
        )
        .correlate(MentorAssignment, Cohort)
        .scalar_subquery()
    )
    last_activity = func.greatest(last_work, last_hint)
    rows = session.execute(
        sa_select(
            col(User.id),
            col(User.full_name),
            col(User.email),
            col(Cohort.id),
            col(Cohort.name),
            col(Cohort.program_id),
            last_activity,
        )
        .select_from(MentorAssignment)
        .join(User, col(User.id) == col(MentorAssignment.student_id))
        .join(Cohort, col(Cohort.id) == col(MentorAssignment.cohort_id))
        .where(assigned)
        .order_by(name_order(User), col(User.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    # Each mentee's "N of M" in their cohort's programme, as their page and their own
    # dashboard say it (mission_scope.scopes): one statement for the list.
    figures = mission_scope.program_scopes(session, [(r[0], r[5]) for r in rows])
    return PageOf(
        items=[
            MenteeProgress(
                id=uid,
                name=person_name(full_name, email),
                email=email,
                cohort=NamedRef(id=cid, name=cname),
                approved=scope.approved,
                published=scope.expected,
                percent=scope.percent,
                last_activity=last,
            )
            for (uid, full_name, email, cid, cname, _, last), scope in zip(
                rows, figures, strict=True
            )
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


def _waiting_work(
    session: Session, mentor_id: int, student_ids: list[int]
) -> dict[int, WaitingWork]:
    """Per learner, the attempt this mentor can act on now: one they hold (continue it), else the
    oldest submitted one of a programme they review for this learner (claim it)."""
    if not student_ids:
        return {}
    pairs = mentor_pairs(mentor_id)
    rows = session.execute(
        sa_select(
            col(Submission.id),
            col(Submission.student_id),
            col(Mission.title),
            col(Submission.status),
        )
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .join(pairs, pairs.c.student_id == col(Submission.student_id))
        .where(
            col(Submission.student_id).in_(student_ids),
            exists().where(
                col(ProgramMission.program_id) == pairs.c.program_id,
                col(ProgramMission.mission_id) == col(Submission.mission_id),
            ),
            or_(
                col(Submission.status) == SubmissionStatus.submitted,
                and_(
                    col(Submission.status) == SubmissionStatus.in_review,
                    col(Submission.claimed_by_id) == mentor_id,
                ),
            ),
        )
        .order_by(col(Submission.submitted_at), col(Submission.id))
    ).all()
    found: dict[int, WaitingWork] = {}
    for sub_id, student_id, title, status in rows:
        mine = status == SubmissionStatus.in_review
        if student_id in found and (found[student_id].claimed_by_me or not mine):
            continue  # keep the one already held, else the oldest waiting
        found[student_id] = WaitingWork(submission_id=sub_id, mission=title, claimed_by_me=mine)
    return found


def mentor_home(session: Session, principal: Principal | None) -> MentorHome:
    """Cohorts (with dates and capacity) and learners of the organizations the user mentors in,
    each with the attempt the mentor can act on now (`waiting`): the list's first page and the
    total (mentor_learners pages and searches it)."""
    actor = require_role(principal, Role.mentor)
    org_ids = sorted(actor.organizations(Role.mentor))
    orgs = (
        session.exec(
            select(Organization)
            .where(col(Organization.id).in_(org_ids))
            .order_by(col(Organization.name))
        ).all()
        if org_ids
        else []
    )
    now = utcnow()
    cohorts = session.exec(
        select(Cohort, Program.name, Organization.name, director_zone())
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(col(Program.organization_id).in_(org_ids))
        .order_by(col(Cohort.starts_on), col(Cohort.id))
    ).all()
    first = _learners_page(session, actor.user_id, org_ids, "", 1)
    return MentorHome(
        organizations=[o.name for o in orgs],
        cohorts=[
            from_row(
                MentorCohort,
                c,
                program=program,
                organization=org,
                dates=f"{c.starts_on:%d %b %Y} – {c.ends_on:%d %b %Y}",
                status=cohort_status(c, cohort_today(tz, now)),
            )
            for c, program, org, tz in cohorts
        ],
        learners=first.items,
        learners_total=first.total,
        learners_pages=first.pages,
    )


def mentor_learners(
    session: Session, principal: Principal | None, *, q: str = "", page: int = 1
) -> MentorLearnersPage:
    """One page (MAX_LEARNERS a page, newest first) of the learners of the organizations the user
    mentors in, as mentor_home lists them; `q` keeps those whose name or e-mail contains it.
    Invalid when `page` is below 1; a page past the last answers the last (`page` says which,
    `pages` how many)."""
    actor = require_role(principal, Role.mentor)
    if page < 1:
        raise Invalid("page must be 1 or more.")
    org_ids = sorted(actor.organizations(Role.mentor))
    return _learners_page(session, actor.user_id, org_ids, q.strip()[:200], page)


def _learners_page(
    session: Session, mentor_id: int, org_ids: list[int], q: str, page: int
) -> MentorLearnersPage:
    """Page `page` of the learners (no staff role, active accounts) of `org_ids`, other than the
    mentor, whose name or e-mail contains `q` ("": all), each with the work the mentor can act on."""
    size = MAX_LEARNERS
    staff = aliased(RoleAssignment)
    students = select(RoleAssignment.user_id, RoleAssignment.organization_id).where(
        RoleAssignment.role == Role.student,
        col(RoleAssignment.organization_id).in_(org_ids),
        RoleAssignment.user_id != mentor_id,
        # Learners only: an account holding any other role (mentor, director, sponsor, admin)
        # anywhere is staff, even with a student role too.
        ~exists().where(
            col(staff.user_id) == col(RoleAssignment.user_id), col(staff.role) != Role.student
        ),
    )
    sub = students.subquery()
    matches: list[ColumnElement[bool]] = [col(User.is_active).is_(True)]
    if q:
        matches.append(or_(contains(col(User.full_name), q), contains(col(User.email), q)))
    # One row a learner (a student of two of these organizations names both), so a page
    # counts people, as the total does.
    active = (
        select(
            User,
            func.string_agg(
                col(Organization.name), aggregate_order_by(literal(", "), col(Organization.name))
            ),
        )
        .join(sub, sub.c.user_id == col(User.id))
        .join(Organization, col(Organization.id) == sub.c.organization_id)
        .where(*matches)
        .group_by(col(User.id))
    )
    # The same learners the list shows, counted once each.
    total = session.exec(
        select(func.count(func.distinct(col(User.id))))
        .join(sub, sub.c.user_id == col(User.id))
        .where(*matches)
    ).one()
    pages = page_count(total, size)
    page = min(page, pages)  # a page past the end (the list shrank since) answers the last
    learners = session.exec(
        active.order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    work = _waiting_work(session, mentor_id, [u.id or 0 for u, _ in learners])
    return MentorLearnersPage(
        items=[
            MentorLearner(
                id=u.id or 0,
                name=person_name(u.full_name, u.email),
                email=u.email,
                organization=org_names,
                joined=u.created_at,
                waiting=work.get(u.id or 0),
            )
            for u, org_names in learners
        ],
        total=total,
        page=page,
        pages=pages,
    )
