"""Profiler sessions: start or resume, answer as you go, complete, read results, retake, delete.

Scoring itself is pure (profiler_scoring); this module keeps sessions, answers and results, checks
that the caller owns the session (or is an admin), and that the learner consented to AI profiling.
"""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, delete, select

from cyberhub import jobs
from cyberhub.models.base import utcnow
from cyberhub.models.profiler import ProfilerAnswer, ProfilerResult, ProfilerSession, ProfilerStatus
from cyberhub.schemas.profiler import (
    AnswerReview,
    ProfilerProgress,
    ProfilerResultData,
    ProfilerStarted,
    QuestionPublic,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.ai.profiler_bank import (
    CURRENT_VERSION,
    QuestionBank,
    load_bank,
    load_nice_roles,
    load_tracks_info,
    public_questions,
)
from cyberhub.services.ai.profiler_scoring import build_persona, score_profile
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in

# An earlier attempt's tie: the track followed is the newest result's (choose_track).
EARLIER_ATTEMPT = (
    "This is an earlier attempt: the track you follow comes from your newest result. "
    "Choose between tied tracks there, or retake the profiler."
)


def questions(version: str = CURRENT_VERSION) -> list[QuestionPublic]:
    """The current questions without their track weights (public)."""
    return public_questions(load_bank(version))


def _own_session(
    session: Session, principal: Principal | None, session_id: int, *, lock: bool = False
) -> ProfilerSession:
    """The caller's profiler session. `lock`: for a change, which then waits for any other
    change to the session (a double click, two tabs) instead of both inserting the same answer
    or result."""
    principal = require_signed_in(principal)
    ps = session.get(
        ProfilerSession, session_id, with_for_update=True if lock else None, populate_existing=lock
    )
    # Someone else's session is reported as missing: its existence is nobody else's business.
    if ps is None or (ps.user_id != principal.user_id and not principal.is_admin):
        raise NotFound("That profiler session does not exist.")
    return ps


def _result_of(session: Session, ps: ProfilerSession) -> ProfilerResult:
    """The session's result; Conflict while the session is not complete."""
    r = session.get(ProfilerResult, ps.id)
    if r is None:
        raise Conflict("This session is not complete yet.")
    return r


def _answers(session: Session, session_id: int) -> dict[str, str]:
    rows = session.exec(select(ProfilerAnswer).where(ProfilerAnswer.session_id == session_id)).all()
    return {a.question_id: a.option_id for a in rows}


def _first_unanswered(bank: QuestionBank, answers: dict[str, str]) -> int:
    for i, q in enumerate(bank.questions):
        if q.id not in answers:
            return i
    return len(bank.questions) - 1


def _progress(ps: ProfilerSession, answers: dict[str, str]) -> ProfilerProgress:
    bank = load_bank(ps.bank_version)
    return from_row(
        ProfilerProgress,
        ps,
        id=ps.id or 0,
        version=ps.bank_version,
        answered=len(answers),
        total=len(bank.questions),
        current_index=min(ps.current_index, len(bank.questions) - 1),
        answers=answers,
        unanswered=[q.id for q in bank.questions if q.id not in answers],
    )


def progress(session: Session, principal: Principal | None, session_id: int) -> ProfilerProgress:
    """Where the learner stands: answers so far, the question to show, counts."""
    ps = _own_session(session, principal, session_id)
    return _progress(ps, _answers(session, ps.id or 0))


def start(
    session: Session, principal: Principal | None, meta: RequestMeta = NO_META
) -> ProfilerStarted:
    """Resume the learner's unfinished session, or start a new one on the current bank."""
    principal = require_signed_in(principal)
    consents.require_ai_consent(session, principal.user_id)
    ps = session.exec(
        select(ProfilerSession)
        .where(
            ProfilerSession.user_id == principal.user_id,
            ProfilerSession.status == ProfilerStatus.in_progress,
        )
        .order_by(col(ProfilerSession.id).desc())
    ).first()
    resumed = ps is not None
    if ps is None:
        ps = ProfilerSession(user_id=principal.user_id, bank_version=CURRENT_VERSION)
        session.add(ps)
        session.flush()
        audit.record(session, "profiler.started", ps, by=principal, meta=meta)
    now = _progress(ps, _answers(session, ps.id or 0))
    return ProfilerStarted(**now.model_dump(), resumed=resumed)


def respond(
    session: Session,
    principal: Principal | None,
    session_id: int,
    *,
    question_id: str,
    option_id: str,
) -> ProfilerProgress:
    """Save (or change) one answer and move the wizard to the next unanswered question."""
    ps = _own_session(session, principal, session_id, lock=True)
    consents.require_ai_consent(session, ps.user_id)
    if ps.status != ProfilerStatus.in_progress:
        raise Conflict("This session is complete. Start a retake to answer again.")
    bank = load_bank(ps.bank_version)
    question = bank.question(question_id)
    if question is None:
        raise Invalid(f"Unknown question_id '{question_id}'.")
    if question.option(option_id) is None:
        raise Invalid(f"Unknown option_id '{option_id}' for question '{question_id}'.")
    answer = session.get(ProfilerAnswer, (ps.id, question_id))
    if answer is None:
        answer = ProfilerAnswer(session_id=ps.id or 0, question_id=question_id, option_id=option_id)
    else:
        answer.option_id, answer.answered_at = option_id, utcnow()
    session.add(answer)
    session.flush()
    answers = _answers(session, ps.id or 0)
    index = next(i for i, q in enumerate(bank.questions) if q.id == question_id)
    following = [i for i, q in enumerate(bank.questions) if i > index and q.id not in answers]
    ps.current_index = following[0] if following else _first_unanswered(bank, answers)
    ps.updated_at = utcnow()
    session.add(ps)
    return progress(session, principal, ps.id or 0)


def go_to(
    session: Session, principal: Principal | None, session_id: int, index: int
) -> ProfilerProgress:
    """Move the wizard (back / next) without answering; remembered for resuming."""
    ps = _own_session(session, principal, session_id)
    total = len(load_bank(ps.bank_version).questions)
    if not 0 <= index < total:
        raise Invalid(f"index must be between 0 and {total - 1}.")
    ps.current_index, ps.updated_at = index, utcnow()
    session.add(ps)
    return progress(session, principal, ps.id or 0)


def complete(
    session: Session, principal: Principal | None, session_id: int, meta: RequestMeta = NO_META
) -> ProfilerResultData:
    """Score a fully answered session and keep the result (once: a second call answers the
    same result). Unanswered questions -> Conflict."""
    ps = _own_session(session, principal, session_id, lock=True)
    consents.require_ai_consent(session, ps.user_id)
    if ps.status == ProfilerStatus.completed:
        return results(session, principal, session_id)
    bank = load_bank(ps.bank_version)
    answers = _answers(session, ps.id or 0)
    missing = [q.id for q in bank.questions if q.id not in answers]
    if missing:
        raise UnansweredQuestions(missing)
    scored = score_profile(bank, answers)
    persona = build_persona(scored, load_tracks_info(), load_nice_roles())
    data = scored.to_dict()
    session.add(
        ProfilerResult(
            session_id=ps.id or 0,
            user_id=ps.user_id,
            primary_track=scored.primary_track,
            secondary_track=scored.secondary_track,
            confidence=scored.confidence,
            tie=list(scored.tie),
            scores=dict(scored.scores),
            reasoning=dict(scored.reasoning),
            persona=persona,
            details={
                k: data[k]
                for k in ("ranking", "components", "confidence_explanation", "answered", "total")
            },
        )
    )
    ps.status, ps.completed_at, ps.updated_at = ProfilerStatus.completed, utcnow(), utcnow()
    session.add(ps)
    session.flush()
    audit.record(
        session,
        "profiler.completed",
        ps,
        by=ps.user_id,
        meta=meta,
        primary=scored.primary_track,
        confidence=scored.confidence,
    )
    # The learner's vector (cold start: track + answers) and list follow the new result.
    jobs.learner_changed(session, ps.user_id)  # and the work-style analysis follows the answers
    return results(session, principal, session_id)


class UnansweredQuestions(Conflict):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} question(s) still need an answer: {', '.join(missing)}.")
        self.missing = missing


