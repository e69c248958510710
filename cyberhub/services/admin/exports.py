"""Exports (issue 15, item 5): request one, a worker job writes the file, its requester
downloads it until it expires.

Who may request what (checked here, again when the job runs and on each download):
- roster (a cohort, or every cohort of a programme): directors of the programme's organisation,
  admins;
- gradebook (a cohort): its directors and admins (every learner), a mentor of the cohort (the
  learners they mentor there — learning_access.mentor_pairs);
- mentor workload (a programme): its directors, admins;
- audit log: admins;
- own data: everyone, about themselves;
- sponsor report (every funded cohort, or one): sponsors, of their own organisations'
  sponsorships; for one cohort also its directors and admins (sponsorships.report). Learners
  appear only with their consent, whoever asks: a file naming one who has stopped sharing since
  is no longer handed out (410).

Only the requester downloads an export (an owner check; no bearer token in the link): others
get 404, as if it did not exist; a requester who has lost the rights it needs gets 403. After
EXPORT_TTL_HOURS the download answers 410 and the periodic sweep deletes the file and the row.

The job (`run_export`, enqueued by name after commit) claims the row with a conditional UPDATE
(queued -> running), so a second delivery of the message does nothing; it streams rows from the
database into DATA_DIR/exports/<random name> and commits its progress every few hundred rows
in a short transaction of its own. While it runs it writes a heartbeat every HEARTBEAT_EVERY_S:
a running export silent for TAKEOVER_AFTER lost its worker (killed, or stopped mid-export), and
the next delivery of its job takes it over (the sweep sends one). Interrupted by a worker
shutting down, the job puts the export back in the queue itself.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dramatiq.middleware import TimeLimitExceeded
from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.formatting import zone
from cyberhub.models import (
    Cohort,
    CohortMentor,
    Export,
    ExportKind,
    ExportStatus,
    MentorAssignment,
    Program,
    Role,
    Sponsorship,
    Submission,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.outages import OUTAGE_ERRORS, is_outage
from cyberhub.schemas.exports import ExportChoice, ExportPublic, ExportRequest, ExportScope
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.sponsorships import SponsorDashboard
from cyberhub.services import locks
from cyberhub.services.admin import audit, export_writers
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound
from cyberhub.services.identity.permissions import (
    Principal,
    hide_from_outsiders,
    load_principal,
    managed_org_ids,
    manages,
    require_signed_in,
)
from cyberhub.services.learning import sponsorships
from cyberhub.services.learning.programs import (
    UNKNOWN_COHORT,
    UNKNOWN_PROGRAM,
    cohort_with_program,
)
from cyberhub.settings import get_settings

log = logging.getLogger(__name__)

# Queued or running exports one person may have at once (each is a job on the shared worker).
MAX_ACTIVE = 3
# An export still "running" this long after it started lost its worker (killed): failed.
STALE_AFTER = timedelta(hours=2)
# A queued export whose job has not started after this long is sent its job again by the sweep:
# the first one may be gone (Redis was away when the request committed, or restarted without
# it). Sending twice is safe: `claim` lets one delivery run it, the other does nothing. But not
# while the job sent last still waits in the queue (jobs.export_jobs_waiting: a mark beside the
# queue, cleared as a worker takes the job), up to RESEND_EVERY: a worker outage of an hour
# would otherwise leave thirty copies of the job for the worker to go through when it is back.
RESEND_AFTER = timedelta(minutes=2)
RESEND_EVERY = timedelta(seconds=jobs.EXPORT_JOB_WAITS_S)
# A running job writes its heartbeat this often; one silent for TAKEOVER_AFTER lost its worker,
# and the next delivery of its job starts it again (the sweep sends one for every such export).
HEARTBEAT_EVERY_S = 5.0
TAKEOVER_AFTER = timedelta(seconds=30)
# A second delivery of a running export's job watches the other run this long (then leaves it
# to the sweep), checking every WATCH_EVERY_S.
WATCH_FOR_S = TAKEOVER_AFTER.total_seconds() + 2 * HEARTBEAT_EVERY_S
WATCH_EVERY_S = 1.0
STALE_MESSAGE = "The export stopped before it finished (the worker restarted). Request it again."
NEVER_STARTED_MESSAGE = "The export could not be started. Request it again."
TOO_LONG_MESSAGE = "This export took longer than an hour and was stopped. Ask for a smaller one."
FAILED_MESSAGE = "Something went wrong while writing this export. Request it again."
NOT_FOUND = "That export does not exist."

LABELS = {
    ExportKind.roster: "Roster with progress",
    ExportKind.gradebook: "Gradebook",
    ExportKind.mentor_workload: "Mentor workload",
    ExportKind.audit_log: "Audit log",
    ExportKind.own_data: "My data",
    ExportKind.sponsor_report: "Sponsor report",
}

SessionFactory = Callable[[], AbstractContextManager[Session]]


def exports_dir() -> Path:
    return get_settings().data_dir / "exports"


def ttl() -> timedelta:
    return timedelta(hours=get_settings().export_ttl_hours)


# -- who may export what ----------------------------------------------------------------------------


def _mentors_in(session: Session, principal: Principal, cohort_id: int) -> bool:
    """A mentor serving the cohort, or with a learner assigned to them in it."""
    if not principal.has_role(Role.mentor):
        return False
    me = principal.user_id
    served = session.exec(
        select(CohortMentor.mentor_id).where(
            CohortMentor.cohort_id == cohort_id, CohortMentor.mentor_id == me
        )
    ).first()
    assigned = session.exec(
        select(MentorAssignment.id).where(
            MentorAssignment.cohort_id == cohort_id, MentorAssignment.mentor_id == me
        )
    ).first()
    return served is not None or assigned is not None


@dataclass(frozen=True)
class Scope:
    """The checked scope of a request: what the row records."""

    organization_id: int | None = None
    program_id: int | None = None
    cohort_id: int | None = None
    mentor_only: bool = False  # a mentor's gradebook: only the learners they mentor
    label: str = ""


def _program(session: Session, program_id: int | None) -> Program:
    program = session.get(Program, program_id) if program_id else None
    if program is None:
        raise NotFound(UNKNOWN_PROGRAM)
    return program


def check_scope(
    session: Session,
    principal: Principal,
    kind: ExportKind,
    program_id: int | None,
    cohort_id: int | None,
    *,
    outsiders_not_found: bool = False,
    report: Callable[[int | None], SponsorDashboard] | None = None,
) -> Scope:
    """The scope the principal may export `kind` for (Invalid, NotFound or Forbidden).
    `outsiders_not_found` (a new request): another organization's programme or cohort answers
    as an id nobody has. A download of one's own export still hears why it is refused.
    `report`: how to work out a sponsor report's figures (by cohort id, or None: every funded
    cohort), when the caller keeps them to compare a file with (`_Checks`)."""
    if kind in (ExportKind.own_data, ExportKind.audit_log):
        if program_id or cohort_id:
            # ("The my data export" read oddly: the own-data export is "Your data" here.)
            what = "Your data" if kind == ExportKind.own_data else f"The {LABELS[kind].lower()}"
            raise Invalid(f"{what} export takes no programme or cohort.")
        if kind == ExportKind.audit_log and not principal.is_admin:
            raise Forbidden("Only admins can export the audit log.")
        return Scope()
    if kind == ExportKind.sponsor_report:
        if program_id:
            raise Invalid("The sponsor report takes a cohort or nothing (every funded cohort).")
        # The figures the report would hold: raises NotFound / Forbidden like the dashboard.
        if report is None:
            sponsorships.report(session, principal, cohort_id)
        else:
            report(cohort_id)
        label = (
            cohort_with_program(session, cohort_id)[0].name if cohort_id else "every funded cohort"
        )
        return Scope(cohort_id=cohort_id, label=label)
    if kind == ExportKind.roster and bool(program_id) == bool(cohort_id):
        raise Invalid("Choose a cohort or a programme for the roster.")
    if kind == ExportKind.gradebook and (not cohort_id or program_id):
        raise Invalid("Choose a cohort for the gradebook.")
    if kind == ExportKind.mentor_workload and (not program_id or cohort_id):
        raise Invalid("Choose a programme for the mentor workload.")
    if cohort_id:
        cohort, program = cohort_with_program(session, cohort_id or 0)
        scope = Scope(program.organization_id, program.id, cohort.id, label=cohort.name)
        if manages(principal, program.organization_id):
            return scope
        if kind == ExportKind.gradebook and _mentors_in(session, principal, cohort.id or 0):
            return Scope(
                program.organization_id, program.id, cohort.id, mentor_only=True, label=cohort.name
            )
        if outsiders_not_found:
            hide_from_outsiders(principal, program.organization_id, UNKNOWN_COHORT)
        raise Forbidden("You can't export this cohort's data.")
    program = _program(session, program_id)
    if not manages(principal, program.organization_id):
        if outsiders_not_found:
            hide_from_outsiders(principal, program.organization_id, UNKNOWN_PROGRAM)
        raise Forbidden("You can't export this programme's data.")
    return Scope(program.organization_id, program.id, label=program.name)


def _mentored_scopes(session: Session, actor: Principal) -> list[ExportScope]:
    """The cohorts whose gradebook the actor may export as a mentor (`_mentors_in`): those they
    serve or have a learner assigned to them in, newest first, capped."""
    if not actor.has_role(Role.mentor):
        return []
    me = actor.user_id
    mine = (
        select(CohortMentor.cohort_id)
        .where(CohortMentor.mentor_id == me)
        .union(select(MentorAssignment.cohort_id).where(MentorAssignment.mentor_id == me))
    )
    cohorts = session.exec(
        select(Cohort, Program)
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(col(Cohort.id).in_(mine))
        .order_by(col(Cohort.id).desc())
        .limit(200)
    ).all()
    return [ExportScope(cohort_id=c.id, label=f"{c.name} · {p.name}") for c, p in cohorts]


EVERY_FUNDED_COHORT = "Every cohort your organisation funds"


def _sponsored_scopes(session: Session, directed: set[int] | None) -> list[ExportScope]:
    """The cohorts of the organisations `directed` (None: every one, an admin) that have a
    sponsor, newest first, capped: those whose sponsor report a director may export."""
    stmt = (
        select(Cohort, Program)
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(col(Cohort.id).in_(select(Sponsorship.cohort_id)))
    )
    if directed is not None:
        stmt = stmt.where(col(Program.organization_id).in_(directed))
    cohorts = session.exec(stmt.order_by(col(Cohort.id).desc()).limit(200)).all()
    return [ExportScope(cohort_id=c.id, label=f"{c.name} · {p.name}") for c, p in cohorts]


def choices(session: Session, principal: Principal | None) -> list[ExportChoice]:
    """The kinds the user may request, each with the programmes / cohorts they may pick."""
    actor = require_signed_in(principal)
    out = [ExportChoice(kind="own_data", label=LABELS[ExportKind.own_data], scopes=[])]
    directed = managed_org_ids(actor)
    # A director of one organisation may mentor a cohort of another: its gradebook is theirs
    # to export too (check_scope), so it is offered beside the cohorts they direct.
    mentored = [] if directed is None else _mentored_scopes(session, actor)
    if directed is None or directed:
        stmt = select(Cohort, Program).join(Program, col(Program.id) == col(Cohort.program_id))
        pstmt = select(Program)
        if directed is not None:
            stmt = stmt.where(col(Program.organization_id).in_(directed))
            pstmt = pstmt.where(col(Program.organization_id).in_(directed))
        # Newest first, capped: an admin of a large deployment picks among recent ones here
        # (the API takes any id they may export).
        cohorts = session.exec(stmt.order_by(col(Cohort.id).desc()).limit(200)).all()
        programs = session.exec(pstmt.order_by(col(Program.name)).limit(200)).all()
        cohort_scopes = [
            ExportScope(cohort_id=c.id, label=f"{c.name} · {p.name}") for c, p in cohorts
        ]
        program_scopes = [ExportScope(program_id=p.id, label=p.name) for p in programs]
        directed_ids = {s.cohort_id for s in cohort_scopes}
        out += [
            ExportChoice(
                kind="roster",
                label=LABELS[ExportKind.roster],
                scopes=cohort_scopes
                + [
                    ExportScope(program_id=s.program_id, label=f"{s.label} (every cohort)")
                    for s in program_scopes
                ],
            ),
            ExportChoice(
                kind="gradebook",
                label=LABELS[ExportKind.gradebook],
                scopes=cohort_scopes + [s for s in mentored if s.cohort_id not in directed_ids],
            ),
            ExportChoice(
                kind="mentor_workload",
                label=LABELS[ExportKind.mentor_workload],
                scopes=program_scopes,
            ),
        ]
    elif mentored:
        out.append(
            ExportChoice(kind="gradebook", label=LABELS[ExportKind.gradebook], scopes=mentored)
        )
    # A director (an admin) exports one sponsored cohort's report, as its sponsors get it.
    sponsored = _sponsored_scopes(session, directed) if directed is None or directed else []
    if actor.has_role(Role.sponsor):
        # The whole report: every cohort their organisation funds (no scope to pick), beside
        # the cohorts they direct when they do both.
        whole = [ExportScope(label=EVERY_FUNDED_COHORT)] if sponsored else []
        out.append(
            ExportChoice(
                kind="sponsor_report",
                label=LABELS[ExportKind.sponsor_report],
                scopes=whole + sponsored,
            )
        )
    elif sponsored:
        out.append(
            ExportChoice(
                kind="sponsor_report", label=LABELS[ExportKind.sponsor_report], scopes=sponsored
            )
        )
    if actor.is_admin:
        out.append(ExportChoice(kind="audit_log", label=LABELS[ExportKind.audit_log], scopes=[]))
    return out


# -- requests, lists, downloads ---------------------------------------------------------------------


def _public(export: Export, now: datetime | None = None, unavailable: str = "") -> ExportPublic:
    """`unavailable`: why its finished file would not be handed out now (`_refusal`)."""
    now = now or utcnow()
    expired = export.expires_at is not None and export.expires_at <= now
    total = export.rows_total
    if export.status == ExportStatus.done:
        progress: int | None = 100
    elif total:
        progress = min(99, (100 * export.rows_done) // total)
    else:
        progress = None
    label = str(export.params.get("label", ""))
    title = LABELS[export.kind] + (f" · {label}" if label else "")
    ready = export.status == ExportStatus.done and not expired and not unavailable
    return from_row(
        ExportPublic,
        export,
        kind=export.kind.value,
        title=title,
        status=export.status.value,
        rows_total=total,
        progress=progress,
        expired=expired,
        download_url=f"/api/v1/exports/{export.id}/download" if ready else None,
        unavailable=unavailable,
    )


def request_export(
    session: Session,
    principal: Principal | None,
    body: ExportRequest,
    *,
    meta: RequestMeta = NO_META,
) -> ExportPublic:
    """Check the kind and scope, record the request (audited) and queue the job after commit."""
    actor = require_signed_in(principal)
    kind = ExportKind(body.kind)
    scope = check_scope(
        session, actor, kind, body.program_id, body.cohort_id, outsiders_not_found=True
    )
    # One person's requests take turns (until commit), so two at once can't both pass the count.
    locks.hold(session, locks.Lock.EXPORT_REQUESTER, actor.user_id)
    active = session.exec(
        select(Export.id).where(
            Export.requested_by_id == actor.user_id,
            col(Export.status).in_([ExportStatus.queued, ExportStatus.running]),
        )
    ).all()
    if len(active) >= MAX_ACTIVE:
        raise Conflict(
            f"You already have {len(active)} exports being prepared: wait for one to finish."
        )
    export = Export(
        kind=kind,
        requested_by_id=actor.user_id,
        organization_id=scope.organization_id,
        program_id=scope.program_id,
        cohort_id=scope.cohort_id,
        params={"label": scope.label, "mentor_only": scope.mentor_only},
    )
    session.add(export)
    session.flush()
    audit.record(
        session,
        "export.requested",
        export,
        by=actor,
        meta=meta,
        kind=kind.value,
        program_id=scope.program_id,
        cohort_id=scope.cohort_id,
    )
    jobs.export_requested(session, export.id or 0)
    return _public(export)


def _mine(session: Session, principal: Principal | None, export_id: int) -> Export:
    actor = require_signed_in(principal)
    export = session.get(Export, export_id)
    if export is None or export.requested_by_id != actor.user_id:
        raise NotFound(NOT_FOUND)  # someone else's export is not theirs to know of
    return export


def my_exports(session: Session, principal: Principal | None) -> list[ExportPublic]:
    """The user's exports, newest first (expired ones stay listed, marked, until swept)."""
    actor = require_signed_in(principal)
    rows = session.exec(
        select(Export)
        .where(Export.requested_by_id == actor.user_id)
        .order_by(col(Export.created_at).desc(), col(Export.id).desc())
        .limit(50)
    ).all()
    now = utcnow()
    # A sponsor report's file is compared with today's report here too: a listed file naming
    # someone who stopped sharing since offers no download (the list offered one, refused 410).
    checks = _Checks(session, actor)
    return [_public(e, now, checks.unavailable(e, now)) for e in rows]


