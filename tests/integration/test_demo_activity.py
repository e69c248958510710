"""The demo learning activity: every learning screen has something to show on a first run, and
the data obeys the workflow's rules (it is made through the services)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, func
from sqlmodel import Session, col, select

from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    HintReveal,
    MentorAssignment,
    Notification,
    OutboxMail,
    Review,
    RoleAssignment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.certificates import Certificate
from cyberhub.services.admin import demo as demo_data
from cyberhub.services.ai import profiler
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning import (
    applications,
    certificates,
    dashboards,
    mentoring,
    programs,
    reviews,
    submissions,
)
from cyberhub.services.messaging import notifications

pytestmark = [pytest.mark.integration, pytest.mark.missions, pytest.mark.student]

STUDENT, MENTOR = demo_data.STUDENT, demo_data.MENTOR


@pytest.fixture(scope="module")
def full_demo_url(pg_admin_url: str, redis_url: str) -> Iterator[str]:
    """One database with the whole demo (activity included) for this module: loading it takes
    seconds, and these tests only read it. Against the tests' Redis (`redis_url`): without it the
    demo's jobs and debounce keys started an embedded Redis under .data/ that outlived the run."""
    from tests.factories import create_database, libpq

    name = f"demo_activity_{os.getpid()}"
    url = create_database(pg_admin_url, name)
    engine = create_engine(url)
    with Session(engine) as s:
        started = time.perf_counter()
        demo_data.load_demo_data(s)
        s.commit()
        print(f"demo data with activity loaded in {time.perf_counter() - started:.2f} s")
    engine.dispose()
    yield url
    with psycopg.connect(libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def session(full_demo_url: str) -> Iterator[Session]:
    """A session on the full demo; whatever a test writes is rolled back."""
    engine = create_engine(full_demo_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.rollback()
    engine.dispose()


def who(session: Session, email: str) -> Principal:
    user = session.exec(select(User).where(User.email == email)).one()
    p = load_principal(session, user.id or 0)
    assert p is not None
    return p


def subs_of(session: Session, email: str) -> list[Submission]:
    user = session.exec(select(User).where(User.email == email)).one()
    return list(
        session.exec(
            select(Submission)
            .where(Submission.student_id == user.id)
            .order_by(col(Submission.mission_id), col(Submission.attempt))
        ).all()
    )


def test_submissions_in_every_state(session: Session) -> None:
    rows = session.exec(select(Submission)).all()
    states = {s.status for s in rows}
    assert states == {s.value for s in SubmissionStatus}
    mentor = who(session, MENTOR)
    now = utcnow()
    # In review: claimed by the demo mentor recently, the claim still running.
    claimed = [s for s in rows if s.status == SubmissionStatus.in_review]
    assert claimed and all(s.claimed_by_id == mentor.user_id for s in claimed)
    for s in claimed:
        assert s.claim_expires_at is not None
        assert now + timedelta(hours=12) < s.claim_expires_at <= now + timedelta(hours=24)
    # A resubmission (attempt 2) waits in the queue.
    assert any(s.status == SubmissionStatus.submitted and s.attempt == 2 for s in rows)
    # Every decided attempt has its review, with a score for each rubric criterion.
    decided = [s for s in rows if s.status in reviews.DECISIONS]
    by_sub = {r.submission_id: r for r in session.exec(select(Review)).all()}
    assert {s.id for s in decided} == set(by_sub)
    for s in decided:
        r = by_sub[s.id or 0]
        assert r.decision == s.status and r.feedback.strip() and r.total > 0
        assert s.decided_at is not None and s.submitted_at is not None
        assert s.submitted_at < s.decided_at
    for r in by_sub.values():
        if r.decision == SubmissionStatus.changes_requested:
            assert "rework" in r.feedback


def test_activity_is_spread_over_the_last_weeks(session: Session) -> None:
    now = utcnow()
    submitted = [s.submitted_at for s in session.exec(select(Submission)).all() if s.submitted_at]
    assert min(submitted) < now - timedelta(days=14)
    assert max(submitted) > now - timedelta(days=2)
    assert all(now - timedelta(days=30) < t <= now for t in submitted)
    events = session.exec(select(SubmissionEvent)).all()
    assert min(e.created_at for e in events) < now - timedelta(days=14)
    # Each timeline is in order: submitted first.
    timeline: dict[int, list[SubmissionEvent]] = {}
    for e in sorted(events, key=lambda e: (e.created_at, e.id or 0)):
        timeline.setdefault(e.submission_id, []).append(e)
    assert all(t[0].kind == submissions.EV_SUBMITTED for t in timeline.values())


def test_attempts_are_dense_and_only_enrolled_students_submit(session: Session) -> None:
    enrolled = set(
        session.exec(
            select(Enrollment.student_id).where(
                col(Enrollment.status).in_([EnrollmentStatus.active, EnrollmentStatus.completed])
            )
        ).all()
    )
    attempts: dict[tuple[int, int], list[int]] = {}
    for s in session.exec(select(Submission)).all():
        assert s.student_id in enrolled
        attempts.setdefault((s.student_id, s.mission_id), []).append(s.attempt)
    for numbers in attempts.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_one_demo_learner_completed_with_a_certificate(session: Session) -> None:
    juma = session.exec(select(User).where(User.email == demo_data.COMPLETER)).one()
    [cert] = session.exec(select(Certificate).where(Certificate.user_id == juma.id)).all()
    shown = certificates.verify(session, None, cert.code)
    assert shown.name == "Juma Mwangi" and shown.track == "Leaders" and not shown.revoked
    assert shown.cohort == demo_data.SPRING and shown.organization
    assert len(shown.missions) == 3
    assert cert.issued_at < utcnow() - timedelta(days=6)
    row = session.exec(select(Enrollment).where(Enrollment.student_id == juma.id)).one()
    assert row.status == EnrollmentStatus.completed and row.completed_at == cert.issued_at
    # Nobody else completed: the demo student has two of the three required builders missions.
    assert session.exec(select(func.count()).select_from(Certificate)).one() == 1


def test_the_demo_student_has_a_clear_next_action(session: Session) -> None:
    board = dashboards.student_dashboard(session, who(session, STUDENT)).model_dump()
    assert board["next_action"]["kind"] == "resubmit"
    assert board["next_action"]["mission_id"] is not None
    assert board["primary_track"] == "builders"
    assert [c["name"] for c in board["cohorts"]] == ["Nairobi Spring Cohort"]
    statuses = {m["status"] for m in board["in_progress"]}
    assert statuses == {"draft", "submitted", "in_review", "changes_requested"}
    builders = next(t for t in board["tracks"] if t["key"] == "builders")
    assert builders["approved"] == 2 and builders["percent"] > 0
    decisions = {f["decision"] for f in board["latest_feedback"]}
    assert decisions == {"approved", "changes_requested"}
    assert board["unread_notifications"] >= 1
    # History: the resubmitted mission shows both attempts with their reviews.
    ci = [s for s in subs_of(session, STUDENT) if s.attempt == 2]
    [detail_1, detail_2] = submissions.history(
        session, who(session, STUDENT), ci[0].student_id, ci[0].mission_id
    )
    assert detail_1.review and detail_1.review.decision == "changes_requested"
    assert detail_2.review and detail_2.review.decision == "approved"
    hints = session.exec(
        select(func.count())
        .select_from(HintReveal)
        .where(HintReveal.student_id == ci[0].student_id)
    ).one()
    assert hints >= 3


def test_the_demo_mentor_sees_every_queue_bucket(session: Session) -> None:
    mentor = who(session, MENTOR)
    board = mentoring.mentor_dashboard(session, mentor)
    assert all(getattr(board.queue, b) > 0 for b in reviews.BUCKETS), board.queue
    assert len(board.mentees) >= 6
    assert any(m.percent > 0 for m in board.mentees)
    assert all(m.last_activity for m in board.mentees)
    assert board.pending_preview
    # Assigned mentees come first; another mentor's mentee in the cohort is still reviewable.
    assigned = [i.assigned_to_me for i in board.pending_preview]
    assert assigned == sorted(assigned, reverse=True) and not assigned[-1]
    assert any(i.attempt == 2 for i in board.pending_preview)
    work = board.workload
    assert work.reviewed_last_7_days > 0 and work.median_turnaround_hours is not None
    for bucket in reviews.BUCKETS:
        page = reviews.queue(session, mentor, bucket=bucket)
        assert page.items, bucket
    # The review page's data loads for a claimed submission.
    [claimed, *_] = reviews.queue(session, mentor, bucket="claimed_by_me").items
    detail = submissions.get_submission(session, mentor, claimed.id)
    assert detail.submission.answer and detail.events
    # The bell: new submissions and an expired claim, unread.
    inbox = notifications.list_for(session, mentor, unread_only=True)
    kinds = {n.kind for n in inbox.items}
    assert {notifications.SUBMISSION_RECEIVED, notifications.CLAIM_EXPIRED} <= kinds


def test_the_expired_claim_went_back_to_the_queue(session: Session) -> None:
    [lucy] = subs_of(session, "lucy.wambui@cyberhub.example")
    assert lucy.status == SubmissionStatus.submitted and lucy.claimed_by_id is None
    kinds = [
        e.kind
        for e in session.exec(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == lucy.id)
            .order_by(col(SubmissionEvent.created_at))
        ).all()
    ]
    assert kinds == ["submitted", "claimed", "claim_expired"]


def test_the_director_roster_shows_progress_and_mentors(session: Session) -> None:
    director = who(session, "director@cyberhub.example")
    spring = session.exec(select(Cohort).where(Cohort.name == "Nairobi Spring Cohort")).one()
    rows = programs.roster(session, director, spring.id or 0)
    assert len(rows) == 1 + sum(1 for *_, c, _m in demo_data.DEMO_LEARNERS if c == spring.name)
    assert sum(1 for r in rows if r.progress > 0) >= 4
    assert {r.mentor for r in rows} >= {"Brian Otieno", "Halima Yusuf", ""}
    mentors = session.exec(
        select(func.count(func.distinct(MentorAssignment.mentor_id))).where(
            MentorAssignment.cohort_id == spring.id
        )
    ).one()
    assert mentors == 2


def test_learners_who_took_the_profiler_are_measured_against_their_track(
    session: Session,
) -> None:
    # A first run showed "0 of 35 missions" for most of the roster (and "6 overdue" on
    # missions of tracks they don't follow): only the demo student and Juma had a track.
    director = who(session, "director@cyberhub.example")
    spring = session.exec(select(Cohort).where(Cohort.name == "Nairobi Spring Cohort")).one()
    by_email = {r.email: r for r in programs.roster(session, director, spring.id or 0)}
    took_it = [STUDENT, *demo_data.DEMO_TRACKS]
    assert len(took_it) >= 9  # all but the two newest learners
    for email in took_it:
        assert by_email[email].published == 7, (email, by_email[email].published)
    for email, (track, _runner_up) in demo_data.DEMO_TRACKS.items():
        result = profiler.latest_result(session, who(session, email).user_id)
        assert result is not None and result["primary_track"] == track, email
    # The two newest learners have not taken it yet: the funnel has a step still to climb.
    assert (
        profiler.latest_result(session, who(session, "samuel.mutua@cyberhub.example").user_id)
        is None
    )


def test_the_evening_cohort_takes_applications_and_one_waits_for_the_director(
    session: Session,
) -> None:
    # A first run showed the demo student "No cohort is open right now" at /cohorts, and the
    # director's cohort pages "No pending applications." with an empty bell.
    offers = applications.open_cohorts(session, who(session, STUDENT)).items
    assert [(o.name, o.mode, o.my_status) for o in offers] == [
        (demo_data.EVENING, "application", "")
    ]
    director = who(session, "director@cyberhub.example")
    evening = session.exec(select(Cohort).where(Cohort.name == demo_data.EVENING)).one()
    [pending] = applications.list_applications(session, director, evening.id or 0).items
    assert (pending.student_email, pending.status) == (demo_data.APPLICANT[0], "applied")
    assert pending.can_approve
    bell = notifications.list_for(session, director, unread_only=True)
    assert [n.link for n in bell.items] == [f"/director/cohorts/{evening.id}"]


def test_accounts_look_lived_in(session: Session) -> None:
    # A first run showed the demo student "Joined" today though enrolled three weeks ago, every
    # member of the academy "Member since" today, and "Last sign-in: never" for all who worked.
    spring = session.exec(select(Cohort).where(Cohort.name == demo_data.SPRING)).one()
    start = datetime.combine(spring.starts_on, datetime.min.time(), UTC)
    members = session.exec(
        select(User, RoleAssignment.created_at)
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(RoleAssignment.reason == "demo data")
    ).all()
    assert len(members) >= 15
    for user, granted in members:
        assert user.created_at < start and granted == user.created_at, user.email
    workers = set(session.exec(select(Submission.student_id)).all()) | set(
        session.exec(select(Review.mentor_id)).all()
    )
    for user, _ in members:
        if user.id in workers:
            assert user.last_login_at is not None and user.last_login_at < utcnow(), user.email
    samuel = session.exec(select(User).where(User.email == "samuel.mutua@cyberhub.example")).one()
    assert samuel.last_login_at is None  # new, nothing done yet
    # The applicant signed up (and so in) the day before she applied.
    applicant = session.exec(select(User).where(User.email == demo_data.APPLICANT[0])).one()
    assert applicant.last_login_at == applicant.created_at < utcnow() - timedelta(hours=12)


def test_recent_notifications_are_unread_older_ones_read(session: Session) -> None:
    now = utcnow()
    notes = session.exec(select(Notification)).all()
    assert notes
    for n in notes:
        assert (n.read_at is None) == (n.created_at >= now - timedelta(days=3)), n.title
    student = who(session, STUDENT)
    assert notifications.unread_count(session, student.user_id) >= 1


def test_demo_mail_is_never_sent_by_smtp(session: Session) -> None:
    mails = session.exec(select(OutboxMail)).all()
    assert mails and all(m.sent_at is not None for m in mails)


def test_every_demo_learner_can_sign_in(session: Session) -> None:
    from cyberhub.services.identity.passwords import verify_password

    for email, *_ in [*demo_data.DEMO_LEARNERS, *demo_data.DEMO_MENTORS]:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.is_active and verify_password(demo_data.DEMO_PASSWORD, user.password_hash or "")


def test_loading_again_is_a_no_op(session: Session) -> None:
    before = session.exec(select(func.count()).select_from(Submission)).one()
    assert demo_data.load_demo_data(session) == []
    session.flush()
    assert session.exec(select(func.count()).select_from(Submission)).one() == before


@pytest.mark.coaching
def test_the_demo_student_has_habits_a_goal_and_reflections(session: Session) -> None:
    from cyberhub.services.coaching import reflections, summary

    o = summary.overview(session, who(session, STUDENT))
    lab, read = o.habits
    assert lab.title == "20 minutes of lab practice" and lab.reminder_time is not None
    assert (lab.streak.current, lab.streak.longest) == (3, 3)
    assert read.cadence_label == "3 times a week"
    [goal] = o.goals
    assert (goal.percent, goal.progress_label) == (50, "1 of 2 missions approved")
    assert {r.visibility for r in o.reflections} == {"private", "mentor"}
    shared = reflections.shared_reflections(
        session, who(session, MENTOR), who(session, STUDENT).user_id
    )
    assert [r.prompt for r in shared] == ["What was hard this week?"]


def test_the_demo_sponsor_sees_the_funded_cohort_and_only_the_learner_who_shares(
    session: Session, demo: list[int]
) -> None:
    """Issue 15, acceptance 2."""
    from cyberhub.services.identity.permissions import load_principal
    from cyberhub.services.learning import sponsorships

    kofi = session.exec(select(User).where(User.email == "sponsor@cyberhub.example")).one()
    report = sponsorships.dashboard(session, load_principal(session, kofi.id or 0))
    [spring] = report.cohorts
    assert spring.cohort == "Nairobi Spring Cohort" and spring.sponsorship.seats == 25
    assert spring.seats_used == spring.enrolled == 10
    assert spring.approvals > 0 and spring.active_30d > 0
    assert spring.completions == spring.certificates == 1
    assert [le.name for le in spring.learners] == ["Juma Mwangi"]
    csv_text = sponsorships.report_csv(session, load_principal(session, kofi.id or 0))
    assert "Juma Mwangi" in csv_text and "Amina Njoroge" not in csv_text


def test_the_demo_cohort_has_a_schedule(session: Session) -> None:
    """Issue 15 acceptance 1: the demo student sees due dates this week and one overdue."""
    from cyberhub.services.learning import schedule

    mine = schedule.my_schedule(session, who(session, STUDENT))
    # changes requested on the container image, not resubmitted
    assert [i.title for i in mine.overdue] == [
        "Shrink and harden a Docker image, then prove it with Trivy"
    ]
    statuses = {i.status for i in mine.due_this_week}
    assert {"due", "handed_in"} <= statuses and len(mine.due_this_week) == 3
    spring = session.exec(select(Cohort).where(Cohort.name == demo_data.SPRING)).one()
    behind = schedule.behind_schedule(session, spring.id or 0)
    assert behind.get(who(session, STUDENT).user_id) == 1
    assert len(behind) >= 3  # others are behind too: the roster shows overdue flags
