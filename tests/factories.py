"""Small builders for the learning graph (organization -> program -> tracks -> cohorts -> missions,
people, enrollments, mentors) so tests say only what matters to them; people with a known
password (`make_user`, `PASSWORD`) and signing them in to the API (`login`, `bearer`); a fresh
database copied from the migrated template (`create_database`, `with_db`, `libpq`).

`build_world(session)` gives one organization with a running cohort, a student with an assigned
mentor, a co-mentor serving the cohort, a mentor of another cohort, a director, an admin, and a
second organization with its own director and student. Every helper commits.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlmodel import Session, col, select

from cyberhub.models import (
    Cohort,
    CohortMentor,
    Enrollment,
    MentorAssignment,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Organization,
    Program,
    ProgramMission,
    ProgramTrack,
    RoleAssignment,
    Submission,
    Track,
    User,
)
from cyberhub.models.identity import Role
from cyberhub.models.progress import EnrollmentStatus
from cyberhub.schemas.coaching import HabitPublic, StreakPublic
from cyberhub.services.identity.passwords import hash_password
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning import reviews, submissions

PASSWORD = "Correct-Horse-Battery-9"
TEMPLATE_DB = "cyberhub_template"  # migrated once per test session (tests/conftest.py)

_seq = itertools.count(1)

RUBRIC: list[dict[str, Any]] = [
    {
        "key": "evidence",
        "title": "Evidence",
        "description": "Findings are backed by output.",
        "points": 10,
    },
    {
        "key": "clarity",
        "title": "Clarity",
        "description": "Another analyst can follow it.",
        "points": 5,
    },
]
GOOD_ANSWER = "I hardened the server: SSH is key-only and the firewall allows 80 and 443 only."
FULL_SCORES = {"evidence": 10, "clarity": 5}


def _n() -> int:
    return next(_seq)


def id_of(row: Any) -> int:
    """The database id of a saved row (SQLModel types it `int | None` until the row is flushed)."""
    row_id = row.id
    assert isinstance(row_id, int), f"{type(row).__name__} has no id yet: flush or commit it first"
    return row_id


def _commit(session: Session, *rows: Any) -> None:
    session.add_all(rows)
    session.commit()


# -- databases -----------------------------------------------------------------------------------


def libpq(url: str) -> str:
    """The SQLAlchemy URL as psycopg/libpq spell it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def with_db(url: str, name: str) -> str:
    """`url` pointing at the database `name` on the same server (query string kept)."""
    head, _, tail = url.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + ("?" + tail if tail else "")


