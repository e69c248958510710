"""The audit trail as the admin console and /api/v1/audit-logs show it."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import Paged


class AuditEntryPublic(BaseModel):
    id: int
    created_at: IsoDatetime
    actor_id: int | None
    actor_email: str
    action: str
    target_type: str
    target_id: str
    # The target as people know it: "Juma Mwangi", "mission “…”" ("user 27" once deleted).
    target_name: str = ""
    ip: str
    user_agent: str
    # What the writing service recorded: free-form JSON, different per action.
    details: dict[str, Any]
    # The same details as readable "key: value" lines.
    details_text: str = ""


class AuditPage(Paged[AuditEntryPublic]):
    pass


class AuditActionSeries(BaseModel):
    """An action in the chart: its name, its series key ("a0", ...), colour and total. The
    last one may be "Other (n actions)" (key "other"): the less frequent actions summed."""

    name: str
    key: str
    color: str
    total: int


class AuditDayCount(BaseModel):
    day: date
    action: str
    count: int


class AuditTotal(BaseModel):
    action: str
    count: int


class AuditStats(BaseModel):
    """Counts per action per day (days in the reader's time zone), three ways: rows (a table),
    series (a chart), totals."""

    date_from: date
    date_to: date
    days: list[date]
    actions: list[AuditActionSeries]
    rows: list[AuditDayCount]
    # One object per day: {"day": "2026-12-03", "a0": 3, "a1": 0, ...} — recharts' data shape,
    # its keys are the actions' series keys (so not a fixed schema).
    series: list[dict[str, Any]]
    totals: list[AuditTotal]
    total: int


class AuditStatsShown(BaseModel):
    """The audit page's statistics: None when the range is longer than they chart, `note` then
    says so."""

    stats: AuditStats | None
    note: str = ""