def get_export(session: Session, principal: Principal | None, export_id: int) -> ExportPublic:
    """One of the user's exports: status and progress."""
    export, now = _mine(session, principal, export_id), utcnow()
    return _public(
        export, now, _Checks(session, require_signed_in(principal)).unavailable(export, now)
    )


@dataclass(frozen=True)
class Download:
    path: Path  # absolute, under DATA_DIR/exports
    name: str  # the file name offered to the browser
    media_type: str


EXPIRED = (
    "This export has expired and its file was deleted. Request a new one from the exports page."
)
FILE_GONE = "This export's file is no longer available. Request a new one."
NAMES_GONE = (
    "Someone this report names has since stopped sharing their progress with sponsors "
    "(or is no longer shown to them): request a new one from the exports page."
)


class _Checks:
    """Whether the requester's finished exports may be handed out now: what the download checks,
    asked of each export the list shows (so it offers no download that would be refused). The
    rights of each scope, and each sponsor report's figures, are worked out once per listing
    (the figures that check a sponsor report's scope are those its file is compared with)."""

    def __init__(self, session: Session, actor: Principal) -> None:
        self.session, self.actor = session, actor
        self._scopes: dict[tuple[object, ...], Scope | DomainError] = {}
        self._reports: dict[int | None, SponsorDashboard] = {}

    def _scope(self, export: Export) -> Scope | DomainError:
        key = (export.kind, export.program_id, export.cohort_id)
        if key not in self._scopes:
            try:
                self._scopes[key] = _recheck(self.session, self.actor, export, self._report)
            except DomainError as exc:
                self._scopes[key] = exc
        return self._scopes[key]

    def _report(self, cohort_id: int | None) -> SponsorDashboard:
        if cohort_id not in self._reports:
            self._reports[cohort_id] = sponsorships.report(self.session, self.actor, cohort_id)
        return self._reports[cohort_id]

    def refusal(self, export: Export, now: datetime) -> DomainError | None:
        """Why the file would not be handed out now (None: it would)."""
        if export.status == ExportStatus.failed:
            return Conflict(f"This export failed, so it has no file: {export.error}")
        if export.status != ExportStatus.done:
            return Conflict("This export is not ready yet.")
        if export.expires_at is not None and export.expires_at <= now:
            return Gone(EXPIRED)
        # The file stays up to EXPORT_TTL_HOURS: a requester who lost the rights it needs since
        # it was written (removed as director, no longer mentoring the cohort) gets no more
        # copies.
        scope = self._scope(export)
        if isinstance(scope, DomainError):
            return scope
        if scope.mentor_only and not export.params.get("mentor_only", False):
            return Forbidden(
                "This gradebook lists every learner of the cohort, and you now see only those "
                "you mentor there: request a new one."
            )
        path = get_settings().data_dir / (export.file_path or "")
        if not export.file_path or not path.is_file():
            return Gone(FILE_GONE)
        if export.kind == ExportKind.sponsor_report:
            try:
                shown = _names_still_shown(self._report(export.cohort_id), path)
            except FileNotFoundError:  # the sweep deleted it since the check above
                return Gone(FILE_GONE)
            if not shown:
                return Gone(NAMES_GONE)
        return None

    def unavailable(self, export: Export, now: datetime) -> str:
        """The reason a finished export's file would be refused ("" when it would not)."""
        if export.status != ExportStatus.done:
            return ""
        refused = self.refusal(export, now)
        return refused.message if refused is not None else ""


