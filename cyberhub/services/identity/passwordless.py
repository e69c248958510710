"""Magic links (passwordless sign-in and sign-up) and password reset, by e-mailed one-time links.

A link carries a random token (`secrets.token_urlsafe(32)`); only its SHA-256 is stored, in a
`OneTimeToken` row that is spent on first successful use. Requests answer the same whether or not
the address has an account (the caller shows one fixed message), so they can't be used to find
out who is registered; only the owner of the mailbox learns which kind of link it got.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import OneTimeToken, Role, User
from cyberhub.models.base import utcnow
from cyberhub.services import rate_limit
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import AccountDeactivated, MfaRequired, Unauthenticated
from cyberhub.services.identity import accounts, lockout, mfa, password_change, passwords
from cyberhub.services.identity import consents as consents_service
from cyberhub.services.identity.permissions import DEACTIVATED
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings

MAGIC_LINK = "magic_link"
PASSWORD_RESET = "password_reset"

REQUEST_ANSWER = "If that address can sign in, a link is on its way."
RESET_ANSWER = "If that address has a CyberHub account, a link to reset the password is on its way."

# Links per address per quarter hour: stops anyone from flooding a mailbox from many IPs.
# Requests beyond it still get the usual answer; no mail is sent.
MAILS_PER_ADDRESS = 5
MAIL_WINDOW_SECONDS = 15 * 60
MAX_TOKEN_LENGTH = 200


_WHAT = {MAGIC_LINK: "sign-in link", PASSWORD_RESET: "password reset link"}


@dataclass(frozen=True)
class MagicLinkInfo:
    """What a magic link will do, read without spending it (for the page that opens it)."""

    kind: Literal["signin", "signup"]
    email: str
    mfa_required: bool
    # A sign-in to an account someone else made (a director enrolled the address) that has not
    # accepted the terms and the privacy notice yet: the page asks for them first.
    consents_needed: bool = False


@dataclass(frozen=True)
class ResetLinkInfo:
    """What a password reset link will do, read without spending it (for the page that opens
    it): the account's address, and whether confirming it also asks for the terms and the
    privacy notice (the first use of an account someone else made for the person)."""

    email: str
    consents_needed: bool


@dataclass(frozen=True)
class MagicLinkUse:
    """The user a magic link signed in, and whether the link just created their account."""

    user: User
    created: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(
    session: Session, purpose: str, email: str, user_id: int | None, minutes: int
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=hash_token(token),
            email=email,
            user_id=user_id,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    session.flush()
    return token


def _minutes(n: int) -> str:
    if n % 60 == 0:
        hours = n // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{n} minute{'s' if n != 1 else ''}"


def _lookup(session: Session, token: str, purpose: str, *, lock: bool) -> OneTimeToken | None:
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    stmt = select(OneTimeToken).where(
        OneTimeToken.token_hash == hash_token(token), OneTimeToken.purpose == purpose
    )
    if lock:
        stmt = stmt.with_for_update()  # two tabs opening the same link: only one may spend it
    return session.exec(stmt).first()


def _problem(row: OneTimeToken | None, purpose: str) -> str | None:
    """Why this token can't be used (a message for the person holding it), or None."""
    what = _WHAT[purpose]
    if row is None:
        return f"This {what} is not valid. Check you copied the whole link, or request a new one."
    if row.used_at is not None:
        return f"This {what} was already used. Each link works once: request a new one."
    if row.expires_at <= utcnow():
        return _expired(purpose)
    return None


def _expired(purpose: str) -> str:
    return f"This {_WHAT[purpose]} has expired. Request a new one."


def _ended_since(session: Session, row: OneTimeToken, purpose: str, *, hold: bool) -> str | None:
    """A link e-mailed before every session of its account ended (a password change or reset,
    "sign out everywhere") expired with them: the message saying so, or None. With `hold`, the
    account's row is held (accounts.hold_sessions) and read again first: a link being opened
    as the sessions end holds its own row, so accounts.expire_emailed_links skips it, and this
    is what refuses it once the sign-out has committed. A deactivated account's link is left
    to say so (the callers' AccountDeactivated)."""
    user = _link_user(session, row)
    if user is None or user.id is None:
        return None
    if hold:
        accounts.hold_sessions(session, user.id)
        session.refresh(user)  # as committed by a sign-out the hold waited for
    ended = user.sessions_valid_after
    if user.is_active and ended is not None and row.created_at < ended:
        return _expired(purpose)
    return None


