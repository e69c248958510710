"""Two organisations with everything a learner leaves behind, for cross-tenant tests (issue 12).

`build_tenant(session, tag)` makes one organisation with a director, a mentor, a sponsor and a
learner enrolled in a cohort of its programme (assigned to the mentor), with a submitted answer,
its mentor's feedback snippet for the mission, a completed profiler, a stored recommendation, a note, a work-style analysis, a notification, an
API key and a pending invitation. Every name, e-mail and text it writes contains `tag`, so a test
can tell whether a response carries anything of that tenant: `tenant.leaks(text)`.
`build_loner(session, tag)` is a learner who signed up and belongs to no organisation.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub.models import (
    ApiKey,
    Certificate,
    Cohort,
    Export,
    ExportKind,
    ExportStatus,
    LearnerNote,
    Mission,
    Notification,
    Organization,
    PersonalityProfile,
    ProfilerSession,
    Program,
    Recommendation,
    Submission,
    SubmissionStatus,
    Track,
    User,
)
from cyberhub.models.ai import NoteKind
from cyberhub.models.base import utcnow
from cyberhub.models.enrolment import CohortApplication, EnrolmentMode
from cyberhub.models.sponsorship import Sponsorship
from cyberhub.schemas.coaching import (
    CheckinCreate,
    GoalCreate,
    GoalUpdate,
    HabitCreate,
    ReflectionCreate,
)
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.coaching import goals, habits, reflections
from cyberhub.services.identity import accounts, browser_sessions, consents, memberships
from cyberhub.services.learning import snippets
from tests.factories import (
    assign,
    complete_profiler,
    enroll,
    grant_ai,
    make_cohort,
    make_mission,
    make_program,
    make_track,
    make_user,
    principal,
    serve,
)

NEW_PASSWORD = "amber-lantern-harbour-58"


@dataclass
class Tenant:
    tag: str  # in every name, e-mail and text of this tenant (lower case)
    org: Organization
    program: Program
    track: Track
    cohort: Cohort
    mission: Mission
    director: User
    mentor: User
    sponsor: User
    learner: User
    submission: Submission
    profiler_session: ProfilerSession
    note: LearnerNote
    notification: Notification
    api_key: ApiKey
    invitation_id: int
    invitation_token: str
    application_id: int  # a pending application to the cohort (it takes applications)
    snippet_id: int  # the mentor's feedback snippet for the mission
    certificate_id: int  # the learner's certificate of the cohort (issue 15, item 4)
    export_id: int  # the director's finished roster export of the cohort (issue 15, item 5)
    # The organisation sponsors its own cohort, and the learner shares with its sponsors
    # (issue 15, item 2): even so, nothing of it reaches another organisation's sponsor.
    sponsorship_id: int
    habit_id: int = 0  # the learner's habit, checked in today (issue 16)
    goal_id: int = 0  # the learner's goal
    reflection_id: int = 0  # the learner's reflection shared with their mentor
    sign_in_id: str = ""  # the learner's live sign-in (a refresh-token family), from a browser

    @property
    def staff(self) -> dict[str, User]:
        return {
            "director": self.director,
            "mentor": self.mentor,
            "sponsor": self.sponsor,
            "learner": self.learner,
        }

    def leaks(self, text: str) -> bool:
        """Whether `text` carries anything of this tenant's."""
        return self.tag in text.lower()


def _learner_data(session: Session, learner: User, mission: Mission, tag: str) -> LearnerNote:
    assert learner.id is not None and mission.id is not None
    grant_ai(session, learner)
    now = utcnow()
    note = LearnerNote(user_id=learner.id, kind=NoteKind.goal, body=f"{tag} goal: run a blue team")
    session.add_all(
        [
            note,
            Recommendation(
                user_id=learner.id,
                mission_id=mission.id,
                rank=1,
                score=0.9,
                reason=f"Fits {tag}'s builders track.",
                source="profile",
            ),
            PersonalityProfile(
                user_id=learner.id,
                version="1",
                source_hash=tag,
                dimensions=[{"key": "structure", "score": 0.7, "evidence": [f"{tag} evidence"]}],
                computed_at=now,
            ),
        ]
    )
    session.commit()
    return note