def open_download(
    session: Session, principal: Principal | None, export_id: int, *, meta: RequestMeta = NO_META
) -> Download:
    """The file of one of the user's finished exports (audited). 409 while not ready, 410 once
    expired or gone, 403 once its requester lost the rights it needs."""
    export = _mine(session, principal, export_id)
    refused = _Checks(session, require_signed_in(principal)).refusal(export, utcnow())
    if refused is not None:
        raise refused
    audit.record(
        session,
        "export.downloaded",
        export,
        by=export.requested_by_id,
        meta=meta,
        kind=export.kind.value,
    )
    path = get_settings().data_dir / (export.file_path or "")
    media = "application/zip" if export.file_name.endswith(".zip") else "text/csv"
    return Download(path=path, name=export.file_name, media_type=media)


# -- the job ---------------------------------------------------------------------------------------


def _silent(now: datetime) -> ColumnElement[bool]:
    """SQL: a running export whose job has not shown a sign of life for TAKEOVER_AFTER."""
    last_sign = func.coalesce(col(Export.heartbeat_at), col(Export.started_at))
    return and_(col(Export.status) == ExportStatus.running, last_sign < now - TAKEOVER_AFTER)


def claim(session: Session, export_id: int) -> datetime | None:
    """queued -> running, atomically: of two deliveries of the job only one gets its claim. A
    running export whose heartbeat went silent (its worker died, or froze) is taken over, from
    the start. The claim is the run's `started_at`: every later write of the run is conditional
    on it (`_this_run`), so a frozen run that wakes after a takeover changes nothing."""
    now = utcnow()
    result = session.execute(
        update(Export)
        .where(
            col(Export.id) == export_id,
            or_(col(Export.status) == ExportStatus.queued, _silent(now)),
        )
        .values(status=ExportStatus.running, started_at=now, heartbeat_at=now, rows_done=0)
        .returning(col(Export.started_at))
    )
    row = result.first()
    return None if row is None else row[0]


