"""Demo data for a first run: loaded only into an empty database."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, update
from sqlmodel import Session, col, select

from cyberhub.formatting import day_in
from cyberhub.models import (
    Cohort,
    CohortApplication,
    Enrollment,
    HintReveal,
    MentorAssignment,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Notification,
    Organization,
    OutboxMail,
    Program,
    ProgramMission,
    ProgramTrack,
    Review,
    Role,
    RoleAssignment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.certificates import Certificate
from cyberhub.models.sponsorship import Sponsorship
from cyberhub.schemas.coaching import CheckinCreate, GoalCreate, HabitCreate, ReflectionCreate
from cyberhub.services.ai import profiler
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.coaching import goals, habits, reflections
from cyberhub.services.identity import accounts, consents
from cyberhub.services.identity.passwords import hash_password
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning import applications, enrollment, reviews, schedule, submissions
from cyberhub.services.learning.programs import ensure_track, nice_roles_for
from cyberhub.services.learning.submissions import latest_attempt

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "CyberHub-Demo-2026"

# (email, name, role, organization-scoped?)
DEMO_USERS: list[tuple[str, str, Role, bool]] = [
    ("student@cyberhub.example", "Amina Njoroge", Role.student, True),
    ("mentor@cyberhub.example", "Brian Otieno", Role.mentor, True),
    ("director@cyberhub.example", "Grace Wanjiru", Role.director, True),
    ("sponsor@cyberhub.example", "Kofi Mensah", Role.sponsor, True),
    ("admin@cyberhub.example", "Ada Admin", Role.admin, False),
]
DEMO_ORG_SLUG = "ongoza"
# The demo sponsor's organisation: it funds seats in the Nairobi Spring Cohort (issue 15, item 2).
SPONSOR_ORG_SLUG = "savannah-tech-foundation"
# The one demo learner who shares their profile and progress with their cohort's sponsors.
SHARES_WITH_SPONSORS = "juma.mwangi@cyberhub.example"
SPRING, EVENING = "Nairobi Spring Cohort", "Remote Evening Cohort"
STUDENT, MENTOR, MENTOR_2 = (
    "student@cyberhub.example",
    "mentor@cyberhub.example",
    "halima.yusuf@cyberhub.example",
)
# A second mentor, so the director can balance mentees between two.
DEMO_MENTORS: list[tuple[str, str]] = [(MENTOR_2, "Halima Yusuf")]
# More learners at different stages (same password): (email, name, cohort, mentor or None).
DEMO_LEARNERS: list[tuple[str, str, str, str | None]] = [
    ("juma.mwangi@cyberhub.example", "Juma Mwangi", SPRING, MENTOR),
    ("fatuma.hassan@cyberhub.example", "Fatuma Hassan", SPRING, MENTOR),
    ("david.kiprop@cyberhub.example", "David Kiprop", SPRING, MENTOR),
    ("esther.achieng@cyberhub.example", "Esther Achieng", SPRING, MENTOR),
    ("lucy.wambui@cyberhub.example", "Lucy Wambui", SPRING, MENTOR),
    ("kevin.ochieng@cyberhub.example", "Kevin Ochieng", SPRING, MENTOR_2),
    ("peter.kamau@cyberhub.example", "Peter Kamau", SPRING, MENTOR_2),
    ("neema.otieno@cyberhub.example", "Neema Otieno", SPRING, MENTOR_2),
    ("samuel.mutua@cyberhub.example", "Samuel Mutua", SPRING, None),
    ("zainabu.ali@cyberhub.example", "Zainabu Ali", EVENING, None),
]
# Juma takes the profiler as a leader and completes the leaders track (a certificate).
COMPLETER = "juma.mwangi@cyberhub.example"
# The learners who took the career profiler (and so allow AI profiling), with the track it gave
# them and the runner-up: the track of the work they do below, so their progress reads "1 of 7"
# against their track, not "1 of 35" against the whole programme. Samuel and Zainabu, new, have
# not taken it yet.
DEMO_TRACKS: dict[str, tuple[str, str]] = {
    COMPLETER: ("leaders", "builders"),
    "fatuma.hassan@cyberhub.example": ("entrepreneurs", "leaders"),
    "david.kiprop@cyberhub.example": ("researchers", "builders"),
    "esther.achieng@cyberhub.example": ("educators", "researchers"),
    "lucy.wambui@cyberhub.example": ("builders", "researchers"),
    "kevin.ochieng@cyberhub.example": ("builders", "educators"),
    "peter.kamau@cyberhub.example": ("researchers", "leaders"),
    "neema.otieno@cyberhub.example": ("leaders", "entrepreneurs"),
}
# The missions the demo programme requires of each track to complete it (issue 15, item 4): the
# first three of each track, easiest first.
REQUIRED_MISSIONS = frozenset(
    {
        "harden-a-linux-web-server",
        "add-security-scanning-to-ci",
        "build-a-minimal-container-image",
        "write-an-acceptable-use-policy",
        "build-a-risk-register",
        "cis-controls-ig1-gap-assessment",
        "analyse-a-phishing-email",
        "map-a-threat-report-to-attack",
        "triage-a-malware-pcap",
        "create-a-phishing-awareness-micro-lesson",
        "write-a-skills-assessment",
        "write-an-nmap-lab-guide",
        "profile-a-security-buyer",
        "package-a-vulnerability-assessment-service",
        "price-a-managed-security-service",
    }
)


def load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def is_empty(session: Session) -> bool:
    return session.exec(select(Organization.id)).first() is None


def _add_organization(session: Session, name: str, slug: str, description: str) -> Organization:
    """A demo organization, added and flushed (so it has its id)."""
    org = Organization(name=name, slug=slug, description=description)
    session.add(org)
    session.flush()
    return org


def load_demo_data(session: Session, *, activity: bool = True) -> list[int]:
    """Create the demo organization, program, tracks, cohorts, missions and users, then the
    learning activity (load_demo_activity): learners at every stage of the review workflow.

    `activity=False` stops before the learning activity (tests that want an academy without
    learners). A no-op returning [] when the demo organization exists already. Returns the ids
    of the published missions (the caller enqueues their embeddings).
    """
    if session.exec(select(Organization.id).where(Organization.slug == DEMO_ORG_SLUG)).first():
        return []
    org = _add_organization(
        session,
        "Ongoza CyberHub Academy",
        DEMO_ORG_SLUG,
        "Ongoza's flagship cybersecurity career academy.",
    )
    assert org.id is not None
    program = Program(
        organization_id=org.id,
        name="Cybersecurity Career Accelerator",
        slug="career-accelerator",
        description=(
            "A twelve-week, mission-based programme that takes learners from first principles to "
            "job-ready portfolios in one of five career tracks, reviewed by working mentors."
        ),
    )
    session.add(program)
    session.flush()
    assert program.id is not None

    # The global tracks, all five run by the demo programme.
    tracks: dict[str, Track] = {}
    for t in load_json("tracks.json"):
        track = ensure_track(session, t["key"])
        assert track.id is not None
        session.add(
            ProgramTrack(
                program_id=program.id,
                track_id=track.id,
                nice_work_roles=[r["id"] for r in nice_roles_for(t["key"])],
            )
        )
        tracks[t["key"]] = track
    session.flush()

    sponsor_org = _add_organization(
        session,
        "Savannah Tech Foundation",
        SPONSOR_ORG_SLUG,
        "A foundation that funds cybersecurity training seats for young Kenyans.",
    )

    users: dict[Role, User] = {}
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role, scoped in DEMO_USERS:
        home = sponsor_org if role == Role.sponsor else org
        user = User(email=email, full_name=name, password_hash=password_hash)
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(
            RoleAssignment(
                user_id=user.id,
                role=role,
                organization_id=home.id if scoped else None,
                reason="demo data",
            )
        )
        users[role] = user

    for user in users.values():
        assert user.id is not None
        consents.record_signup_consents(
            session, user.id, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
        )
    _demo_profiler_result(session, users[Role.student])

    today = date.today()
    session.add_all(
        [
            Cohort(
                program_id=program.id,
                name="Nairobi Spring Cohort",
                starts_on=today - timedelta(days=21),
                ends_on=today + timedelta(days=63),
                capacity=40,
                director_id=users[Role.director].id,
            ),
            Cohort(
                program_id=program.id,
                name="Remote Evening Cohort",
                starts_on=today + timedelta(days=14),
                ends_on=today + timedelta(days=98),
                capacity=60,
                director_id=users[Role.director].id,
            ),
        ]
    )

    by_slug: dict[str, Mission] = {}
    raw = load_json("missions.json")
    for m in raw:
        # The demo catalog is CyberHub's public library (no organisation), adopted below.
        mission = Mission(
            organization_id=None,
            track_id=tracks[m["track"]].id,  # type: ignore[arg-type]
            slug=m["slug"],
            title=m["title"],
            summary=m["summary"],
            brief=m["brief"],
            difficulty=m["difficulty"],
            skills=m["skills"],
            estimated_minutes=m["estimated_minutes"],
            rubric=m["rubric"],
            hints=m["hints"],
            status=MissionStatus.published,
        )
        session.add(mission)
        by_slug[m["slug"]] = mission
    session.flush()
    session.add_all(
        ProgramMission(
            program_id=program.id or 0,
            mission_id=mission.id,  # type: ignore[arg-type]
            required=slug in REQUIRED_MISSIONS,
        )
        for slug, mission in by_slug.items()
    )
    for m in raw:
        for prereq in m.get("prerequisites", []):
            session.add(
                MissionPrerequisite(
                    mission_id=by_slug[m["slug"]].id,  # type: ignore[arg-type]
                    prerequisite_id=by_slug[prereq].id,  # type: ignore[arg-type]
                )
            )
    session.flush()
    spring = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.name == SPRING)
    ).one()
    session.add(
        Sponsorship(
            organization_id=sponsor_org.id or 0,
            cohort_id=spring.id or 0,
            seats=25,
            amount=Decimal("30000.00"),
            currency="USD",
            starts_on=spring.starts_on,
            ends_on=spring.ends_on,
            created_by_id=users[Role.director].id,
            notes="Full scholarships for 25 learners from Nairobi's informal settlements.",
        )
    )
    session.flush()
    if activity:
        load_demo_activity(session)
    return [m.id for m in by_slug.values() if m.id is not None]


def _demo_profiler_result(
    session: Session, student: User, track: str = "builders", runner_up: str = "leaders"
) -> None:
    """The demo student has taken the profiler, answering as a builder would (or `track`)."""
    principal = load_principal(session, student.id or 0)
    started = profiler.start(session, principal)
    for q in load_bank(started.version).questions:
        best = max(q.options, key=lambda o: (o.weights[track], -o.weights[runner_up]))
        profiler.respond(session, principal, started.id, question_id=q.id, option_id=best.id)
    profiler.complete(session, principal, started.id)


# -- learning activity -------------------------------------------------------------------------
#
# Everything below goes through the services (enroll, assign, submit, claim, review, reveal_hint,
# expire_claims), so the demo obeys the same rules as real use; only the timestamps are moved
# afterwards, so the activity spreads over the cohort's first weeks instead of one second.


def _ago(now: datetime, days: float = 0, hours: float = 0) -> datetime:
    return now - timedelta(days=days, hours=hours)


class _Activity:
    """Acts as the demo people through the services and back-dates what each step wrote."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.rng = random.Random(2026)  # the same demo every time
        self.missions = {m.slug: m for m in session.exec(select(Mission)).all()}
        self.people: dict[str, Principal] = {}

    def who(self, email: str) -> Principal:
        if email not in self.people:
            user = self.session.exec(select(User).where(User.email == email)).one()
            principal = load_principal(self.session, user.id or 0)
            assert principal is not None
            self.people[email] = principal
        return self.people[email]

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Rows of these tables that the wrapped service calls insert get `when` as their time.

        The new rows are caught as they are flushed (no extra queries), then moved in one
        UPDATE per table."""
        tables: tuple[Any, ...] = (Notification, SubmissionEvent, OutboxMail, Review)
        new: dict[Any, set[int]] = {t: set() for t in tables}

        def caught(session: Any, _context: Any) -> None:
            for obj in session.new:
                if type(obj) in new:
                    new[type(obj)].add(obj.id)

        event.listen(self.session, "after_flush", caught)
        try:
            yield
            self.session.flush()
        finally:
            event.remove(self.session, "after_flush", caught)
        for table, ids in new.items():
            if ids:
                self.session.execute(
                    update(table)
                    .where(col(table.id).in_(ids))
                    .values(created_at=when)
                    .execution_options(synchronize_session=False)
                )

    def _stamp(self, sub: Submission, **values: Any) -> None:
        self.session.execute(
            update(Submission)
            .where(col(Submission.id) == sub.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.expire(sub)

    def _answer(self, mission: Mission, attempt: int) -> str:
        criteria = [str(c.get("title", "")) for c in mission.rubric or []]
        evidence = "\n".join(
            f"- **{title}:** {self.rng.choice(_EVIDENCE)}" for title in criteria if title
        )
        again = (
            f"\n\n## Changes since attempt {attempt - 1}\n\n"
            "I reworked the parts my mentor flagged, added the missing evidence and explain each "
            "change below where it belongs."
            if attempt > 1
            else ""
        )
        return (
            f"## Approach\n\nFor “{mission.title}” I followed the brief step by step, kept a log "
            "of every command and decision, and checked each result against the rubric before "
            f"writing it up.{again}\n\n## Evidence\n\n{evidence}\n\n## What I would do next\n\n"
            "Automate the checks so they run on every change, and share the write-up with the "
            "team for a second pair of eyes."
        )

    def _links(self, student: Principal, mission: Mission) -> list[str]:
        handle = student.email.split("@")[0].replace(".", "-")
        return [f"https://github.com/{handle}/{mission.slug}"]

    def submit(self, email: str, slug: str, when: datetime) -> Submission:
        student, mission = self.who(email), self.missions[slug]
        with self.at(when):
            sub = submissions.submit(
                self.session,
                student,
                mission.id or 0,
                answer=self._answer(mission, _next_attempt(self.session, student, mission)),
                links=self._links(student, mission),
            )
        self._stamp(sub, created_at=when - timedelta(hours=3), submitted_at=when)
        return sub

    def draft(self, email: str, slug: str, when: datetime) -> Submission:
        student, mission = self.who(email), self.missions[slug]
        sub = submissions.save_draft(
            self.session,
            student,
            mission.id or 0,
            answer="## Approach\n\nNotes so far: set up the lab, first findings below.",
            links=self._links(student, mission),
        )
        self._stamp(sub, created_at=when)
        return sub

    def claim(self, email: str, sub: Submission, when: datetime) -> None:
        with self.at(when):
            reviews.claim(self.session, self.who(email), sub.id or 0)
        self._stamp(sub, claim_expires_at=when + timedelta(hours=reviews.CLAIM_HOURS))

    def review(self, email: str, sub: Submission, when: datetime, *, approve: bool) -> None:
        """Claim shortly before `when`, then decide with scores and feedback that fit."""
        self.claim(email, sub, when - timedelta(minutes=self.rng.randint(20, 90)))
        mission = self.session.get(Mission, sub.mission_id)
        assert mission is not None
        low, high = (0.75, 1.0) if approve else (0.35, 0.65)
        rubric = [c for c in mission.rubric or [] if isinstance(c, dict)]
        scores = {
            str(c["key"]): round(int(str(c["points"])) * self.rng.uniform(low, high))
            for c in rubric
        }
        weakest = min(rubric, key=lambda c: scores[str(c["key"])] / int(str(c["points"])))
        strongest = max(rubric, key=lambda c: scores[str(c["key"])] / int(str(c["points"])))
        if approve:
            feedback = (
                f"Approved — well done. **{strongest['title']}** is the strongest part: "
                "clear, evidenced and easy to reproduce.\n\n"
                f"To go further on *{weakest['title']}*: {weakest['description']}"
            )
        else:
            feedback = (
                f"A good start: **{strongest['title']}** is solid. Before I can approve it, "
                f"rework **{weakest['title']}**:\n\n"
                f"- {weakest['description']}\n"
                "- Show the evidence (a screenshot, a log excerpt or the command output), not "
                "only the conclusion.\n\nResubmit when it's ready — happy to look again."
            )
        with self.at(when):
            reviews.review(
                self.session,
                self.who(email),
                sub.id or 0,
                decision=(
                    SubmissionStatus.approved if approve else SubmissionStatus.changes_requested
                ),
                scores=scores,
                feedback=feedback,
            )
        self._stamp(sub, decided_at=when)

    def hints(self, email: str, slug: str, count: int, when: datetime) -> None:
        student, mission = self.who(email), self.missions[slug]
        for _ in range(count):
            submissions.reveal_hint(self.session, student, mission.id or 0)
        self.session.execute(
            update(HintReveal)
            .where(
                col(HintReveal.student_id) == student.user_id,
                col(HintReveal.mission_id) == mission.id,
            )
            .values(revealed_at=when)
        )


_EVIDENCE = [
    "covered in section 2 of the write-up, with the commands and their output.",
    "each finding has a screenshot and the exact steps to reproduce it.",
    "documented with before/after results in the linked repository.",
    "explained with the reasoning behind every choice and what I ruled out.",
    "checked twice against the brief; the remaining gaps are listed honestly.",
]


def _next_attempt(session: Session, student: Principal, mission: Mission) -> int:
    latest = latest_attempt(session, student.user_id, mission.id or 0)
    if latest is None:
        return 1
    return latest.attempt if latest.status == SubmissionStatus.draft else latest.attempt + 1


def _stamp_completion(session: Session, user_id: int, when: datetime) -> None:
    """Move the completion the review just made (enrolment and certificate) to `when`."""
    session.execute(
        update(Enrollment)
        .where(col(Enrollment.student_id) == user_id, col(Enrollment.completed_at).is_not(None))
        .values(completed_at=when)
    )
    holder = session.get(User, user_id)
    session.execute(
        update(Certificate)
        .where(col(Certificate.user_id) == user_id)
        .values(issued_at=when, issued_on=day_in(when, holder.time_zone if holder else None))
    )


def _people(session: Session, org: Organization, now: datetime) -> None:
    """The second mentor and the learners: active accounts with the demo password."""
    # The main demo accounts' hash (same password): bcrypt at full cost takes a quarter second.
    password_hash = session.exec(select(User.password_hash).where(User.email == STUDENT)).one()
    accounts = [(e, n, Role.mentor) for e, n in DEMO_MENTORS] + [
        (e, n, Role.student) for e, n, _c, _m in DEMO_LEARNERS
    ]
    for i, (email, name, role) in enumerate(accounts):
        # Signed up before the cohort started (after the five main demo accounts).
        user = User(
            email=email,
            full_name=name,
            password_hash=password_hash,
            created_at=_ago(now, days=40 - i),
        )
        session.add(user)
        session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id or 0, role=role, organization_id=org.id, reason="demo data"
            )
        )
        kinds = [consents.TERMS, consents.PRIVACY]
        if email in DEMO_TRACKS:  # they took the career profiler
            kinds.append(consents.AI_PROFILING)
        if email == SHARES_WITH_SPONSORS:
            kinds.append(consents.SPONSOR_SHARING)
        consents.record_signup_consents(session, user.id or 0, kinds)
    session.flush()
    for email, (track, runner_up) in DEMO_TRACKS.items():
        learner = session.exec(select(User).where(User.email == email)).one()
        _demo_profiler_result(session, learner, track, runner_up)


def _cohort_setup(session: Session, act: _Activity, cohorts: dict[str, Cohort]) -> None:
    """Enrolments and mentors, as the demo director would do them (audited, mailed)."""
    director = act.who("director@cyberhub.example")
    spring, evening = cohorts[SPRING].id or 0, cohorts[EVENING].id or 0
    with act.at(_ago(act.now, days=24)):
        enrollment.set_cohort_mentor(session, director, spring, MENTOR, 12)
        enrollment.set_cohort_mentor(session, director, spring, MENTOR_2, 8)
        enrollment.set_cohort_mentor(session, director, evening, MENTOR, 10)
        plan = [(STUDENT, SPRING, MENTOR)] + [(e, c, m) for e, _n, c, m in DEMO_LEARNERS]
        for i, (email, cohort_name, mentor) in enumerate(plan):
            cohort_id = cohorts[cohort_name].id or 0
            enrollment.enroll(session, director, cohort_id, email)
            student = act.who(email)
            session.execute(
                update(Enrollment)
                .where(
                    col(Enrollment.cohort_id) == cohort_id,
                    col(Enrollment.student_id) == student.user_id,
                )
                .values(enrolled_at=_ago(act.now, days=24, hours=-i))
            )
            if mentor:
                enrollment.assign_mentor(
                    session, director, cohort_id, student.user_id, act.who(mentor).user_id
                )
        session.execute(update(MentorAssignment).values(assigned_at=_ago(act.now, days=23)))


# The Spring cohort's schedule (issue 15, item 3), days from now, due at 17:00 Nairobi time: some
# past, some this week, some later. The demo student (builders) is overdue with the container
# image (changes requested), has two handed in due this week and one not started.
DEMO_SCHEDULE: dict[str, int] = {
    "harden-a-linux-web-server": -12,
    "add-security-scanning-to-ci": -8,
    "build-a-minimal-container-image": -2,
    "threat-model-a-web-application": 2,
    "secure-authentication-for-a-flask-api": 4,
    "terraform-aws-baseline-with-checkov": 6,
    "harden-kubernetes-with-pss-and-network-policies": 20,
    "write-an-acceptable-use-policy": -12,
    "build-a-risk-register": -8,
    "cis-controls-ig1-gap-assessment": -4,
    "write-an-incident-response-plan": 3,
    "run-a-ransomware-tabletop": 10,
}
DEMO_DIRECTOR = "director@cyberhub.example"
# Someone from outside the academy who signed up herself and applied to the Remote Evening
# Cohort, which takes applications: the demo student finds that cohort at /cohorts, and the
# director has an application to approve or reject (and a bell telling them).
APPLICANT = ("wanjiku.kamau@cyberhub.example", "Wanjiku Kamau")


def _schedule(session: Session, act: _Activity, cohort: Cohort) -> None:
    """The Spring cohort's due dates, set by the demo director as on the cohort page."""
    director = act.who(DEMO_DIRECTOR)
    nairobi = ZoneInfo("Africa/Nairobi")
    today = act.now.astimezone(nairobi).date()
    for slug, days in DEMO_SCHEDULE.items():
        mission = session.exec(select(Mission).where(Mission.slug == slug)).first()
        if mission is None:
            continue
        day = today + timedelta(days=days)
        due_at = datetime(day.year, day.month, day.day, 17, 0, tzinfo=nairobi)
        schedule.set_due_date(session, director, cohort.id or 0, mission.id or 0, due_at)


