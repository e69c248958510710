"""Who may see and act on a student's learning work (submissions, reviews, progress).

The object rules, in one place:
- a student: only their own work;
- a mentor: the students they mentor in a programme — students enrolled (not withdrawn) in a
  cohort the mentor serves (CohortMentor), or assigned to them (MentorAssignment). Any mentor
  serving the student's cohort may claim and review; the assigned mentor sees the work first;
- a director: learners enrolled (not withdrawn) in their organization's programmes, and work on
  those programmes;
- a sponsor: aggregates only, never one learner's work or profile here; the name, track and
  progress of a learner who consented (sponsor_sharing) are shown to their cohort's sponsors by
  services/learning/sponsorships.py alone;
- an admin: everything.

A withdrawn learner is no longer readable by that programme's director or cohort mentors (an
assigned mentor keeps reading until the assignment is removed); work submitted on a programme
stays visible to its director. A learner who completed a cohort and then left its organisation
(or was removed from it) is read through that cohort no more, by its director, its mentors or
their assigned mentor (`left_after_completing`): leaving withdraws active enrolments only, so a
completed one kept them readable for good. `can_read_learner` is the single check for a
learner's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, true, tuple_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.models import (
    Cohort,
    CohortMentor,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    Program,
    ProgramMission,
    Role,
    RoleAssignment,
    User,
)
from cyberhub.services.errors import Forbidden, NotFound
from cyberhub.services.identity.memberships import member_pairs
from cyberhub.services.identity.permissions import Principal, manages, require_signed_in


def left_after_completing(student_id: Any, cohort_id: Any) -> ColumnElement[bool]:
    """True where the learner's enrolment in the cohort is completed and they are no longer a
    member of the organisation running it (memberships.member_pairs): they left, or were
    removed, after completing. `student_id` and `cohort_id` are the outer query's columns."""
    members = member_pairs().subquery("still_members")
    done = aliased(Enrollment)
    done_cohort = aliased(Cohort)
    done_program = aliased(Program)
    return (
        select(literal(1))
        .select_from(done)
        .join(done_cohort, col(done_cohort.id) == col(done.cohort_id))
        .join(done_program, col(done_program.id) == col(done_cohort.program_id))
        .where(
            col(done.student_id) == student_id,
            col(done.cohort_id) == cohort_id,
            col(done.status) == EnrollmentStatus.completed,
            ~select(literal(1))
            .where(
                members.c.user_id == col(done.student_id),
                members.c.organization_id == col(done_program.organization_id),
            )
            .exists(),
        )
        .exists()
    )


def _reads_through(student_id: Any, cohort_id: Any) -> ColumnElement[bool]:
    """An enrolment through which staff read its learner: not withdrawn, and not completed by a
    learner who has left the organisation since (left_after_completing)."""
    return and_(
        col(Enrollment.status) != EnrollmentStatus.withdrawn,
        ~left_after_completing(student_id, cohort_id),
    )


def mentor_pairs(mentor_id: int) -> Any:
    """A subquery of (student_id, program_id, assigned) the mentor may review.

    Driven from the mentor's own cohorts and assignments (a handful of rows), so joining it to
    submissions uses the (student_id, mission_id) index instead of scanning by status.
    """
    served: Any = (
        select(
            col(Enrollment.student_id).label("student_id"),
            col(Cohort.program_id).label("program_id"),
            false().label("assigned"),
        )
        .join(CohortMentor, col(CohortMentor.cohort_id) == col(Enrollment.cohort_id))
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .where(
            CohortMentor.mentor_id == mentor_id,
            _reads_through(col(Enrollment.student_id), col(Enrollment.cohort_id)),
            Enrollment.student_id != mentor_id,
        )
    )
    assigned: Any = (
        select(
            col(MentorAssignment.student_id).label("student_id"),
            col(Cohort.program_id).label("program_id"),
            true().label("assigned"),
        )
        .join(Cohort, col(Cohort.id) == col(MentorAssignment.cohort_id))
        .where(
            MentorAssignment.mentor_id == mentor_id,
            MentorAssignment.student_id != mentor_id,
            ~left_after_completing(
                col(MentorAssignment.student_id), col(MentorAssignment.cohort_id)
            ),
        )
    )
    both = union_all(served, assigned).subquery("mentor_rel")
    return (
        select(
            both.c.student_id,
            both.c.program_id,
            func.bool_or(both.c.assigned).label("assigned"),
        )
        .group_by(both.c.student_id, both.c.program_id)
        .subquery("mentor_pairs")
    )


@dataclass
class WorkMentors:
    """The mentors of one learner's work on one mission: those who may claim it (claim's rule,
    reviews.claim_refusal) and so list it in their queue (reviews.queue). `assigned`: assigned
    to the learner in a programme running the mission; `serving`: serving a cohort of such a
    programme the learner is enrolled in (not withdrawn). Never the learner themselves."""

    assigned: set[int] = field(default_factory=set)
    serving: set[int] = field(default_factory=set)

    @property
    def everyone(self) -> set[int]:
        return self.assigned | self.serving


