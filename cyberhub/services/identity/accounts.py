"""Sign-up, sign-in with lockout, and JWT sessions with rotating refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from cyberhub.models import OneTimeToken, RefreshToken, Role, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.identity import SessionUserPublic, TokenPairPublic
from cyberhub.services import locks, rate_limit, text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, MfaRequired, Unauthenticated
from cyberhub.services.identity import (
    account_row,
    api_keys,
    lockout,
    mfa,
    passwords,
    session_use,
    tokens,
)
from cyberhub.services.identity import consents as consents_service
from cyberhub.services.identity.permissions import (
    DEACTIVATED,
    Principal,
    active_principal,
    require_interactive,
)
from cyberhub.services.learning import calendar_feed
from cyberhub.settings import get_settings

BAD_CREDENTIALS = "Incorrect email or password."
# Where a new account goes first, whichever way it signed up (a password, an e-mailed link): the
# career profiler, which places the learner in a track.
FIRST_PAGE = "/onboarding/ai-profiler"
# DEACTIVATED (permissions) only after the right password: a wrong one gets BAD_CREDENTIALS, as
# for any address.


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: int
    principal: Principal

    def public(self) -> TokenPairPublic:
        """The JSON answer of auth/login and auth/token/refresh."""
        return TokenPairPublic(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.access_expires_at,
            user=SessionUserPublic(
                id=self.principal.user_id,
                email=self.principal.email,
                full_name=self.principal.full_name,
                roles=self.principal.roles,
            ),
        )


def clean_own_name(full_name: str | None) -> str:
    """The name a person signing up gives for themselves: one line (services/text.line), at most
    200 characters (Invalid); may be empty."""
    return text.line(full_name, "name", 200, required=False)


def normalize_email(email: str) -> str:
    """Validate the address's form and return it lower-cased; Invalid says what is wrong."""
    email = (email or "").strip()
    if not email:
        raise Invalid("Enter your email address.")
    try:
        result = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"That email address doesn't look right: {exc}") from exc
    return result.normalized.lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def signup(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str = "",
    consents: list[str] | None = None,
    meta: RequestMeta = NO_META,
) -> User:
    """Create a student account in no organisation. Raises Invalid (with every problem) or
    Conflict.

    `consents` are the documents the person accepted on the form; terms and privacy are required.
    The student role is global (organization_id NULL): a person joins an organisation only by
    consent — an invitation (services/identity/memberships.py, also at sign-up), an admin, or applying
    to a cohort.
    """
    email = normalize_email(email)
    full_name = clean_own_name(full_name)
    passwords.validate_password(password, email)
    # Sign-ups of one address take turns until commit (a double click, two tabs): the second
    # then finds the first's account instead of failing on the unique address.
    locks.hold(session, locks.Lock.ACCOUNT_ADDRESS, email)
    if find_user(session, email):
        raise Conflict("An account with this email already exists. Sign in instead.")
    consent_kinds = list(consents or [])
    consents_service.check_signup_consents(consent_kinds)
    user = create_user(session, email, full_name, password, Role.student, "self sign-up")
    assert user.id is not None
    audit.record(session, "user.signup", user, by=user.id, meta=meta)
    consents_service.record_signup_consents(session, user.id, consent_kinds, meta)
    session.flush()
    return user


