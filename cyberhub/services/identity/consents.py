"""Consent management: versioned documents, and each user's grants and withdrawals.

Five kinds of document exist: `terms` and `privacy` (required: accepted at sign-up and kept while
the account exists), `ai_profiling`, `marketing` and `sponsor_sharing` (optional, granted or
withdrawn at any time; off until granted). Version 1.0 of each is inserted by Alembic migration
0003 (`sponsor_sharing`: 0019); a new version is a new
ConsentDocument row. Every grant or withdrawal appends a ConsentRecord (never updated), so the
history of who agreed to which version when is complete; a user's current state of a kind is
their latest record of it.

**The AI gate.** Every AI feature (the career profiler, recommendations, AI coaching, anything
that profiles a learner with a model) MUST call `require_ai_consent(session, user_id)` before it
reads the user's data or enqueues work for them, in the service function, not only in the UI.
It raises Forbidden when the user has not granted "ai_profiling" or has withdrawn it, so
withdrawing that consent stops every AI feature for that user at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import ConsentDocument, ConsentRecord, User
from cyberhub.models.identity import ConsentKind
from cyberhub.schemas.identity import ConsentDocumentPublic, ConsentRecordPublic, ConsentStatePublic
from cyberhub.schemas.rows import from_row
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import (
    Principal,
    require_interactive,
    require_signed_in,
)
from cyberhub.services.messaging import live

TERMS, PRIVACY, AI_PROFILING, MARKETING = "terms", "privacy", "ai_profiling", "marketing"
SPONSOR_SHARING = "sponsor_sharing"
KINDS = (TERMS, PRIVACY, AI_PROFILING, MARKETING, SPONSOR_SHARING)
REQUIRED = (TERMS, PRIVACY)
LABELS = {
    TERMS: "Terms of use",
    PRIVACY: "Privacy notice",
    AI_PROFILING: "AI profiling",
    MARKETING: "News and offers by e-mail",
    SPONSOR_SHARING: "Share my profile and progress with the sponsors of my cohort",
}
SIGNUP_MISSING = "Accept the terms and the privacy notice to create an account."
# An account someone else made for the person (a director enrolled their address): they accept
# on first use what a sign-up form asks.
FIRST_USE_MISSING = "Accept the terms and the privacy notice to start using your account."
AI_CONSENT_MISSING = (
    "This feature uses AI profiling, and you have not given (or have withdrawn) your AI profiling "
    "consent. You can turn it on under Settings → Privacy & consents."
)
LEARNER_AI_CONSENT_MISSING = "This learner has not given consent to AI profiling."
REQUIRED_WITHDRAWAL = (
    "The terms of use and the privacy notice are what your account runs on, so they can't be "
    "withdrawn while you keep the account. To stop using CyberHub, ask an administrator to close "
    "your account and delete your data."
)

# Version 1.0 of every document. Migration 0003 inserts the same text (a test keeps them equal):
# change a published text only by adding a new version.
DOCUMENTS_V1: dict[str, dict[str, Any]] = {
    TERMS: {
        "title": "Terms of use",
        "required": True,
        "body": (
            "CyberHub is a training platform run by Ongoza to help people start careers in "
            "cybersecurity through hands-on missions, cohorts and mentor reviews. By creating an "
            "account you agree to use it for learning and to treat other learners, mentors and "
            "staff with respect.\n\n"
            "You keep the rights to the work you submit. You allow CyberHub to store it, show it "
            "to the mentors, directors and sponsors of your cohort, and use it to give you "
            "feedback.\n\n"
            "Missions teach offensive and defensive techniques. Use them only against the lab "
            "systems provided or systems you are explicitly authorised to test. Attacking "
            "CyberHub itself, other learners or third parties ends your account and may be "
            "reported.\n\n"
            "Keep your password and authenticator to yourself; you are responsible for what is "
            "done with your account. We may suspend accounts that break these terms. The "
            "service is provided as is, and we will tell you by e-mail before these terms "
            "change in a way that matters to you."
        ),
    },
    PRIVACY: {
        "title": "Privacy notice",
        "required": True,
        "body": (
            "We collect what you give us (name, e-mail address, password hash, the missions you "
            "work on and what you submit) and what using CyberHub produces (sign-in times, the "
            "IP address and browser of security-relevant actions, and your progress).\n\n"
            "We use it to run your account and your learning: to show your progress to you and "
            "to the mentors, directors and sponsors of your programme, to keep the service "
            "secure, and to meet legal obligations. We never sell your data.\n\n"
            "Your data is kept while your account exists; security records are kept for up to "
            "one year. You can see and change your consents at any time under Settings → "
            "Privacy & consents, and ask an administrator for a copy of your data, a correction, "
            "or the deletion of your account.\n\n"
            "Mail is sent through our own mail service. Optional processing, such as AI "
            "profiling and marketing e-mail, happens only if you agree to it separately."
        ),
    },
    AI_PROFILING: {
        "title": "AI profiling",
        "required": False,
        "body": (
            "With this consent, CyberHub uses machine-learning models to analyse your answers "
            "to the career profiler, your mission work and your progress, in order to suggest a "
            "career track, recommend missions and give you automated coaching feedback.\n\n"
            "The models run on CyberHub's own servers; your data is not sent to outside AI "
            "providers. Suggestions are advice: mentors and directors make the decisions that "
            "matter, and you can always choose a different track.\n\n"
            "This consent is optional. Without it, or once you withdraw it, every AI feature "
            "stops for you: no profiler, no AI recommendations, no AI feedback. The rest of "
            "CyberHub keeps working, and mentors still review your work."
        ),
    },
    MARKETING: {
        "title": "News and offers by e-mail",
        "required": False,
        "body": (
            "With this consent, CyberHub sends you occasional e-mail about new programmes, "
            "events, scholarships and job opportunities from Ongoza and its partners.\n\n"
            "We send it ourselves and do not give your address to partners. This consent is "
            "optional and has no effect on your learning; withdraw it at any time under "
            "Settings → Privacy & consents. Security notices about your account are always sent."
        ),
    },
    SPONSOR_SHARING: {
        "title": "Share my profile and progress with the sponsors of my cohort",
        "required": False,
        "body": (
            "Some cohorts are funded by sponsors: companies and foundations that pay for seats. "
            "Without this consent a sponsor sees only figures about the whole cohort (seats "
            "used, activity, approvals, completions), never you by name.\n\n"
            "With it, the sponsors of the cohorts you are enrolled in also see your name, your "
            "track and your progress (missions approved out of those your programme runs). They "
            "never see your answers, files, reviews or profiler answers.\n\n"
            "This consent is optional and has no effect on your learning. Withdraw it at any "
            "time under Settings → Privacy & consents: sponsors stop seeing you at once."
        ),
    },
}
VERSION_1 = "1.0"


def ensure_documents(session: Session) -> None:
    """Insert version 1.0 of each document if missing (migration 0003 normally did already)."""
    existing = set(
        session.exec(select(ConsentDocument.kind).where(ConsentDocument.version == VERSION_1)).all()
    )
    for kind, doc in DOCUMENTS_V1.items():
        if kind not in existing:
            session.add(
                ConsentDocument(
                    kind=ConsentKind(kind),
                    version=VERSION_1,
                    title=doc["title"],
                    body=doc["body"],
                    required=doc["required"],
                )
            )
    session.flush()


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"Unknown consent '{kind}'. Choose one of: {', '.join(KINDS)}.")
    return kind


def latest_document(session: Session, kind: str) -> ConsentDocument:
    """The newest published version of a document."""
    doc = session.exec(
        select(ConsentDocument)
        .where(ConsentDocument.kind == _check_kind(kind))
        .order_by(col(ConsentDocument.published_at).desc(), col(ConsentDocument.id).desc())
    ).first()
    if doc is None:
        raise NotFound(f"The {LABELS[kind].lower()} has not been published.")
    return doc


def documents(session: Session) -> list[ConsentDocumentPublic]:
    """The current version of every document (public: anyone may read them)."""
    return [ConsentDocumentPublic.model_validate(latest_document(session, kind)) for kind in KINDS]


def document(session: Session, kind: str) -> ConsentDocumentPublic:
    """The current version of one document (public: anyone may read it)."""
    if kind not in KINDS:
        raise NotFound("There is no such document.")
    return ConsentDocumentPublic.model_validate(latest_document(session, kind))


def current_consents(session: Session, user_id: int) -> dict[str, ConsentStatePublic]:
    """Per kind: granted, version, at from the user's latest record (never: False/None/None)."""
    state = {kind: ConsentStatePublic(granted=False, version=None, at=None) for kind in KINDS}
    rows = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id)
        .order_by(col(ConsentRecord.created_at), col(ConsentRecord.id))
    ).all()
    for row in rows:  # later records overwrite earlier ones
        if row.kind in state:
            state[row.kind] = ConsentStatePublic(
                granted=row.granted, version=row.version, at=row.created_at
            )
    return state