def _this_run(export_id: int, run: datetime) -> ColumnElement[bool]:
    """SQL: the export is still running under this run's claim (not taken over, not ended)."""
    return and_(
        col(Export.id) == export_id,
        col(Export.status) == ExportStatus.running,
        col(Export.started_at) == run,
    )


def _claim_or_watch(open_session: SessionFactory, export_id: int) -> datetime | None:
    """Claim the export for this run (its claim, or None). When another run holds it (a second
    delivery of the job, e.g. redelivered after its worker was killed), watch that run's
    heartbeat: None as soon as the export is no longer running (done, failed, gone) or after
    WATCH_FOR_S with the other run still alive; the claim when its heartbeat went silent and
    this run took it over."""
    deadline = time.monotonic() + WATCH_FOR_S
    outages = 0
    while True:
        try:
            with open_session() as session:
                run = claim(session, export_id)
                if run is not None:
                    return run
                status = session.exec(select(Export.status).where(Export.id == export_id)).first()
        except OUTAGE_ERRORS:  # the job is not retried: wait out a database restart
            outages += 1
            if outages >= REQUEUE_TRIES:
                raise
            time.sleep(0.5)
            continue
        if status != ExportStatus.running or time.monotonic() >= deadline:
            return None
        time.sleep(WATCH_EVERY_S)


