"""SQL conditions that several learning reads share, so that they count alike: the director's
roster and cohort list (programs.py), the roster export (admin/export_writers.py), and the
missions a programme expects (mission_scope.py, schedule.py). A learner's progress ("3 of 7")
has one definition, mission_scope.scopes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func
from sqlalchemy.orm.util import AliasedClass
from sqlmodel import col

from cyberhub.models import (
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    Mission,
    ProgramTrack,
    User,
)


def enrollment_assignment() -> ColumnElement[bool]:
    """An Enrollment row's MentorAssignment: the same cohort and student. Joined or tested by
    the roster, the cohort list's unassigned count and the roster export alike."""
    return and_(
        col(MentorAssignment.cohort_id) == col(Enrollment.cohort_id),
        col(MentorAssignment.student_id) == col(Enrollment.student_id),
    )


def waits_for_a_mentor() -> ColumnElement[bool]:
    """An Enrollment row whose learner waits for a mentor: enrolled (active), their account
    active (a deactivated learner keeps their seat but can't sign in: no mentor's place is
    theirs), and no mentor here yet. What Balance matches and what the cohort page, the
    director's home and the analytics count "without a mentor"."""
    return and_(
        col(Enrollment.status) == EnrollmentStatus.active,
        exists().where(col(User.id) == col(Enrollment.student_id), col(User.is_active)),
        ~exists().where(enrollment_assignment()),
    )


def runs_mission_track(program_id: Any) -> ColumnElement[bool]:
    """A ProgramTrack row of the programme `program_id` (a column) and the Mission's track.
    Joined, it keeps only the missions of tracks the programme runs: a track it stopped running
    is not expected of its learners, whatever program_missions rows are left."""
    return and_(
        col(ProgramTrack.program_id) == program_id,
        col(ProgramTrack.track_id) == col(Mission.track_id),
    )


def name_order(person: type[User] | AliasedClass[User]) -> ColumnElement[str]:
    """ORDER BY a person (`User` or an alias of it) by the name lists show them with
    (formatting.person_name: their full name, else their address): someone enrolled by address
    alone, with no full name, sorts where their address falls, not first."""
    return func.coalesce(func.nullif(col(person.full_name), ""), col(person.email))