def _result_json(ps: ProfilerSession, r: ProfilerResult) -> ProfilerResultData:
    return {
        "session_id": ps.id or 0,
        "version": ps.bank_version,
        "primary_track": r.primary_track,
        "secondary_track": r.secondary_track,
        "tie": r.tie,
        "confidence": r.confidence,
        "confidence_explanation": r.details.get("confidence_explanation", ""),
        "scores": r.scores,
        "reasoning": r.reasoning,
        "persona": r.persona,
        "components": r.details.get("components", {}),
        "completed_at": r.created_at.isoformat(),
    }


def results(session: Session, principal: Principal | None, session_id: int) -> ProfilerResultData:
    ps = _own_session(session, principal, session_id)
    r = _result_of(session, ps)
    return _result_json(ps, r)


def history(session: Session, principal: Principal | None) -> list[ProfilerResultData]:
    """The learner's completed results, newest first (retakes keep earlier ones)."""
    principal = require_signed_in(principal)
    rows = session.exec(
        select(ProfilerSession, ProfilerResult)
        .join(ProfilerResult, col(ProfilerResult.session_id) == col(ProfilerSession.id))
        .where(ProfilerSession.user_id == principal.user_id)
        .order_by(col(ProfilerResult.created_at).desc())
    ).all()
    return [_result_json(ps, r) for ps, r in rows]