def work_mentors(
    session: Session, work: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], WorkMentors]:
    """For each (student_id, mission_id): its WorkMentors, in one query (mentor_pairs seen from
    the work's side). Work nobody may claim maps to an empty WorkMentors."""
    keys = sorted(set(work))
    found = {key: WorkMentors() for key in keys}
    if not keys:
        return found
    served: Any = (
        select(
            col(Enrollment.student_id).label("student_id"),
            col(ProgramMission.mission_id).label("mission_id"),
            col(CohortMentor.mentor_id).label("mentor_id"),
            false().label("assigned"),
        )
        .join(CohortMentor, col(CohortMentor.cohort_id) == col(Enrollment.cohort_id))
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(ProgramMission, col(ProgramMission.program_id) == col(Cohort.program_id))
        .where(
            tuple_(col(Enrollment.student_id), col(ProgramMission.mission_id)).in_(keys),
            _reads_through(col(Enrollment.student_id), col(Enrollment.cohort_id)),
            col(CohortMentor.mentor_id) != col(Enrollment.student_id),
        )
    )
    assigned: Any = (
        select(
            col(MentorAssignment.student_id).label("student_id"),
            col(ProgramMission.mission_id).label("mission_id"),
            col(MentorAssignment.mentor_id).label("mentor_id"),
            true().label("assigned"),
        )
        .join(Cohort, col(Cohort.id) == col(MentorAssignment.cohort_id))
        .join(ProgramMission, col(ProgramMission.program_id) == col(Cohort.program_id))
        .where(
            tuple_(col(MentorAssignment.student_id), col(ProgramMission.mission_id)).in_(keys),
            col(MentorAssignment.mentor_id) != col(MentorAssignment.student_id),
            ~left_after_completing(
                col(MentorAssignment.student_id), col(MentorAssignment.cohort_id)
            ),
        )
    )
    for student_id, mission_id, mentor_id, is_assigned in session.execute(
        union_all(served, assigned)
    ).all():
        mentors = found[(int(student_id), int(mission_id))]
        (mentors.assigned if is_assigned else mentors.serving).add(int(mentor_id))
    return found


def mentors_student(
    session: Session, mentor_id: int, student_id: int, program_id: int | None = None
) -> bool:
    """True if the mentor serves the student's cohort (in the programme, when given)."""
    pairs = mentor_pairs(mentor_id)
    stmt = select(literal(1)).select_from(pairs).where(pairs.c.student_id == student_id)
    if program_id is not None:
        stmt = stmt.where(pairs.c.program_id == program_id)
    return session.exec(stmt.limit(1)).first() is not None


def is_assigned_mentor(session: Session, mentor_id: int, student_id: int) -> bool:
    return (
        session.exec(
            select(MentorAssignment.id).where(
                MentorAssignment.mentor_id == mentor_id,
                MentorAssignment.student_id == student_id,
            )
        ).first()
        is not None
    )


def directs_student(session: Session, director_id: int, student_id: int) -> bool:
    """True if the student is enrolled (not withdrawn; completed while still a member) in a
    programme of an organisation the director runs. Holding a role in that organisation does
    not count: only enrolment does."""
    stmt = (
        select(literal(1))
        .select_from(Enrollment)
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .join(
            RoleAssignment,
            (col(RoleAssignment.organization_id) == col(Program.organization_id))
            & (RoleAssignment.user_id == director_id)
            & (RoleAssignment.role == Role.director.value),
        )
        .where(
            Enrollment.student_id == student_id,
            _reads_through(col(Enrollment.student_id), col(Enrollment.cohort_id)),
        )
    )
    return session.exec(stmt.limit(1)).first() is not None


def can_read_learner(session: Session, principal: Principal, learner_id: int) -> bool:
    """The one rule for "may staff X read learner Y's data" (profile, answers, progress, advice).

    Self and admins: yes. A mentor: learners assigned to them or enrolled (not withdrawn) in a
    cohort they mentor. A director: learners enrolled (not withdrawn) in their organisation's
    programmes. A sponsor: never (aggregates only). Nothing else — not sharing an organisation,
    not holding a role in it — counts.
    """
    if principal.user_id == learner_id or principal.is_admin:
        return True
    if principal.has_role(Role.mentor) and mentors_student(session, principal.user_id, learner_id):
        return True
    return principal.has_role(Role.director) and directs_student(
        session, principal.user_id, learner_id
    )


def may_view_work(
    session: Session, principal: Principal, *, student_id: int, program_id: int, org_id: int
) -> bool:
    """May the principal see a student's work on a mission of `program_id` (in `org_id`)?"""
    if principal.user_id == student_id or manages(principal, org_id):
        return True
    return principal.has_role(Role.mentor, organization_id=org_id) and mentors_student(
        session, principal.user_id, student_id, program_id
    )


def viewable_learner(
    session: Session, principal: Principal | None, user_id: int | None, what: str
) -> int:
    """The learner a request is about: the caller (no `user_id`), or — for their mentor, a
    director of a programme they are enrolled in, or an admin (see can_read_learner) — `user_id`. NotFound for an unknown user,
    Forbidden ("You can't see this learner's {what}.") otherwise."""
    actor = require_signed_in(principal)
    target = user_id or actor.user_id
    if target != actor.user_id:
        if session.get(User, target) is None:
            raise NotFound("That user does not exist.")
        if not can_read_learner(session, actor, target):
            raise Forbidden(f"You can't see this learner's {what}.")
    return target
