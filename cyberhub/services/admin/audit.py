"""The append-only audit trail."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlmodel import Session

from cyberhub.models import AuditLog


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from: recorded with every audited action."""

    ip: str | None = None
    user_agent: str = ""
    # Made from this machine (loopback, not through a proxy): see services/network.py.
    local: bool = False


NO_META = RequestMeta()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: object = "",
    meta: RequestMeta = NO_META,
    **details: object,
) -> AuditLog:
    """Append one audit entry to the session (committed with the caller's transaction)."""
    ip = meta.ip
    if ip:
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            ip = None
    entry = AuditLog(
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        ip=ip,
        user_agent=meta.user_agent[:400],
        details=dict(details),
    )
    session.add(entry)
    return entry
