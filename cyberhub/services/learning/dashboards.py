"""The data behind /dashboard/student (a few indexed queries; the mentor's is in mentoring.py)."""

from __future__ import annotations

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cyberhub.formatting import difficulty_label, person_name
from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mission,
    Program,
    Review,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.schemas.learning import (
    CohortRef,
    FeedbackPublic,
    InProgressMission,
    NextAction,
    StudentDashboard,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import profiler
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning import progress
from cyberhub.services.learning.submissions import mission_link, rubric_max
from cyberhub.services.messaging import notifications

FEEDBACK_ITEMS = 3


def next_best_action(
    p: progress.StudentProgress, primary_track: str | None, enrolled: bool
) -> NextAction:
    """One thing to do next: resubmit changes requested > continue a draft > start the easiest
    unlocked mission of their track (then of any track) > wait for a review > browse."""

    def action(
        kind: str, label: str, m: progress.MissionProgress | None = None, link: str = "/missions"
    ) -> NextAction:
        return NextAction(
            kind=kind,
            label=label,
            mission_id=m.id if m else None,
            title=m.title if m else "",
            link=mission_link(m.id) if m else link,
        )

    by_status: dict[str, list[progress.MissionProgress]] = {}
    for m in p.missions:
        by_status.setdefault(m.status, []).append(m)
    if changes := by_status.get(SubmissionStatus.changes_requested):
        m = changes[0]
        return action("resubmit", f"Resubmit “{m.title}”: your mentor asked for changes.", m)
    if drafts := by_status.get(SubmissionStatus.draft):
        m = drafts[0]
        return action("continue_draft", f"Finish and submit your draft of “{m.title}”.", m)
    if not enrolled:
        # A learner in no cohort (e.g. signed up without an organisation): profiler first, then
        # a cohort that takes applications; the library is open to read meanwhile.
        if primary_track is None:
            return action(
                "profiler",
                "Take the career profiler to find your track, then apply to a cohort.",
                link="/onboarding/ai-profiler",
            )
        return action(
            "enroll",
            "Apply to a cohort to start submitting; browse the mission library meanwhile.",
            link="/cohorts",
        )
    if not p.missions:
        # Enrolled, but the programme runs no published mission yet: nothing is "approved".
        return action(
            "browse",
            "Your programme has no missions yet; browse the mission library meanwhile.",
        )
    fresh = sorted(by_status.get(progress.NOT_STARTED, []), key=lambda m: (m.difficulty, m.id))
    mine = [m for m in fresh if m.track == primary_track]
    if mine or fresh:
        m = (mine or fresh)[0]
        return action("start", f"Start “{m.title}” ({difficulty_label(m.difficulty)}).", m)
    if by_status.get(SubmissionStatus.submitted) or by_status.get(SubmissionStatus.in_review):
        return action("wait", "Your work is with your mentor; you'll be notified of the review.")
    if by_status.get(progress.LOCKED):
        return action("browse", "Browse the mission catalog for your next challenge.")
    return action("done", "Every mission is approved. Well done!")


def student_dashboard(session: Session, principal: Principal | None) -> StudentDashboard:
    """Progress per track, missions in progress, latest feedback and the next best action."""
    actor = require_role(principal, Role.student)
    me = actor.user_id
    p = progress.compute(session, me)
    cohorts = session.exec(
        select(Cohort.id, Cohort.name, Program.name)
        .join(Enrollment, col(Enrollment.cohort_id) == col(Cohort.id))
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(
            Enrollment.student_id == me,
            col(Enrollment.status).in_([EnrollmentStatus.active, EnrollmentStatus.completed]),
        )
        .order_by(col(Cohort.starts_on))
    ).all()
    latest = profiler.latest_result(session, me)
    primary = latest["primary_track"] if latest else None
    feedback_rows = session.execute(
        sa_select(
            Review,
            col(Submission.mission_id),
            col(Submission.attempt),
            Mission,
            col(User.full_name),
            col(User.email),
        )
        .join(Submission, col(Submission.id) == col(Review.submission_id))
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .outerjoin(User, col(User.id) == col(Review.mentor_id))
        .where(col(Submission.student_id) == me)
        .order_by(col(Review.created_at).desc())
        .limit(FEEDBACK_ITEMS)
    ).all()
    return StudentDashboard(
        cohorts=[CohortRef(id=cid, name=name, program=prog) for cid, name, prog in cohorts],
        primary_track=primary,
        tracks=p.tracks,
        # Against the learner's scope ("3 of 7"); None while they are in no programme.
        scope=p.scope.as_public() if p.scope else None,
        in_progress=[
            from_row(InProgressMission, m, mission_id=m.id)
            for m in p.missions
            if m.status in progress.IN_PROGRESS
        ],
        latest_feedback=[
            from_row(
                FeedbackPublic,
                r,
                mission_id=mission_id,
                title=mission.title,
                attempt=attempt,
                max_total=rubric_max(mission),
                mentor=person_name(full_name, email) if email else "",
            )
            for r, mission_id, attempt, mission, full_name, email in feedback_rows
        ],
        next_action=next_best_action(p, primary, enrolled=bool(cohorts)),
        unread_notifications=notifications.unread_count(session, me),
    )
