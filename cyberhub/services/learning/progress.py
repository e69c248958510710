"""Progress, derived from submissions (nothing is stored):

- per mission, for a student: the latest attempt's status, else "locked" (a published
  prerequisite is not approved yet) or "not_started";
- per track: approved published missions of the track / published missions of the track, as a
  whole percent rounded down (100 only when every one is approved);
- per cohort: the mean of its (non-withdrawn) students' percents.

The scope of a student's progress is what they are expected to do (services/mission_scope):
the published missions their programmes run; the headline "3 of 7" counts those of their own
track (mission_scope.scopes: the one definition the mentee page, the mentor's and director's
lists and the sponsors' view show too). A learner in no programme has no scope yet: an empty state, never a share of the whole
catalog. Tracks are global (one row per key). Each figure is one or two GROUP BY queries driven
by indexes (submissions by student_id, program_missions by programme).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, null
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.models import (
    CohortMentor,
    Enrollment,
    EnrollmentStatus,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Program,
    ProgramMission,
    ProgramTrack,
    Role,
    Submission,
    SubmissionStatus,
    Track,
)
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.schemas.learning import (
    TrackProgress,
)
from cyberhub.schemas.reviews import CohortProgress, NamedRef
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity.permissions import (
    Principal,
    hide_from_outsiders,
    manages,
    require_signed_in,
)
from cyberhub.services.learning import mission_scope
from cyberhub.services.learning.learning_access import mentors_student, viewable_learner
from cyberhub.services.learning.mission_scope import ScopeProgress, percent, scopes
from cyberhub.services.learning.programs import (
    UNKNOWN_COHORT,
    cohort_with_program,
)

NOT_STARTED = "not_started"
LOCKED = "locked"
# An open attempt: started and not yet approved (also the catalog's "in progress" filter).
IN_PROGRESS = (
    SubmissionStatus.draft,
    SubmissionStatus.submitted,
    SubmissionStatus.in_review,
    SubmissionStatus.changes_requested,
)


@dataclass
class MissionProgress:
    id: int
    title: str
    track: str
    difficulty: int
    status: str
    submission_id: int | None
    attempt: int


@dataclass
class StudentProgress:
    student_id: int
    program_ids: list[int]
    tracks: list[TrackProgress]  # in the canonical order
    missions: list[MissionProgress]
    scope: ScopeProgress | None = None  # None: in no programme yet

    @property
    def in_programme(self) -> bool:
        return bool(self.program_ids)

    @property
    def track_percents(self) -> dict[str, int]:
        return {t.key: t.percent for t in self.tracks}


def student_programs(session: Session, student_id: int) -> list[int]:
    """Programmes the student is (or was) enrolled in: active or completed enrolments."""
    return sorted(
        session.exec(mission_scope.learner_programs(student_id, completed=True).distinct()).all()
    )


def approved_missions(student_id: int) -> Any:
    """A SELECT of the ids of the missions the student has completed (approved is final)."""
    return select(Submission.mission_id).where(
        Submission.student_id == student_id, Submission.status == SubmissionStatus.approved
    )


def locked_missions(student_id: int) -> Any:
    """A SELECT of the ids of the missions locked for the student: a published prerequisite is
    not approved yet (the same rule as a mission's "locked" status)."""
    prereq = aliased(Mission)
    return (
        sa_select(col(MissionPrerequisite.mission_id))
        .join(prereq, col(prereq.id) == col(MissionPrerequisite.prerequisite_id))
        .where(
            col(prereq.status) == MissionStatus.published,
            col(MissionPrerequisite.prerequisite_id).not_in(approved_missions(student_id)),
        )
    )


def started_missions(student_id: int) -> Any:
    """A SELECT of the ids of the missions the student has started: any attempt, a draft too
    (completed ones included: approved is an attempt)."""
    return select(Submission.mission_id).where(Submission.student_id == student_id)


def open_to(student_id: int) -> Any:
    """A condition on `Mission`: not started (nor, so, completed) and not locked for the
    student — what may be offered as a next step ("Start here"); a started mission is under
    "In progress" already."""
    return col(Mission.id).not_in(started_missions(student_id)) & col(Mission.id).not_in(
        locked_missions(student_id)
    )


def mission_statuses(session: Session, student_id: int, mission_ids: list[int]) -> dict[int, str]:
    """The student's status on each of these missions: their latest attempt's status, else
    "locked" or "not_started" (two small queries, whatever the number of missions)."""
    if not mission_ids:
        return {}
    latest = dict(
        session.exec(
            select(Submission.mission_id, Submission.status)
            .where(Submission.student_id == student_id, col(Submission.mission_id).in_(mission_ids))
            .order_by(col(Submission.mission_id), col(Submission.attempt).desc())
            .ext(distinct_on(col(Submission.mission_id)))
        ).all()
    )
    fresh = [mid for mid in mission_ids if mid not in latest]
    locked: set[int] = set()
    if fresh:
        locked = set(
            session.execute(
                locked_missions(student_id).where(col(MissionPrerequisite.mission_id).in_(fresh))
            )
            .scalars()
            .all()
        )
    return {
        mid: str(latest[mid]) if mid in latest else (LOCKED if mid in locked else NOT_STARTED)
        for mid in mission_ids
    }


def _track_order(key: str) -> int:
    return TRACK_KEYS.index(key) if key in TRACK_KEYS else len(TRACK_KEYS)


def compute(
    session: Session, student_id: int, *, within: Collection[int] | None = None
) -> StudentProgress:
    """A student's progress without any permission check (callers check). Five small queries;
    the headline ("3 of 7") is scopes()'s, as every staff list shows it.

    The missions are those their programmes run (mission_scope.expected_missions); none when
    they are in no programme. `within` keeps only those programmes (a staff reader's: another
    organisation's missions and work stay out of the figures)."""
    programs = student_programs(session, student_id)
    if within is not None:
        programs = [p for p in programs if p in within]
    if not programs:
        return StudentProgress(student_id=student_id, program_ids=[], tracks=[], missions=[])
    prereq = aliased(Mission)
    missions_stmt = (
        sa_select(
            col(Mission.id),
            col(Mission.title),
            col(Mission.difficulty),
            col(Track.key),
            func.array_remove(func.array_agg(prereq.id), null()),
        )
        .join(Track, col(Track.id) == col(Mission.track_id))
        .outerjoin(MissionPrerequisite, col(MissionPrerequisite.mission_id) == col(Mission.id))
        .outerjoin(
            prereq,
            and_(
                col(prereq.id) == col(MissionPrerequisite.prerequisite_id),
                col(prereq.status) == MissionStatus.published,
            ),
        )
        .where(
            col(Mission.id).in_(
                mission_scope.expected_missions(student_id).where(
                    col(ProgramMission.program_id).in_(programs)
                )
            )
        )
        .group_by(col(Mission.id), col(Track.key))
    )
    tracks_stmt = (
        select(Track.key, Track.name)
        .join(ProgramTrack, col(ProgramTrack.track_id) == col(Track.id))
        .where(col(ProgramTrack.program_id).in_(programs))
    )
    missions = session.execute(missions_stmt).all()
    track_names: dict[str, str] = {}
    for key, name in session.exec(tracks_stmt).all():
        track_names.setdefault(key, name)
    # The latest attempt per mission (DISTINCT ON uses the (student_id, mission_id) index).
    latest = {
        mission_id: (status, sub_id, attempt)
        for mission_id, status, sub_id, attempt in session.exec(
            select(Submission.mission_id, Submission.status, Submission.id, Submission.attempt)
            .where(Submission.student_id == student_id)
            .order_by(col(Submission.mission_id), col(Submission.attempt).desc())
            .ext(distinct_on(col(Submission.mission_id)))
        ).all()
    }
    # Approved is final (no attempt follows it), so "latest is approved" == "approved".
    approved = {
        mid for mid, (status, _, _) in latest.items() if status == SubmissionStatus.approved
    }
    rows: list[MissionProgress] = []
    counts: dict[str, list[int]] = {key: [0, 0] for key in track_names}
    for mid, title, difficulty, key, prereqs in missions:
        status, sub_id, attempt = latest.get(mid, (None, None, 0))
        if status is None:
            status = LOCKED if any(p not in approved for p in prereqs or []) else NOT_STARTED
        rows.append(MissionProgress(mid, title, key, difficulty, status, sub_id, attempt))
        c = counts.setdefault(key, [0, 0])
        c[1] += 1
        if mid in approved:
            c[0] += 1
    rows.sort(key=lambda m: (_track_order(m.track), m.track, m.difficulty, m.id))
    tracks = [
        TrackProgress(
            key=key,
            name=track_names.get(key, key.title()),
            approved=done,
            published=total,
            percent=percent(done, total),
        )
        for key, (done, total) in sorted(
            counts.items(), key=lambda kv: (_track_order(kv[0]), kv[0])
        )
    ]
    [scope] = scopes(session, [(student_id, programs)])
    return StudentProgress(
        student_id=student_id, program_ids=programs, tracks=tracks, missions=rows, scope=scope
    )


def programs_seen_by(session: Session, actor: Principal, learner_id: int) -> list[int] | None:
    """The learner's programmes whose progress `actor` reads: every one for the learner and an
    admin (None), else those of an organisation they direct or where they mentor the learner
    (another organisation's missions and work stay out of a staff reader's figures)."""
    if actor.user_id == learner_id or actor.is_admin:
        return None
    directed = actor.organizations(Role.director)
    out = []
    for program_id in student_programs(session, learner_id):
        program = session.get(Program, program_id)
        if program is None:
            continue
        if program.organization_id in directed or (
            actor.has_role(Role.mentor)
            and mentors_student(session, actor.user_id, learner_id, program_id)
        ):
            out.append(program_id)
    return out


def progress_for(session: Session, principal: Principal | None, user_id: int) -> StudentProgress:
    """A student's progress: for themselves, their mentor, a director of their organization,
    or an admin (Forbidden otherwise; NotFound for an unknown user). Staff read it within
    their own programmes (programs_seen_by)."""
    learner = viewable_learner(session, principal, user_id, "progress")
    actor = require_signed_in(principal)
    return compute(session, learner, within=programs_seen_by(session, actor, learner))


def cohort_progress(
    session: Session, principal: Principal | None, cohort_id: int
) -> CohortProgress:
    """Mean progress of a cohort's students (enrolled, not withdrawn), overall and per track, in
    two queries (the learners, then mission_scope.program_scopes).

    Each learner's fraction is their own "N of M" (approved missions of their track among the
    published missions the cohort's programme runs), what the roster, the mentor home and the
    learner's dashboard say. `percent`: the mean of every learner's fraction; `tracks`: for each
    track a learner follows (their profiler's primary track), the mean of those learners'
    fractions (a learner without a track yet counts in `percent` only); 0..100, rounded down.
    Visible to admins, directors of the organization and mentors serving the cohort.
    """
    actor = require_signed_in(principal)
    cohort, program = cohort_with_program(session, cohort_id)
    allowed = manages(actor, program.organization_id)
    if not allowed and actor.has_role(Role.mentor):
        allowed = (
            session.exec(
                select(CohortMentor.cohort_id).where(
                    CohortMentor.cohort_id == cohort_id, CohortMentor.mentor_id == actor.user_id
                )
            ).first()
            is not None
        )
    if not allowed:
        hide_from_outsiders(actor, program.organization_id, UNKNOWN_COHORT)
        raise Forbidden("You can't see this cohort's progress.")
    learners = session.exec(
        select(Enrollment.student_id)
        .where(
            Enrollment.cohort_id == cohort_id,
            Enrollment.status != EnrollmentStatus.withdrawn,
        )
        .order_by(col(Enrollment.student_id))
    ).all()
    figures = mission_scope.program_scopes(session, [(s, program.id or 0) for s in learners])
    by_track: dict[str, list[ScopeProgress]] = {}
    for figure in figures:
        if figure.track:
            by_track.setdefault(figure.track, []).append(figure)
    return CohortProgress(
        cohort=NamedRef(id=cohort.id or 0, name=cohort.name),
        students=len(learners),
        percent=_mean_percent(figures),
        tracks={
            key: _mean_percent(by_track[key])
            for key in sorted(by_track, key=lambda k: (_track_order(k), k))
        },
    )


def _mean_percent(figures: Collection[ScopeProgress]) -> int:
    """The mean of the learners' fractions (approved / expected; none expected counts 0), as a
    percent rounded down; 0 for nobody."""
    if not figures:
        return 0
    mean = sum(
        (Fraction(f.approved, f.expected) for f in figures if f.expected > 0), Fraction(0)
    ) / len(figures)
    return percent(mean.numerator, mean.denominator)
