"""API keys for the JSON API: a key acts as the user who created it, limited by its scopes.

The secret ("chk_" + 43 url-safe characters) is shown once, when the key is created; only its
SHA-256 and a short prefix (to recognise it in lists) are stored. Scopes:

- "read": GET, HEAD and OPTIONS requests only (anything else answers 403);
- "write": every request, including reads.

A key never grants more than its user holds: roles are re-read on every request. A key can't be
used to manage API keys, two-step sign-in, consents, memberships (accepting, declining an
invitation, leaving), passwords or sessions (a leaked key must not be able to mint new ones, share
the owner's data with an organisation or lock the owner out): the services refuse it
(permissions.require_interactive), not only the routes. Creating a key needs the current password or a
TOTP code (services/identity/reauth.py). A password reset and "sign out everywhere" revoke every key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets

from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import ApiKey, Role, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.identity import ApiKeyPublic, ScopePublic
from cyberhub.schemas.rows import from_row
from cyberhub.services import text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from cyberhub.services.identity import account_row, reauth
from cyberhub.services.identity.permissions import (
    DEACTIVATED,
    Principal,
    load_principal,
    require_interactive,
)

SECRET_PREFIX = "chk_"
SCOPES: dict[str, str] = {
    "read": "Read only: GET requests.",
    "write": "Read and write: every request, including creating, changing and deleting.",
}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ACTIVE_KEYS = 20
PREFIX_LENGTH = 12  # "chk_" + 8 characters: enough to tell keys apart, useless to an attacker


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_key(credential: str) -> bool:
    return credential.startswith(SECRET_PREFIX)


def list_scopes() -> list[ScopePublic]:
    return [ScopePublic(name=k, description=v) for k, v in SCOPES.items()]


def _clean_scopes(scopes: list[str]) -> list[str]:
    chosen = {s.strip().lower() for s in scopes or [] if s.strip()}
    unknown = sorted(chosen - SCOPES.keys())
    if unknown:
        raise Invalid(f"Unknown scope '{unknown[0]}'. Choose from: {', '.join(SCOPES)}.")
    if not chosen:
        raise Invalid("Choose at least one scope: read or write.")
    return [s for s in SCOPES if s in chosen]


def create(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    scopes: list[str],
    password: str | None = None,
    code: str | None = None,
    meta: RequestMeta = NO_META,
) -> tuple[ApiKey, str]:
    """Create a key acting as the signed-in user; returns the row and the secret (shown once).

    Needs a fresh re-authentication: the current `password`, or a TOTP `code` when MFA is on.
    """
    actor = require_interactive(principal)
    name = text.line(name, "name", 100, required=False)
    if not name:
        raise Invalid("Give the key a name, so you know later what uses it.")
    chosen = _clean_scopes(scopes)
    # The account row, held and read afresh (account_row): a password reset or change, or a
    # deactivation, running at this moment either revokes this key with the others or is seen
    # here (the password no longer matches, the account is inactive), never leaving a key that
    # works. One user's creations take turns on it too, so two can't both pass the count.
    user = account_row.held(session, actor.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated(DEACTIVATED)
    active = session.exec(
        select(ApiKey.id).where(ApiKey.user_id == actor.user_id, col(ApiKey.revoked_at).is_(None))
    ).all()
    if len(active) >= MAX_ACTIVE_KEYS:
        raise Conflict(f"You already have {MAX_ACTIVE_KEYS} active keys. Revoke one first.")
    reauth.confirm(session, user, password=password, code=code, meta=meta)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        user_id=actor.user_id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        scopes=chosen,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        "api_key.created",
        key,
        by=actor,
        meta=meta,
        name=name,
        prefix=key.prefix,
        scopes=chosen,
    )
    return key, secret


def as_public(key: ApiKey, owner_email: str = "") -> ApiKeyPublic:
    assert key.id is not None
    return from_row(ApiKeyPublic, key, owner_email=owner_email, active=key.revoked_at is None)


def list_keys(
    session: Session, principal: Principal | None, *, all_users: bool = False
) -> list[ApiKeyPublic]:
    """The user's own keys, newest first; an admin may ask for everybody's (`all_users`)."""
    actor = require_interactive(principal)
    if all_users and not actor.is_admin:
        raise Forbidden("Only an admin can list everybody's API keys.")
    stmt = select(ApiKey, User.email).join(User, col(User.id) == col(ApiKey.user_id))
    if not all_users:
        stmt = stmt.where(ApiKey.user_id == actor.user_id)
    rows = session.exec(stmt.order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc())).all()
    return [as_public(k, email) for k, email in rows]


def revoke(
    session: Session, principal: Principal | None, key_id: int, meta: RequestMeta = NO_META
) -> ApiKey:
    """Revoke one of the user's keys (an admin: anyone's). It stops working at once."""
    actor = require_interactive(principal)
    key = session.get(ApiKey, key_id, with_for_update=True)
    # Someone else's key is "not found" to a non-admin: ids of others' keys are not revealed.
    if key is None or (key.user_id != actor.user_id and not actor.has_role(Role.admin)):
        raise NotFound("That API key does not exist.")
    if key.revoked_at is not None:
        raise Conflict("That API key is already revoked.")
    key.revoked_at = utcnow()
    session.add(key)
    audit.record(
        session,
        "api_key.revoked",
        key,
        by=actor,
        meta=meta,
        name=key.name,
        prefix=key.prefix,
        owner_id=key.user_id,
    )
    return key


def revoke_all(
    session: Session,
    user_id: int,
    *,
    reason: str,
    meta: RequestMeta = NO_META,
    actor_id: int | None = None,
) -> int:
    """Revoke every active key of the user (password reset, sign out everywhere, deactivation);
    how many. Audited as done by `actor_id` (the user themselves unless given)."""
    revoked = session.execute(
        update(ApiKey)
        .where(col(ApiKey.user_id) == user_id, col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=utcnow())
        .returning(col(ApiKey.id))
    ).all()
    if revoked:
        audit.record(
            session,
            "api_key.revoked_all",
            ("user", user_id),
            by=user_id if actor_id is None else actor_id,
            meta=meta,
            reason=reason,
            keys=[row[0] for row in revoked],
        )
    return len(revoked)


def authenticate(session: Session, secret: str) -> Principal:
    """The principal a key acts as (with its scopes); records when it was last used."""
    if not looks_like_key(secret or ""):
        raise Unauthenticated("Invalid API key.")
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret))).first()
    if key is None:
        raise Unauthenticated("Invalid API key.")
    if key.revoked_at is not None:
        raise Unauthenticated("This API key has been revoked.")
    principal = load_principal(session, key.user_id)
    if principal is None:
        raise Unauthenticated(DEACTIVATED)
    key.last_used_at = utcnow()
    session.add(key)
    return dataclasses.replace(principal, scopes=frozenset(key.scopes))


def check_scope(principal: Principal | None, method: str) -> None:
    """Forbidden when an API-key request needs a scope the key lacks (read-only key, non-GET)."""
    if principal is None or principal.scopes is None:
        return
    if "write" in principal.scopes:
        return
    if method.upper() in READ_METHODS and "read" in principal.scopes:
        return
    raise Forbidden("This API key is read-only: it may only make GET requests.")
