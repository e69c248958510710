"""Completion and certificates (issue 15, item 4).

Rules:
- a programme marks some of the missions it runs as **required** (`program_missions.required`,
  set by its directors; audited);
- a learner actively enrolled in a cohort of that programme **completes** when every required,
  published mission of *their track* (the profiler's primary track) that the programme runs is
  approved — and there is at least one. The check runs when a review approves
  (`check_completion`, called by services/learning/reviews.review in its transaction); it is
  idempotent: the enrolment becomes `completed` with `completed_at`, one certificate per learner
  and cohort is issued with an unguessable code, and the learner is notified;
- anyone may verify a certificate by its code (`/certificates/<code>`, a PDF beside it); an
  unknown code is simply "not found";
- a director of the programme (or an admin) may **revoke** a certificate with a reason (it stays,
  shown as revoked) and **close** a cohort (no enrolments or applications afterwards); both
  audited.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

from sqlmodel import Session, col, select

from cyberhub.formatting import day_in
from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mission,
    MissionStatus,
    Organization,
    Program,
    ProgramMission,
    ProgramTrack,
    Submission,
    SubmissionStatus,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.certificates import Certificate
from cyberhub.schemas.certificates import (
    CertificatePublic,
    CohortClosed,
    CohortCompletion,
    CohortCompletionsPage,
    CompletionCheck,
    RequiredMission,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import rate_limit, text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import applications
from cyberhub.services.learning.mission_scope import learner_track
from cyberhub.services.learning.programs import (
    audit_mission_change,
    get_cohort,
    get_program_mission,
    require_director,
)
from cyberhub.services.messaging import notifications
from cyberhub.services.paging import fetch_page
from cyberhub.settings import get_settings

CERTIFICATE_ISSUED = "certificate_issued"
CERTIFICATE_REVOKED = "certificate_revoked"
REASON_MAX = 500
# secrets.token_urlsafe(16): 22 characters, 128 bits — not guessable, not enumerable.
CODE_BYTES = 16
_CODE = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNKNOWN_CODE = "No certificate has this code. Check the address you were given."
UNKNOWN_CERTIFICATE = "That certificate does not exist."


def certificate_url(code: str) -> str:
    return f"/certificates/{code}"


def pdf_url(code: str) -> str:
    return f"/api/v1/certificates/{code}.pdf"


# -- required missions ---------------------------------------------------------------------------


def set_required(
    session: Session,
    principal: Principal | None,
    program_id: int,
    mission_id: int,
    required: bool,
    *,
    meta: RequestMeta = NO_META,
) -> RequiredMission:
    """Mark a mission the programme runs as required for completion (or not). Audited."""
    actor = require_director(principal)
    program, row, mission = get_program_mission(session, actor, program_id, mission_id)
    if row.required != required:
        row.required = required
        session.add(row)
        session.flush()
        action = "program.mission_required" if required else "program.mission_optional"
        audit_mission_change(session, action, actor, program, mission, meta)
    return RequiredMission(
        program_id=program.id or 0, mission_id=mission_id, title=mission.title, required=required
    )


def required_ids(session: Session, program_ids: list[int]) -> set[tuple[int, int]]:
    """(program_id, mission_id) pairs marked required among the programmes."""
    rows = session.exec(
        select(ProgramMission.program_id, ProgramMission.mission_id).where(
            col(ProgramMission.program_id).in_(program_ids or [-1]),
            col(ProgramMission.required).is_(True),
        )
    ).all()
    return {(p, m) for p, m in rows}


# -- completion ----------------------------------------------------------------------------------


def _track_missions(session: Session, program_id: int, track_id: int) -> list[tuple[Mission, bool]]:
    """The published missions of the track the programme runs (only if it runs the track), with
    their required flag, easiest first."""
    if session.get(ProgramTrack, (program_id, track_id)) is None:
        return []
    rows = session.exec(
        select(Mission, ProgramMission.required)
        .join(ProgramMission, col(ProgramMission.mission_id) == col(Mission.id))
        .where(
            ProgramMission.program_id == program_id,
            Mission.track_id == track_id,
            Mission.status == MissionStatus.published,
        )
        .order_by(col(Mission.difficulty), col(Mission.title), col(Mission.id))
    ).all()
    return [(m, bool(r)) for m, r in rows]


def _approved(session: Session, student_id: int, mission_ids: list[int]) -> set[int]:
    return set(
        session.exec(
            select(Submission.mission_id)
            .where(
                Submission.student_id == student_id,
                Submission.status == SubmissionStatus.approved,
                col(Submission.mission_id).in_(mission_ids or [-1]),
            )
            .distinct()
        ).all()
    )


def check_completion(
    session: Session,
    student_id: int,
    *,
    actor_id: int | None = None,
    cohort_id: int | None = None,
) -> list[Certificate]:
    """Complete every active enrolment of the learner whose required missions (of their track)
    are all approved, and issue its certificate. Idempotent; returns the certificates issued now.

    The learner's enrolment rows are locked first, so two approvals committing at the same time
    are serialised and the second one sees the first (none is missed, none issued twice)."""
    track_key = learner_track(session, student_id)
    track = session.exec(select(Track).where(Track.key == track_key)).first() if track_key else None
    if track is None:
        return []
    stmt = select(Enrollment).where(
        Enrollment.student_id == student_id, Enrollment.status == EnrollmentStatus.active
    )
    if cohort_id is not None:
        stmt = stmt.where(Enrollment.cohort_id == cohort_id)
    # populate_existing: the rows as locked now, not as this session may have read them earlier.
    stmt = stmt.order_by(col(Enrollment.id)).with_for_update()
    enrolments = session.exec(stmt.execution_options(populate_existing=True)).all()
    issued: list[Certificate] = []
    for enrolment in enrolments:
        cohort = session.get(Cohort, enrolment.cohort_id)
        if cohort is None:
            continue
        missions = _track_missions(session, cohort.program_id, track.id or 0)
        required = [m.id or 0 for m, r in missions if r]
        approved = _approved(session, student_id, [m.id or 0 for m, _ in missions])
        if not required or not set(required) <= approved:
            continue
        now = utcnow()
        enrolment.status = EnrollmentStatus.completed
        enrolment.completed_at = now
        session.add(enrolment)
        if session.exec(
            select(Certificate.id).where(
                Certificate.user_id == student_id, Certificate.cohort_id == enrolment.cohort_id
            )
        ).first():
            continue
        cert = Certificate(
            code=secrets.token_urlsafe(CODE_BYTES),
            user_id=student_id,
            cohort_id=enrolment.cohort_id,
            track_id=track.id or 0,
            missions=[m.title for m, _ in missions if (m.id or 0) in approved],
            issued_at=now,
            issued_on=_holder_day(session, student_id, now),
        )
        session.add(cert)
        session.flush()
        audit.record(
            session,
            "certificate.issued",
            ("user", student_id),
            by=actor_id,
            cohort_id=enrolment.cohort_id,
            certificate_id=cert.id,
            track=track.key,
        )
        notifications.notify(
            session,
            student_id,
            kind=CERTIFICATE_ISSUED,
            title=f"You completed the {track.name} track in {cohort.name}"[:200],
            body=(
                "Every required mission of your track is approved. Your certificate has a "
                "public page anyone can check, and a PDF."
            ),
            link=certificate_url(cert.code),
        )
        issued.append(cert)
    return issued


def _holder_day(session: Session, user_id: int, moment: datetime) -> date:
    """The day `moment` falls on in the holder's time zone now: the date the certificate bears
    from then on (stored, so a later change of zone does not move it)."""
    user = session.get(User, user_id)
    return day_in(moment, user.time_zone if user else None)


# -- reading certificates ------------------------------------------------------------------------


def _public(session: Session, cert: Certificate) -> CertificatePublic:
    user = session.get(User, cert.user_id)
    cohort = session.get(Cohort, cert.cohort_id)
    track = session.get(Track, cert.track_id)
    program = session.get(Program, cohort.program_id) if cohort else None
    org = session.get(Organization, program.organization_id) if program else None
    return from_row(
        CertificatePublic,
        cert,
        name=(user.full_name or "A CyberHub learner") if user else "A CyberHub learner",
        track=track.name if track else "",
        track_key=track.key if track else "",
        cohort=cohort.name if cohort else "",
        program=program.name if program else "",
        organization=org.name if org else "",
        missions=list(cert.missions or []),
        revoked=cert.revoked_at is not None,
        url=certificate_url(cert.code),
        pdf_url=pdf_url(cert.code),
    )


def _by_code(session: Session, code: str) -> Certificate:
    code = (code or "").strip()
    if not _CODE.fullmatch(code):
        raise NotFound(UNKNOWN_CODE)
    cert = session.exec(select(Certificate).where(Certificate.code == code)).first()
    if cert is None:
        raise NotFound(UNKNOWN_CODE)
    return cert


def verify(
    session: Session, principal: Principal | None, code: str, *, meta: RequestMeta = NO_META
) -> CertificatePublic:
    """The certificate with this public code, for anyone (revoked ones say so). NotFound.

    Public and unauthenticated (the page, the JSON and the PDF): each look-up counts against a
    per-address limit (CERTIFICATE_RATE_LIMIT_PER_MINUTE), so codes cannot be enumerated fast
    through any of them. RateLimited beyond it."""
    rate_limit.hit(
        f"certificate:{meta.ip or 'unknown'}", get_settings().certificate_rate_limit_per_minute, 60
    )
    return _public(session, _by_code(session, code))


def my_certificates(session: Session, principal: Principal | None) -> list[CertificatePublic]:
    """The signed-in learner's certificates, newest first."""
    actor = require_signed_in(principal)
    rows = session.exec(
        select(Certificate)
        .where(Certificate.user_id == actor.user_id)
        .order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
    ).all()
    return [_public(session, c) for c in rows]