def create_user(
    session: Session,
    email: str,
    full_name: str,
    password: str | None,
    role: Role,
    reason: str,
    *,
    last_login_at: datetime | None = None,
) -> User:
    """A new account holding `role` globally (organization_id NULL), flushed (it has an id).
    No password: an account that signs in by e-mailed link (passwordless.py's sign-up)."""
    password_hash = passwords.hash_password(password) if password is not None else None
    user = User(
        email=email, full_name=full_name, password_hash=password_hash, last_login_at=last_login_at
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(RoleAssignment(user_id=user.id, role=role, organization_id=None, reason=reason))
    return user


def create_admin(
    session: Session, *, email: str, full_name: str, password: str, meta: RequestMeta = NO_META
) -> User:
    """Create a global admin (the operator's first-admin command). Raises Invalid or Conflict.

    The password follows the sign-up rules; there is no principal: whoever runs the command on
    the server already controls the database.
    """
    email = normalize_email(email)
    full_name = text.line(full_name, "name", 200, required=False)
    if not full_name:
        raise Invalid("Give the admin's name (--name).")
    passwords.validate_password(password, email)
    if find_user(session, email):
        raise Conflict(f"An account with {email} already exists.")
    user = create_user(session, email, full_name, password, Role.admin, "create-admin command")
    audit.record(session, "user.admin_created", user, meta=meta, method="command line")
    session.flush()
    return user


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    mfa_code: str | None = None,
    meta: RequestMeta = NO_META,
) -> User:
    """Check the password, counting failures toward the lockout (services/identity/lockout.py).

    Raises Unauthenticated (DEACTIVATED for the right password of a deactivated account, not
    counted as a failure), Locked (this address is locked out of the account, or password
    sign-in is paused for everyone) or RateLimited (too many attempts at one account from here).

    With MFA on, a right password without `mfa_code` raises MfaRequired; a wrong code (TOTP or
    recovery code) raises MfaRequired with a reason and counts as a failed sign-in.
    """
    settings = get_settings()
    user = find_user(session, email or "")
    # Attempts per account and address: a classroom behind one NAT address is not throttled by
    # the per-address ceiling of the auth endpoints, while guessing at one account is.
    rate_limit.hit(
        f"signin:{(email or '').strip().lower()[:320]}:{meta.ip or 'unknown'}",
        settings.auth_rate_limit_per_account_per_minute,
        60,
    )
    if user is not None:
        # Lock the row: concurrent bad attempts must all be counted. FOR NO KEY UPDATE (only
        # counters change): a waitlist promotion's FOR KEY SHARE on it does not pass them over.
        session.refresh(user, with_for_update={"key_share": True})
        lockout.check_password_sign_in(session, user, meta)
    ok = passwords.verify_password(password or "", user.password_hash if user else None)
    if user is None or not ok:
        if user is not None:
            lockout.record_failure(session, user, meta)
        else:
            audit.record(
                session,
                "login.failure",
                meta=meta,
                email=(email or "")[:320],
                reason="unknown email",
            )
            session.commit()
        raise Unauthenticated(BAD_CREDENTIALS)
    if not user.is_active:
        # The right password: say why, and don't count it toward the lockout.
        audit.record(
            session, "login.failure", user, by=user.id, meta=meta, reason="account deactivated"
        )
        session.commit()
        raise Unauthenticated(DEACTIVATED)
    if user.mfa_secret:
        if not (mfa_code or "").strip():
            raise MfaRequired()
        if not mfa.verify_second_factor(session, user, mfa_code, meta):
            lockout.record_failure(session, user, meta, reason="bad mfa code")
            raise MfaRequired(mfa.BAD_CODE)
    lockout.record_success(user, meta)
    session.add(user)
    return user


def unlock(
    session: Session, *, user: User, actor_id: int | None, meta: RequestMeta = NO_META
) -> None:
    """Lift every sign-in lock of the account (for every address), audited."""
    lockout.clear(user)
    session.add(user)
    audit.record(session, "account.unlocked", user, by=actor_id, meta=meta)


def start_session(session: Session, user: User, meta: RequestMeta = NO_META) -> TokenPair:
    """Issue an access token and the first refresh token of a new family."""
    assert user.id is not None
    user.last_login_at = utcnow()  # as browser_sessions.begin_sign_in: every way in
    session.add(user)
    audit.record(session, "login.success", user, by=user.id, meta=meta)
    return _issue(session, user.id, tokens.new_id(), session_use.origin_of(meta))


def _issue(session: Session, user_id: int, family_id: str, origin: session_use.Origin) -> TokenPair:
    settings = get_settings()
    principal = active_principal(session, user_id)
    access, _, access_exp = tokens.encode(
        user_id=user_id,
        email=principal.email,
        roles=principal.roles,
        type_="access",
        lifetime=timedelta(minutes=settings.access_token_minutes),
        session_id=family_id,
    )
    refresh, _ = issue_refresh_token(session, principal, family_id, "refresh", origin)
    return TokenPair(access, refresh, access_exp, principal)