def choose_track(
    session: Session,
    principal: Principal | None,
    session_id: int,
    track: str,
    meta: RequestMeta = NO_META,
) -> ProfilerResultData:
    """After a tie, the learner picks which of the tied tracks to follow.

    Only a track of the result's tie is accepted; the other tied track becomes the runner-up and
    the persona is rebuilt for the chosen one. Scores, confidence and the tie itself stay, so the
    learner can change their mind. Audited, and the recommendations follow the new track.
    Only the newest result decides the learner's track (latest_result): an earlier attempt's
    tie answers Conflict.
    """
    ps = _own_session(session, principal, session_id)
    consents.require_ai_consent(session, ps.user_id)
    r = _result_of(session, ps)
    if len(r.tie) < 2:
        raise Conflict("This result is not a tie: its track follows from your answers.")
    newest = latest_result(session, ps.user_id)
    if newest is None or newest["session_id"] != ps.id:
        raise Conflict(EARLIER_ATTEMPT)
    if track not in r.tie:
        raise Invalid(f"Choose one of the tied tracks: {', '.join(r.tie)}.")
    if track != r.primary_track:
        bank = load_bank(ps.bank_version)
        scored = score_profile(bank, _answers(session, ps.id or 0))
        runner_up = next(t for t in r.tie if t != track)
        chosen = dataclasses.replace(scored, primary_track=track, secondary_track=runner_up)
        r.primary_track, r.secondary_track = track, runner_up
        r.persona = build_persona(chosen, load_tracks_info(), load_nice_roles())
        session.add(r)
        session.flush()
        audit.record(session, "profiler.track_chosen", ps, by=principal, meta=meta, track=track)
        jobs.learner_changed(session, ps.user_id)
    return _result_json(ps, r)


def latest_result(session: Session, user_id: int) -> ProfilerResultData | None:
    """The learner's newest completed result (None before their first)."""
    row = session.exec(
        select(ProfilerSession, ProfilerResult)
        .join(ProfilerResult, col(ProfilerResult.session_id) == col(ProfilerSession.id))
        .where(ProfilerSession.user_id == user_id)
        .order_by(col(ProfilerResult.created_at).desc())
    ).first()
    return _result_json(*row) if row else None


def review_answers(
    session: Session, principal: Principal | None, session_id: int
) -> list[AnswerReview]:
    """Each question with the option the learner chose (for reviewing a past attempt)."""
    ps = _own_session(session, principal, session_id)
    bank = load_bank(ps.bank_version)
    answers = _answers(session, ps.id or 0)
    out: list[AnswerReview] = []
    for q in bank.questions:
        chosen = q.option(answers[q.id]) if q.id in answers else None
        out.append(
            AnswerReview(
                question_id=q.id,
                category=bank.category_name(q.category),
                text=q.text,
                answer=chosen.text if chosen else None,
            )
        )
    return out


def delete_session(
    session: Session, principal: Principal | None, session_id: int, meta: RequestMeta = NO_META
) -> None:
    """Delete a session with its answers and result."""
    ps = _own_session(session, principal, session_id)
    session.exec(delete(ProfilerAnswer).where(col(ProfilerAnswer.session_id) == ps.id))
    session.exec(delete(ProfilerResult).where(col(ProfilerResult.session_id) == ps.id))
    session.delete(ps)
    audit.record(
        session, "profiler.deleted", ("profiler_session", session_id), by=principal, meta=meta
    )
    jobs.learner_changed(session, ps.user_id)