COMPLETIONS_PAGE_SIZE = 25  # a cohort's completions, as its page and the API list them


def cohort_completions(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    page: int = 1,
    page_size: int = COMPLETIONS_PAGE_SIZE,
    last_if_past: bool = False,
) -> CohortCompletionsPage:
    """One page of the cohort's certificates with their learners, for its directors (newest
    first): a cohort of thousands who completed is not read at once. A page past the last is
    empty, or with `last_if_past` the last one (fetch_page)."""
    get_cohort(session, principal, cohort_id)
    stmt = (
        select(Certificate, User, Enrollment)
        .join(User, col(User.id) == col(Certificate.user_id))
        .outerjoin(
            Enrollment,
            (col(Enrollment.cohort_id) == col(Certificate.cohort_id))
            & (col(Enrollment.student_id) == col(Certificate.user_id)),
        )
        .where(Certificate.cohort_id == cohort_id)
        .order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
    )
    found = fetch_page(session, stmt, page, page_size, last_if_past=last_if_past)
    return CohortCompletionsPage.of(
        found.with_items(
            [
                CohortCompletion(
                    certificate_id=c.id or 0,
                    student_id=u.id or 0,
                    name=u.full_name or u.email,
                    email=u.email,
                    completed_at=e.completed_at if e else None,
                    certificate=_public(session, c),
                )
                for c, u, e in found.items
            ]
        )
    )