class _Heartbeat:
    """While the block runs, a thread writes the running export's heartbeat_at every
    HEARTBEAT_EVERY_S (in its own short transactions; a database outage only skips beats), as
    long as the run holds its claim."""

    def __init__(self, open_session: SessionFactory, export_id: int, run: datetime) -> None:
        self._open_session = open_session
        self._export_id = export_id
        self._run = run
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"export-{export_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY_S):
            try:
                with self._open_session() as s:
                    s.execute(
                        update(Export)
                        .where(_this_run(self._export_id, self._run))
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # the next beat tries again; a long silence means a takeover
                log.debug("export %s: heartbeat not written", self._export_id, exc_info=True)


def _save(open_session: SessionFactory, export_id: int, run: datetime, **values: int) -> None:
    """Progress, committed at once in its own short transaction (the export's own session
    holds its cursor open until the end; it never writes the row before then)."""
    with open_session() as s:
        s.execute(update(Export).where(_this_run(export_id, run)).values(**values))


REQUEUE_TRIES = 20  # x 0.5 s: outlasts a database restart (≈ 0.3–3 s here)
# The job of an export put back in the queue runs no sooner than this: a worker shutting down
# stops its threads meanwhile, so the export goes to another worker, not back to an idle thread
# of the stopping one (which would hold the shutdown until the export is done).
REQUEUE_DELAY_MS = 2_000


def _send_job(session: Session, export_id: int, *, stopping: bool) -> None:
    """The export's job again, sent after the commit: REQUEUE_DELAY_MS later when this worker is
    stopping (so another worker takes it), else at once."""
    jobs.export_requested(session, export_id, delay_ms=REQUEUE_DELAY_MS if stopping else 0)


def _requeue(
    open_session: SessionFactory,
    export_id: int,
    run: datetime,
    *,
    stopping: bool,
    tries: int = REQUEUE_TRIES,
) -> bool:
    """running -> queued, with a new job (`_send_job`), once the database answers again (tried
    for ~10 s). False when it never did: the caller then fails the export if it can, and the
    periodic sweep fails one left running after its time limit. True also when this run had
    already ended (taken over, say): then nothing changes."""
    for _ in range(tries):
        try:
            with open_session() as session:
                requeued = session.execute(
                    update(Export)
                    .where(_this_run(export_id, run))
                    .values(
                        status=ExportStatus.queued, started_at=None, heartbeat_at=None, rows_done=0
                    )
                    .returning(col(Export.id))
                ).first()
                if requeued is not None:
                    _send_job(session, export_id, stopping=stopping)
            if requeued is not None:
                log.warning("export %s interrupted; queued again", export_id)
            return True
        except OUTAGE_ERRORS:
            time.sleep(0.5)
    return False


def run_export(open_session: SessionFactory, export_id: int) -> ExportStatus | None:
    """Write one export (the worker's job). None when another run has it (or it is gone), or
    took it over while this run was frozen: then this run's file is removed and nothing of it
    is kept."""
    marked = True  # this job's "waiting" mark is still set (jobs.export_requested)
    try:
        jobs.export_job_started(export_id)  # no longer waiting: the sweep may send another
        marked = False
        run = _claim_or_watch(open_session, export_id)
    except BaseException as exc:
        # Stopped before this run began the export (the worker is shutting down, or the
        # database stayed away through every try): this job is ending, so another is sent. Any
        # other error (a bug) fails the job for the admin's failed jobs, and the export waits
        # for the sweep: a job sent again at once would fail again, as fast as it ran.
        stopping = not isinstance(exc, Exception)
        if stopping or is_outage(exc):
            _send_again_if_unfinished(open_session, export_id, clear_mark=marked, stopping=stopping)
        raise
    if run is None:
        return None
    unrecorded: Path | None = None  # a file of this run not (yet) in the row
    try:
        folder = exports_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with _Heartbeat(open_session, export_id, run), open_session() as session:
            export = session.get(Export, export_id)
            assert export is not None
            suffix = ".zip" if export.kind == ExportKind.own_data else ".csv"
            name = secrets.token_hex(16) + suffix
            partial = unrecorded = folder / (name + ".part")
            rows = _write(
                session,
                export,
                partial,
                progress=lambda n: _save(open_session, export_id, run, rows_done=n),
                set_total=lambda n: _save(open_session, export_id, run, rows_total=n),
            )
            unrecorded = partial.rename(folder / name)
            now = utcnow()
            requester = session.get(User, export.requested_by_id)
            finished = session.execute(
                update(Export)
                .where(_this_run(export_id, run))
                .values(
                    status=ExportStatus.done,
                    file_path=f"exports/{name}",
                    file_name=_file_name(export, now, suffix, requester),
                    file_size=(folder / name).stat().st_size,
                    rows_done=rows,
                    rows_total=rows,  # (a gradebook's progress counted attempts; now rows)
                    finished_at=now,
                    expires_at=now + ttl(),
                )
                .returning(col(Export.id))
            ).first()
            if finished is None:
                # Taken over (this run froze past TAKEOVER_AFTER) or ended meanwhile: the
                # other run's outcome stands, and this file would be an orphan.
                unrecorded.unlink(missing_ok=True)
                log.warning("export %s: this run lost its claim; its file is removed", export_id)
                return None
        return ExportStatus.done  # committed: the file is the row's now
    except Exception as exc:
        _discard(open_session, export_id, unrecorded)
        if is_outage(exc) and _requeue(open_session, export_id, run, stopping=False):
            # The database went away mid-export (a restart): not the export's fault. Marking it
            # failed would lose it (and a redelivery would find it claimed: a no-op), so it goes
            # back to the queue with a new job, once the database answers again.
            log.warning("export %s was cut by an outage: %s", export_id, exc)
            return ExportStatus.queued
        log.exception("export %s failed", export_id)
        message = exc.message if isinstance(exc, DomainError) else FAILED_MESSAGE
        _fail(open_session, export_id, run, message)
        return ExportStatus.failed
    except TimeLimitExceeded:
        _discard(open_session, export_id, unrecorded)
        log.warning("export %s stopped at its time limit", export_id)
        _fail(open_session, export_id, run, TOO_LONG_MESSAGE)
        raise
    except BaseException:
        # Interrupted (the worker is shutting down): back to the queue with a job of its own, so
        # another worker runs it now; if that cannot be written, the silent heartbeat does it.
        _discard(open_session, export_id, unrecorded)
        try:
            if not _requeue(open_session, export_id, run, stopping=True, tries=1):
                log.warning(
                    "export %s interrupted; the database is away: taken over once its "
                    "heartbeat is silent",
                    export_id,
                )
        except Exception:
            log.warning(
                "export %s interrupted; taken over once its heartbeat is silent",
                export_id,
                exc_info=True,
            )
        raise


def _send_again_if_unfinished(
    open_session: SessionFactory, export_id: int, *, clear_mark: bool, stopping: bool
) -> None:
    """The export's job again (`_send_job`), unless the export has ended. Queued, the job runs
    it. Running, this run may have claimed it just before it stopped: the job takes it over once
    its heartbeat is silent; held by another run, the job watches it and leaves it.
    `clear_mark`: this job's "waiting" mark is still set (stopped before it cleared it), and
    would keep the new job from going.
    Never raises: when the database does not answer, the sweep sends the job later."""
    if clear_mark:
        jobs.export_job_started(export_id)
    try:
        with open_session() as session:
            unfinished = session.exec(
                select(Export.id).where(
                    Export.id == export_id,
                    col(Export.status).in_([ExportStatus.queued, ExportStatus.running]),
                )
            ).first()
            if unfinished is not None:
                _send_job(session, export_id, stopping=stopping)
    except Exception:
        log.warning("export %s: the sweep will send its job again", export_id, exc_info=True)


def _discard(open_session: SessionFactory, export_id: int, path: Path | None) -> None:
    """Remove this run's file, unless the export's row names it: an error that came after the
    final commit (a stop, a connection dropped as the session closed) leaves the written export
    as it is. When the database can't say, the file goes: the outage most likely took the
    commit with it."""
    if path is None:
        return
    try:
        with open_session() as session:
            named = session.exec(select(Export.file_path).where(Export.id == export_id)).first()
    except Exception:
        named = None
    if named != f"exports/{path.name}":
        path.unlink(missing_ok=True)


def _fail(open_session: SessionFactory, export_id: int, run: datetime, message: str) -> None:
    """running -> failed with a reason, unless another run took the export over meanwhile. It
    stays listed with its reason for EXPORT_TTL_HOURS, as a file would, then the sweep removes
    it."""
    now = utcnow()
    with open_session() as session:
        session.execute(
            update(Export)
            .where(_this_run(export_id, run))
            .values(
                status=ExportStatus.failed, error=message, finished_at=now, expires_at=now + ttl()
            )
        )


def _file_name(export: Export, now: datetime, suffix: str, requester: User | None) -> str:
    """A safe, readable name: the kind and the date — the requester's day, in their time zone
    (never user text)."""
    day = now.astimezone(zone(requester.time_zone if requester else None))
    return f"cyberhub-{export.kind.value.replace('_', '-')}-{export.id}-{day:%Y%m%d}{suffix}"


def _write(
    session: Session,
    export: Export,
    path: Path,
    *,
    progress: Callable[[int], None],
    set_total: Callable[[int], None],
) -> int:
    """Write the export's rows to `path`; the number of rows (records, for own data)."""
    principal = load_principal(session, export.requested_by_id)
    if principal is None:
        raise Forbidden("The account that asked for this export is no longer active.")
    scope = _recheck(session, principal, export)
    w = export_writers
    total = set_total
    if export.kind == ExportKind.roster:
        cohort_ids = (
            [export.cohort_id]
            if export.cohort_id
            else select(Cohort.id).where(Cohort.program_id == export.program_id)
        )
        total(w.roster_count(session, cohort_ids))
        return w.write_csv(path, w.ROSTER_HEADER, w.roster_rows(session, cohort_ids), progress)
    if export.kind == ExportKind.gradebook:
        cohort, _ = cohort_with_program(session, export.cohort_id or 0)
        mentor = principal.user_id if scope.mentor_only else None
        total(w.gradebook_count(session, cohort, mentor))
        rows = w.gradebook_rows(session, cohort, mentor, progress)
        return w.write_csv(path, w.GRADEBOOK_HEADER, rows, lambda _n: None)
    if export.kind == ExportKind.mentor_workload:
        program_id = export.program_id or 0
        total(w.workload_count(session, program_id))
        return w.write_csv(path, w.WORKLOAD_HEADER, w.workload_rows(session, program_id), progress)
    if export.kind == ExportKind.audit_log:
        total(w.audit_count(session))
        return w.write_csv(path, w.AUDIT_HEADER, w.audit_rows(session), progress)
    if export.kind == ExportKind.sponsor_report:
        # A few rows per funded cohort: built in memory (the dashboard's figures), then written.
        lines = list(
            sponsorships.report_rows(sponsorships.report(session, principal, export.cohort_id))
        )
        total(len(lines) - 1)
        return w.write_csv(path, lines[0], lines[1:], progress)
    sections = w.own_data_sections(session, principal.user_id)
    total(sum(len(r) for r in sections.values()))
    from cyberhub.services.learning.submissions import uploads_dir  # noqa: PLC0415  (why: submissions imports much of the learning domain; only own data needs it)

    data_dir = get_settings().data_dir
    files = [
        (f"{s['id']}-{Path(str(s['file_name'] or 'file')).name}", data_dir / str(path_of))
        for s in sections["submissions"]
        if (path_of := _file_of(session, int(str(s["id"])))) is not None
        and (data_dir / str(path_of)).resolve().is_relative_to(uploads_dir().resolve())
    ]
    return w.write_own_data(path, sections, files)


def _names_still_shown(report: SponsorDashboard, path: Path) -> bool:
    """Whether every learner a sponsor report's file names is still named by the report today
    (`report`: each only while they consent to share with sponsors, and the sponsorship is
    current). Counted, not merely looked up: two learners of a cohort may go by one name, and
    the row of the one who stopped sharing must not pass on the other's."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = list(sponsorships.LEARNER_COLUMNS)
    named = (
        Counter((r[0], r[1]) for r in rows[rows.index(header) + 1 :] if len(r) > 1)
        if header in rows
        else Counter()
    )
    if not named:
        return True
    cell = export_writers.safe_cell  # the file holds the cells as written
    shown = Counter(
        (str(cell(c.cohort)), str(cell(le.name))) for c in report.cohorts for le in c.learners
    )
    return named <= shown


def _recheck(
    session: Session,
    principal: Principal,
    export: Export,
    report: Callable[[int | None], SponsorDashboard] | None = None,
) -> Scope:
    """The export's scope checked again with the requester's roles of today (rights may have
    changed since the request): when the job writes it, and on each download. `report`: as in
    check_scope."""
    # (A cohort's row also records its programme: the scope asked for was the cohort.)
    program_id = None if export.cohort_id else export.program_id
    return check_scope(session, principal, export.kind, program_id, export.cohort_id, report=report)


def _file_of(session: Session, submission_id: int) -> str | None:
    sub = session.get(Submission, submission_id)
    return sub.file_path if sub is not None else None


def retry_job(session: Session, export_id: int) -> None:
    """The admin console retries a failed `run_export` job (one stopped at its time limit, cut
    by a worker shutting down, ...): a failed export goes back to the queue, as if just asked
    for, and its job is sent after commit; a queued or running one is sent its job (it claims
    the export, or takes over a run whose worker died). Conflict when there is nothing left to
    run: the export has been written since, or is gone."""
    export = session.get(Export, export_id, with_for_update=True)
    if export is None:
        raise Conflict(
            "That export no longer exists (it expired and was removed): there is nothing to "
            "run again. Dismiss this failed job."
        )
    if export.status == ExportStatus.done:
        raise Conflict(
            "That export has already been written since: there is nothing to run again. "
            "Dismiss this failed job."
        )
    if export.status == ExportStatus.failed:
        export.status, export.error = ExportStatus.queued, ""
        # Asked for now: the sweep fails a queued export asked for over STALE_AFTER ago, and
        # a timed-out one is that old, so the next sweep undid the retry before a worker came.
        export.created_at = utcnow()
        export.started_at = export.heartbeat_at = export.finished_at = export.expires_at = None
        export.rows_done, export.rows_total = 0, None
        session.add(export)
        session.flush()
    jobs.export_requested(session, export_id)


# -- the sweep --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    deleted: int  # expired exports removed (row and file)
    stale: int  # running exports whose worker died, marked failed
    resent: int = 0  # exports whose job may have been lost (none waiting), sent again


def sweep(session: Session) -> SweepResult:
    """Delete expired exports (file, then row) and leftover partial files, send the job again
    for exports queued longer than RESEND_AFTER or running with a silent heartbeat (their worker
    died: the job takes them over) unless a job sent for them still waits, and fail one asked
    for more than STALE_AFTER ago that is silent (its worker keeps dying on it) or still queued
    (its job keeps failing before it starts: a bug, listed in the admin's failed jobs)."""
    now = utcnow()
    too_old = col(Export.created_at) < now - STALE_AFTER

    def fail(which: ColumnElement[bool], message: str) -> list[int]:
        failed = session.execute(
            update(Export)
            .where(which, too_old)
            .values(
                status=ExportStatus.failed, error=message, finished_at=now, expires_at=now + ttl()
            )
            .returning(col(Export.id))
        )
        return [row[0] for row in failed]

    stale = [
        *fail(_silent(now), STALE_MESSAGE),
        *fail(col(Export.status) == ExportStatus.queued, NEVER_STARTED_MESSAGE),
    ]
    waiting = session.exec(
        select(Export.id).where(
            or_(
                and_(
                    col(Export.status) == ExportStatus.queued,
                    col(Export.created_at) < now - RESEND_AFTER,
                ),
                _silent(now),
            )
        )
    ).all()
    ids = [export_id or 0 for export_id in waiting]
    already = jobs.export_jobs_waiting(ids)
    resend = [export_id for export_id in ids if export_id not in already]
    for export_id in resend:
        jobs.export_requested(session, export_id)
    _remove_leftover_parts(now)
    expired = session.exec(
        select(Export).where(col(Export.expires_at) <= now).with_for_update(skip_locked=True)
    ).all()
    data_dir = get_settings().data_dir
    for export in expired:
        if export.file_path:
            (data_dir / export.file_path).unlink(missing_ok=True)
        session.delete(export)
    return SweepResult(deleted=len(expired), stale=len(stale), resent=len(resend))


def _remove_leftover_parts(now: datetime) -> None:
    """A worker killed mid-export leaves its partial file: removed once nothing can write it."""
    folder = exports_dir()
    if not folder.is_dir():
        return
    cutoff = (now - STALE_AFTER).timestamp()
    for part in folder.glob("*.part"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()
