"""Reading the audit trail (admins only): search with filters, and counts per action per day.

Read-only: the audit_logs table is append-only (services/admin/audit.py writes it).
Days (the date filters, the statistics' days, "today") are calendar days in the reader's time
zone, UTC when they have none: the page shows each entry's time in that zone, so an entry listed
on 4 March is found by a filter on 4 March.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.formatting import day_in, zone
from cyberhub.models import (
    ApiKey,
    AuditLog,
    Cohort,
    Mission,
    Organization,
    Program,
    Role,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.audit import (
    AuditActionSeries,
    AuditDayCount,
    AuditEntryPublic,
    AuditPage,
    AuditStats,
    AuditStatsShown,
    AuditTotal,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import text as free_text
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning.analytics import reader_zone
from cyberhub.services.paging import fetch_page
from cyberhub.services.text_match import contains

PAGE_SIZE = 25
# The chart draws the most frequent actions and sums the rest as one "Other" series, so that
# its legend stays short enough to read (the table below it keeps every action).
CHART_TOP_ACTIONS = 6
OTHER_KEY = "other"
OTHER_COLOR = "#64748b"
MAX_STATS_DAYS = 366
STATS_TOO_LONG = f"Statistics cover at most {MAX_STATS_DAYS} days: narrow the dates."
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


def _start(day: date, tz: str) -> datetime:
    """The midnight that begins `day` in zone `tz`."""
    return datetime.combine(day, time.min, tzinfo=zone(tz))


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


# What names each kind of target: (table, its name column).
_NAMED: dict[str, tuple[Any, Any]] = {
    "user": (User, None),
    "mission": (Mission, Mission.title),
    "cohort": (Cohort, Cohort.name),
    "organization": (Organization, Organization.name),
    "program": (Program, Program.name),
    "track": (Track, Track.name),
    "api_key": (ApiKey, ApiKey.name),
}
_TARGET_LABELS = {"api_key": "API key", "ai_rebuild": "AI rebuild", "job_failure": "failed job"}


def target_names(
    session: Session, targets: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The name of each (target_type, target_id) that still exists: a person's full name (else
    their email), a mission's title, a cohort's, organization's, program's or track's name."""
    wanted: dict[str, set[int]] = {}
    for kind, ident in targets:
        if kind in _NAMED and free_text.digits(ident):
            wanted.setdefault(kind, set()).add(int(ident))
    names: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        table, column = _NAMED[kind]
        if table is User:
            found = session.exec(
                select(User.id, User.full_name, User.email).where(col(User.id).in_(ids))
            ).all()
            names.update({(kind, str(i)): (full or email) for i, full, email in found})
        else:
            rows = session.exec(select(table.id, column).where(col(table.id).in_(ids))).all()
            names.update({(kind, str(i)): str(name) for i, name in rows})
    return names


def describe_target(target_type: str, target_id: str, names: dict[tuple[str, str], str]) -> str:
    """ "Juma Mwangi", "mission “Harden a Linux host”"; "user 27" only when it no longer exists."""
    if not target_type:
        return target_id
    name = names.get((target_type, target_id))
    label = _TARGET_LABELS.get(target_type, target_type.replace("_", " "))
    if name is None:
        return f"{label} {target_id}".strip()
    return name if target_type == "user" else f"{label} “{name}”"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def readable_details(details: dict[str, Any], limit: int = 600) -> str:
    """An entry's details as "key: value" lines (lists comma-separated, nested objects as
    "key.sub: value"), never Python's dict or list syntax; empty values left out."""
    lines: list[str] = []

    def walk(prefix: str, data: dict[str, Any]) -> None:
        for key, value in data.items():
            name = f"{prefix}{str(key).replace('_', ' ')}"
            if value is None or value == "" or value == [] or value == {}:
                continue
            if isinstance(value, dict):
                walk(f"{name}.", value)
            else:
                lines.append(f"{name}: {_value(value)}")

    walk("", details)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    tz = reader_zone(principal)
    stmt = select(AuditLog, User.email).join(
        User, col(User.id) == col(AuditLog.actor_id), isouter=True
    )
    if actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if actor_email.strip():
        stmt = stmt.where(contains(col(User.email), actor_email.strip()))
    if action.strip():
        stmt = stmt.where(AuditLog.action == action.strip())
    if target_type.strip():
        stmt = stmt.where(AuditLog.target_type == target_type.strip())
    if target_id.strip():
        stmt = stmt.where(AuditLog.target_id == target_id.strip())
    if date_from:
        stmt = stmt.where(col(AuditLog.created_at) >= _start(date_from, tz))
    if date_to:
        stmt = stmt.where(col(AuditLog.created_at) < _start(date_to + timedelta(days=1), tz))
    found = fetch_page(
        session,
        stmt.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc()),
        page,
        page_size,
    )
    names = target_names(session, ((e.target_type, e.target_id) for e, _ in found.items))
    return AuditPage.of(
        found.with_items(
            [
                from_row(
                    AuditEntryPublic,
                    e,
                    actor_email=email or "",
                    target_name=describe_target(e.target_type, e.target_id, names),
                    ip=str(e.ip) if e.ip else "",
                    details_text=readable_details(e.details),
                )
                for e, email in found.items
            ]
        )
    )