# -- a director's actions ------------------------------------------------------------------------


def revoke(
    session: Session,
    principal: Principal | None,
    certificate_id: int,
    reason: str,
    *,
    meta: RequestMeta = NO_META,
) -> CertificatePublic:
    """Revoke a certificate of a cohort the director runs, with a reason shown on its public
    page. Invalid: no reason; Conflict: already revoked. The learner is told. Audited."""
    actor = require_director(principal)
    cert = session.exec(
        select(Certificate).where(Certificate.id == certificate_id).with_for_update()
    ).first()
    if cert is None:
        raise NotFound(UNKNOWN_CERTIFICATE)
    try:
        cohort, _program = get_cohort(session, actor, cert.cohort_id)
    except NotFound as exc:  # another organisation's: as an id nobody has, not "that cohort"
        raise NotFound(UNKNOWN_CERTIFICATE) from exc
    reason = text.line(reason, "reason", REASON_MAX, required=False, join_lines=True)
    if not reason:
        raise Invalid("Say why the certificate is revoked: the reason is shown on its page.")
    if cert.revoked_at is not None:
        raise Conflict("This certificate is already revoked.")
    cert.revoked_at = utcnow()
    cert.revoked_on = _holder_day(session, cert.user_id, cert.revoked_at)
    cert.revoked_by_id = actor.user_id
    cert.revoke_reason = reason
    session.add(cert)
    session.flush()
    audit.record(
        session,
        "certificate.revoked",
        ("user", cert.user_id),
        by=actor,
        meta=meta,
        cohort_id=cohort.id,
        certificate_id=cert.id,
        reason=reason,
    )
    notifications.notify(
        session,
        cert.user_id,
        kind=CERTIFICATE_REVOKED,
        title=f"Your certificate for {cohort.name} was revoked"[:200],
        body=f"Reason: {reason}",
        link=certificate_url(cert.code),
    )
    return _public(session, cert)


def complete_cohort(
    session: Session, principal: Principal | None, cohort_id: int, *, meta: RequestMeta = NO_META
) -> CompletionCheck:
    """Run the completion rule for every active learner of the cohort now — for work approved
    before the programme marked its missions required (the rule otherwise runs on each approval).
    Returns how many completed now. Audited."""
    actor = require_director(principal)
    cohort, _program = get_cohort(session, actor, cohort_id)
    students = session.exec(
        select(Enrollment.student_id).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == EnrollmentStatus.active
        )
    ).all()
    issued = sum(
        len(check_completion(session, sid, actor_id=actor.user_id, cohort_id=cohort_id))
        for sid in students
    )
    audit.record(
        session, "cohort.completions_checked", cohort, by=actor, meta=meta, completed=issued
    )
    return CompletionCheck(cohort_id=cohort_id, completed=issued)


def close_cohort(
    session: Session, principal: Principal | None, cohort_id: int, *, meta: RequestMeta = NO_META
) -> CohortClosed:
    """Close the cohort: no enrolments, applications or waitlist promotions afterwards (its
    learners keep their work and certificates); pending applications and waitlist places end,
    each learner told. Conflict when already closed. Audited."""
    actor = require_director(principal)
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    if cohort.closed_at is not None:
        raise Conflict(f"{cohort.name} is already closed.")
    cohort.closed_at = utcnow()
    session.add(cohort)
    session.flush()
    ended = applications.end_for_closed_cohort(
        session, cohort, program, actor_id=actor.user_id, meta=meta
    )
    audit.record(
        session,
        "cohort.closed",
        cohort,
        by=actor,
        meta=meta,
        name=cohort.name,
        applications_ended=ended,
    )
    return CohortClosed(cohort_id=cohort.id or 0, name=cohort.name, closed_at=cohort.closed_at)
