"""What the mission page loads, in one transaction per event (run through ServiceState._call):
the mission as the page shows it and, for a student, their work on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.models import MissionStatus, Role, SubmissionStatus
from cyberhub.schemas.learning import AttemptView, EventView, HintPublic, MissionRef, WorkStatus
from cyberhub.schemas.rows import from_row
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog, submissions


class RubricRow(BaseModel):
    """One criterion of the rubric (stored as free-form JSON; missing parts shown empty)."""

    title: str = ""
    description: str = ""
    points: int = 0


class MissionView(BaseModel):
    id: int = 0
    title: str = ""
    summary: str = ""
    brief: str = ""
    difficulty: int = 1
    skills: list[str] = []
    minutes: int = 0
    track: str = ""
    rubric: list[RubricRow] = []
    hints: list[str] = []
    prerequisites: list[MissionRef] = []
    # Archived or back in draft: shown only to a learner who handed work in for it
    # (mission_scope.keeps_reading); it takes no new work.
    retired: bool = False


NO_WORK = WorkStatus(
    status="not_started",
    locked=False,
    missing_prerequisites=[],
    enrolled=False,
    attempts=0,
    latest_id=None,
    can_submit=False,
    draft=None,
)


@dataclass
class Work:
    """The student's side: work status, submitted attempts (newest first), the combined
    timeline and the hints they revealed. Attempts and events are as
    services.submissions.attempt_views shapes them (the state holds them as AttemptRow and
    EventRow, which components/learning.py renders)."""

    status: WorkStatus = field(default_factory=NO_WORK.model_copy)
    attempts: list[AttemptView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    hints: list[HintPublic] = field(default_factory=list)


@dataclass
class Loaded:
    mission: MissionView
    is_student: bool
    work: Work


def _student(principal: Principal | None) -> Principal:
    if principal is None or not principal.has_role(Role.student):
        raise Forbidden("Only students work on missions.")
    return principal


def load_work(session: Session, principal: Principal | None, mission_id: int) -> Work:
    """The student's work on the mission, dates in their time zone."""
    me = _student(principal)
    details = submissions.history(session, me, me.user_id, mission_id)
    views = submissions.attempt_views(session, details, me.time_zone)
    return Work(
        status=submissions.work_status(session, me, mission_id),
        # A draft lives in the form, not in the history.
        attempts=[a for a in reversed(views) if a["status"] != SubmissionStatus.draft],
        events=[
            EventView(**{**e, "label": f"Attempt {a['attempt']} · {e['label']}"})
            for a in views
            for e in a["events"]
        ],
        hints=submissions.revealed_hints(session, me, mission_id),
    )


def load(session: Session, principal: Principal | None, mission_id: int) -> Loaded:
    """The mission for anyone who may read it, and the student's work on it."""
    d = catalog.get_mission(session, principal, mission_id)
    m = d.mission
    is_student = principal is not None and principal.has_role(Role.student)
    return Loaded(
        mission=from_row(
            MissionView,
            m,
            id=m.id or 0,
            skills=list(m.skills),
            minutes=m.estimated_minutes,
            track=d.track.name,
            rubric=[RubricRow.model_validate(c) for c in m.rubric or [] if isinstance(c, dict)],
            hints=list(m.hints),
            prerequisites=[MissionRef(id=p.id or 0, title=p.title) for p in d.prerequisites],
            retired=m.status != MissionStatus.published,
        ),
        is_student=is_student,
        work=load_work(session, principal, mission_id) if is_student else Work(),
    )


def save(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    final: bool,
    answer: str,
    links: list[str],
) -> tuple[int, Work]:
    """Submit (final) or save the draft; the attempt's number and the work afterwards."""
    if final:
        sub = submissions.submit(session, principal, mission_id, answer=answer, links=links)
    else:
        sub = submissions.save_draft(session, principal, mission_id, answer=answer, links=links)
    return sub.attempt, load_work(session, principal, mission_id)


def save_draft(
    session: Session, principal: Principal | None, mission_id: int, answer: str, links: list[str]
) -> tuple[int, WorkStatus]:
    """Save the draft; the attempt's number and the work status afterwards. A draft adds no
    event, attempt shown or hint, so only the status is read back (not the whole work: 23 -> 15
    statements per "Save draft", bench/event_profile.py)."""
    sub = submissions.save_draft(session, principal, mission_id, answer=answer, links=links)
    return sub.attempt, submissions.work_status(session, _student(principal), mission_id)


def attach(
    session: Session, principal: Principal | None, mission_id: int, name: str, content: bytes
) -> tuple[str, Work]:
    """Attach a file to the draft; the stored file name and the work afterwards."""
    upload = submissions.Upload(filename=name, content=content)
    sub = submissions.attach_file(session, principal, mission_id, upload)
    return sub.file_name or name, load_work(session, principal, mission_id)


def remove_file(session: Session, principal: Principal | None, mission_id: int) -> Work:
    """Take the file off the draft; the work afterwards."""
    submissions.remove_file(session, principal, mission_id)
    return load_work(session, principal, mission_id)


def file_content(
    session: Session, principal: Principal | None, submission_id: int
) -> tuple[bytes, str]:
    """A submission's file and its name, for those who may see it."""
    path, name, _ = submissions.stored_file(session, principal, submission_id)
    return path.read_bytes(), name
