"""A student's work on a mission: drafts, submissions (one row per attempt), files and hints.

Lifecycle of an attempt: draft -> submitted -> in_review (claimed by one mentor, see
services/learning/reviews.py) -> changes_requested | approved. A new attempt is allowed only when there is
none yet or the latest one came back with changes requested; earlier attempts are kept as history.

Object rules (services/learning/learning_access.py): a student sees only their own work (another
student's submission is "not found"); a mentor only their mentees'; a director only work on their
organization's programmes; an admin everything. Drafts are private to the student.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import case, event, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.formatting import person_name, plural, when
from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    HintReveal,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Program,
    ProgramMission,
    Review,
    Role,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.progress import SubmissionEventKind
from cyberhub.schemas.learning import (
    AttemptView,
    DraftPublic,
    EventPublic,
    EventView,
    FilePublic,
    HintPublic,
    HintRevealed,
    MissionRef,
    PersonRef,
    ReviewPublic,
    ScoreView,
    SubmissionPublic,
    WorkStatus,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks
from cyberhub.services import text as free_text
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_role, require_signed_in
from cyberhub.services.learning import learning_access, mission_scope
from cyberhub.services.learning.learning_access import may_view_work
from cyberhub.services.messaging import live, notifications
from cyberhub.settings import get_settings

log = logging.getLogger(__name__)

ANSWER_MIN = 20
ANSWER_MAX = 20_000
MAX_LINKS = 10
LINK_MAX = 500
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The largest upload request taken in (the file + the multipart envelope and form fields); a
# bigger one is refused with 413 before its body is read (api/input_guard.py, upload_guard.py).
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
TOO_LARGE_MESSAGE = (
    f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
    "attach a smaller file or link to it instead."
)
# A stored file no submission references is deleted by the sweep once it is this old (younger
# ones may belong to a transaction still running).
ORPHAN_MIN_AGE = timedelta(hours=1)
# Extension -> the content type the file is served with. Anything else is refused.
ALLOWED_FILES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "md": "text/markdown",
    "zip": "application/zip",
}

# Timeline event kinds.
EV_SUBMITTED = "submitted"
EV_CLAIMED = "claimed"
EV_RELEASED = "released"
EV_CLAIM_EXPIRED = "claim_expired"
EV_APPROVED = "approved"
EV_CHANGES_REQUESTED = "changes_requested"

OPEN_STATUSES = (SubmissionStatus.submitted, SubmissionStatus.in_review)


def submission_link(submission_id: int) -> str:
    """Where a mentor reviews a submission (used in notifications and mails)."""
    return f"/review/{submission_id}"


def mission_link(mission_id: int) -> str:
    return f"/missions/{mission_id}"


def feedback_link(mission_id: int) -> str:
    """Where a student reads a review of their work: the mission page's feedback panel."""
    return f"{mission_link(mission_id)}#feedback"


# -- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the user gave it and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class StoredFile:
    name: str  # the original name, cleaned, for display and download
    path: str  # relative to DATA_DIR: "uploads/<uuid>"
    type: str
    size: int