def create_database(admin_url: str, name: str) -> str:
    """A new database `name`, copied from the migrated template; returns its URL."""
    with psycopg.connect(libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    return with_db(admin_url, name)


# -- people and the API ----------------------------------------------------------------------------


def make_user(
    session: Session, email: str, *roles: str, organization_id: int | None = None
) -> User:
    """A user with a known password (PASSWORD) holding `roles` in the organization."""
    user = User(
        email=email, full_name=email.split("@")[0].title(), password_hash=hash_password(PASSWORD)
    )
    session.add(user)
    session.flush()
    for role in roles:
        session.add(
            RoleAssignment(user_id=id_of(user), role=Role(role), organization_id=organization_id)
        )
    session.commit()
    return user


def login(client: Any, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Sign in through POST /auth/login (asserting it works); the token response."""
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(client: Any, email: str) -> None:
    """Sign `client` in as `email` (password PASSWORD) with a bearer token."""
    client.headers["Authorization"] = f"Bearer {login(client, email)['access_token']}"


# -- the learning graph --------------------------------------------------------------------------


def make_org(session: Session, name: str = "") -> Organization:
    n = _n()
    org = Organization(name=name or f"Academy {n}", slug=f"academy-{n}")
    _commit(session, org)
    return org


def make_program(session: Session, org: Organization, name: str = "") -> Program:
    n = _n()
    assert org.id is not None
    program = Program(organization_id=org.id, name=name or f"Programme {n}", slug=f"programme-{n}")
    _commit(session, program)
    return program


def make_track(session: Session, program: Program, key: str = "builders") -> Track:
    """The global track of `key` (created on first use), run by the programme."""
    assert program.id is not None
    from cyberhub.services.learning.programs import ensure_track

    track = ensure_track(session, key)  # the standard texts of tracks.json
    session.commit()
    assert track.id is not None
    if session.get(ProgramTrack, (program.id, track.id)) is None:
        _commit(session, ProgramTrack(program_id=program.id, track_id=track.id))
    return track


def make_cohort(
    session: Session,
    program: Program,
    *,
    director: User | None = None,
    name: str = "",
    starts_in_days: int = -7,
) -> Cohort:
    assert program.id is not None
    start = date.today() + timedelta(days=starts_in_days)
    cohort = Cohort(
        program_id=program.id,
        name=name or f"Cohort {_n()}",
        starts_on=start,
        ends_on=start + timedelta(days=84),
        director_id=director.id if director else None,
    )
    _commit(session, cohort)
    return cohort


def cohorts_begun_by(session: Session, day: date) -> None:
    """Move every cohort beginning after `day` to begin on it: for tests whose clock is a fixed
    moment before the factories' cohorts (which begin a week before the real today) begin, so
    their learners have been able to work (analytics count days from a cohort's first day)."""
    for cohort in session.exec(select(Cohort).where(col(Cohort.starts_on) > day)).all():
        cohort.starts_on = day
        session.add(cohort)
    session.commit()


def make_mission(
    session: Session,
    program: Program,
    track: Track,
    *,
    title: str = "",
    difficulty: int = 1,
    status: str = MissionStatus.published,
    rubric: list[dict[str, Any]] | None = None,
    hints: list[str] | None = None,
    prerequisites: tuple[Mission, ...] = (),
    owner: Organization | None = None,
) -> Mission:
    """A mission run by `program`: a library mission unless `owner` (an organisation) is given."""
    n = _n()
    assert program.id is not None and track.id is not None
    mission = Mission(
        organization_id=owner.id if owner else None,
        track_id=track.id,
        slug=f"mission-{n}",
        title=title or f"Mission {n}",
        summary="A test mission.",
        brief="Do the thing and show the evidence.",
        difficulty=difficulty,
        skills=["testing"],
        rubric=list(RUBRIC if rubric is None else rubric),
        hints=list(["First hint.", "Second hint."] if hints is None else hints),
        status=MissionStatus(status),
    )
    _commit(session, mission)
    assert mission.id is not None
    _commit(session, ProgramMission(program_id=program.id, mission_id=mission.id))
    for p in prerequisites:
        _commit(session, MissionPrerequisite(mission_id=mission.id, prerequisite_id=id_of(p)))
    return mission


def enroll(session: Session, cohort: Cohort, student: User, status: str = "active") -> Enrollment:
    assert cohort.id is not None and student.id is not None
    row = Enrollment(cohort_id=cohort.id, student_id=student.id, status=EnrollmentStatus(status))
    _commit(session, row)
    return row


def serve(session: Session, cohort: Cohort, mentor: User, capacity: int = 10) -> None:
    """The mentor serves the cohort (CohortMentor)."""
    assert cohort.id is not None and mentor.id is not None
    _commit(session, CohortMentor(cohort_id=cohort.id, mentor_id=mentor.id, capacity=capacity))


def assign(session: Session, cohort: Cohort, mentor: User, student: User) -> None:
    """The mentor is the student's assigned mentor in the cohort (MentorAssignment)."""
    assert cohort.id is not None and mentor.id is not None and student.id is not None
    _commit(
        session, MentorAssignment(cohort_id=cohort.id, mentor_id=mentor.id, student_id=student.id)
    )


def principal(session: Session, user: User) -> Principal:
    assert user.id is not None
    p = load_principal(session, user.id)
    assert p is not None
    return p


@dataclass
class World:
    org: Organization
    program: Program
    builders: Track
    leaders: Track
    cohort: Cohort
    other_cohort: Cohort
    m1: Mission  # builders, difficulty 1
    m2: Mission  # builders, difficulty 2, needs m1
    m3: Mission  # leaders, difficulty 1
    draft_mission: Mission
    archived_mission: Mission
    student: User  # in cohort, assigned to mentor
    student2: User  # in cohort, not assigned
    outsider_student: User  # same org, in other_cohort (served by other_mentor)
    mentor: User  # serves cohort, assigned to student
    comentor: User  # serves cohort, no assignment
    other_mentor: User  # serves other_cohort only
    director: User
    admin: User
    other_org: Organization
    other_director: User
    other_mentor_org: User  # a mentor of the other organization
    other_program: Program
    other_mission: Mission

    def p(self, session: Session, user: User) -> Principal:
        return principal(session, user)


def build_world(session: Session, prefix: str = "w") -> World:
    org = make_org(session, "Test Academy")
    program = make_program(session, org)
    builders = make_track(session, program, "builders")
    leaders = make_track(session, program, "leaders")

    def user(name: str, role: str, o: Organization | None = org) -> User:
        return make_user(
            session, f"{prefix}.{name}@example.org", role, organization_id=o.id if o else None
        )

    student, student2 = user("student", "student"), user("student2", "student")
    outsider_student = user("outsider", "student")
    mentor, comentor, other_mentor = (
        user("mentor", "mentor"),
        user("comentor", "mentor"),
        user("othermentor", "mentor"),
    )
    director = user("director", "director")
    admin = user("admin", "admin", None)
    cohort = make_cohort(session, program, director=director, name="Spring")
    other_cohort = make_cohort(session, program, director=director, name="Evening")
    for s in (student, student2):
        enroll(session, cohort, s)
    enroll(session, other_cohort, outsider_student)
    serve(session, cohort, mentor)
    serve(session, cohort, comentor)
    serve(session, other_cohort, other_mentor)
    assign(session, cohort, mentor, student)
    m1 = make_mission(session, program, builders, title="Harden a server", difficulty=1)
    m2 = make_mission(
        session, program, builders, title="Scan the pipeline", difficulty=2, prerequisites=(m1,)
    )
    m3 = make_mission(session, program, leaders, title="Write a policy", difficulty=1)
    draft_mission = make_mission(
        session, program, builders, title="Unfinished", status=MissionStatus.draft
    )
    archived_mission = make_mission(
        session, program, builders, title="Retired", status=MissionStatus.archived
    )
    other_org = make_org(session, "Coast Campus")
    other_director = user("otherdirector", "director", other_org)
    other_mentor_org = user("coastmentor", "mentor", other_org)
    other_program = make_program(session, other_org)
    other_track = make_track(session, other_program, "builders")
    other_mission = make_mission(
        session, other_program, other_track, title="Coast mission", owner=other_org
    )
    return World(
        org=org,
        program=program,
        builders=builders,
        leaders=leaders,
        cohort=cohort,
        other_cohort=other_cohort,
        m1=m1,
        m2=m2,
        m3=m3,
        draft_mission=draft_mission,
        archived_mission=archived_mission,
        student=student,
        student2=student2,
        outsider_student=outsider_student,
        mentor=mentor,
        comentor=comentor,
        other_mentor=other_mentor,
        director=director,
        admin=admin,
        other_org=other_org,
        other_director=other_director,
        other_mentor_org=other_mentor_org,
        other_program=other_program,
        other_mission=other_mission,
    )


# -- AI: consent, a completed profiler, jobs -----------------------------------------------------


def grant_ai(session: Session, *users: User) -> None:
    """Sign-up consents including AI profiling, for each user."""
    from cyberhub.services.identity import consents

    for u in users:
        consents.record_signup_consents(
            session, u.id or 0, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
        )
    session.commit()


def complete_profiler(
    session: Session, user_id: int, track: str = "builders", secondary: str = "leaders"
) -> list[str]:
    """A completed profiler placing the user in `track`: every answer is the option weighing
    most towards it. Returns the chosen options' texts."""
    from cyberhub.models import ProfilerAnswer, ProfilerResult, ProfilerSession, ProfilerStatus
    from cyberhub.models.base import utcnow
    from cyberhub.services.ai.profiler_bank import load_bank

    bank = load_bank("1")
    ps = ProfilerSession(
        user_id=user_id, bank_version="1", status=ProfilerStatus.completed, completed_at=utcnow()
    )
    session.add(ps)
    session.flush()
    texts = []
    for q in bank.questions:
        o = max(q.options, key=lambda o: o.weights[track])
        session.add(ProfilerAnswer(session_id=ps.id or 0, question_id=q.id, option_id=o.id))
        texts.append(o.text)
    session.add(
        ProfilerResult(
            session_id=ps.id or 0,
            user_id=user_id,
            primary_track=track,
            secondary_track=secondary,
            confidence="high",
        )
    )
    session.commit()
    return texts


def run_queue(broker: Any, w: Any, queue: str = "ai") -> None:
    """Let the stub worker finish every job on `queue`."""
    broker.join(queue, timeout=20_000)
    w.join()


def queued_jobs(broker: Any, queue: str = "ai") -> list[tuple[str, tuple[int, ...]]]:
    """(actor, args) of the messages waiting on `queue`, without consuming them."""
    import dramatiq

    return [
        (m.actor_name, tuple(m.args))
        for m in map(dramatiq.Message.decode, list(broker.queues[queue].queue))
    ]


def submit_and_decide(
    session: Session, w: World, mission: Mission, decision: str = "approved"
) -> Submission:
    """The world's student submits the mission and its mentor claims and decides it."""
    sub = submissions.submit(
        session, principal(session, w.student), id_of(mission), answer=GOOD_ANSWER
    )
    session.commit()
    decide(session, w, sub, decision)
    return sub


def decide(session: Session, w: World, sub: Submission, decision: str = "approved") -> None:
    """The world's mentor claims a submission and decides it."""
    reviews.claim(session, principal(session, w.mentor), id_of(sub))
    session.commit()
    reviews.review(
        session,
        principal(session, w.mentor),
        id_of(sub),
        decision=decision,
        scores=FULL_SCORES,
        feedback="Good work." if decision == "approved" else "Add the scan output.",
    )
    session.commit()


def habit_shown(
    current: int, unit: str, *, longest: int | None = None, done_today: bool = False
) -> HabitPublic:
    """A habit as the services hand it to pages, daily ("day") or weekly ("week"), with a
    current streak of `current` (and a longest of `longest`, the current one by default)."""
    return HabitPublic(
        id=1,
        title="Read a write-up",
        cadence="daily" if unit == "day" else "weekly",
        per_week=1,
        cadence_label="Every day" if unit == "day" else "Once a week",
        reminder_time=None,
        track_key="",
        skill="",
        archived=False,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        streak=StreakPublic(
            current=current, longest=current if longest is None else longest, unit=unit
        ),
        done_today=done_today,
        week_count=0,
        open_days=[],
    )
