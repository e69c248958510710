"""/admin/jobs: the background jobs — queue depth, workers, last run per actor, jobs that failed
for good (retry or dismiss, after a confirmation) and "rebuild everything" with a progress bar
that refreshes every 2 s while the rebuild runs (admins only)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.ai import ai_jobs
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/admin/jobs"
POLL_MS = 2000
RETRY, DISMISS = "retry", "dismiss"


def _overview(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        return ai_jobs.overview(session, principal)


def _retry(principal: Principal | None, failure_id: int, meta: RequestMeta) -> None:
    with db.session_scope() as session:
        ai_jobs.retry_failure(session, principal, failure_id, meta)


def _dismiss(principal: Principal | None, failure_id: int, meta: RequestMeta) -> None:
    with db.session_scope() as session:
        ai_jobs.dismiss_failure(session, principal, failure_id, meta)


def _start_rebuild(principal: Principal | None, meta: RequestMeta) -> dict[str, Any]:
    with db.session_scope() as session:
        return ai_jobs.start_rebuild(session, principal, meta)


def _iso_when(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def _unix_when(value: float | None) -> str:
    if not value:
        return "never"
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _run_view(run: dict[str, Any]) -> dict[str, str]:
    return {
        "id": str(run["id"]),
        "status": run["status"],
        "progress": f"{run['done']} of {run['total']}",
        "started": _iso_when(run["created_at"]),
        "started_by": run["started_by"] or "—",
        "finished": _iso_when(run["finished_at"]),
        "error": run["error"] or "",
    }


class AdminJobsState(rx.State):
    queues: list[dict[str, str]] = []
    workers_alive: int = 0
    last_beat: str = ""
    last_runs: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    failures_total: int = 0
    redis_error: str = ""
    has_rebuild: bool = False
    rebuild: dict[str, str] = {}
    rebuild_percent: int = 0
    rebuild_active: bool = False
    rebuild_error: str = ""
    rebuild_open: bool = False
    loading: bool = True
    loaded: bool = False  # once the first overview arrived (before: loading or error only)
    error: str = ""
    notice: str = ""
    # The confirmation dialog of a failed job's Retry / Dismiss.
    confirm_open: bool = False
    confirm_kind: str = RETRY
    confirm_id: int = 0
    confirm_label: str = ""
    action_error: str = ""
    # Failed jobs whose full error text is shown (their ids).
    open_errors: list[str] = []

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _refresh(self) -> None:
        try:
            data = await asyncio.to_thread(_overview, await self._principal())
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        except Exception:
            self.error = "The job overview could not be loaded. Try again in a moment."
            self.loading = False
            return
        self.queues = [{k: str(v) for k, v in q.items()} for q in data["queues"]]
        w = data["workers"]
        self.workers_alive = int(w["alive"])
        self.last_beat = _unix_when(w["last_heartbeat"])
        self.last_runs = [
            {
                "actor": r["actor"],
                "at": _unix_when(r["at"]),
                "outcome": r["outcome"],
                "error": r["error"] or "",
            }
            for r in data["last_runs"]
        ]
        self.failures = [
            {
                "id": str(f["id"]),
                "actor": f["actor"],
                "queue": f["queue"],
                "args": json.dumps(f["args"]),
                "error": f["error"],
                "summary": f["summary"],
                # The full text is behind a toggle only when the one line leaves something out.
                "long": "1" if f["summary"] != f["error"].strip() else "",
                "failed_at": _iso_when(f["failed_at"]),
                "retried": (
                    f"Retried {_iso_when(f['retried_at'])} by {f['retried_by'] or 'an admin'}"
                    if f["retried_at"]
                    else ""
                ),
            }
            for f in data["failures"]["items"]
        ]
        self.failures_total = int(data["failures"]["total"])
        self.redis_error = data["redis_error"]
        self._set_rebuild(data["rebuild"])
        self.error, self.loading, self.loaded = "", False, True

    def _set_rebuild(self, run: dict[str, Any] | None) -> None:
        self.has_rebuild = run is not None
        self.rebuild = _run_view(run) if run else {}
        self.rebuild_percent = int(run["percent"]) if run else 0
        self.rebuild_active = bool(run and run["status"] in ai_jobs.ACTIVE)

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.action_error, self.rebuild_error = True, "", "", ""
        self.confirm_open, self.rebuild_open, self.open_errors = False, False, []
        await self._refresh()

    @rx.event
    async def reload(self) -> None:
        self.notice = ""
        await self._refresh()

    @rx.event
    async def poll(self, _tick: Any = None) -> None:
        """Every 2 s while a rebuild is queued or running (the ticker only exists then)."""
        if self.rebuild_active:
            await self._refresh()

    @rx.event
    def toggle_error(self, failure_id: str) -> None:
        if failure_id in self.open_errors:
            self.open_errors = [i for i in self.open_errors if i != failure_id]
        else:
            self.open_errors = [*self.open_errors, failure_id]

    @rx.event
    def ask(self, kind: str, failure: dict[str, str]) -> None:
        self.confirm_kind = kind
        self.confirm_id = int(failure.get("id", "0") or 0)
        self.confirm_label = f"{failure.get('actor', '')}({failure.get('args', '')})"
        self.action_error, self.confirm_open = "", True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @rx.event
    async def confirm(self) -> None:
        action = _retry if self.confirm_kind == RETRY else _dismiss
        try:
            await asyncio.to_thread(
                action, await self._principal(), self.confirm_id, request_meta(self)
            )
        except DomainError as exc:
            self.action_error = exc.message
            return
        self.notice = (
            f"Sent {self.confirm_label} again."
            if self.confirm_kind == RETRY
            else f"Dismissed {self.confirm_label}."
        )
        self.confirm_open, self.action_error = False, ""
        await self._refresh()

    @rx.event
    def set_rebuild_open(self, value: bool) -> None:
        self.rebuild_open = value
        if value:
            self.rebuild_error = ""

    @rx.event
    async def start_rebuild(self) -> None:
        try:
            run = await asyncio.to_thread(
                _start_rebuild, await self._principal(), request_meta(self)
            )
        except DomainError as exc:
            self.rebuild_error, self.rebuild_open = exc.message, False
            return
        self.rebuild_open, self.rebuild_error = False, ""
        self.notice = "Rebuild queued: the worker picks it up in a moment."
        self._set_rebuild(run)
        await self._refresh()


# --- components -------------------------------------------------------------------------------


def _section(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="5", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _table(headers: list[str], body: rx.Component, label: str, testid: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            body,
            variant="surface",
            size="1",
            width="100%",
            aria_label=label,
        ),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )


def _queue_row(q: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(q["queue"])),
        rx.table.cell(q["waiting"]),
        rx.table.cell(q["running"]),
        rx.table.cell(q["delayed"]),
        rx.table.cell(
            rx.cond(
                q["dead"] != "0",
                rx.badge(q["dead"], color_scheme="red", variant="soft"),
                rx.text("0"),
            )
        ),
    )


def _queues() -> rx.Component:
    S = AdminJobsState
    return _section(
        "Queues",
        rx.cond(
            S.redis_error != "",
            rx.callout(S.redis_error, icon="triangle_alert", color_scheme="amber", width="100%"),
            rx.vstack(
                rx.text(
                    rx.cond(
                        S.workers_alive > 0,
                        rx.text.strong(S.workers_alive, " worker process(es) alive"),
                        rx.text.strong("No worker is running", color=rx.color("red", 11)),
                    ),
                    " · last heartbeat ",
                    S.last_beat,
                    size="2",
                    data_testid="workers-alive",
                ),
                _table(
                    [
                        "Queue",
                        "Waiting",
                        "Running",
                        "Delayed (retry backoff)",
                        "Dead letters (kept 7 days)",
                    ],
                    rx.table.body(rx.foreach(S.queues, _queue_row)),
                    "Messages per queue",
                    "queue-table",
                ),
                spacing="2",
                width="100%",
            ),
        ),
    )


def _outcome(value: rx.Var[str]) -> rx.Component:
    return rx.badge(
        value,
        color_scheme=rx.match(
            value,
            ("succeeded", "green"),
            ("failed", "red"),
            ("retried", "amber"),
            ("skipped", "amber"),
            "gray",
        ),
        variant="soft",
    )


def _last_run_row(r: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(r["actor"])),
        rx.table.cell(rx.text(r["at"], size="2", white_space="nowrap")),
        rx.table.cell(_outcome(r["outcome"])),
        rx.table.cell(rx.text(r["error"], size="1", word_break="break-word")),
    )


def _last_runs() -> rx.Component:
    S = AdminJobsState
    return _section(
        "Last run per job",
        rx.cond(
            S.redis_error != "",
            rx.text("Unavailable while Redis can't be read.", color_scheme="gray"),
            rx.cond(
                S.last_runs.length() > 0,
                _table(
                    ["Job", "Last run", "Outcome", "Error"],
                    rx.table.body(rx.foreach(S.last_runs, _last_run_row)),
                    "Last run of each job",
                    "last-runs-table",
                ),
                rx.text("No job has run yet.", color_scheme="gray"),
            ),
        ),
    )


def _error_cell(f: rx.Var[dict[str, str]]) -> rx.Component:
    """The error in one line; the full text behind a disclosure button (aria-expanded)."""
    S = AdminJobsState
    shown = S.open_errors.contains(f["id"])
    full_id = "job-error-" + f["id"]
    return rx.vstack(
        rx.text(f["summary"], size="2", word_break="break-word", data_testid="job-error-summary"),
        rx.cond(
            f["long"] != "",
            rx.fragment(
                rx.button(
                    rx.icon(rx.cond(shown, "chevron_up", "chevron_down"), size=14),
                    rx.cond(shown, "Hide full error", "Show full error"),
                    size="1",
                    variant="ghost",
                    type="button",
                    aria_expanded=rx.cond(shown, "true", "false"),
                    aria_controls=full_id,
                    on_click=S.toggle_error(f["id"]),
                    min_height="24px",
                ),
                rx.el.pre(
                    f["error"],
                    id=full_id,
                    display=rx.cond(shown, "block", "none"),
                    white_space="pre-wrap",
                    word_break="break-word",
                    font_size="12px",
                    max_height="20em",
                    overflow_y="auto",
                    margin="0",
                    data_testid="job-error-full",
                ),
            ),
        ),
        spacing="1",
        align="start",
    )


def _failure_row(f: rx.Var[dict[str, str]]) -> rx.Component:
    S = AdminJobsState
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.code(f["actor"]),
                rx.text("queue ", f["queue"], size="1", color_scheme="gray"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.code(f["args"], size="1")),
        rx.table.cell(rx.text(f["failed_at"], size="2", white_space="nowrap")),
        rx.table.cell(_error_cell(f)),
        rx.table.cell(
            rx.cond(
                f["retried"] != "",
                rx.text(f["retried"], size="1", color_scheme="gray"),
                rx.hstack(
                    rx.button(
                        rx.icon("rotate_cw", size=14),
                        "Retry",
                        size="2",
                        on_click=S.ask(RETRY, f),
                        aria_label="Retry " + f["actor"] + " " + f["args"],
                    ),
                    rx.button(
                        "Dismiss",
                        size="2",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.ask(DISMISS, f),
                        aria_label="Dismiss " + f["actor"] + " " + f["args"],
                    ),
                    spacing="2",
                ),
            )
        ),
    )


def _failures() -> rx.Component:
    S = AdminJobsState
    return _section(
        "Failed jobs",
        rx.text(
            "Jobs that failed for good: their retries ran out, or the error was not a passing one. "
            "Retry sends the same job again.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.failures_total > 0,
            rx.vstack(
                rx.text(S.failures_total, " failed job(s), newest first", size="2"),
                _table(
                    ["Job", "Arguments", "Failed at", "Error", ""],
                    rx.table.body(rx.foreach(S.failures, _failure_row)),
                    "Failed jobs",
                    "failures-table",
                ),
                spacing="2",
                width="100%",
            ),
            empty_state("No failed jobs", "Every job finished or is still being retried."),
        ),
    )


def _confirm_dialog() -> rx.Component:
    S = AdminJobsState
    retry = S.confirm_kind == RETRY
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(retry, "Retry this job?", "Dismiss this failed job?")),
            rx.alert_dialog.description(
                rx.cond(
                    retry,
                    "The worker runs ",
                    "It leaves the list and is not run again: ",
                ),
                rx.code(S.confirm_label),
                rx.cond(retry, " again with the same arguments.", ""),
            ),
            error_callout(S.action_error),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                rx.button(
                    rx.cond(retry, "Retry job", "Dismiss job"),
                    color_scheme=rx.cond(retry, "teal", "red"),
                    on_click=S.confirm,
                ),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def _rebuild_dialog() -> rx.Component:
    S = AdminJobsState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Rebuild every embedding?"),
            rx.alert_dialog.description(
                "The worker re-embeds every mission, then every learner who allows AI profiling, "
                "and recomputes their recommendations. Texts that did not change are skipped. "
                "It runs in the background; this page shows its progress."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                rx.button("Start rebuild", on_click=S.start_rebuild),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.rebuild_open,
        on_open_change=S.set_rebuild_open,
    )


def _rebuild() -> rx.Component:
    S = AdminJobsState
    r = S.rebuild
    return _section(
        "Rebuild everything",
        rx.text(
            "Re-embed every mission and learner with the current model and recompute every "
            "recommendation list.",
            size="2",
            color_scheme="gray",
        ),
        error_callout(S.rebuild_error),
        rx.cond(
            S.has_rebuild,
            rx.vstack(
                rx.hstack(
                    rx.text("Latest rebuild (#", r["id"], "): ", size="2"),
                    rx.badge(
                        r["status"],
                        color_scheme=rx.match(
                            r["status"], ("done", "green"), ("failed", "red"), "blue"
                        ),
                        data_testid="rebuild-status",
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.progress(
                    value=S.rebuild_percent,
                    width="100%",
                    aria_label="Rebuild progress",
                    data_testid="rebuild-progress",
                ),
                rx.text(
                    r["progress"],
                    " done (",
                    S.rebuild_percent,
                    "%) · started ",
                    r["started"],
                    " by ",
                    r["started_by"],
                    rx.cond(r["finished"] != "", rx.text.span(" · finished ", r["finished"])),
                    size="2",
                    color_scheme="gray",
                    role="status",
                    aria_live="polite",
                    data_testid="rebuild-progress-text",
                ),
                rx.cond(
                    r["error"] != "",
                    rx.callout(r["error"], icon="triangle_alert", color_scheme="red", width="100%"),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text("No rebuild has run yet.", color_scheme="gray"),
        ),
        rx.button(
            rx.icon("refresh_ccw", size=16),
            "Rebuild everything",
            disabled=S.rebuild_active,
            on_click=S.set_rebuild_open(True),
        ),
        # The 2 s ticker only exists while a rebuild is queued or running.
        rx.cond(
            S.rebuild_active,
            rx.moment(interval=POLL_MS, on_change=S.poll, display="none", aria_hidden="true"),
        ),
    )


def admin_jobs_content() -> rx.Component:
    S = AdminJobsState
    return rx.box(
        admin_nav(ROUTE),
        rx.hstack(
            page_heading(
                "Background jobs",
                "Queues, workers, the last run of each job, jobs that failed for good, and the "
                "AI rebuild.",
            ),
            rx.button(
                rx.icon("refresh_cw", size=16),
                "Refresh",
                variant="soft",
                on_click=S.reload,
                loading=S.loading,
            ),
            justify="between",
            align="start",
            width="100%",
        ),
        error_callout(S.error),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", width="100%"),
        ),
        rx.cond(
            ~S.loaded,
            rx.cond(S.error == "", loading_state("Loading the jobs…")),
            rx.vstack(
                _rebuild(),
                _queues(),
                _failures(),
                _last_runs(),
                spacing="4",
                width="100%",
                margin_top="1em",
            ),
        ),
        _confirm_dialog(),
        _rebuild_dialog(),
    )


def admin_jobs_page() -> rx.Component:
    return shell(guarded(ROUTE, admin_jobs_content()))


page = register(
    Page(
        route=ROUTE,
        title="Background jobs · Admin · CyberHub",
        component=admin_jobs_page,
        access=roles(Role.admin),
        on_load=(AdminJobsState.load,),
    )
)
