"""The append-only audit trail."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar, Protocol

from sqlmodel import Session

from cyberhub.models import AuditLog


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from: recorded with every audited action."""

    ip: str | None = None
    user_agent: str = ""
    # Made from this machine (loopback, not through a proxy): see services/network.py.
    local: bool = False

    def clean_ip(self) -> str | None:
        """The address as an INET column takes it (None when missing or not an address)."""
        if not self.ip:
            return None
        try:
            return str(ipaddress.ip_address(self.ip))
        except ValueError:
            return None


NO_META = RequestMeta()


class Audited(Protocol):
    """A row the trail can name as a target: its model says what kind it is."""

    audit_type: ClassVar[str]

    @property
    def id(self) -> int | None: ...


class Actor(Protocol):
    """Who acted, as a signed-in principal carries it."""

    @property
    def user_id(self) -> int: ...


_COLUMNS = frozenset({"actor_id", "target_type", "target_id"})

# What an entry is about: a row, or (kind, id) when only the id is at hand.
Target = Audited | tuple[str, object]


def record(
    session: Session,
    action: str,
    target: Target | None = None,
    *,
    by: Actor | int | None = None,
    meta: RequestMeta = NO_META,
    **details: object,
) -> AuditLog:
    """Append one audit entry to the session (committed with the caller's transaction).

    `by` is the principal (or user id) who acted; None for the system or nobody signed in."""
    if clash := _COLUMNS & details.keys():  # the old keywords: they would land in the details
        raise TypeError(f"audit.record takes the target and by=, not {sorted(clash)}")
    ip = meta.clean_ip()
    if target is None:
        target_type, target_id = "", None
    elif isinstance(target, tuple):
        target_type, target_id = target
    else:
        target_type, target_id = target.audit_type, target.id
    entry = AuditLog(
        action=action,
        actor_id=by if by is None or isinstance(by, int) else by.user_id,
        target_type=target_type,
        target_id="" if target_id is None or target_id == "" else str(target_id),
        ip=ip,
        user_agent=meta.user_agent[:400],
        details=dict(details),
    )
    session.add(entry)
    return entry