def _applications(session: Session, act: _Activity, evening: Cohort) -> None:
    """The evening cohort takes applications (the demo director's choice) and one is waiting."""
    cohort_id = evening.id or 0
    with act.at(_ago(act.now, days=9)):
        applications.set_enrolment(session, act.who(DEMO_DIRECTOR), cohort_id, mode="application")
    email, name = APPLICANT
    applied = _ago(act.now, days=1, hours=3)
    with act.at(applied):
        user = accounts.signup(
            session,
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            consents=[consents.TERMS, consents.PRIVACY],
        )
        applications.apply(session, act.who(email), cohort_id)
    # Signing up signed her in (her last sign-in, not "never").
    signed_up = applied - timedelta(hours=1)
    session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(created_at=signed_up, last_login_at=signed_up)
    )
    session.execute(
        update(CohortApplication)
        .where(col(CohortApplication.student_id) == user.id)
        .values(applied_at=applied)
    )


def _account_history(session: Session, now: datetime) -> None:
    """Accounts that look lived in: the five main demo accounts opened before everyone else
    (not on the day the demo was loaded, weeks after their cohort's enrolments), each demo
    account's roles ("Member since") dated from their sign-up, and everyone who handed in or
    reviewed work last signed in when they last did (not "never")."""
    main = [email for email, *_ in DEMO_USERS]
    for i, email in enumerate(main):
        session.execute(
            update(User).where(col(User.email) == email).values(created_at=_ago(now, days=45 - i))
        )
    signed_up = (
        select(User.created_at).where(col(User.id) == col(RoleAssignment.user_id)).scalar_subquery()
    )
    session.execute(
        update(RoleAssignment)
        .where(col(RoleAssignment.reason) == "demo data")
        .values(created_at=signed_up)
        .execution_options(synchronize_session=False)
    )
    # Learners as of their last hand-in, mentors as of their last review.
    for who, when in (
        (col(Submission.student_id), col(Submission.created_at)),
        (col(Review.mentor_id), col(Review.created_at)),
    ):
        last = select(func.max(when)).where(who == col(User.id)).scalar_subquery()
        session.execute(
            update(User)
            .where(col(User.id).in_(select(who)), col(User.last_login_at).is_(None))
            .values(last_login_at=last)
            .execution_options(synchronize_session=False)
        )