def issue_refresh_token(
    session: Session,
    principal: Principal,
    family_id: str,
    type_: str,
    origin: session_use.Origin,
) -> tuple[str, timedelta]:
    """Encode a long-lived token of `type_` ("refresh" for API clients, the browser session's
    cookie token) in `family_id` and store its RefreshToken row (with where the sign-in began),
    flushed; (token, lifetime)."""
    lifetime = timedelta(days=get_settings().refresh_token_days)
    token, jti, _ = tokens.encode(
        user_id=principal.user_id,
        email=principal.email,
        roles=principal.roles,
        type_=type_,
        lifetime=lifetime,
        family_id=family_id,
    )
    row = RefreshToken(
        jti=jti, family_id=family_id, user_id=principal.user_id, expires_at=utcnow() + lifetime
    )
    session.add(origin.stamp(row))
    session.flush()
    return token, lifetime


def refresh_session(session: Session, refresh_token: str, meta: RequestMeta = NO_META) -> TokenPair:
    """Rotate: the presented refresh token is spent and a new one returned.

    Presenting an already-rotated token means it was stolen or replayed: the whole family is
    revoked, so the thief and the victim both have to sign in again.
    """
    claims = tokens.decode(refresh_token, "refresh")
    hold_sessions(session, claims.user_id)
    row = session.exec(
        select(RefreshToken).where(RefreshToken.jti == claims.jti).with_for_update()
    ).first()
    if row is None:
        raise Unauthenticated("Invalid refresh token.")
    if row.revoked_at is not None:
        raise Unauthenticated("This session has ended. Please sign in again.")
    if row.rotated_at is not None:
        revoke_family(session, row.user_id, row.family_id)
        audit.record(
            session,
            "token.reuse_detected",
            ("user", row.user_id),
            by=row.user_id,
            meta=meta,
            family=row.family_id,
        )
        session.commit()
        raise Unauthenticated("This refresh token was already used. Please sign in again.")
    row.rotated_at = utcnow()
    session.add(row)
    return _issue(session, row.user_id, row.family_id, session_use.carried(row))


def hold_sessions(session: Session, user_id: int) -> None:
    """Hold the user's account row (FOR NO KEY UPDATE) until this transaction ends, before
    issuing or ending any of their tokens: a refresh (which spends a token and issues the next)
    and a sign-out (one session, or all of them at a password change or reset, a deactivation,
    "sign out everywhere") take turns. Without it a sign-out at the moment of a refresh ended
    the spent token but not the one the refresh issued (its row was not yet committed when the
    sign-out's UPDATE began), so the session carried on (account_row)."""
    account_row.hold(session, user_id)


def revoke_family(session: Session, user_id: int, family_id: str) -> None:
    """End the sign-in `family_id` of `user_id`: every token of it revoked (hold_sessions)."""
    hold_sessions(session, user_id)
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


# The purposes of passwordless.MAGIC_LINK and PASSWORD_RESET (that module imports this one).
EMAILED_LINKS = ("magic_link", "password_reset")


def expire_emailed_links(session: Session, user: User) -> None:
    """The sign-in, sign-up and password reset links e-mailed to the account and not yet used
    stop working ("expired"): whoever copied one from the mailbox meanwhile can't get back in
    after the owner ended every session or changed the password.

    A link being opened at this moment holds its row (and then waits for the user's row, which
    the caller holds): it is skipped, not waited for (that would deadlock); once this commits,
    the opening reads the account's `sessions_valid_after` and refuses it as expired
    (passwordless._ended_since)."""
    now = utcnow()
    locks.update_unheld(
        session,
        OneTimeToken,
        col(OneTimeToken.id),
        (
            col(OneTimeToken.purpose).in_(EMAILED_LINKS),
            or_(col(OneTimeToken.user_id) == user.id, col(OneTimeToken.email) == user.email),
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.expires_at) > now,
        ),
        expires_at=now,
    )


