"""Reading the audit trail (admins only): search with filters, and counts per action per day.

Read-only: the audit_logs table is append-only (services/admin/audit.py writes it).
Days are calendar days in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, Role, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.audit import (
    AuditActionSeries,
    AuditDayCount,
    AuditEntryPublic,
    AuditPage,
    AuditStats,
    AuditTotal,
)
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal, require_role

PAGE_SIZE = 25
MAX_STATS_DAYS = 366
DEFAULT_STATS_DAYS = 14
# Distinct colours for the chart's series (recharts fills), cycled when there are more actions.
PALETTE = [
    "#0d9488",
    "#2563eb",
    "#d97706",
    "#dc2626",
    "#7c3aed",
    "#16a34a",
    "#db2777",
    "#0891b2",
    "#65a30d",
    "#9333ea",
    "#ea580c",
    "#475569",
]


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# Filter dates outside these can't match an entry, and date arithmetic near year 1 or 9999
# overflows: they are refused with a message instead.
EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(9999, 1, 1)


def _check_range(date_from: date | None, date_to: date | None) -> None:
    for day in (date_from, date_to):
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise Invalid(
                f"Choose dates between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
            )
    if date_from and date_to and date_from > date_to:
        raise Invalid("The start date must be on or before the end date.")


def search(
    session: Session,
    principal: Principal | None,
    *,
    actor_id: int | None = None,
    actor_email: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """Audit entries matching every given filter, newest first, paginated.

    actor_email matches part of the actor's address (case-insensitive); the dates are inclusive.
    """
    require_role(principal, Role.admin)
    if page < 1 or not 1 <= page_size <= 100:
        raise Invalid("page must be 1 or more and page_size between 1 and 100.")
    _check_range(date_from, date_to)
    stmt = select(AuditLog, User.email).join(
        User, col(User.id) == col(AuditLog.actor_id), isouter=True
    )
    if actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if actor_email.strip():
        stmt = stmt.where(col(User.email).ilike(f"%{actor_email.strip().lower()}%"))
    if action.strip():
        stmt = stmt.where(AuditLog.action == action.strip())
    if target_type.strip():
        stmt = stmt.where(AuditLog.target_type == target_type.strip())
    if target_id.strip():
        stmt = stmt.where(AuditLog.target_id == target_id.strip())
    if date_from:
        stmt = stmt.where(col(AuditLog.created_at) >= _start(date_from))
    if date_to:
        stmt = stmt.where(col(AuditLog.created_at) < _start(date_to + timedelta(days=1)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AuditPage(
        items=[
            AuditEntryPublic(
                id=e.id or 0,
                created_at=e.created_at,
                actor_id=e.actor_id,
                actor_email=email or "",
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                ip=str(e.ip) if e.ip else "",
                user_agent=e.user_agent,
                details=e.details,
            )
            for e, email in rows
        ],
        total=total,
        page=page,
        pages=max(1, -(-total // page_size)),
    )


def actions(session: Session, principal: Principal | None) -> list[str]:
    """Every action name present in the log, sorted (for the filter)."""
    require_role(principal, Role.admin)
    return list(session.exec(select(AuditLog.action).distinct().order_by(AuditLog.action)).all())


def stats(
    session: Session,
    principal: Principal | None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AuditStats:
    """Counts per action per UTC day between the dates (inclusive; default: the last 14 days).

    Returns the same numbers three ways: `rows` (day, action, count) for a table, `series`
    (one object per day with a key per action, zeros filled in; `actions` maps names to keys and
    colours) for a chart, and `totals`.
    """
    require_role(principal, Role.admin)
    _check_range(date_from, date_to)
    date_to = date_to or utcnow().date()
    date_from = date_from or date_to - timedelta(days=DEFAULT_STATS_DAYS - 1)
    days_count = (date_to - date_from).days + 1
    if days_count > MAX_STATS_DAYS:
        raise Invalid(f"Choose a range of at most {MAX_STATS_DAYS} days.")
    day = func.date(func.timezone("UTC", col(AuditLog.created_at)))
    counted = session.exec(
        select(day, AuditLog.action, func.count())
        .where(
            col(AuditLog.created_at) >= _start(date_from),
            col(AuditLog.created_at) < _start(date_to + timedelta(days=1)),
        )
        .group_by(day, col(AuditLog.action))
        .order_by(day, col(AuditLog.action))
    ).all()
    rows = [{"day": d.isoformat(), "action": a, "count": int(n)} for d, a, n in counted]
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["action"]] = totals.get(r["action"], 0) + r["count"]
    names = sorted(totals)
    # Chart keys are "a0", "a1", ...: recharts reads a dotted dataKey ("role.assigned") as a path.
    keys = {n: f"a{i}" for i, n in enumerate(names)}
    days = [(date_from + timedelta(days=i)).isoformat() for i in range(days_count)]
    series: list[dict[str, Any]] = [{"day": d, **dict.fromkeys(keys.values(), 0)} for d in days]
    index = {d: i for i, d in enumerate(days)}
    for r in rows:
        series[index[r["day"]]][keys[r["action"]]] = r["count"]
    return AuditStats(
        date_from=date_from,
        date_to=date_to,
        days=[date.fromisoformat(d) for d in days],
        actions=[
            AuditActionSeries(name=n, key=keys[n], color=PALETTE[i % len(PALETTE)], total=totals[n])
            for i, n in enumerate(names)
        ],
        rows=[AuditDayCount.model_validate(r) for r in rows],
        series=series,
        totals=[AuditTotal(action=n, count=totals[n]) for n in names],
        total=sum(totals.values()),
    )