def load_demo_activity(session: Session, now: datetime | None = None) -> None:
    """Learners at every stage, so each learning screen has something to show on a first run.

    Submissions in every state: drafts, submitted (first attempts and a resubmitted attempt 2),
    in review (claimed recently by the demo mentor), changes requested (with feedback, waiting
    for the student), approved (with rubric scores); a claim that expired; hint reveals; and the
    notifications those produce (recent ones unread). The demo student's next best action is to
    resubmit the mission their mentor asked changes on.
    """
    now = now or utcnow()
    first_note = session.exec(select(func.max(Notification.id))).one() or 0
    first_mail = session.exec(select(func.max(OutboxMail.id))).one() or 0
    org = session.exec(select(Organization).where(Organization.slug == DEMO_ORG_SLUG)).one()
    cohorts = {c.name: c for c in session.exec(select(Cohort)).all()}
    _people(session, org, now)
    act = _Activity(session, now)
    _cohort_setup(session, act, cohorts)
    d = lambda days, hours=0.0: _ago(now, days, hours)  # noqa: E731

    # The demo student (builders track): two approved (one after a resubmission), changes
    # requested on a third (their next action), one waiting for review, one in review, a draft.
    me = STUDENT
    s = act.submit(me, "harden-a-linux-web-server", d(19, 2))
    act.review(MENTOR, s, d(18, 20), approve=True)
    s = act.submit(me, "add-security-scanning-to-ci", d(15, 5))
    act.review(MENTOR, s, d(14, 3), approve=False)
    s = act.submit(me, "add-security-scanning-to-ci", d(12, 6))
    act.review(MENTOR, s, d(11, 1), approve=True)
    act.hints(me, "build-a-minimal-container-image", 1, d(6))
    s = act.submit(me, "build-a-minimal-container-image", d(4, 4))
    act.review(MENTOR, s, d(2, 6), approve=False)
    act.hints(me, "threat-model-a-web-application", 2, d(1, 8))
    act.submit(me, "threat-model-a-web-application", d(0, 20))
    s = act.submit(me, "secure-authentication-for-a-flask-api", d(1, 2))
    act.claim(MENTOR, s, d(0, 2))
    act.draft(me, "analyse-a-phishing-email", d(0, 5))

    _coaching(act, d)

    # Juma, ahead on the leaders track: three approved, the fourth being reviewed now.
    j = "juma.mwangi@cyberhub.example"
    act.review(MENTOR, act.submit(j, "write-an-acceptable-use-policy", d(19)), d(18), approve=True)
    act.review(MENTOR, act.submit(j, "build-a-risk-register", d(16, 3)), d(15, 8), approve=True)
    s = act.submit(j, "cis-controls-ig1-gap-assessment", d(10, 2))
    act.review(MENTOR, s, d(9, 4), approve=False)
    s = act.submit(j, "cis-controls-ig1-gap-assessment", d(7, 5))
    act.review(MENTOR, s, d(6, 22), approve=True)
    # That was the last required leaders mission: Juma completed the cohort, with a certificate.
    _stamp_completion(session, act.who(j).user_id, d(6, 22))
    s = act.submit(j, "write-an-incident-response-plan", d(1, 10))
    act.claim(MENTOR, s, d(0, 5))

    # Fatuma: her first submission, waiting in the queue.
    f = "fatuma.hassan@cyberhub.example"
    act.hints(f, "profile-a-security-buyer", 1, d(3))
    act.submit(f, "profile-a-security-buyer", d(2, 3))

    # David: changes requested, then attempt 2 submitted (a resubmission in the queue).
    dk = "david.kiprop@cyberhub.example"
    s = act.submit(dk, "analyse-a-phishing-email", d(7, 4))
    act.review(MENTOR, s, d(6, 1), approve=False)
    act.submit(dk, "analyse-a-phishing-email", d(1, 6))

    # Esther: one approved; changes requested on the next, not resubmitted (waiting for her).
    e = "esther.achieng@cyberhub.example"
    s = act.submit(e, "create-a-phishing-awareness-micro-lesson", d(14, 2))
    act.review(MENTOR, s, d(13, 5), approve=True)
    s = act.submit(e, "write-an-nmap-lab-guide", d(4, 7))
    act.review(MENTOR, s, d(3, 2), approve=False)

    # Lucy: the demo mentor claimed her work and let the claim run out (the worker's sweep
    # returned it to the queue and told him).
    lw = "lucy.wambui@cyberhub.example"
    s = act.submit(lw, "harden-a-linux-web-server", d(3, 1))
    act.claim(MENTOR, s, d(2, 6))

    with act.at(d(1, 6)):
        reviews.expire_claims(session, now=d(1, 5))

    # Kevin: a draft and the hints he needed so far.
    k = "kevin.ochieng@cyberhub.example"
    act.hints(k, "add-security-scanning-to-ci", 2, d(2, 4))
    act.draft(k, "add-security-scanning-to-ci", d(2, 1))

    # Peter, reviewed by the second mentor: two approved, changes requested on the third.
    p = "peter.kamau@cyberhub.example"
    act.review(MENTOR_2, act.submit(p, "analyse-a-phishing-email", d(13)), d(12), approve=True)
    act.review(MENTOR_2, act.submit(p, "triage-a-malware-pcap", d(9, 3)), d(8), approve=True)
    s = act.submit(p, "map-a-threat-report-to-attack", d(5, 2))
    act.review(MENTOR_2, s, d(4, 3), approve=False)

    # Neema (mentored by the second mentor): submitted; the demo mentor sees it after his own.
    act.submit("neema.otieno@cyberhub.example", "build-a-risk-register", d(0, 9))
    # Samuel (no mentor yet: the director can balance) and Zainabu (upcoming cohort): new.
    _schedule(session, act, cohorts[SPRING])
    _applications(session, act, cohorts[EVENING])
    _account_history(session, now)

    # Notifications older than three days have been read; recent ones are waiting in the bell.
    session.execute(
        update(Notification)
        .where(col(Notification.id) > first_note, col(Notification.created_at) < d(3))
        .values(read_at=col(Notification.created_at) + timedelta(hours=2))
    )
    # Demo mail is for the dev mailbox only: marked sent, so an SMTP worker never sends it.
    session.execute(
        update(OutboxMail).where(col(OutboxMail.id) > first_mail).values(sent_at=func.now())
    )
    session.flush()
    session.expire_all()


