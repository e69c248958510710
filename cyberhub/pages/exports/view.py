"""The exports page: request buttons (with a programme / cohort picker where the kind needs one)
and the list of the user's exports with progress, download and expiry."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import spread_row, wide_callout, wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, page_column, stack_card, two_columns
from cyberhub.components.sections import titled_stack
from cyberhub.components.tables import list_or
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    icon_button,
    job_status_badge,
    muted,
    page_heading,
)
from cyberhub.pages.exports.state import ChoiceItem, ExportItem, ExportsState, ScopeItem

S = ExportsState


POLL_MS = 2000

EXPLAIN = {
    "own_data": "Everything CyberHub keeps about you, as JSON and CSV files in a zip.",
    "roster": "Each learner of a cohort (or of every cohort of a programme) with their progress.",
    "gradebook": "The score for each rubric criterion of each attempt, from mentors' reviews.",
    "mentor_workload": "Each mentor of a programme's cohorts: mentees, claims and reviews.",
    "audit_log": "Every audited action, oldest first.",
    "sponsor_report": "Each funded cohort's seats, activity, approvals and completions, and "
    "the learners who share their progress with sponsors: the report its sponsors get.",
}


def _choice(c: rx.Var[ChoiceItem]) -> rx.Component:
    S = ExportsState
    picker_id = "export-scope-" + c.kind
    return stack_card(
        rx.heading(c.label, size="4", as_="h3"),
        muted(rx.Var.create(EXPLAIN)[c.kind].to(str)),
        rx.cond(
            c.scopes.length() > 0,
            rx.vstack(
                rx.el.label("Programme or cohort", html_for=picker_id, font_weight="500"),
                rx.select.root(
                    rx.select.trigger(id=picker_id, width="100%"),
                    rx.select.content(
                        rx.foreach(
                            c.scopes,
                            lambda s: rx.select.item(
                                s.to(ScopeItem).label, value=s.to(ScopeItem).key
                            ),
                        )
                    ),
                    value=S.picked[c.kind].to(str),
                    on_change=lambda key: S.pick(c.kind, key),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        icon_button(
            "download",
            rx.cond(c.kind == "own_data", "Download my data", "Export " + c.label.lower()),
            loading=S.busy == c.kind,
            disabled=S.busy != "",
            on_click=S.request(c.kind),
        ),
        spacing="2",
        align="start",
        width="100%",
    )


def _callout(text: rx.Var[str], icon: str, color: str, testid: str, **props: str) -> rx.Component:
    """A full-width note on an export: why it failed, why its file can't be downloaded."""
    return wide_callout(text, icon=icon, color_scheme=color, testid=testid, **props)


def _failure(e: rx.Var[ExportItem], **props: str) -> rx.Component:
    """Why the export failed (the same look whether it is announced or not)."""
    return _callout(e.error, "triangle_alert", "red", "export-error", **props)


def _export(e: rx.Var[ExportItem]) -> rx.Component:
    S = ExportsState
    return stack_card(
        spread_row(
            rx.heading(e.title, size="3", as_="h3"),
            job_status_badge(e.status_label, e.status),
            align="start",
        ),
        muted("Requested ", e.created),
        rx.cond(
            (e.status == "queued") | (e.status == "running"),
            rx.vstack(
                rx.progress(value=e.progress, width="100%", aria_label="Export progress"),
                rx.text(
                    rx.cond(e.progress_text != "", e.progress_text, "Starting…"),
                    size="2",
                    role="status",
                    aria_live="polite",
                ),
                width="100%",
                spacing="1",
            ),
        ),
        rx.cond(
            e.status == "failed",
            # Announced only when it failed while this page followed it: an alert for a listed
            # old failure was read out again on every visit.
            rx.cond(e.announce, _failure(e, role="alert"), _failure(e)),
        ),
        rx.cond(
            e.status == "done",
            wrap_row(
                rx.cond(
                    e.download_url != "",
                    icon_button(
                        "download",
                        "Download",
                        on_click=S.download(e.id),
                        aria_label="Download " + e.file_name,
                    ),
                ),
                muted(e.progress_text, " · ", e.expires),
                spacing="3",
            ),
        ),
        rx.cond(
            (e.status == "done") & (e.unavailable != ""),
            _callout(e.unavailable, "info", "amber", "export-unavailable"),
        ),
        spacing="2",
        width="100%",
        testid="export-item",
    )


def exports_content() -> rx.Component:
    return page_column(
        page_heading(
            "Exports",
            "Files prepared in the background for you alone to download; each expires after a "
            "few days.",
        ),
        error_callout(S.error),
        notice_callout(S.notice, full_width=False),
        once_loaded(
            S.loading,
            "Loading your exports…",
            titled_stack(
                "Request an export",
                two_columns(rx.foreach(S.choices, _choice)),
                rx.heading("My exports", size="5", as_="h2", padding_top="1em"),
                list_or(
                    S.items,
                    _export,
                    empty_state("No exports yet", "The exports you request appear here."),
                ),
                spacing="3",
            ),
        ),
        # The 2 s ticker only exists while an export is queued or running.
        rx.cond(
            S.active,
            rx.moment(interval=POLL_MS, on_change=S.poll, display="none", aria_hidden="true"),
        ),
        max_width="60rem",
    )
