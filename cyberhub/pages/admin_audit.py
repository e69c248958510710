"""/admin/audit: the audit log — filter by actor, action, target and dates; page through entries;
counts per action per day as a bar chart and, with the same numbers, as a table (admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.charts import count_axes
from cyberhub.components.counts import counted
from cyberhub.components.page_kit import once_listed, register_guarded_page
from cyberhub.components.panels import filter_bar, grey_text, keeping_form
from cyberhub.components.rows import audit_details_cell, time_cell
from cyberhub.components.sections import section_card
from cyberhub.components.tables import data_table
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    icon_button,
    muted,
    page_heading,
    pager,
)
from cyberhub.formatting import when
from cyberhub.models import Role
from cyberhub.routes import roles
from cyberhub.schemas.audit import AuditActionSeries, AuditEntryPublic, AuditStats, AuditTotal
from cyberhub.services.admin import audit_log
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import parse_day
from cyberhub.state.paging import PagedList, filter_setter
from cyberhub.state.service import ServiceState

ROUTE = "/admin/audit"
ALL = "all"
FILTERS = ("actor_email", "target_type", "target_id", "date_from", "date_to")


@dataclass(frozen=True)
class EntryRow:
    """An audit entry as the table shows it (its time in the reader's zone)."""

    created_at: str
    actor: str
    action: str
    target: str
    ip: str
    details: str


@dataclass(frozen=True)
class DayCountRow:
    day: str
    action: str
    count: int


@dataclass(frozen=True)
class AuditView:
    items: list[EntryRow]
    total: int
    pages: int
    # None when the range is longer than the statistics chart: stats_note says so.
    stats: AuditStats | None
    stats_note: str
    actions: list[str]


def _entry(e: AuditEntryPublic, tz: str | None) -> EntryRow:
    return EntryRow(
        created_at=when(e.created_at, tz, "seconds"),
        actor=e.actor_email or "—",
        action=e.action,
        target=e.target_name or "—",
        ip=e.ip or "—",
        details=e.details_text,
    )


def _load(
    session: Session, principal: Principal | None, filters: dict[str, str], action: str, page: int
) -> AuditView:
    date_from = parse_day(filters.get("date_from", ""), "start")
    date_to = parse_day(filters.get("date_to", ""), "end")
    found = audit_log.search(
        session,
        principal,
        actor_email=filters.get("actor_email", ""),
        action="" if action == ALL else action,
        target_type=filters.get("target_type", ""),
        target_id=filters.get("target_id", ""),
        date_from=date_from,
        date_to=date_to,
        page=page,
    )
    shown = audit_log.charted_stats(session, principal, date_from=date_from, date_to=date_to)
    tz = principal.time_zone if principal else None
    return AuditView(
        items=[_entry(e, tz) for e in found.items],
        total=found.total,
        pages=found.pages,
        stats=shown.stats,
        stats_note=shown.note,
        actions=audit_log.actions(session, principal),
    )


class AdminAuditState(ServiceState, PagedList, rx.State):
    filters: dict[str, str] = dict.fromkeys(FILTERS, "")
    action: str = ALL
    actions: list[str] = []
    items: list[EntryRow] = []
    total: int = 0
    # Statistics: the chart's per-day series, its bars, and the same numbers as table rows.
    series: list[dict[str, Any]] = []
    stat_actions: list[AuditActionSeries] = []
    stat_rows: list[DayCountRow] = []
    stat_totals: list[AuditTotal] = []
    stats_total: int = 0
    stats_range: str = ""
    # Why there are no statistics for the range (it is too long to chart), else "".
    stats_note: str = ""
    loading: bool = True
    error: str = ""

    async def _fetch(self) -> None:
        self.loading = True
        found = await self._call(_load, dict(self.filters), self.action, self.page)
        self.loading = False
        if not found:
            # The filters above say what was asked: the entries and figures of the last ones
            # would read as its answer (the refusal is said above them).
            self.items, self.total, self.pages, self.stats_note = [], 0, 1, ""
            self.series, self.stat_actions, self.stat_rows, self.stat_totals = [], [], [], []
            self.stats_total, self.stats_range = 0, ""
            return
        data = found.value
        stats = data.stats
        self.items, self.total, self.pages = data.items, data.total, data.pages
        self.stats_note = data.stats_note
        self.series = stats.series if stats else []
        self.stat_actions = stats.actions if stats else []
        self.stat_rows = [
            DayCountRow(day=r.day.isoformat(), action=r.action, count=r.count)
            for r in (stats.rows if stats else [])
        ]
        self.stat_totals = stats.totals if stats else []
        self.stats_total = stats.total if stats else 0
        self.stats_range = (
            f"{stats.date_from.isoformat()} to {stats.date_to.isoformat()}" if stats else ""
        )
        self.actions = data.actions
        self.error = ""

    @rx.event
    async def load(self) -> None:
        await self._from_first_page()

    @rx.event
    async def apply(self, form: dict[str, Any]) -> None:
        self.filters = {k: str(form.get(k, "")).strip()[:320] for k in FILTERS}
        await self._from_first_page()

    set_action = filter_setter("action")

    @rx.event
    async def clear(self) -> Any:
        self.filters = dict.fromkeys(FILTERS, "")
        self.action = ALL
        await self._from_first_page()
        return [rx.set_value(f"audit-{k}", "") for k in FILTERS]


S = AdminAuditState


def _input(label: str, key: str, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"audit-{key}", font_weight="500", font_size="0.9em"),
        rx.input(
            id=f"audit-{key}",
            name=key,
            default_value=AdminAuditState.filters[key],
            max_length=320,
            **props,
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return keeping_form(
        filter_bar(
            _input("Actor email", "actor_email", type="search", placeholder="part of an email"),
            rx.vstack(
                rx.el.label(
                    "Action", html_for="audit-action", font_weight="500", font_size="0.9em"
                ),
                rx.select.root(
                    rx.select.trigger(id="audit-action", aria_label="Action"),
                    rx.select.content(
                        rx.select.item("All actions", value=ALL),
                        rx.foreach(S.actions, lambda a: rx.select.item(a, value=a)),
                    ),
                    value=S.action,
                    on_change=S.set_action,
                ),
                spacing="1",
            ),
            _input("Target type", "target_type", placeholder="user, api_key…"),
            _input("Target id", "target_id", width="7em"),
            _input("From", "date_from", type="date"),
            _input("To", "date_to", type="date"),
            rx.hstack(
                icon_button("filter", "Apply filters", type="submit"),
                rx.button("Clear", variant="soft", type="button", on_click=S.clear),
                align="end",
            ),
        ),
        on_submit=S.apply,
        margin_bottom="1em",
    )


def _entry_row(e: rx.Var[EntryRow]) -> rx.Component:
    return rx.table.row(
        time_cell(e.created_at),
        rx.table.cell(rx.text(e.actor, size="2")),
        rx.table.cell(rx.code(e.action)),
        rx.table.cell(rx.text(e.target, size="2")),
        rx.table.cell(rx.text(e.ip, size="2")),
        audit_details_cell(e.details, "1"),
    )


def _entries() -> rx.Component:
    return rx.cond(
        S.total > 0,
        rx.box(
            muted(counted(S.total, "entry", "entries"), ", newest first (times in your time zone)"),
            data_table(
                ["When", "Actor", "Action", "Target", "IP", "Details"],
                rx.foreach(S.items, _entry_row),
                size="1",
                margin_top="0.5em",
                data_testid="audit-entries",
            ),
            pager(S.page, S.pages, S.go_to),
            width="100%",
        ),
        # A refused filter says why above: nothing here reads as its answer.
        rx.cond(
            S.error == "",
            empty_state("No entries match", "Try other filters or a wider date range."),
        ),
    )


def _chart() -> rx.Component:
    return rx.box(
        rx.recharts.bar_chart(
            *count_axes("day"),
            rx.recharts.legend(),
            rx.foreach(
                S.stat_actions,
                lambda a: rx.recharts.bar(
                    data_key=a.key,
                    name=a.name,
                    fill=a.color,
                    stack_id="actions",
                    is_animation_active=False,
                ),
            ),
            data=S.series,
            width="100%",
            height=320,
        ),
        role="img",
        aria_label="Bar chart of audit entries per action per day; the table below has the same "
        "numbers.",
        width="100%",
        data_testid="audit-chart",
    )


def _stats_table() -> rx.Component:
    return data_table(
        ["Day", "Action", "Count"],
        rx.fragment(
            rx.foreach(
                S.stat_rows,
                lambda r: rx.table.row(
                    rx.table.cell(r.day),
                    rx.table.cell(rx.code(r.action)),
                    rx.table.cell(r.count),
                ),
            ),
            rx.foreach(
                S.stat_totals,
                lambda t: rx.table.row(
                    rx.table.row_header_cell("Total"),
                    rx.table.cell(rx.code(t.action)),
                    rx.table.cell(rx.text(t.count, weight="bold")),
                ),
            ),
        ),
        size="1",
        label="Audit entries per action per day",
        scroll_height="28em",
        data_testid="audit-stats-table",
    )


def _statistics() -> rx.Component:
    return section_card(
        "Statistics",
        rx.cond(
            S.stats_note != "",
            grey_text(S.stats_note),
            rx.fragment(
                muted(
                    counted(S.stats_total, "entry", "entries"),
                    " per action per day, ",
                    S.stats_range,
                    " (days in your time zone; the From/To filters set the range, else the last 14 "
                    "days).",
                ),
                rx.cond(
                    S.stats_total > 0,
                    rx.vstack(
                        _chart(),
                        rx.heading("The same numbers as a table", size="3", as_="h3"),
                        _stats_table(),
                        spacing="3",
                        width="100%",
                    ),
                    grey_text("Nothing was logged in this period."),
                ),
            ),
        ),
        margin_top="1.5em",
    )


def admin_audit_content() -> rx.Component:
    return rx.box(
        admin_nav(ROUTE),
        page_heading(
            "Audit log",
            "Sign-ins, lockouts, MFA, resets, role, consent and API key changes: who, what, "
            "when and from where. Entries are never changed or deleted.",
        ),
        _filters(),
        error_callout(S.error),
        once_listed(
            S.loading,
            S.items,
            "Loading the audit log…",
            rx.box(_entries(), _statistics(), width="100%"),
        ),
    )


page = register_guarded_page(
    ROUTE,
    "Audit log · Admin · CyberHub",
    admin_audit_content,
    roles(Role.admin),
    AdminAuditState.load,
)
