"""The /admin/jobs page's view: the rebuild, the queues, failed jobs and the last runs."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.counts import counted
from cyberhub.components.dialogs import action_dialog
from cyberhub.components.layout import wide_callout, wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import page_column
from cyberhub.components.panels import grey_text
from cyberhub.components.rows import time_cell
from cyberhub.components.sections import section_card
from cyberhub.components.tables import data_table, table_or
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    icon_button,
    job_status_badge,
    loading_state,
    muted,
    page_heading,
)
from cyberhub.pages.admin_jobs.state import (
    DISMISS,
    RETRY,
    AdminJobsState,
    FailureRow,
    LastRunRow,
)
from cyberhub.schemas.jobs import QueueDepth

S = AdminJobsState


ROUTE = "/admin/jobs"
POLL_MS = 2000


# --- components -------------------------------------------------------------------------------


def _table(headers: list[str], rows: rx.Component, label: str, testid: str) -> rx.Component:
    return data_table(headers, rows, size="1", label=label, data_testid=testid)


def _queue_row(q: rx.Var[QueueDepth]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(q.queue)),
        rx.table.cell(q.waiting),
        rx.table.cell(q.running),
        rx.table.cell(q.delayed),
        rx.table.cell(
            rx.cond(
                q.dead != 0,
                rx.badge(q.dead, color_scheme="red", variant="soft"),
                rx.text("0"),
            )
        ),
    )


def _queues() -> rx.Component:
    return section_card(
        "Queues",
        rx.cond(
            S.redis_error != "",
            wide_callout(S.redis_error, icon="triangle_alert", color_scheme="amber", role="alert"),
            rx.vstack(
                rx.text(
                    rx.cond(
                        S.workers_alive > 0,
                        rx.text.strong(
                            counted(S.workers_alive, "worker process", "worker processes"),
                            " alive",
                        ),
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
                    rx.foreach(S.queues, _queue_row),
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


def _last_run_row(r: rx.Var[LastRunRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(r.actor)),
        time_cell(r.at),
        rx.table.cell(_outcome(r.outcome)),
        rx.table.cell(rx.text(r.error, size="1", word_break="break-word")),
    )


def _last_runs() -> rx.Component:
    return section_card(
        "Last run per job",
        rx.cond(
            S.redis_error != "",
            grey_text("Unavailable while Redis can't be read."),
            table_or(
                S.last_runs,
                ["Job", "Last run", "Outcome", "Error"],
                _last_run_row,
                "No job has run yet.",
                size="1",
                label="Last run of each job",
                data_testid="last-runs-table",
            ),
        ),
    )


def _error_cell(f: rx.Var[FailureRow]) -> rx.Component:
    """The error in one line; the full text behind a disclosure button (aria-expanded)."""
    shown = S.open_errors.contains(f.id)
    full_id = "job-error-" + f.id.to(str)
    return rx.vstack(
        rx.text(f.summary, size="2", word_break="break-word", data_testid="job-error-summary"),
        rx.cond(
            f.long,
            rx.fragment(
                rx.button(
                    rx.icon(rx.cond(shown, "chevron_up", "chevron_down"), size=14),
                    rx.cond(shown, "Hide full error", "Show full error"),
                    size="1",
                    variant="ghost",
                    type="button",
                    aria_expanded=rx.cond(shown, "true", "false"),
                    aria_controls=full_id,
                    on_click=S.toggle_error(f.id),
                    min_height="24px",
                ),
                rx.el.pre(
                    f.error,
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


def _failure_row(f: rx.Var[FailureRow]) -> rx.Component:
    S = AdminJobsState
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.code(f.actor),
                muted("queue ", f.queue, size="1"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.code(f.args, size="1")),
        time_cell(f.failed_at),
        rx.table.cell(_error_cell(f)),
        rx.table.cell(
            # A retried job is not retried twice (a new failure is a new row), but it can still
            # leave the list: without Dismiss, retried rows stayed there for good.
            wrap_row(
                rx.cond(
                    f.retried != "",
                    muted(f.retried, size="1"),
                    icon_button(
                        "rotate_cw",
                        "Retry",
                        icon_size=14,
                        size="2",
                        on_click=S.ask(RETRY, f.id),
                        aria_label="Retry " + f.actor + " " + f.args,
                    ),
                ),
                rx.button(
                    "Dismiss",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.ask(DISMISS, f.id),
                    aria_label="Dismiss " + f.actor + " " + f.args,
                ),
                spacing="2",
            )
        ),
    )


def _failures() -> rx.Component:
    return section_card(
        "Failed jobs",
        muted(
            "Jobs that failed for good: their retries ran out, or the error was not a passing one. "
            "Retry sends the same job again."
        ),
        rx.cond(
            S.failures_total > 0,
            rx.vstack(
                rx.text(
                    counted(S.failures_total, "failed job"),
                    rx.cond(
                        S.failures_total > S.failures.length(),
                        rx.fragment(
                            ": the newest ",
                            S.failures.length(),
                            " are listed (retry or dismiss them to see older ones)",
                        ),
                        ", newest first",
                    ),
                    size="2",
                ),
                _table(
                    ["Job", "Arguments", "Failed at", "Error", ""],
                    rx.foreach(S.failures, _failure_row),
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
    retry = S.confirm_kind == RETRY
    return action_dialog(
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
        confirm=rx.button(
            rx.cond(retry, "Retry job", "Dismiss job"),
            color_scheme=rx.cond(retry, "teal", "red"),
            on_click=S.confirm,
        ),
        is_open=S.confirm_open,
        on_open_change=S.set_confirm_open,
        in_form=True,
        margin_top="1em",
    )


def _rebuild_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title("Rebuild every embedding?"),
        rx.alert_dialog.description(
            "The worker re-embeds every mission, then every learner who allows AI profiling, "
            "and recomputes their recommendations. Texts that did not change are skipped. "
            "It runs in the background; this page shows its progress."
        ),
        confirm=rx.button("Start rebuild", on_click=S.start_rebuild),
        is_open=S.rebuild_open,
        on_open_change=S.set_rebuild_open,
        in_form=True,
        margin_top="1em",
    )


def _rebuild() -> rx.Component:
    r = S.rebuild
    return section_card(
        "Rebuild everything",
        muted(
            "Re-embed every mission and learner with the current model and recompute every "
            "recommendation list."
        ),
        error_callout(S.rebuild_error),
        rx.cond(
            S.has_rebuild,
            rx.vstack(
                rx.hstack(
                    rx.text("Latest rebuild (#", r.id, "): ", size="2"),
                    job_status_badge(r.status, r.status, data_testid="rebuild-status"),
                    align="center",
                    spacing="2",
                ),
                rx.progress(
                    value=S.rebuild_percent,
                    width="100%",
                    aria_label="Rebuild progress",
                    data_testid="rebuild-progress",
                ),
                muted(
                    r.progress,
                    " done (",
                    S.rebuild_percent,
                    "%) · started ",
                    r.started,
                    " by ",
                    r.started_by,
                    rx.cond(r.finished != "", rx.text.span(" · finished ", r.finished)),
                    role="status",
                    aria_live="polite",
                    data_testid="rebuild-progress-text",
                ),
                error_callout(r.error),
                spacing="2",
                width="100%",
            ),
            grey_text("No rebuild has run yet."),
        ),
        icon_button(
            "refresh_ccw",
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
    return rx.box(
        admin_nav(ROUTE),
        rx.hstack(
            page_heading(
                "Background jobs",
                "Queues, workers, the last run of each job, jobs that failed for good, and the "
                "AI rebuild.",
            ),
            icon_button(
                "refresh_cw", "Refresh", variant="soft", on_click=S.reload, loading=S.loading
            ),
            justify="between",
            align="start",
            width="100%",
        ),
        error_callout(S.error),
        notice_callout(S.notice, icon="circle_check"),
        rx.cond(
            ~S.loaded,
            rx.cond(S.error == "", loading_state("Loading the jobs…")),
            page_column(
                _rebuild(),
                _queues(),
                _failures(),
                _last_runs(),
                margin_top="1em",
            ),
        ),
        _confirm_dialog(),
        _rebuild_dialog(),
    )