def granted_sql(kind: str, user_id: Any) -> ColumnElement[bool]:
    """SQL: whether the user's latest record of `kind` is a grant (never recorded: false).

    The one place the rule is written: `has_consent`, the AI jobs' learners and the learners a
    sponsor sees by name all use it. `user_id` is a column of the outer query (the condition is
    correlated to it) or an int. "Latest" is the newest `created_at`, then the highest id. The
    form, a grant with no later record of the kind, lets PostgreSQL join it rather than run a
    subquery per row."""
    later = aliased(ConsentRecord)
    newer = exists().where(
        col(later.user_id) == col(ConsentRecord.user_id),
        col(later.kind) == col(ConsentRecord.kind),
        tuple_(col(later.created_at), col(later.id))
        > tuple_(col(ConsentRecord.created_at), col(ConsentRecord.id)),
    )
    return exists().where(
        col(ConsentRecord.user_id) == user_id,
        col(ConsentRecord.kind) == _check_kind(kind),
        col(ConsentRecord.granted).is_(True),
        ~newer,
    )


def has_consent(session: Session, user_id: int, kind: str) -> bool:
    """True when the user's latest record of `kind` is a grant."""
    return bool(session.exec(select(granted_sql(kind, user_id))).one())


def ai_consent_missing(user_id: int, reader_id: int | None = None) -> str:
    """Why an AI feature is off for `user_id`, worded for who reads it: the learner is told
    where to turn it on; staff (`reader_id`, reading a learner's) that the learner has not."""
    if reader_id is None or reader_id == user_id:
        return AI_CONSENT_MISSING
    return LEARNER_AI_CONSENT_MISSING


