"""Demo data for a first run: loaded only into an empty database."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from cyberhub.models import (
    Cohort,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Organization,
    Program,
    Role,
    RoleAssignment,
    Track,
    User,
)
from cyberhub.services.passwords import hash_password

DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_PASSWORD = "CyberHub-Demo-2026"

# (email, name, role, organization-scoped?)
DEMO_USERS: list[tuple[str, str, Role, bool]] = [
    ("student@cyberhub.example", "Amina Njoroge", Role.student, True),
    ("mentor@cyberhub.example", "Brian Otieno", Role.mentor, True),
    ("director@cyberhub.example", "Grace Wanjiru", Role.director, True),
    ("sponsor@cyberhub.example", "Kofi Mensah", Role.sponsor, True),
    ("admin@cyberhub.example", "Ada Admin", Role.admin, False),
]


def load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def is_empty(session: Session) -> bool:
    return session.exec(select(Organization.id)).first() is None


def load_demo_data(session: Session) -> list[int]:
    """Create the demo organization, program, tracks, cohorts, missions and users.

    Returns the ids of the published missions (the caller enqueues their embeddings).
    """
    org = Organization(
        name="Ongoza CyberHub Academy",
        slug="ongoza",
        description="Ongoza's flagship cybersecurity career academy.",
    )
    session.add(org)
    session.flush()
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

    tracks: dict[str, Track] = {}
    for t in load_json("tracks.json"):
        track = Track(program_id=program.id, **t)
        session.add(track)
        tracks[t["key"]] = track
    session.flush()

    users: dict[Role, User] = {}
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role, scoped in DEMO_USERS:
        user = User(email=email, full_name=name, password_hash=password_hash)
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(
            RoleAssignment(
                user_id=user.id,
                role=role,
                organization_id=org.id if scoped else None,
                reason="demo data",
            )
        )
        users[role] = user

    from cyberhub.services import consents

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
        mission = Mission(
            program_id=program.id,
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
    for m in raw:
        for prereq in m.get("prerequisites", []):
            session.add(
                MissionPrerequisite(
                    mission_id=by_slug[m["slug"]].id,  # type: ignore[arg-type]
                    prerequisite_id=by_slug[prereq].id,  # type: ignore[arg-type]
                )
            )
    session.flush()
    return [m.id for m in by_slug.values() if m.id is not None]


def _demo_profiler_result(session: Session, student: User) -> None:
    """The demo student has taken the profiler, answering as a builder would."""
    from cyberhub.services import profiler
    from cyberhub.services.permissions import load_principal
    from cyberhub.services.profiler_bank import load_bank

    principal = load_principal(session, student.id or 0)
    started = profiler.start(session, principal)
    for q in load_bank(started["version"]).questions:
        best = max(q.options, key=lambda o: (o.weights["builders"], -o.weights["leaders"]))
        profiler.respond(session, principal, started["id"], question_id=q.id, option_id=best.id)
    profiler.complete(session, principal, started["id"])
