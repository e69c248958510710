"""One learner as their mentor or programme director sees them: the mentee page (issue 16,
item 9) and GET /api/v1/mentees/{id} — profile, progress, attempts, cohorts, recommendations,
and from the Coaching OS their goals, habits with streaks and the reflections they shared.

Read rights are the tenancy rule (learning_access.can_read_learner): the learner's mentor, a
director of a programme they are enrolled in, an admin. Anyone else — a mentor of another
cohort, a director of another organisation, a sponsor — gets the same NotFound as for an id
that does not exist, so the page does not tell who is a learner elsewhere. Within the page, the
cohorts and attempts listed are only those of programmes the viewer is related to, and goals link
only the missions whose work the viewer may see (another organisation's enrolment and work of the
same learner stay out of sight; the coach's plan follows the same rule, coach.read_plan).
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.formatting import person_name
from cyberhub.models import (
    Cohort,
    Enrollment,
    MentorAssignment,
    Mission,
    Program,
    Review,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.schemas.coaching import GoalPublic
from cyberhub.schemas.mentees import MenteeAttempt, MenteeCohort, MenteeOverview, MenteeProfile
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import profiler, recommendations
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES
from cyberhub.services.coaching import goals, habits, reflections
from cyberhub.services.errors import NotFound
from cyberhub.services.identity.permissions import Principal, manages, require_signed_in
from cyberhub.services.learning import progress
from cyberhub.services.learning.learning_access import (
    can_read_learner,
    mentors_student,
)
from cyberhub.services.learning.submissions import missions_seen, rubric_max, work_seen

NOT_YOURS = "No learner of yours has that id."
ATTEMPTS_SHOWN = 50


def _related_program(session: Session, actor: Principal, learner_id: int, program: Program) -> bool:
    if manages(actor, program.organization_id):
        return True
    return actor.has_role(Role.mentor) and mentors_student(
        session, actor.user_id, learner_id, program.id
    )


def _cohorts(session: Session, actor: Principal, learner_id: int) -> list[MenteeCohort]:
    rows = session.exec(
        select(Enrollment, Cohort, Program)
        .join(Cohort, col(Cohort.id) == col(Enrollment.cohort_id))
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(Enrollment.student_id == learner_id)
        .order_by(col(Enrollment.enrolled_at).desc())
    ).all()
    out = []
    for e, c, p in rows:
        if not _related_program(session, actor, learner_id, p):
            continue
        mentors = session.exec(
            select(User)
            .join(MentorAssignment, col(MentorAssignment.mentor_id) == col(User.id))
            .where(MentorAssignment.cohort_id == c.id, MentorAssignment.student_id == learner_id)
            .order_by(col(User.full_name))
        ).all()
        out.append(
            from_row(
                MenteeCohort,
                e,
                cohort_id=c.id or 0,
                cohort=c.name,
                program=p.name,
                mentors=[person_name(m.full_name, m.email) for m in mentors],
            )
        )
    return out


MENTEE_CLOSED_GOALS = 10  # the closed goals a mentee page lists, newest first


def _goals(session: Session, actor: Principal, learner_id: int) -> list[GoalPublic]:
    """The learner's active goals and their MENTEE_CLOSED_GOALS newest closed ones, each linking only the missions the viewer sees (work_seen, the
    attempts' rule) and its progress counted over those (goals.seen_with_missions): a goal may
    name another organisation's mission."""
    seen: dict[int, bool] = {}

    def sees(mission_id: int) -> bool:
        if mission_id not in seen:
            seen[mission_id] = work_seen(session, actor, learner_id, mission_id)
        return seen[mission_id]

    return [
        goals.seen_with_missions(g, sees)
        for g in goals.goals_public(session, learner_id, closed_newest=MENTEE_CLOSED_GOALS)
    ]


def _count(
    session: Session, learner_id: int, visible: list[int], statuses: list[SubmissionStatus]
) -> int:
    """How many of the learner's attempts on the `visible` missions have one of `statuses`,
    listed or not."""
    if not visible:
        return 0
    return session.exec(
        select(func.count()).where(
            Submission.student_id == learner_id,
            col(Submission.status).in_(statuses),
            col(Submission.mission_id).in_(visible),
        )
    ).one()