def require_ai_consent(session: Session, user_id: int, *, reader_id: int | None = None) -> None:
    """The gate of every AI feature: Forbidden unless the user currently grants AI profiling."""
    if not has_consent(session, user_id, AI_PROFILING):
        raise Forbidden(ai_consent_missing(user_id, reader_id))


def history(
    session: Session, principal: Principal | None, limit: int = 100
) -> list[ConsentRecordPublic]:
    """The signed-in user's grants and withdrawals, newest first."""
    principal = require_signed_in(principal)
    rows = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == principal.user_id)
        .order_by(col(ConsentRecord.created_at).desc(), col(ConsentRecord.id).desc())
        .limit(limit)
    ).all()
    return [
        from_row(ConsentRecordPublic, r, label=LABELS.get(r.kind, r.kind), at=r.created_at)
        for r in rows
    ]


def _append(
    session: Session, user_id: int, kind: str, granted: bool, actor_id: int, meta: RequestMeta
) -> ConsentRecord:
    doc = latest_document(session, kind)
    assert doc.id is not None
    record = ConsentRecord(
        user_id=user_id,
        document_id=doc.id,
        kind=ConsentKind(kind),
        version=doc.version,
        granted=granted,
    )
    session.add(record)
    audit.record(
        session,
        "consent.granted" if granted else "consent.withdrawn",
        ("user", user_id),
        by=actor_id,
        meta=meta,
        kind=kind,
        version=doc.version,
    )
    return record


def set_consent(
    session: Session,
    principal: Principal | None,
    kind: str,
    granted: bool,
    meta: RequestMeta = NO_META,
) -> dict[str, ConsentStatePublic]:
    """Grant or withdraw one of the signed-in user's consents; returns their new state.

    Granting records the latest version of the document. Withdrawing terms or privacy is refused
    (Invalid): they are kept while the account exists. Setting the state it already has (same
    version) records nothing. A consent is the person's own decision: an API key is refused
    (Forbidden), as a leaked key must not grant or withdraw it.
    """
    principal = require_interactive(principal)
    _check_kind(kind)
    if kind in REQUIRED and not granted:
        raise Invalid(REQUIRED_WITHDRAWAL)
    current = current_consents(session, principal.user_id)[kind]
    latest = latest_document(session, kind)
    if current.granted == granted and (not granted or current.version == latest.version):
        return current_consents(session, principal.user_id)
    _append(session, principal.user_id, kind, granted, principal.user_id, meta)
    session.flush()
    if kind == AI_PROFILING:
        _ai_consent_changed(session, principal.user_id, granted)
    return current_consents(session, principal.user_id)


def _ai_consent_changed(session: Session, user_id: int, granted: bool) -> None:
    """Withdrawn: everything the AI derived about the user goes now, and the worker computes
    nothing more for them (each AI job checks the consent again). Granted: compute afresh."""
    from cyberhub.services.ai.embeddings import purge_learner  # noqa: PLC0415  (why: embeddings imports this module at its top)

    if granted:
        jobs.learner_changed(session, user_id)
    else:
        purge_learner(session, user_id)
        # The user's open pages stop showing what is gone (their list, analysis, coach's plan).
        live.changed(session, user_id, live.RECOMMENDATIONS, live.INSIGHTS, live.COACH)


def missing_signup_consents(kinds: list[str]) -> list[str]:
    """The required kinds absent from `kinds`."""
    return [k for k in REQUIRED if k not in kinds]


def check_signup_consents(kinds: list[str], missing: str = SIGNUP_MISSING) -> None:
    """Invalid (saying `missing`) unless `kinds` are known and include terms and privacy."""
    for kind in kinds:
        _check_kind(kind)
    if missing_signup_consents(kinds):
        raise Invalid(missing)


def never_accepted(session: Session, user_id: int) -> bool:
    """Whether the account has not granted the required consents (terms, privacy): one someone
    else made for the person, before its first use."""
    return any(not has_consent(session, user_id, kind) for kind in REQUIRED)


def record_signup_consents(
    session: Session, user_id: int, kinds: list[str], meta: RequestMeta = NO_META
) -> None:
    """Record the consents given on a sign-up form (terms and privacy must be among them)."""
    check_signup_consents(kinds)
    if session.get(User, user_id) is None:
        raise NotFound("There is no such account.")
    for kind in dict.fromkeys(kinds):  # each kind once, in the order given
        _append(session, user_id, kind, True, user_id, meta)
    session.flush()
