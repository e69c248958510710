"""JWT access and refresh tokens (pyjwt, HS256, the shared secret from settings)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from cyberhub.models.base import utcnow
from cyberhub.services.errors import Unauthenticated
from cyberhub.settings import get_settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Claims:
    user_id: int
    email: str
    roles: list[str]
    jti: str
    type: str
    family_id: str | None
    exp: int
    iat: int
    # When it was issued, in milliseconds: "sign out everywhere" must also end a token issued
    # earlier within the same second.
    iat_ms: int
    # The sign-in (refresh-token family) an access token belongs to: refused once it is revoked.
    session_id: str | None = None


def new_id() -> str:
    return secrets.token_urlsafe(24)


def encode(
    *,
    user_id: int,
    email: str,
    roles: list[str],
    type_: str,
    lifetime: timedelta,
    jti: str | None = None,
    family_id: str | None = None,
    session_id: str | None = None,
) -> tuple[str, str, int]:
    """Return (token, jti, exp)."""
    now = utcnow()
    jti = jti or new_id()
    payload: dict[str, Any] = {
        "user_id": user_id,
        "email": email,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": jti,
        "type": type_,
        "iat_ms": int(now.timestamp() * 1000),
    }
    if family_id:
        payload["fam"] = family_id
    if session_id:
        payload["sid"] = session_id
    token = jwt.encode(payload, get_settings().secret_key, algorithm=ALGORITHM)
    return token, jti, payload["exp"]


def decode(token: str, expected_type: str) -> Claims:
    """Verify signature, expiry and type; raise Unauthenticated with a reason otherwise."""
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "jti", "user_id"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Your session has expired. Please sign in again.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("Invalid token.") from exc
    if payload.get("type") != expected_type:
        raise Unauthenticated("Invalid token type.")
    return Claims(
        user_id=int(payload["user_id"]),
        email=str(payload.get("email", "")),
        roles=list(payload.get("roles", [])),
        jti=str(payload["jti"]),
        type=str(payload["type"]),
        family_id=payload.get("fam"),
        exp=int(payload["exp"]),
        iat=int(payload["iat"]),
        iat_ms=int(payload.get("iat_ms") or int(payload["iat"]) * 1000),
        session_id=payload.get("sid"),
    )