def _coaching(act: _Activity, d: Callable[..., datetime]) -> None:
    """The demo student's Coaching OS: two habits with a week of check-ins (a streak running,
    one gap), a goal linked to two of their missions (one approved: 50 %), and two reflections
    (one shared with their mentor)."""
    me = act.who(STUDENT)
    lab = habits.create_habit(
        act.session,
        me,
        HabitCreate(title="20 minutes of lab practice", reminder_time=time(19, 0)),
    )
    read = habits.create_habit(
        act.session,
        me,
        HabitCreate(title="Read one CTF write-up", cadence="n_per_week", per_week=3),
    )
    for days_ago in (6, 5, 3, 2, 1):  # a gap 4 days ago: the current streak is 3
        habits.check_in(act.session, me, lab.id, CheckinCreate(), now=d(days_ago))
    for days_ago, note in ((9, "Log4Shell write-up"), (8, ""), (7, ""), (2, "A JWT bug")):
        habits.check_in(act.session, me, read.id, CheckinCreate(note=note), now=d(days_ago))
    missions = [
        act.missions[s].id or 0
        for s in ("harden-a-linux-web-server", "build-a-minimal-container-image")
    ]
    goals.create_goal(
        act.session,
        me,
        GoalCreate(
            title="Finish my first two builders missions",
            why="To show an employer **hands-on** hardening and container work.",
            progress_source="missions",
            mission_ids=missions,
        ),
    )
    reflections.add_reflection(
        act.session,
        me,
        ReflectionCreate(
            body="Writing the evidence for the container mission took longer than building it.",
            prompt="What was hard this week?",
            mood=3,
            energy=4,
            visibility="mentor",
        ),
    )
    reflections.add_reflection(
        act.session,
        me,
        ReflectionCreate(body="I work better in the morning before class.", mood=4),
    )