def actions(session: Session, principal: Principal | None) -> list[str]:
    """Every action name present in the log, sorted (for the filter)."""
    require_role(principal, Role.admin)
    return list(session.exec(select(AuditLog.action).distinct().order_by(AuditLog.action)).all())


def _stats_range(date_from: date | None, date_to: date | None, tz: str) -> tuple[date, date]:
    """The days the statistics cover: the dates given (checked as the entries' are); without an
    end, today in zone `tz`, or the start day when that is later (the entries take a future start
    too); without a start, the DEFAULT_STATS_DAYS days to the end."""
    _check_range(date_from, date_to)
    date_to = date_to or max(day_in(utcnow(), tz), date_from or EARLIEST_DATE)
    date_from = date_from or date_to - timedelta(days=DEFAULT_STATS_DAYS - 1)
    return date_from, date_to


def charted_stats(
    session: Session,
    principal: Principal | None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AuditStatsShown:
    """The statistics the audit page shows beside the entries (which list any range): `stats`
    of the dates, or None and a note saying why when they span more than MAX_STATS_DAYS."""
    require_role(principal, Role.admin)
    start, end = _stats_range(date_from, date_to, reader_zone(principal))
    if (end - start).days + 1 > MAX_STATS_DAYS:
        return AuditStatsShown(stats=None, note=STATS_TOO_LONG)
    return AuditStatsShown(stats=stats(session, principal, date_from=date_from, date_to=date_to))


def stats(
    session: Session,
    principal: Principal | None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AuditStats:
    """Counts per action per day (the reader's days) between the dates (inclusive; default: the
    last 14 days).

    Returns the same numbers three ways: `rows` (day, action, count) for a table, `series`
    (one object per day with a key per charted action, zeros filled in; `actions` maps names to
    keys and colours) for a chart, and `totals`. The chart keeps the CHART_TOP_ACTIONS - 1 most
    frequent actions and sums the others into one "Other (n actions)" series.
    """
    require_role(principal, Role.admin)
    tz = reader_zone(principal)
    date_from, date_to = _stats_range(date_from, date_to, tz)
    days_count = (date_to - date_from).days + 1
    if days_count > MAX_STATS_DAYS:
        raise Invalid(f"Choose a range of at most {MAX_STATS_DAYS} days.")
    day = func.date(func.timezone(tz, col(AuditLog.created_at)))
    counted = session.exec(
        select(day, AuditLog.action, func.count())
        .where(
            col(AuditLog.created_at) >= _start(date_from, tz),
            col(AuditLog.created_at) < _start(date_to + timedelta(days=1), tz),
        )
        .group_by(day, col(AuditLog.action))
        .order_by(day, col(AuditLog.action))
    ).all()
    rows = [{"day": d.isoformat(), "action": a, "count": int(n)} for d, a, n in counted]
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["action"]] = totals.get(r["action"], 0) + r["count"]
    names = sorted(totals)
    # The chart: the most frequent actions (ties by name), the rest summed as "Other".
    ranked = sorted(names, key=lambda n: (-totals[n], n))
    shown = ranked if len(ranked) <= CHART_TOP_ACTIONS else ranked[: CHART_TOP_ACTIONS - 1]
    rest = [n for n in ranked if n not in shown]
    # Chart keys are "a0", "a1", ...: recharts reads a dotted dataKey ("role.assigned") as a path.
    keys = {n: f"a{i}" for i, n in enumerate(shown)} | dict.fromkeys(rest, OTHER_KEY)
    days = [(date_from + timedelta(days=i)).isoformat() for i in range(days_count)]
    series: list[dict[str, Any]] = [
        {"day": d, **dict.fromkeys(set(keys.values()), 0)} for d in days
    ]
    index = {d: i for i, d in enumerate(days)}
    for r in rows:
        series[index[r["day"]]][keys[r["action"]]] += r["count"]
    chart = [
        AuditActionSeries(name=n, key=keys[n], color=PALETTE[i % len(PALETTE)], total=totals[n])
        for i, n in enumerate(shown)
    ]
    if rest:
        chart.append(
            AuditActionSeries(
                name=f"Other ({len(rest)} actions)",  # always 2 or more
                key=OTHER_KEY,
                color=OTHER_COLOR,
                total=sum(totals[n] for n in rest),
            )
        )
    return AuditStats(
        date_from=date_from,
        date_to=date_to,
        days=[date.fromisoformat(d) for d in days],
        actions=chart,
        rows=[AuditDayCount.model_validate(r) for r in rows],
        series=series,
        totals=[AuditTotal(action=n, count=totals[n]) for n in names],
        total=sum(totals.values()),
    )