def clean_filename(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _looks_like(ext: str, content: bytes) -> bool:
    """Cheap magic-byte check so a renamed executable isn't stored as a 'pdf'."""
    if ext == "pdf":
        return content.startswith(b"%PDF-")
    if ext == "png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if ext == "zip":
        return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")
    try:  # txt, md: UTF-8 text without NUL bytes
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in content


def uploads_dir() -> Path:
    return get_settings().data_dir / "uploads"


def store_upload(upload: Upload) -> StoredFile:
    """Check an uploaded file (type whitelist, 10 MB limit, content) and store it.

    The file is written to DATA_DIR/uploads/<random uuid>: the user's name is kept only as data,
    never used as a path. Invalid says what is wrong.
    """
    name = clean_filename(upload.filename)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if not name or ext not in ALLOWED_FILES:
        raise Invalid("Attach a PDF, PNG, JPG, TXT, MD or ZIP file.")
    size = len(upload.content)
    if size == 0:
        raise Invalid("The file is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise Invalid("The file is larger than 10 MB; link to it instead.")
    if not _looks_like(ext, upload.content):
        raise Invalid(f"The file's content is not a valid .{ext} file.")
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = uuid.uuid4().hex
    with (folder / key).open("xb") as fh:  # "x": never overwrite
        fh.write(upload.content)
    return StoredFile(name=name, path=f"uploads/{key}", type=ALLOWED_FILES[ext], size=size)


# -- files and transactions ----------------------------------------------------------------------
# A file is written before its row is committed. Each session keeps two lists in `session.info`:
# files written in this transaction (deleted if it ends without a commit) and files replaced in
# it (deleted once it commits). Whatever escapes both (a crash between the two) is an orphan the
# periodic sweep removes.

_NEW_FILES = "cyberhub.uploads.new"
_REPLACED_FILES = "cyberhub.uploads.replaced"


def _remember(session: Session, key: str, path: str) -> None:
    session.info.setdefault(key, []).append(path)


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        try:
            resolve_stored(path).unlink(missing_ok=True)
        except (NotFound, OSError):
            log.warning("could not delete stored file %s", path, exc_info=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)  # committed: their rows reference them now
    _delete_files(session.info.pop(_REPLACED_FILES, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    # Not committed (after_commit ran first otherwise): the new files belong to no row.
    _delete_files(session.info.pop(_NEW_FILES, []))
    session.info.pop(_REPLACED_FILES, None)


@dataclass(frozen=True)
class SweepResult:
    deleted: int
    kept: int


def sweep_orphan_uploads(session: Session, *, min_age: timedelta = ORPHAN_MIN_AGE) -> SweepResult:
    """Delete stored files no submission references that are older than `min_age`.

    Id-free and idempotent (the periodic job): a file younger than `min_age` may belong to a
    transaction that has not committed yet, so it is left for a later run.
    """
    folder = uploads_dir()
    if not folder.is_dir():
        return SweepResult(deleted=0, kept=0)
    referenced = set(
        session.exec(select(Submission.file_path).where(col(Submission.file_path).is_not(None)))
    )
    cutoff = time.time() - min_age.total_seconds()
    deleted = kept = 0
    for entry in folder.iterdir():
        if not entry.is_file() or f"uploads/{entry.name}" in referenced:
            kept += 1
            continue
        try:
            if entry.stat().st_mtime > cutoff:
                kept += 1
                continue
            entry.unlink()
            deleted += 1
        except FileNotFoundError:  # deleted meanwhile (another sweep, a rollback)
            continue
    return SweepResult(deleted=deleted, kept=kept)


def resolve_stored(path: str) -> Path:
    """The absolute path of a stored file, refusing anything outside DATA_DIR/uploads."""
    root = uploads_dir().resolve()
    full = (get_settings().data_dir / path).resolve()
    if full.parent != root:
        raise NotFound("That file does not exist.")
    return full


# -- validation --------------------------------------------------------------------------------


def _is_web_url(url: str) -> bool:
    """A full http(s) URL with a host (and a valid port, when it names one)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it checks the port (ValueError past 65535)
    except ValueError:  # not a URL at all, such as an unclosed "[" of an IPv6 host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url


def clean_links(links: list[str] | None) -> tuple[list[str], list[str]]:
    """(cleaned links, problems): http(s) URLs only, at most MAX_LINKS, blanks dropped."""
    problems: list[str] = []
    out: list[str] = []
    raw = [(x or "").strip() for x in (links or [])]
    raw = [x for x in raw if x]
    if len(raw) > MAX_LINKS:
        problems.append(f"Add at most {MAX_LINKS} links.")
    for i, url in enumerate(raw[:MAX_LINKS], 1):
        if len(url) > LINK_MAX:
            problems.append(f"Link {i} is longer than {LINK_MAX} characters.")
            continue
        # A link is a one-line typed field (services/text.py): no tab, control or bidi character.
        if refused := free_text.refusal(url, f"link {i}", one_line=True):
            problems.append(refused)
            continue
        if not _is_web_url(url):
            problems.append(
                f"Link {i} must be a full http(s) URL, like https://github.com/you/repo."
            )
            continue
        if url not in out:
            out.append(url)
    return out, problems


def _clean_work(answer: str, links: list[str] | None, *, final: bool) -> tuple[str, list[str]]:
    answer = free_text.line_breaks(answer).strip()
    cleaned, problems = clean_links(links)
    if len(answer) > ANSWER_MAX:
        problems.insert(0, f"The answer must be at most {ANSWER_MAX:,} characters.")
    elif refused := free_text.refusal(answer, "answer"):
        problems.insert(0, refused)
    elif final and len(answer) < ANSWER_MIN:
        problems.insert(
            0, f"Write your answer (at least {ANSWER_MIN} characters) before submitting."
        )
    if problems:
        raise Invalid(" ".join(problems))
    return answer, cleaned


# -- the mission, from the student's side --------------------------------------------------------


@dataclass
class MissionGate:
    """Whether the student may work on the mission, and why not."""

    mission: Mission
    program: Program | None  # the student's programme running it, if any
    enrolled: bool  # a programme they are actively enrolled in runs it (mission_scope)
    missing: list[Mission] = field(default_factory=list)  # published prerequisites not approved

    @property
    def locked(self) -> bool:
        return bool(self.missing)

    @property
    def workable(self) -> bool:
        """Whether the student may work on the mission now: start, submit, reveal hints (the
        rule _workable enforces, and the mission page offers those by): a programme of theirs
        runs it, published (mission_scope.can_take), and no prerequisite locks it."""
        return self.enrolled and not self.locked


def _published_mission(session: Session, mission_id: int) -> Mission:
    mission = session.get(Mission, mission_id)
    if mission is None or mission.status == MissionStatus.draft:
        raise NotFound("That mission does not exist or is not published.")
    return mission


def _readable_mission(session: Session, actor: Principal, mission_id: int) -> Mission:
    """The mission whose work status and hints the actor reads: a published one they may see,
    an archived one for its directors, or one archived or back in draft they handed work in for
    (mission_scope.keeps_reading); NotFound otherwise."""
    mission = session.get(Mission, mission_id)
    if mission is not None and mission_scope.keeps_reading(session, actor.user_id, mission):
        return mission
    mission = _published_mission(session, mission_id)
    mission_scope.require_visible(session, actor, mission_id)
    return mission


@dataclass(frozen=True)
class _WorkProgram:
    """A programme running the mission with a cohort the student is (or was) enrolled in, and
    until when staff read the student's work through it: None while an enrolment there holds
    (active; completed while still a member), else when the last one ended (withdrawn; completed
    by a learner who has left the organisation since). A withdrawal older than migration 0024
    left no date: read as before, without a bound."""

    program: Program
    until: datetime | None


def _work_programs(session: Session, student_id: int, mission_id: int) -> list[_WorkProgram]:
    """The programmes running the mission with a cohort the student is (or was) enrolled in,
    those of an active enrolment first, then by id (each once), with until when each shows
    the work to staff (_WorkProgram)."""
    ended = learning_access.left_after_completing(
        col(Enrollment.student_id), col(Enrollment.cohort_id)
    )
    holds = (col(Enrollment.status) != EnrollmentStatus.withdrawn) & ~ended
    order = case((col(Enrollment.status) == EnrollmentStatus.active, 0), else_=1)
    rows = session.exec(
        select(
            Program,
            holds,
            func.coalesce(col(Enrollment.withdrawn_at), col(Enrollment.completed_at)),
            col(Enrollment.status) == EnrollmentStatus.withdrawn,
        )
        .join(ProgramMission, col(ProgramMission.program_id) == col(Program.id))
        .join(Cohort, col(Cohort.program_id) == col(Program.id))
        .join(Enrollment, col(Enrollment.cohort_id) == col(Cohort.id))
        .where(ProgramMission.mission_id == mission_id, Enrollment.student_id == student_id)
        .order_by(order, col(Program.id))
    ).all()
    found: dict[int | None, Program] = {}
    bound: dict[int | None, datetime | None] = {}
    unbounded: set[int | None] = set()
    for program, held, ended_at, withdrawn in rows:
        found.setdefault(program.id, program)
        if held or (withdrawn and ended_at is None):  # held, or a withdrawal of unknown date
            unbounded.add(program.id)
        elif ended_at is not None:
            bound[program.id] = max(ended_at, bound.get(program.id) or ended_at)
    return [
        _WorkProgram(program, None if pid in unbounded else bound.get(pid))
        for pid, program in found.items()
    ]


def work_program(session: Session, student_id: int, mission_id: int) -> Program | None:
    """The programme the student's work on a mission belongs to: one running the mission with a
    cohort the student is (or was) enrolled in, an active enrolment first; None if none."""
    programs = _work_programs(session, student_id, mission_id)
    return programs[0].program if programs else None


@dataclass(frozen=True)
class _Seen:
    """What seen_through finds: whether the principal sees the student's work on the mission,
    the programme they see it through, and up to when (None: all of it; else only attempts
    handed in by then, _WorkProgram.until)."""

    seen: bool
    program: Program | None
    until: datetime | None = None

    def shows(self, sub: Submission) -> bool:
        """Whether this attempt is one the principal sees."""
        at = sub.submitted_at or sub.created_at
        return self.seen and (self.until is None or at <= self.until)


def _seen(session: Session, principal: Principal, student_id: int, mission_id: int) -> _Seen:
    programs = _work_programs(session, student_id, mission_id)
    own = principal.user_id == student_id or principal.is_admin
    granted = [
        wp
        for wp in programs
        if may_view_work(
            session,
            principal,
            student_id=student_id,
            program_id=wp.program.id or 0,
            org_id=wp.program.organization_id,
        )
    ]
    if granted:
        # The widest view: a programme the learner still belongs to shows all of their work;
        # one they left, what they handed in while they belonged (not later work elsewhere).
        if own or any(wp.until is None for wp in granted):
            return _Seen(True, granted[0].program)
        until = max(wp.until for wp in granted if wp.until is not None)
        return _Seen(True, granted[0].program, until)
    if not programs:
        seen = may_view_work(session, principal, student_id=student_id, program_id=0, org_id=0)
        return _Seen(seen, None)
    return _Seen(False, programs[0].program)


def seen_through(
    session: Session, principal: Principal, student_id: int, mission_id: int
) -> tuple[bool, Program | None]:
    """(May the principal see the student's work on the mission, the programme they see it
    through.) A learner in two programmes that both run the mission has one piece of work for
    both: their mentors and directors in either see it (as the review queue lists it to them),
    each through their own programme; anyone else is answered with work_program's. Through a
    programme the learner has left, staff see only what was handed in before (load_visible,
    history: _Seen.until)."""
    found = _seen(session, principal, student_id, mission_id)
    return found.seen, found.program


def work_seen(session: Session, principal: Principal, student_id: int, mission_id: int) -> bool:
    """Whether the principal sees the student's work on the mission through one of the
    student's programmes (seen_through): the rule for what staff are shown of a learner's
    missions on the mentee page — attempts, goal links, the coach's plan."""
    seen, program = seen_through(session, principal, student_id, mission_id)
    return seen and program is not None


def missions_seen(session: Session, principal: Principal, student_id: int) -> list[int]:
    """The missions the student has handed work in for (drafts aside) whose work the principal
    sees (work_seen): decided per mission, a learner has few. What staff are shown and counted
    of a learner's work — the mentee page's attempts, the coach's "what changed"."""
    mission_ids = session.exec(
        select(Submission.mission_id)
        .where(Submission.student_id == student_id, Submission.status != SubmissionStatus.draft)
        .distinct()
    ).all()
    return [mid for mid in mission_ids if work_seen(session, principal, student_id, mid)]


def _gate(session: Session, student_id: int, mission: Mission) -> MissionGate:
    program = work_program(session, student_id, mission.id or 0)
    enrolled = mission_scope.can_take(session, student_id, mission.id or 0)
    approved = (
        select(Submission.mission_id)
        .where(
            Submission.student_id == student_id,
            Submission.status == SubmissionStatus.approved,
        )
        .scalar_subquery()
    )
    # Only published prerequisites lock a mission: an archived one could never be approved.
    missing = session.exec(
        select(Mission)
        .join(MissionPrerequisite, col(MissionPrerequisite.prerequisite_id) == col(Mission.id))
        .where(
            MissionPrerequisite.mission_id == mission.id,
            Mission.status == MissionStatus.published,
            col(Mission.id).not_in(approved),
        )
        .order_by(col(Mission.difficulty), col(Mission.id))
    ).all()
    return MissionGate(mission=mission, program=program, enrolled=enrolled, missing=list(missing))


def _workable(session: Session, principal: Principal | None, mission_id: int) -> MissionGate:
    """The mission, if the student may work on it now; else the reason as an error."""
    actor = require_role(principal, Role.student)
    mission = _published_mission(session, mission_id)
    if mission.status == MissionStatus.archived:
        raise Conflict("This mission is archived and no longer takes submissions.")
    gate = _gate(session, actor.user_id, mission)
    if gate.workable:
        return gate
    if not gate.enrolled:  # NotFound, or Forbidden with the way forward
        mission_scope.require_takeable(session, actor, mission_id)
    titles = ", ".join(f"“{m.title}”" for m in gate.missing)
    raise Forbidden(f"This mission is locked until your work on {titles} is approved.")


def _lock_student(session: Session, student_id: int) -> None:
    """Serialize one student's drafts and submissions (attempt numbers never collide)."""
    locks.hold(session, locks.Lock.STUDENT_SUBMISSIONS, student_id)


def latest_attempt(session: Session, student_id: int, mission_id: int) -> Submission | None:
    return session.exec(
        select(Submission)
        .where(Submission.student_id == student_id, Submission.mission_id == mission_id)
        .order_by(col(Submission.attempt).desc())
        .limit(1)
    ).first()


def _blocked(latest: Submission) -> Conflict:
    if latest.status == SubmissionStatus.approved:
        return Conflict("This mission is already approved; there is nothing more to submit.")
    return Conflict(
        f"Attempt {latest.attempt} is waiting for review. You can submit again if your mentor "
        "requests changes."
    )


def _attempt_to_write(session: Session, student_id: int, mission_id: int) -> Submission:
    """The draft to update, or a new attempt when allowed (none yet, or changes requested)."""
    _lock_student(session, student_id)
    latest = latest_attempt(session, student_id, mission_id)
    if latest is not None and latest.status == SubmissionStatus.draft:
        return latest
    if latest is None:
        return Submission(
            student_id=student_id, mission_id=mission_id, attempt=1, status=SubmissionStatus.draft
        )
    if latest.status == SubmissionStatus.changes_requested:
        # A resubmission starts from the previous attempt: its answer, links and file (the
        # stored file is shared until the new attempt replaces it; see _attach).
        return Submission(
            student_id=student_id,
            mission_id=mission_id,
            attempt=latest.attempt + 1,
            status=SubmissionStatus.draft,
            answer=latest.answer,
            links=list(latest.links or []),
            file_name=latest.file_name,
            file_path=latest.file_path,
            file_type=latest.file_type,
            file_size=latest.file_size,
        )
    raise _blocked(latest)


def _store(session: Session, upload: Upload | None) -> StoredFile | None:
    """Store the upload; it is deleted again if the transaction does not commit."""
    if upload is None:
        return None
    stored = store_upload(upload)
    _remember(session, _NEW_FILES, stored.path)
    return stored


def _shared(session: Session, sub: Submission) -> bool:
    """Whether another attempt still references `sub`'s file (carried into a resubmission)."""
    others = select(Submission.id).where(Submission.file_path == sub.file_path)
    if sub.id is not None:
        others = others.where(Submission.id != sub.id)
    return session.exec(others.limit(1)).first() is not None


def _attach(session: Session, sub: Submission, stored: StoredFile | None) -> None:
    """Put the stored file on the attempt; the file it replaces is deleted after the commit."""
    if stored is not None:
        if sub.file_path and sub.file_path != stored.path and not _shared(session, sub):
            _remember(session, _REPLACED_FILES, sub.file_path)
        sub.file_name, sub.file_path = stored.name, stored.path
        sub.file_type, sub.file_size = stored.type, stored.size


def add_event(session: Session, submission_id: int, actor_id: int | None, kind: str) -> None:
    session.add(
        SubmissionEvent(
            submission_id=submission_id, actor_id=actor_id, kind=SubmissionEventKind(kind)
        )
    )


def release_claim(session: Session, sub: Submission, actor_id: int) -> None:
    """Give one claimed submission back to the queue (release_claims)."""
    release_claims(session, [sub], actor_id)


def release_claims(session: Session, claimed: Sequence[Submission], actor_id: int) -> None:
    """Give claimed submissions back to the queue: submitted again, claimed by nobody, each with
    a "released" event by `actor_id` (the caller checked who may release them). The learner's
    open page stops showing "In review"; the open queues of the other mentors who may claim the
    work list it as pending again, and that of the mentor who held it (when someone else gave
    it back) no longer lists it as theirs (queues_changed: one message per mentor)."""
    holders: set[int] = set()
    for sub in claimed:
        if sub.claimed_by_id is not None:
            holders.add(sub.claimed_by_id)
        sub.status = SubmissionStatus.submitted
        sub.claimed_by_id = None
        sub.claim_expires_at = None
        session.add(sub)
        add_event(session, sub.id or 0, actor_id, EV_RELEASED)
        live.changed(session, sub.student_id, live.SUBMISSION)
    queues_changed(
        session, [(s.student_id, s.mission_id) for s in claimed], also=holders, besides=actor_id
    )


def queues_changed(
    session: Session,
    work: Iterable[tuple[int, int]],
    *,
    also: Iterable[int] = (),
    besides: int | None = None,
) -> None:
    """Tell the open review queues of every mentor who may claim this (student_id, mission_id)
    work (learning_access.work_mentors: its status changed, so their pending list did), and of
    the mentors `also`, that they changed: one message per mentor, one query for all the work.
    `besides`: the mentor who made the change (their own page already shows it)."""
    mentors = set(also)
    for found in learning_access.work_mentors(session, work).values():
        mentors |= found.everyone
    for mentor_id in sorted(mentors - {besides}):
        live.changed(session, mentor_id, live.QUEUE)


def _write_work(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    answer: str,
    links: list[str] | None,
    file: Upload | None,
    *,
    final: bool,
) -> tuple[MissionGate, Submission]:
    """The work written into its attempt, for a draft and a submit alike: the mission workable,
    the answer and links checked (a submit's strictly) before an attempt starts, the file kept."""
    gate = _workable(session, principal, mission_id)
    assert principal is not None
    answer, cleaned = _clean_work(answer, links, final=final)
    sub = _attempt_to_write(session, principal.user_id, mission_id)
    _attach(session, sub, _store(session, file))
    sub.answer, sub.links = answer, cleaned
    return gate, sub


def save_draft(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    *,
    answer: str = "",
    links: list[str] | None = None,
    file: Upload | None = None,
) -> Submission:
    """Save work in progress (the latest draft, or a new draft attempt when one is allowed).

    A draft may be short; links must still be http(s) URLs. A draft is visible only to its author.
    """
    _, sub = _write_work(session, principal, mission_id, answer, links, file, final=False)
    session.add(sub)
    session.flush()
    return sub


def attach_file(
    session: Session, principal: Principal | None, mission_id: int, upload: Upload
) -> Submission:
    """Attach (or replace) the file of the student's draft, starting a draft when allowed."""
    _workable(session, principal, mission_id)
    assert principal is not None
    sub = _attempt_to_write(session, principal.user_id, mission_id)
    _attach(session, sub, _store(session, upload))
    session.add(sub)
    session.flush()
    return sub


def remove_file(session: Session, principal: Principal | None, mission_id: int) -> Submission:
    """Take the file off the student's draft — or off the next attempt, which starts from the
    one changes were requested on (a new draft then holds its answer and links, no file). The
    stored file is deleted after the commit unless an earlier attempt keeps it. Conflict when
    the draft has no file, or no new work is allowed now."""
    _workable(session, principal, mission_id)
    assert principal is not None
    sub = _attempt_to_write(session, principal.user_id, mission_id)
    if not sub.file_path:
        raise Conflict("Your draft has no file to remove.")
    if not _shared(session, sub):
        _remember(session, _REPLACED_FILES, sub.file_path)
    sub.file_name = sub.file_path = sub.file_type = None
    sub.file_size = None
    session.add(sub)
    session.flush()
    return sub


def submit(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    *,
    answer: str,
    links: list[str] | None = None,
    file: Upload | None = None,
) -> Submission:
    """Submit an attempt for review: the open draft, or a new attempt (previous + 1).

    Only for published missions whose (published) prerequisites are approved, by a student
    enrolled in a cohort of its programme. Invalid for a short answer or bad links; Conflict while
    an earlier attempt is waiting for review or once the mission is approved. Notifies the
    student's assigned mentor (else the mentors serving their cohort).
    """
    gate, sub = _write_work(session, principal, mission_id, answer, links, file, final=True)
    assert principal is not None
    # A programme stopping to run the mission at this moment: one or the other waits, so the
    # work never waits for review where no mentor may claim it.
    if not mission_scope.hold_takeable(session, principal.user_id, mission_id):
        raise Forbidden(mission_scope.TAKE_REFUSED)
    sub.status = SubmissionStatus.submitted
    sub.submitted_at = utcnow()
    session.add(sub)
    session.flush()
    assert sub.id is not None
    add_event(session, sub.id, principal.user_id, EV_SUBMITTED)
    _notify_mentors(session, sub, gate.mission, principal)
    jobs.coaching_changed(session, principal.user_id)  # "requested changes unanswered" ends
    return sub


def _notify_mentors(
    session: Session, sub: Submission, mission: Mission, student: Principal
) -> None:
    mentors = learning_access.work_mentors(session, [(sub.student_id, sub.mission_id)])
    found = mentors[(sub.student_id, sub.mission_id)]
    # Told: the assigned mentor; nobody assigned yet: every mentor serving the student's cohort.
    who = student.full_name or student.email
    again = f" (attempt {sub.attempt})" if sub.attempt > 1 else ""
    for mentor_id in sorted(found.assigned or found.serving):
        notifications.notify(
            session,
            mentor_id,
            kind=notifications.SUBMISSION_RECEIVED,
            title=f"{who} submitted “{mission.title}”{again}"[:200],
            body="A new submission is waiting in your review queue.",
            link=submission_link(sub.id or 0),
        )
    # Every mentor whose pending queue lists the work (the pairs reviews.queue reads), told or
    # not: their open review queue shows it.
    for mentor_id in sorted(found.everyone):
        live.changed(session, mentor_id, live.QUEUE)


# -- reading -----------------------------------------------------------------------------------


@dataclass
class SubmissionDetail:
    submission: Submission
    mission: Mission
    student: User
    review: Review | None = None
    events: list[SubmissionEvent] = field(default_factory=list)

    def as_public(self) -> SubmissionPublic:
        """The attempt as the API shows it (GET /submissions/{id}, a mission's history)."""
        s, r = self.submission, self.review
        return from_row(
            SubmissionPublic,
            s,
            mission=MissionRef(id=self.mission.id or 0, title=self.mission.title),
            student=PersonRef(
                id=self.student.id or 0,
                name=person_name(self.student.full_name, self.student.email),
            ),
            links=list(s.links or []),
            file=(
                FilePublic(name=s.file_name, type=s.file_type, size=s.file_size)
                if s.file_path
                else None
            ),
            claimed_by=s.claimed_by_id,
            review=(
                from_row(
                    ReviewPublic,
                    r,
                    max_total=rubric_max(self.mission),
                    comments=dict(r.comments or {}),
                )
                if r
                else None
            ),
            timeline=[
                EventPublic(kind=e.kind, actor_id=e.actor_id, at=e.created_at) for e in self.events
            ],
        )


def rubric_max(mission: Mission) -> int:
    return sum(int(str(c.get("points", 0))) for c in mission.rubric or [])


def _refuse(principal: Principal) -> NotFound | Forbidden:
    """Students aren't told that another student's work exists; staff are told no."""
    if set(principal.roles) <= {Role.student.value}:
        return NotFound("That submission does not exist.")
    return Forbidden("You can't see this submission.")


def load_visible(
    session: Session, principal: Principal | None, submission_id: int, *, for_update: bool = False
) -> tuple[Submission, Mission, Program | None]:
    """The submission, its mission and the programme it was done in (None when no programme of
    the student runs the mission any more), if the principal may see it."""
    actor = require_signed_in(principal)
    sub = session.get(
        Submission, submission_id, with_for_update=for_update, populate_existing=for_update
    )
    if sub is None:
        raise NotFound("That submission does not exist.")
    mission = session.get(Mission, sub.mission_id)
    assert mission is not None
    found = _seen(session, actor, sub.student_id, mission.id or 0)
    own = sub.student_id == actor.user_id
    if (sub.status == SubmissionStatus.draft and not own) or not found.shows(sub):
        raise _refuse(actor)
    return sub, mission, found.program


def _details(session: Session, subs: list[Submission], mission: Mission) -> list[SubmissionDetail]:
    if not subs:
        return []
    ids = [s.id for s in subs]
    reviews = {
        r.submission_id: r
        for r in session.exec(select(Review).where(col(Review.submission_id).in_(ids))).all()
    }
    events: dict[int, list[SubmissionEvent]] = {}
    for e in session.exec(
        select(SubmissionEvent)
        .where(col(SubmissionEvent.submission_id).in_(ids))
        .order_by(col(SubmissionEvent.created_at), col(SubmissionEvent.id))
    ).all():
        events.setdefault(e.submission_id, []).append(e)
    student = session.get(User, subs[0].student_id)
    assert student is not None
    return [
        SubmissionDetail(
            submission=s,
            mission=mission,
            student=student,
            review=reviews.get(s.id or 0),
            events=events.get(s.id or 0, []),
        )
        for s in subs
    ]


def get_submission(
    session: Session, principal: Principal | None, submission_id: int
) -> SubmissionDetail:
    """One submission with its review and timeline, under the object rules above."""
    sub, mission, _ = load_visible(session, principal, submission_id)
    return _details(session, [sub], mission)[0]


def history(
    session: Session, principal: Principal | None, student_id: int, mission_id: int
) -> list[SubmissionDetail]:
    """Every attempt of a student at a mission (oldest first), with reviews and timelines."""
    actor = require_signed_in(principal)
    if actor.user_id == student_id:
        # Their own: a mission they may read, as its page reads it (another organisation's
        # draft answered an empty list, telling that it exists).
        mission = _readable_mission(session, actor, mission_id)
    else:
        found = session.get(Mission, mission_id)
        if found is None:
            raise NotFound("That mission does not exist.")
        mission = found
    view = _seen(session, actor, student_id, mission_id)
    if not view.seen:
        raise _refuse(actor)
    stmt = select(Submission).where(
        Submission.student_id == student_id, Submission.mission_id == mission_id
    )
    if actor.user_id != student_id:
        stmt = stmt.where(Submission.status != SubmissionStatus.draft)
    subs = [s for s in session.exec(stmt.order_by(col(Submission.attempt))).all() if view.shows(s)]
    return _details(session, subs, mission)


def stored_file(
    session: Session, principal: Principal | None, submission_id: int
) -> tuple[Path, str, str]:
    """(path, original name, content type) of a submission's file, for those who may see it."""
    sub, _, _ = load_visible(session, principal, submission_id)
    if not sub.file_path:
        raise NotFound("This submission has no file.")
    path = resolve_stored(sub.file_path)
    if not path.is_file():
        raise NotFound("That file is no longer stored.")
    return path, sub.file_name or "attachment", sub.file_type or "application/octet-stream"


def work_status(session: Session, principal: Principal | None, mission_id: int) -> WorkStatus:
    """What the mission page needs: locked / enrolled, the latest attempt and what is allowed."""
    actor = require_signed_in(principal)
    mission = _readable_mission(session, actor, mission_id)
    gate = _gate(session, actor.user_id, mission)
    latest = latest_attempt(session, actor.user_id, mission_id)
    is_student = actor.has_role(Role.student)
    open_for_work = (
        is_student
        and gate.workable
        and (
            latest is None
            or latest.status in (SubmissionStatus.draft, SubmissionStatus.changes_requested)
        )
    )
    status = latest.status if latest else ("locked" if gate.locked else "not_started")
    return WorkStatus(
        status=status,
        locked=gate.locked,
        missing_prerequisites=[MissionRef(id=m.id or 0, title=m.title) for m in gate.missing],
        enrolled=gate.enrolled,
        attempts=latest.attempt if latest else 0,
        latest_id=latest.id if latest else None,
        can_submit=open_for_work,
        can_reveal_hints=is_student and gate.workable,
        # The form starts from the draft or, after changes were requested, from that attempt
        # (the next save or submit copies it into the new attempt: _attempt_to_write).
        draft=(
            DraftPublic(answer=latest.answer, links=list(latest.links or []), file=latest.file_name)
            if latest is not None
            and latest.status in (SubmissionStatus.draft, SubmissionStatus.changes_requested)
            else None
        ),
    )


EVENT_LABELS = {
    EV_SUBMITTED: "Submitted",
    EV_CLAIMED: "Claimed for review",
    # Whoever gave it back (its mentor, a director's unenrolment, the learner leaving the
    # cohort) is named beside it as the event's actor.
    EV_RELEASED: "Returned to the review queue",
    EV_CLAIM_EXPIRED: "Review claim expired",
    EV_APPROVED: "Approved",
    EV_CHANGES_REQUESTED: "Changes requested",
}


def display_time(at: datetime | None) -> str:
    """A timestamp as the screens show it ("05 Mar 2026, 14:02 UTC"); "" for none."""
    return f"{at.astimezone(UTC):%d %b %Y, %H:%M} UTC" if at else ""


def display_size(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def attempt_views(
    session: Session, details: list[SubmissionDetail], tz: str | None = None
) -> list[AttemptView]:
    """The attempts as the screens render them (components/learning.py): dates for people in
    time zone `tz` (UTC when None), mentor and actor names, scores per rubric criterion with
    titles and maxima, labelled events.

    Takes details already loaded under the object rules (history / get_submission)."""
    user_ids = {d.review.mentor_id for d in details if d.review and d.review.mentor_id}
    user_ids |= {e.actor_id for d in details for e in d.events if e.actor_id}
    names = {
        u.id: person_name(u.full_name, u.email)
        for u in (
            session.exec(select(User).where(col(User.id).in_(user_ids))).all() if user_ids else []
        )
    }
    out: list[AttemptView] = []
    for d in details:
        s, r = d.submission, d.review
        criteria = [c for c in d.mission.rubric or [] if isinstance(c, dict)]
        scores = (
            [
                ScoreView(
                    title=str(c.get("title") or c.get("key", "")),
                    points=int(r.scores.get(str(c.get("key", "")), 0)),
                    max=int(str(c.get("points", 0))),
                    comment=str((r.comments or {}).get(str(c.get("key", "")), "")),
                )
                for c in criteria
            ]
            if r
            else []
        )
        out.append(
            AttemptView(
                id=s.id or 0,
                attempt=s.attempt,
                status=s.status,
                answer=s.answer,
                links=list(s.links or []),
                file_name=s.file_name or "",
                file_size=display_size(s.file_size),
                created_at=when(s.created_at, tz),
                submitted_at=when(s.submitted_at, tz),
                has_review=r is not None,
                decision=r.decision if r else "",
                mentor=names.get(r.mentor_id or 0, "a mentor") if r else "",
                reviewed_at=when(r.created_at, tz) if r else "",
                total=r.total if r else 0,
                max_total=rubric_max(d.mission),
                feedback=r.feedback if r else "",
                scores=scores,
                events=[
                    EventView(
                        kind=e.kind,
                        label=EVENT_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()),
                        actor=names.get(e.actor_id or 0, ""),
                        at=when(e.created_at, tz),
                    )
                    for e in d.events
                ],
            )
        )
    return out


# -- hints -------------------------------------------------------------------------------------


def revealed_hints(
    session: Session, principal: Principal | None, mission_id: int
) -> list[HintPublic]:
    """The hints the student has revealed so far, in order."""
    actor = require_signed_in(principal)
    mission = _readable_mission(session, actor, mission_id)
    indexes = session.exec(
        select(HintReveal.hint_index)
        .where(HintReveal.student_id == actor.user_id, HintReveal.mission_id == mission_id)
        .order_by(col(HintReveal.hint_index))
    ).all()
    hints = list(mission.hints or [])
    return [HintPublic(index=i, hint=hints[i]) for i in indexes if 0 <= i < len(hints)]


def reveal_hint(
    session: Session, principal: Principal | None, mission_id: int, index: int | None = None
) -> HintRevealed:
    """Reveal a hint (the next one, or `index`) and record it; revealing one again is a no-op.
    Hints are revealed in order, on a mission the student may work on now (_workable: not
    locked behind a prerequisite, nor archived) — a hint counts as used towards the work."""
    actor = require_role(principal, Role.student)
    mission = _workable(session, actor, mission_id).mission
    hints = list(mission.hints or [])
    if not hints:
        raise NotFound("This mission has no hints.")
    shown = [h.index for h in revealed_hints(session, actor, mission_id)]
    if index is None:
        if len(shown) >= len(hints):
            raise Conflict("You have already seen every hint for this mission.")
        index = len(shown)
    if not 0 <= index < len(hints):
        raise Invalid(f"This mission has {plural(len(hints), 'hint')} (0 to {len(hints) - 1}).")
    if index > len(shown):
        raise Invalid("Reveal the hints in order.")
    session.execute(
        insert(HintReveal)
        .values(
            student_id=actor.user_id, mission_id=mission_id, hint_index=index, revealed_at=utcnow()
        )
        .on_conflict_do_nothing()
    )
    revealed = sorted(set(shown) | {index})
    return HintRevealed(
        index=index,
        hint=hints[index],
        revealed=[HintPublic(index=i, hint=hints[i]) for i in revealed],
        remaining=len(hints) - len(revealed),
    )
