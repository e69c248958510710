"""SQL conditions that several learning reads share, so that they count alike: the director's
roster and cohort list (programs.py), the roster export (admin/export_writers.py), the
sponsors' view of consenting learners (sponsorships.py), a programme's progress figures
(progress.py), and the missions a programme expects (mission_scope.py, schedule.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from cyberhub.models import (
    Enrollment,
    MentorAssignment,
    Mission,
    MissionStatus,
    ProgramMission,
    ProgramTrack,
    Submission,
)


def enrollment_assignment() -> ColumnElement[bool]:
    """An Enrollment row's MentorAssignment: the same cohort and student. Joined or tested by
    the roster, the cohort list's unassigned count and the roster export alike."""
    return and_(
        col(MentorAssignment.cohort_id) == col(Enrollment.cohort_id),
        col(MentorAssignment.student_id) == col(Enrollment.student_id),
    )


def is_latest_attempt() -> ColumnElement[bool]:
    """A Submission row no later attempt of the same student and mission follows. Progress
    counts a mission approved only by its latest attempt: the roster, its export and the
    sponsors' view of learners use this one rule."""
    later = aliased(Submission)
    return ~exists().where(
        col(later.student_id) == col(Submission.student_id),
        col(later.mission_id) == col(Submission.mission_id),
        col(later.attempt) > col(Submission.attempt),
    )


def runs_mission_track(program_id: Any) -> ColumnElement[bool]:
    """A ProgramTrack row of the programme `program_id` (a column) and the Mission's track.
    Joined, it keeps only the missions of tracks the programme runs: a track it stopped running
    is not expected of its learners, whatever program_missions rows are left."""
    return and_(
        col(ProgramTrack.program_id) == program_id,
        col(ProgramTrack.track_id) == col(Mission.track_id),
    )


def _published_of(program_id: Any) -> list[ColumnElement[bool]]:
    # Correlated explicitly: given a column (a roster row's Cohort.program_id), the programme's
    # missions sit two SELECTs below that row, where automatic correlation gives up and adds
    # the outer table to the inner FROM (every programme with a cohort was counted).
    runs = (
        select(ProgramMission.mission_id)
        .where(ProgramMission.program_id == program_id)
        .correlate_except(ProgramMission)
    )
    return [col(Mission.id).in_(runs), col(Mission.status) == MissionStatus.published]


def published_missions(program_id: Any) -> SelectOfScalar[int | None]:
    """A SELECT of the ids of the published missions the programme runs (an id, or a column of
    the enclosing query such as Cohort.program_id): what its learners' progress counts
    approvals of (the director's roster, the roster export, the mentor's mentees)."""
    return select(col(Mission.id)).where(*_published_of(program_id))


def published_count(program_id: Any) -> SelectOfScalar[int]:
    """A SELECT of how many published missions the programme runs (an id or a column): the
    whole of its learners' progress (the director's roster and its export, the sponsors' view,
    progress.program_progress)."""
    return select(func.count()).select_from(Mission).where(*_published_of(program_id))
