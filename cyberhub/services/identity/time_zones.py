"""The time zone a user reads dates and times in (an IANA name such as "Africa/Nairobi").

Stored on the user (`users.time_zone`); `Principal.time_zone` carries it to every page and API
call, and `cyberhub.formatting.when` formats with it. Until the user chooses one, the first
signed-in page stores the browser's own zone (`remember_browser_zone`), so most people never
have to.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from sqlmodel import Session

from cyberhub.models import User
from cyberhub.schemas.identity import TIME_ZONE_MAX
from cyberhub.services import pg_zones
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_signed_in

MAX_LENGTH = TIME_ZONE_MAX
_TZ_FILE_COPIES = ("posix/", "right/")


@lru_cache(maxsize=1)
def choices() -> tuple[str, ...]:
    """Every zone the server's tz database knows, sorted (UTC first) for a searchable select:
    the IANA "Area/Location" names (not the posix/ and right/ copies of the tz files)."""
    names = sorted(
        n
        for n in available_timezones()
        if len(n) <= MAX_LENGTH and "/" in n and not n.startswith(_TZ_FILE_COPIES)
    )
    return ("UTC", *names)


@lru_cache(maxsize=1)
def _offered() -> frozenset[str]:
    return frozenset(choices())


def is_offered(name: str) -> bool:
    """True for a zone the picker offers: a proper IANA name. Other files zoneinfo can open
    ("posix/Europe/Paris", "right/UTC", "localtime", "posixrules", "Factory") are not, and
    PostgreSQL does not know them."""
    return name in _offered()


def is_usable(session: Session, name: str) -> bool:
    """True for a zone a user may store: one the picker offers that the database server knows
    too (a server whose tz data is older than Python's may lack a new zone), so SQL reads days
    in any stored zone (services/pg_zones) without checking it first."""
    return is_offered(name) and name in pg_zones.known_zones(session)


def _checked(session: Session, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("Choose a time zone.")
    if not is_offered(name):
        raise Invalid(f"Unknown time zone: {name[:MAX_LENGTH]!r}. Pick one from the list.")
    if not is_usable(session, name):
        raise Invalid(
            f"The time zone {name!r} is too new for this server yet."
            " Pick a nearby city on the same time."
        )
    return name


def _user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("Account not found.")
    return user


def _store(session: Session, user: User, name: str, source: str, meta: RequestMeta) -> None:
    """Keep the zone, audited with the one it replaces and where it came from."""
    audit.record(
        session,
        "user.time_zone_changed",
        user,
        by=user.id,
        meta=meta,
        time_zone=name,
        previous=user.time_zone or "",
        source=source,
    )
    user.time_zone = name
    session.add(user)


def set_time_zone(
    session: Session, principal: Principal | None, time_zone: str, meta: RequestMeta = NO_META
) -> str:
    """Set the signed-in user's time zone (audited); returns the stored name. Raises Invalid."""
    actor = require_signed_in(principal)
    name = _checked(session, time_zone)
    user = _user(session, actor)
    if user.time_zone != name:
        _store(session, user, name, "settings", meta)
    return name


def remember_browser_zone(
    session: Session, principal: Principal | None, time_zone: str, meta: RequestMeta = NO_META
) -> str:
    """Store the browser's zone when the user has none yet; returns the user's zone afterwards.

    Never overrides a zone already stored (one the user chose stays chosen); a name from the
    browser that is not `is_usable` is ignored rather than refused (the user can still pick one)."""
    actor = require_signed_in(principal)
    user = _user(session, actor)
    if user.time_zone:
        return user.time_zone
    name = (time_zone or "").strip()
    if not is_usable(session, name):
        return "UTC"
    _store(session, user, name, "browser", meta)
    return name