def _checked(
    session: Session, token: str, purpose: str, *, lock: bool
) -> tuple[OneTimeToken | None, str | None]:
    """The token's row (locked, and its account's row held, with `lock`) and why it can't be
    used (None: it can)."""
    row = _lookup(session, token, purpose, lock=lock)
    problem = _problem(row, purpose)
    if problem is None and row is not None:
        problem = _ended_since(session, row, purpose, hold=lock)
    return row, problem


def _valid_row(
    session: Session, token: str, purpose: str, meta: RequestMeta, *, record: bool = True
) -> OneTimeToken:
    """The usable (locked) token row; otherwise audit the failed attempt and raise Unauthenticated."""
    row, problem = _checked(session, token, purpose, lock=True)
    if problem is None:
        assert row is not None
        return row
    if record:
        audit.record(
            session,
            f"{purpose}.failed",
            ("user", row.user_id) if row and row.user_id else None,
            meta=meta,
            reason="unknown" if row is None else "used" if row.used_at else "expired",
        )
        session.commit()  # the failed attempt is audited although the request fails
    raise Unauthenticated(problem)


def _peek(session: Session, token: str, purpose: str) -> OneTimeToken:
    """The usable token row, neither locked nor spent (a failure is not audited); otherwise
    raise Unauthenticated."""
    row, problem = _checked(session, token, purpose, lock=False)
    if problem is not None:
        raise Unauthenticated(problem)
    assert row is not None
    return row