def revoke_all_sessions(
    session: Session,
    user_id: int,
    *,
    reason: str = "password reset",
    meta: RequestMeta = NO_META,
    actor_id: int | None = None,
    keep_family: str | None = None,
) -> None:
    """End every session of the user: refresh tokens revoked, older access tokens refused, and
    every API key revoked (a key is a session that never expires), the calendar feed (its
    secret address shows the user's schedule to whoever holds it) and, unless the account was
    just deactivated, the links e-mailed to it not yet used (expire_emailed_links). `actor_id`: who ended them,
    as the audit entries say (the user themselves unless given: an admin deactivating them).

    `keep_family`: one browser session (its refresh family) that stays signed in — the one that
    changed the password. A browser session is checked against its row only, so refusing older
    access tokens does not end it."""
    hold_sessions(session, user_id)
    by = user_id if actor_id is None else actor_id
    api_keys.revoke_all(session, user_id, reason=reason, meta=meta, actor_id=by)
    calendar_feed.revoke_all(session, user_id, reason=reason, meta=meta, actor_id=by)
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = utcnow()
        session.add(user)
    if user is not None and user.is_active:
        # (A deactivated account's links say so, and offer no new one: they are left as they are.)
        expire_emailed_links(session, user)
    ended = update(RefreshToken).where(
        col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None)
    )
    if keep_family is not None:
        ended = ended.where(col(RefreshToken.family_id) != keep_family)
    session.execute(ended.values(revoked_at=utcnow()))


def sign_out_everywhere(
    session: Session, principal: Principal | None, meta: RequestMeta = NO_META
) -> None:
    """The user ends all their sessions (this one too) and revokes all their API keys."""
    actor = require_interactive(principal)
    revoke_all_sessions(session, actor.user_id, reason="sign out everywhere", meta=meta)
    audit.record(session, "logout.everywhere", ("user", actor.user_id), by=actor, meta=meta)


def logout(session: Session, refresh_token: str, meta: RequestMeta = NO_META) -> None:
    """Revoke the refresh-token family of this session. An unknown or expired token is a no-op."""
    try:
        claims = tokens.decode(refresh_token, "refresh")
    except Unauthenticated:
        return
    row = session.get(RefreshToken, claims.jti)
    if row is None or row.revoked_at is not None:
        return  # already ended (a second logout, a sign-out everywhere): nothing to audit
    end_family(session, row, meta)


def end_family(session: Session, row: RefreshToken, meta: RequestMeta = NO_META) -> None:
    """Sign out the sign-in `row` belongs to (its whole refresh family), audited as a logout."""
    revoke_family(session, row.user_id, row.family_id)
    audit.record(session, "logout", ("user", row.user_id), by=row.user_id, meta=meta)


def live_token(session: Session, family_id: str) -> RefreshToken | None:
    """The newest token of the sign-in `family_id` that is neither revoked nor expired; None
    once the sign-in has ended."""
    return session.exec(
        select(RefreshToken)
        .where(
            RefreshToken.family_id == family_id,
            col(RefreshToken.revoked_at).is_(None),
            col(RefreshToken.expires_at) > utcnow(),
        )
        .order_by(col(RefreshToken.issued_at).desc())
        .limit(1)
    ).first()


def principal_from_access_token(session: Session, token: str) -> Principal:
    """The user of an access token; refused once its sign-in (`sid`) is revoked, e.g. by logout."""
    claims = tokens.decode(token, "access")
    user = session.get(User, claims.user_id)
    if (
        user is not None
        and user.sessions_valid_after is not None
        and claims.iat_ms < int(user.sessions_valid_after.timestamp() * 1000)
    ):
        raise Unauthenticated("This session has ended. Please sign in again.")
    if claims.session_id is not None:
        live = live_token(session, claims.session_id)
        if live is None:
            raise Unauthenticated("This session has ended. Please sign in again.")
        session_use.touch(session, live)
    return active_principal(session, claims.user_id)
