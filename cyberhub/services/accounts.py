"""Sign-up, sign-in with lockout, and JWT sessions with rotating refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import Organization, RefreshToken, Role, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.services import audit, mfa, passwords, tokens
from cyberhub.services import consents as consents_service
from cyberhub.services.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Invalid, Locked, MfaRequired, Unauthenticated
from cyberhub.services.permissions import Principal, load_principal
from cyberhub.settings import get_settings

BAD_CREDENTIALS = "Incorrect email or password."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: int
    principal: Principal

    def as_json(self) -> dict[str, object]:
        """The JSON shape of auth/login and auth/token/refresh."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_at": self.access_expires_at,
            "user": {
                "id": self.principal.user_id,
                "email": self.principal.email,
                "full_name": self.principal.full_name,
                "roles": self.principal.roles,
            },
        }


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


def default_organization(session: Session) -> Organization | None:
    return session.exec(select(Organization).order_by(Organization.id)).first()  # type: ignore[arg-type]


def signup(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str = "",
    consents: list[str] | None = None,
    meta: RequestMeta = NO_META,
) -> User:
    """Create a student account. Raises Invalid (with every problem) or Conflict.

    `consents` are the documents the person accepted on the form; terms and privacy are required.
    """
    email = normalize_email(email)
    full_name = full_name.strip()
    if len(full_name) > 200:
        raise Invalid("Your name must be at most 200 characters.")
    passwords.validate_password(password, email)
    if find_user(session, email):
        raise Conflict("An account with this email already exists. Sign in instead.")
    consent_kinds = list(consents or [])
    consents_service.check_signup_consents(consent_kinds)
    user = User(email=email, full_name=full_name, password_hash=passwords.hash_password(password))
    session.add(user)
    session.flush()
    assert user.id is not None
    org = default_organization(session)
    session.add(
        RoleAssignment(
            user_id=user.id,
            role=Role.student,
            organization_id=org.id if org else None,
            reason="self sign-up",
        )
    )
    audit.record(
        session, "user.signup", actor_id=user.id, target_type="user", target_id=user.id, meta=meta
    )
    consents_service.record_signup_consents(session, user.id, consent_kinds, meta)
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
    """Check the password, counting failures toward the lockout. Raises Unauthenticated or Locked.

    With MFA on, a right password without `mfa_code` raises MfaRequired; a wrong code (TOTP or
    recovery code) raises MfaRequired with a reason and counts as a failed sign-in.
    """
    now = utcnow()
    user = find_user(session, email or "")
    if user is not None:
        # Lock the row: concurrent bad attempts must all be counted.
        session.refresh(user, with_for_update=True)
    if user is not None and user.locked_until and user.locked_until > now:
        retry = int((user.locked_until - now).total_seconds()) + 1
        audit.record(
            session,
            "login.failure",
            target_type="user",
            target_id=user.id,
            meta=meta,
            reason="locked",
        )
        session.commit()  # the attempt is audited although the request fails
        raise Locked(_locked_message(retry), retry_after=retry)
    ok = passwords.verify_password(password or "", user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        if user is not None:
            _count_failure(session, user, now, meta)
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
    if user.mfa_secret:
        if not (mfa_code or "").strip():
            raise MfaRequired()
        if not mfa.verify_second_factor(session, user, mfa_code, meta):
            _count_failure(session, user, now, meta, reason="bad mfa code")
            raise MfaRequired(mfa.BAD_CODE)
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    return user


def _locked_message(retry_after: int) -> str:
    minutes = max(1, (retry_after + 59) // 60)
    return (
        "Too many failed sign-in attempts. Your account is locked for "
        f"{minutes} more minute{'s' if minutes != 1 else ''}, or until an admin unlocks it."
    )


def _count_failure(
    session: Session, user: User, now: datetime, meta: RequestMeta, reason: str = "bad password"
) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.lockout_window_minutes)
    if user.first_failed_login_at is None or now - user.first_failed_login_at > window:
        user.failed_login_count = 1
        user.first_failed_login_at = now
    else:
        user.failed_login_count += 1
    audit.record(
        session,
        "login.failure",
        target_type="user",
        target_id=user.id,
        meta=meta,
        reason=reason,
        failures=user.failed_login_count,
    )
    if user.failed_login_count >= settings.lockout_threshold:
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        audit.record(
            session,
            "account.locked",
            target_type="user",
            target_id=user.id,
            meta=meta,
            until=user.locked_until.isoformat(),
        )
    session.add(user)
    # The failure must be remembered even though the caller's request fails.
    session.commit()


def unlock(
    session: Session, *, user: User, actor_id: int | None, meta: RequestMeta = NO_META
) -> None:
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    session.add(user)
    audit.record(
        session,
        "account.unlocked",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        meta=meta,
    )


def start_session(session: Session, user: User, meta: RequestMeta = NO_META) -> TokenPair:
    """Issue an access token and the first refresh token of a new family."""
    assert user.id is not None
    audit.record(
        session, "login.success", actor_id=user.id, target_type="user", target_id=user.id, meta=meta
    )
    return _issue(session, user.id, family_id=tokens.new_id())


def _issue(session: Session, user_id: int, family_id: str) -> TokenPair:
    settings = get_settings()
    principal = load_principal(session, user_id)
    if principal is None:
        raise Unauthenticated("This account is not active.")
    access, _, access_exp = tokens.encode(
        user_id=user_id,
        email=principal.email,
        roles=principal.roles,
        type_="access",
        lifetime=timedelta(minutes=settings.access_token_minutes),
        session_id=family_id,
    )
    lifetime = timedelta(days=settings.refresh_token_days)
    refresh, jti, _ = tokens.encode(
        user_id=user_id,
        email=principal.email,
        roles=principal.roles,
        type_="refresh",
        lifetime=lifetime,
        family_id=family_id,
    )
    session.add(
        RefreshToken(jti=jti, family_id=family_id, user_id=user_id, expires_at=utcnow() + lifetime)
    )
    session.flush()
    return TokenPair(access, refresh, access_exp, principal)


def refresh_session(session: Session, refresh_token: str, meta: RequestMeta = NO_META) -> TokenPair:
    """Rotate: the presented refresh token is spent and a new one returned.

    Presenting an already-rotated token means it was stolen or replayed: the whole family is
    revoked, so the thief and the victim both have to sign in again.
    """
    claims = tokens.decode(refresh_token, "refresh")
    row = session.exec(
        select(RefreshToken).where(RefreshToken.jti == claims.jti).with_for_update()
    ).first()
    if row is None:
        raise Unauthenticated("Invalid refresh token.")
    if row.revoked_at is not None:
        raise Unauthenticated("This session has ended. Please sign in again.")
    if row.rotated_at is not None:
        revoke_family(session, row.family_id)
        audit.record(
            session,
            "token.reuse_detected",
            actor_id=row.user_id,
            target_type="user",
            target_id=row.user_id,
            meta=meta,
            family=row.family_id,
        )
        session.commit()
        raise Unauthenticated("This refresh token was already used. Please sign in again.")
    row.rotated_at = utcnow()
    session.add(row)
    return _issue(session, row.user_id, row.family_id)


def revoke_family(session: Session, family_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all_sessions(session: Session, user_id: int) -> None:
    """End every session of the user: refresh tokens revoked, older access tokens refused."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = utcnow()
        session.add(user)
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def logout(session: Session, refresh_token: str, meta: RequestMeta = NO_META) -> None:
    """Revoke the refresh-token family of this session. An unknown or expired token is a no-op."""
    try:
        claims = tokens.decode(refresh_token, "refresh")
    except Unauthenticated:
        return
    row = session.get(RefreshToken, claims.jti)
    if row is None:
        return
    revoke_family(session, row.family_id)
    audit.record(
        session,
        "logout",
        actor_id=row.user_id,
        target_type="user",
        target_id=row.user_id,
        meta=meta,
    )


def session_alive(session: Session, family_id: str) -> bool:
    """Whether the sign-in `family_id` still has a token that is neither revoked nor expired."""
    row = session.exec(
        select(RefreshToken.jti)
        .where(
            RefreshToken.family_id == family_id,
            col(RefreshToken.revoked_at).is_(None),
            col(RefreshToken.expires_at) > utcnow(),
        )
        .limit(1)
    ).first()
    return row is not None


def principal_from_access_token(session: Session, token: str) -> Principal:
    """The user of an access token; refused once its sign-in (`sid`) is revoked, e.g. by logout."""
    claims = tokens.decode(token, "access")
    user = session.get(User, claims.user_id)
    if user is not None and user.sessions_valid_after is not None:
        if claims.iat < int(user.sessions_valid_after.timestamp()):
            raise Unauthenticated("This session has ended. Please sign in again.")
    if claims.session_id is not None and not session_alive(session, claims.session_id):
        raise Unauthenticated("This session has ended. Please sign in again.")
    principal = load_principal(session, claims.user_id)
    if principal is None:
        raise Unauthenticated("This account is not active.")
    return principal