def _spend_others(session: Session, purpose: str, email: str) -> None:
    """After one link of a kind is used, the other outstanding ones for that address stop working."""
    session.execute(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.purpose) == purpose,
            col(OneTimeToken.email) == email,
            col(OneTimeToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def _may_mail(purpose: str, email: str) -> bool:
    return rate_limit.allow(f"mail:{purpose}:{email}", MAILS_PER_ADDRESS, MAIL_WINDOW_SECONDS)


def _audit_request(
    session: Session, action: str, user: User | None, meta: RequestMeta, **details: object
) -> None:
    """Audit a link request, sent or not, against the account when the address has one (an
    unknown address has none: the entry then carries no target)."""
    audit.record(session, action, user, by=None, meta=meta, **details)  # nobody is signed in


# -- magic links -------------------------------------------------------------------------------


def request_magic_link(session: Session, *, email: str, meta: RequestMeta = NO_META) -> None:
    """E-mail a single-use sign-in link (sign-up link for an unknown address), valid 15 minutes.

    Returns nothing either way: the caller answers with REQUEST_ANSWER whatever happened.
    Raises Invalid only when the address is malformed (which says nothing about accounts).
    """
    settings = get_settings()
    email = accounts.normalize_email(email)
    user = accounts.find_user(session, email)
    kind = "signup" if user is None else "signin"
    reason = ""
    if user is not None and not user.is_active:
        reason = "inactive account"
    elif not _may_mail(MAGIC_LINK, email):
        reason = "too many links for this address"
    if reason:
        _audit_request(
            session, "magic_link.requested", user, meta, kind=kind, sent=False, reason=reason
        )
        return
    minutes = settings.magic_link_minutes
    token = _new_token(session, MAGIC_LINK, email, user.id if user else None, minutes)
    url = f"{settings.base_url}/auth/magic/{token}"
    if user is not None:
        subject = "Your CyberHub sign-in link"
        body = (
            f"Hello {user.full_name or email},\n\n"
            f"Use this link to sign in to CyberHub. It works once and expires in "
            f"{_minutes(minutes)}:\n\n{url}\n\n"
            "If you didn't ask for it, ignore this message: nobody can sign in without the link.\n\n"
            "— CyberHub"
        )
    else:
        subject = "Finish creating your CyberHub account"
        body = (
            "Hello,\n\n"
            "Someone, hopefully you, asked to create a CyberHub account with this address. "
            f"Open this link to finish (it works once and expires in {_minutes(minutes)}):\n\n"
            f"{url}\n\n"
            "If it wasn't you, ignore this message and no account will be created.\n\n"
            "— CyberHub"
        )
    mail.send(session, to=email, subject=subject, body=body, kind="magic_link")
    _audit_request(
        session,
        "magic_link.requested",
        user,
        meta,
        kind=kind,
        sent=True,
        email="" if user else email,
    )


def inspect_magic_link(session: Session, *, token: str) -> MagicLinkInfo:
    """What the link would do (sign in / create an account, MFA needed) without spending it.

    Raises Unauthenticated, with the reason, for an unknown, used or expired link.
    """
    row = _peek(session, token, MAGIC_LINK)
    user = _link_user(session, row)
    if user is None:
        return MagicLinkInfo(kind="signup", email=row.email, mfa_required=False)
    return MagicLinkInfo(
        kind="signin",
        email=row.email,
        mfa_required=_mfa_on(user),
        consents_needed=_first_use(session, user),
    )


def _link_user(session: Session, row: OneTimeToken) -> User | None:
    # A sign-up link whose address got an account meanwhile signs that account in: the holder
    # of the link has shown they own the mailbox, exactly as for a sign-in link.
    if row.user_id is not None:
        return session.get(User, row.user_id)
    return accounts.find_user(session, row.email)


def _first_use(session: Session, user: User) -> bool:
    """Whether this is the first use of an account someone else made for the person (a
    director enrolled their address): no password yet, and the terms and the privacy notice
    never accepted. Its first way in, an e-mailed link or a password reset, asks for them."""
    return (
        user.password_hash is None
        and user.id is not None
        and consents_service.never_accepted(session, user.id)
    )


def _mfa_on(user: User) -> bool:
    return bool(user.mfa_secret)  # as accounts.authenticate: the confirmed secret means MFA is on


def verify_magic_link(
    session: Session,
    *,
    token: str,
    meta: RequestMeta = NO_META,
    mfa_code: str | None = None,
    consents: list[str] | None = None,
    full_name: str = "",
) -> MagicLinkUse:
    """Spend a magic link and return the user it signs in (creating the account for a sign-up link).

    The caller then issues tokens with `accounts.start_session`. Unknown, used or expired links
    raise Unauthenticated with the reason. With MFA on, the link is only the first factor: without
    a valid `mfa_code` it raises MfaRequired and stays unspent, so the same link can be sent again
    with the code (a wrong code counts toward the lockout). A sign-up link needs `consents` with
    terms and privacy (as the sign-up form), else Invalid; so does the first sign-in to an
    account someone else made for the person (FIRST_USE_MISSING). A link works even while the account is
    locked (it proves the mailbox); only its code step is refused to an address locked out of it.
    """
    row = _valid_row(session, token, MAGIC_LINK, meta)
    user = _link_user(session, row)
    if user is None:
        return MagicLinkUse(_create_account(session, row, meta, consents or [], full_name), True)
    now = utcnow()
    if not user.is_active:
        raise AccountDeactivated(DEACTIVATED)
    assert user.id is not None
    # An account made for the person (a director enrolled their address) is first used here:
    # the terms and the privacy notice are accepted as on the sign-up form (the link stays
    # good until they are).
    first_use = _first_use(session, user)
    if first_use:
        consents_service.check_signup_consents(consents or [], consents_service.FIRST_USE_MISSING)
    if _mfa_on(user):
        # The link replaces the password, not the second factor: an address locked out of this
        # account may not guess codes with it. A lock elsewhere does not stop the link's owner.
        retry = lockout.source_locked_for(user, meta)
        if retry:
            raise lockout.refuse(session, user, meta, retry, everyone=False, method="magic_link")
        _check_second_factor(session, user, mfa_code, meta)
    # A successful sign-in: earlier failures stop counting, and a pause of password sign-in for
    # everyone ends (whoever holds the mailbox is the owner).
    lockout.record_success(user, meta)
    user.last_login_at = now
    if first_use:
        consents_service.record_signup_consents(session, user.id, consents or [], meta)
        if not user.full_name and full_name.strip():
            user.full_name = accounts.clean_own_name(full_name)
    session.add(user)
    _spend_link(session, row, user, "signin", now, meta)
    session.flush()
    return MagicLinkUse(user, False)


def _spend_link(
    session: Session, row: OneTimeToken, user: User, kind: str, now: datetime, meta: RequestMeta
) -> None:
    """The link is used: it and every other open link to the address stop working (audited)."""
    row.used_at = now
    if row.user_id is None:
        row.user_id = user.id
    session.add(row)
    _spend_others(session, MAGIC_LINK, row.email)
    audit.record(session, "magic_link.used", user, by=user.id, meta=meta, kind=kind)


def _check_second_factor(session: Session, user: User, code: str | None, meta: RequestMeta) -> None:
    if not (code or "").strip():
        raise MfaRequired()
    if mfa.verify_second_factor(session, user, code, meta):
        return
    # A wrong code after a valid link counts toward the lockout like a wrong code after a right
    # password: whoever holds the mailbox must not get unlimited guesses at the second factor.
    lockout.record_failure(session, user, meta, reason="bad mfa code")
    raise MfaRequired(mfa.BAD_CODE)


def _create_account(
    session: Session, row: OneTimeToken, meta: RequestMeta, consents: list[str], full_name: str
) -> User:
    consents_service.check_signup_consents(consents)
    full_name = accounts.clean_own_name(full_name)
    now = utcnow()
    # In no organisation, like a password sign-up (services/accounts.signup).
    user = accounts.create_user(
        session,
        row.email,
        full_name,
        None,
        Role.student,
        "self sign-up (magic link)",
        last_login_at=now,
    )
    assert user.id is not None
    consents_service.record_signup_consents(session, user.id, consents, meta)
    audit.record(session, "user.signup", user, by=user.id, meta=meta, method="magic_link")
    _spend_link(session, row, user, "signup", now, meta)
    session.flush()
    return user


# -- password reset ----------------------------------------------------------------------------


def request_password_reset(session: Session, *, email: str, meta: RequestMeta = NO_META) -> None:
    """E-mail a single-use password reset link (valid 1 hour) if the address has an active account.

    Returns nothing either way: the caller answers with RESET_ANSWER whatever happened.
    Raises Invalid only when the address is malformed.
    """
    settings = get_settings()
    email = accounts.normalize_email(email)
    user = accounts.find_user(session, email)
    reason = ""
    if user is None:
        reason = "unknown email"
    elif not user.is_active:
        reason = "inactive account"
    elif not _may_mail(PASSWORD_RESET, email):
        reason = "too many links for this address"
    if user is None or reason:
        _audit_request(
            session,
            "password_reset.requested",
            user,
            meta,
            sent=False,
            reason=reason,
            email="" if user else email,
        )
        return
    minutes = settings.password_reset_minutes
    token = _new_token(session, PASSWORD_RESET, email, user.id, minutes)
    url = f"{settings.base_url}/password-reset/{token}"
    body = (
        f"Hello {user.full_name or email},\n\n"
        "Someone, hopefully you, asked to reset the password of your CyberHub account. "
        f"Open this link to choose a new one (it works once and expires in {_minutes(minutes)}):"
        f"\n\n{url}\n\n"
        "If you didn't ask, ignore this message: your password stays as it is.\n\n"
        "— CyberHub"
    )
    mail.send(
        session, to=email, subject="Reset your CyberHub password", body=body, kind="password_reset"
    )
    _audit_request(session, "password_reset.requested", user, meta, sent=True)


def check_password_reset(session: Session, *, token: str) -> ResetLinkInfo:
    """What a reset link will do, without spending it; Unauthenticated if unusable.

    A usable link of a deactivated account is refused with AccountDeactivated (DEACTIVATED, as
    confirming it would be), so the page says so before offering a new password, and doesn't
    offer a new link (none is sent to a deactivated account): the link's holder owns the address.
    """
    row = _peek(session, token, PASSWORD_RESET)
    user = session.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active:
        raise AccountDeactivated(DEACTIVATED)
    return ResetLinkInfo(email=row.email, consents_needed=_first_use(session, user))


def confirm_password_reset(
    session: Session,
    *,
    token: str,
    new_password: str,
    meta: RequestMeta = NO_META,
    consents: list[str] | None = None,
) -> User:
    """Set a new password with a reset link; every session of the account ends.

    Spends the link, clears the lockout (for every address), audits "password.reset" and mails a security notice.
    Raises Unauthenticated for an unknown, used or expired link and Invalid (link not spent) for
    a password that breaks the rules, or for `consents` without the terms and the privacy
    notice on the first use of an account someone else made (`ResetLinkInfo`).
    """
    row = _valid_row(session, token, PASSWORD_RESET, meta)
    user = session.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active:
        raise AccountDeactivated(DEACTIVATED)
    passwords.validate_password(new_password or "", user.email)
    assert user.id is not None
    first_use = _first_use(session, user)
    if first_use:
        consents_service.check_signup_consents(consents or [], consents_service.FIRST_USE_MISSING)
        consents_service.record_signup_consents(session, user.id, consents or [], meta)
    now = utcnow()
    user.password_hash = passwords.hash_password(new_password)
    # Every lock ends, the account's and each address's: the guesses they counted were at the
    # old password, and the owner (who may have locked their own network out, then reset from
    # their phone) signs in with the new one anywhere, as after an admin's unlock.
    lockout.clear(user)
    session.add(user)
    row.used_at = now
    session.add(row)
    _spend_others(session, PASSWORD_RESET, row.email)
    # Whoever might have had the old password (or a stolen session) is signed out everywhere.
    accounts.revoke_all_sessions(session, user.id, reason="password reset", meta=meta)
    audit.record(session, "password.reset", user, by=user.id, meta=meta)
    password_change.send_changed_notice(
        session,
        user,
        meta,
        now,
        how="with a reset link",
        ended="every session was signed out and every API key revoked",
    )
    session.flush()
    return user