def build_tenant(session: Session, tag: str) -> Tenant:
    """One organisation and its people, with a learner's full trail (see the module docstring)."""
    tag = tag.lower()
    org = Organization(name=f"{tag} Institute", slug=f"{tag}-institute")
    session.add(org)
    session.commit()
    program = make_program(session, org, f"{tag} Defenders")
    track = make_track(session, program, "builders")

    def person(role: str) -> User:
        user: User = make_user(session, f"{role}.{tag}@example.org", role, organization_id=org.id)
        user.full_name = f"{role.title()} {tag}"
        session.add(user)
        session.commit()
        return user

    director, mentor, sponsor, learner = (
        person(r) for r in ("director", "mentor", "sponsor", "student")
    )
    cohort = make_cohort(session, program, director=director, name=f"{tag} Spring")
    mission = make_mission(session, program, track, title=f"{tag} harden the perimeter", owner=org)
    enroll(session, cohort, learner)
    serve(session, cohort, mentor)
    assign(session, cohort, mentor, learner)
    assert learner.id is not None
    complete_profiler(session, learner.id)
    profiler_session = session.exec(
        select(ProfilerSession).where(ProfilerSession.user_id == learner.id)
    ).one()
    submission = Submission(
        student_id=learner.id,
        mission_id=mission.id or 0,
        status=SubmissionStatus.submitted,
        answer=f"{tag} answer: key-only SSH and a default-deny firewall.",
        submitted_at=utcnow(),
    )
    session.add(submission)
    session.commit()
    snippet = snippets.create_snippet(
        session, principal(session, mentor), submission.id or 0, f"{tag} snippet: show the rules."
    )
    session.commit()
    note = _learner_data(session, learner, mission, tag)
    notification = Notification(
        user_id=learner.id, kind="review", title=f"{tag} review done", link="/dashboard"
    )
    secret = secrets.token_urlsafe(24)
    api_key = ApiKey(
        user_id=learner.id,
        name=f"{tag} key",
        prefix=secret[:8],
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        scopes=["read"],
    )
    session.add_all([notification, api_key])
    cohort.enrolment_mode = EnrolmentMode.application
    session.add(cohort)
    session.commit()
    applicant = accounts.signup(
        session,
        email=f"applicant.{tag}@example.org",
        password=NEW_PASSWORD,
        full_name=f"Applicant {tag}",
        consents=["terms", "privacy"],
    )
    session.flush()
    application = CohortApplication(cohort_id=cohort.id or 0, student_id=applicant.id or 0)
    session.add(application)
    session.commit()
    sent = memberships.invite(
        session, principal(session, director), org.id or 0, email=f"invitee.{tag}@example.org"
    )
    session.commit()
    certificate = Certificate(
        code=secrets.token_urlsafe(16),
        user_id=learner.id or 0,
        cohort_id=cohort.id or 0,
        track_id=track.id or 0,
        missions=[mission.title],
    )
    session.add(certificate)
    export = Export(
        kind=ExportKind.roster,
        requested_by_id=director.id or 0,
        organization_id=org.id,
        program_id=program.id,
        cohort_id=cohort.id,
        params={"label": f"{tag} Spring"},
        status=ExportStatus.done,
        file_path=f"exports/{tag}-roster.csv",
        file_name=f"{tag}-roster.csv",
        finished_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    session.add(export)
    session.commit()
    habit_id, goal_id, reflection_id = _coaching(session, learner, tag)
    sponsorship = Sponsorship(
        organization_id=org.id or 0,
        cohort_id=cohort.id or 0,
        seats=5,
        amount=Decimal("1000.00"),
        currency="USD",
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        notes=f"{tag} sponsorship note",
    )
    session.add(sponsorship)
    session.commit()
    consents.set_consent(session, principal(session, learner), consents.SPONSOR_SHARING, True)
    session.commit()
    sign_in = browser_sessions.complete_sign_in(
        session,
        browser_sessions.begin_sign_in(session, learner),
        RequestMeta(ip="203.0.113.9", user_agent=f"Mozilla/5.0 (X11; Linux) Firefox/133.0 {tag}"),
    )
    session.commit()
    return Tenant(
        sign_in_id=browser_sessions.family_of(session, sign_in.token, learner.id or 0) or "",
        tag=tag,
        org=org,
        program=program,
        track=track,
        cohort=cohort,
        mission=mission,
        director=director,
        mentor=mentor,
        sponsor=sponsor,
        learner=learner,
        submission=submission,
        profiler_session=profiler_session,
        note=note,
        notification=notification,
        api_key=api_key,
        invitation_id=sent.invitation.id,
        invitation_token=sent.token,
        application_id=application.id or 0,
        snippet_id=snippet.id,
        certificate_id=certificate.id or 0,
        export_id=export.id or 0,
        habit_id=habit_id,
        goal_id=goal_id,
        reflection_id=reflection_id,
        sponsorship_id=sponsorship.id or 0,
    )


def _coaching(session: Session, learner: User, tag: str) -> tuple[int, int, int]:
    """The learner's habit (checked in today), goal (and an achieved one) and shared reflection
    (issue 16)."""
    p = principal(session, learner)
    habit = habits.create_habit(session, p, HabitCreate(title=f"{tag} habit: read a write-up"))
    habits.check_in(session, p, habit.id, CheckinCreate(note=f"{tag} check-in note"))
    goal = goals.create_goal(
        session, p, GoalCreate(title=f"{tag} goal title", why=f"{tag} why", manual_percent=30)
    )
    # An achieved goal too: GET /coaching/goals/closed and the mentee page list the closed ones.
    achieved = goals.create_goal(session, p, GoalCreate(title=f"{tag} achieved goal"))
    goals.update_goal(session, p, achieved.id, GoalUpdate(status="achieved"))
    shared = reflections.add_reflection(
        session, p, ReflectionCreate(body=f"{tag} reflection", visibility="mentor", mood=4)
    )
    session.commit()
    return habit.id, goal.id, shared.id


def build_loner(session: Session, tag: str) -> User:
    """A learner who signed up (no organisation, no cohort) and took the profiler."""
    tag = tag.lower()
    user = accounts.signup(
        session,
        email=f"loner.{tag}@example.org",
        password=NEW_PASSWORD,
        full_name=f"Loner {tag}",
        consents=["terms", "privacy", "ai_profiling"],
    )
    session.commit()
    assert user.id is not None
    complete_profiler(session, user.id)
    return user


def snapshot(session: Session, tenant: Tenant) -> dict[str, list[tuple[object, ...]]]:
    """What an outsider must never change: the tenant's people, roles, memberships, programme,
    cohort, enrolments, mentors, missions, submissions, notes, notifications, keys, invitations,
    feedback snippets."""
    users = [u.id for u in tenant.staff.values()]
    queries = {
        "roles": "SELECT user_id, role, organization_id FROM role_assignments"
        " WHERE user_id = ANY(:users) OR organization_id = :org",
        "members": "SELECT user_id, status FROM organization_memberships"
        " WHERE organization_id = :org OR user_id = ANY(:users)",
        "programs": "SELECT id, name, slug, description FROM programs WHERE organization_id = :org",
        "cohorts": "SELECT id, name, capacity, director_id, starts_on, closed_at FROM cohorts"
        " WHERE program_id = :program",
        "enrollments": "SELECT cohort_id, student_id, status FROM enrollments"
        " WHERE cohort_id = :cohort OR student_id = ANY(:users)",
        "cohort_mentors": "SELECT mentor_id, capacity FROM cohort_mentors WHERE cohort_id = :cohort",
        "assignments": "SELECT mentor_id, student_id FROM mentor_assignments"
        " WHERE cohort_id = :cohort",
        "missions": "SELECT id, title, status, summary FROM missions WHERE organization_id = :org",
        "submissions": "SELECT id, status, answer, claimed_by_id FROM submissions"
        " WHERE student_id = ANY(:users)",
        "notes": "SELECT id, kind, body FROM learner_notes WHERE user_id = ANY(:users)",
        "notifications": "SELECT id, read_at FROM notifications WHERE user_id = :learner",
        "api_keys": "SELECT id, revoked_at FROM api_keys WHERE user_id = ANY(:users)",
        "invitations": "SELECT id, email, status FROM invitations WHERE organization_id = :org",
        "applications": "SELECT id, student_id, status, waitlist_seq FROM cohort_applications"
        " WHERE cohort_id = :cohort",
        "profiler": "SELECT id, status FROM profiler_sessions WHERE user_id = ANY(:users)",
        "snippets": "SELECT id, body FROM feedback_snippets WHERE organization_id = :org",
        "users": "SELECT id, email, full_name, is_active FROM users WHERE id = ANY(:users)",
        "certificates": "SELECT id, revoked_at, revoke_reason FROM certificates"
        " WHERE cohort_id = :cohort",
        "required": "SELECT mission_id, required FROM program_missions WHERE program_id = :program",
        "exports": "SELECT id, status, expires_at FROM exports WHERE requested_by_id = ANY(:users)",
        "habits": "SELECT id, title, archived_at, reminder_time FROM habits WHERE user_id = :learner",
        "checkins": "SELECT id, day, note FROM habit_checkins WHERE user_id = :learner",
        "goals": "SELECT id, title, why, status, manual_percent FROM goals WHERE user_id = :learner",
        "reflections": "SELECT id, body, visibility FROM reflections WHERE user_id = :learner",
        "sign_ins": "SELECT family_id, revoked_at FROM refresh_tokens WHERE user_id = :learner",
    }
    params = {
        "users": users,
        "org": tenant.org.id,
        "program": tenant.program.id,
        "cohort": tenant.cohort.id,
        "learner": tenant.learner.id,
    }
    session.expire_all()
    return {
        name: sorted((tuple(row) for row in session.execute(text(sql), params).all()), key=repr)
        for name, sql in queries.items()
    }