# For a review; and every attempt handed in (what _attempts lists).
WAITING: list[SubmissionStatus] = [SubmissionStatus.submitted, SubmissionStatus.in_review]
HANDED_IN: list[SubmissionStatus] = [s for s in SubmissionStatus if s != SubmissionStatus.draft]


def _attempts(session: Session, learner_id: int, visible: list[int]) -> list[MenteeAttempt]:
    """The newest ATTEMPTS_SHOWN attempts on the `visible` missions (work of another programme
    or organisation is left out before the limit, so it never crowds theirs off the page)."""
    if not visible:
        return []
    # One query for the attempts with their review and reviewer (not two more per attempt).
    reviewer_user = aliased(User)
    rows = session.exec(
        select(Submission, Mission, Review, reviewer_user)
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .outerjoin(Review, col(Review.submission_id) == col(Submission.id))
        .outerjoin(reviewer_user, col(reviewer_user.id) == col(Review.mentor_id))
        .where(
            Submission.student_id == learner_id,
            Submission.status != SubmissionStatus.draft,
            col(Submission.mission_id).in_(visible),
        )
        .order_by(col(Submission.submitted_at).desc().nulls_last(), col(Submission.id).desc())
        .limit(ATTEMPTS_SHOWN)
    ).all()
    return [
        from_row(
            MenteeAttempt,
            sub,
            submission_id=sub.id or 0,
            mission_id=mission.id or 0,
            mission=mission.title,
            total=review.total if review else None,
            max_points=rubric_max(mission),
            reviewer=person_name(reviewer.full_name, reviewer.email) if reviewer else "",
        )
        for sub, mission, review, reviewer in rows
    ]


def _profile(session: Session, learner_id: int) -> MenteeProfile | None:
    r = profiler.latest_result(session, learner_id)
    if r is None:
        return None
    persona = r["persona"] or {}
    return MenteeProfile(
        track=TRACK_NAMES.get(r["primary_track"], r["primary_track"]),
        secondary=TRACK_NAMES.get(r["secondary_track"], r["secondary_track"] or ""),
        confidence=r["confidence"],
        confidence_explanation=r["confidence_explanation"],
        persona_title=str(persona.get("title", "")),
        narrative=str(persona.get("narrative", "")),
        strengths=[str(s) for s in persona.get("strengths", [])],
        growth_areas=[str(s) for s in persona.get("growth_areas", [])],
        completed_at=r["completed_at"] or None,
    )


def mentee(session: Session, principal: Principal | None, user_id: int) -> MenteeOverview:
    """The mentee page's data. NotFound (the same message) for an unknown id, oneself, and a
    learner the viewer has no relationship with."""
    actor = require_signed_in(principal)
    learner = session.get(User, user_id)
    if learner is None or user_id == actor.user_id or not can_read_learner(session, actor, user_id):
        raise NotFound(NOT_YOURS)
    done = progress.compute(
        session, user_id, within=progress.programs_seen_by(session, actor, user_id)
    )
    recs = recommendations.stored(session, actor, user_id)
    visible = missions_seen(session, actor, user_id)
    attempts = _attempts(session, user_id, visible)
    scope = done.scope
    return MenteeOverview(
        user_id=user_id,
        name=person_name(learner.full_name, learner.email),
        email=learner.email,
        profile=_profile(session, user_id),
        track_label=(
            f"{scope.label} {scope.track_name or ''} "
            f"{'mission' if scope.expected == 1 else 'missions'} approved".replace("  ", " ")
            if scope
            else ""
        ),
        track_percent=scope.percent if scope else 0,
        tracks=done.tracks,
        cohorts=_cohorts(session, actor, user_id),
        attempts=attempts,
        attempts_total=_count(session, user_id, visible, HANDED_IN),
        waiting=_count(session, user_id, visible, WAITING),
        # Review links for the learner's mentor only: a director (a mentor of other cohorts
        # too) reads the work here and has no review to do on it.
        can_review=actor.has_role(Role.mentor) and mentors_student(session, actor.user_id, user_id),
        recommendations_enabled=recs.enabled,
        recommendations=recs.items[:5],
        goals=_goals(session, actor, user_id),
        habits=habits.habits_public(session, user_id),
        shared_reflections=reflections.shared_reflections(session, actor, user_id, limit=10),
    )
