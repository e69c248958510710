"""The sponsor's pages: the dashboard of funded cohorts (/dashboard/sponsor) and the printable
report (/dashboard/sponsor/report); both draw each cohort with the blocks below."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from cyberhub.components.layout import wrap_row
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import page_column, two_columns
from cyberhub.components.panels import grey_text, icon_link, named_row
from cyberhub.components.sections import titled_stack
from cyberhub.components.tables import data_table, table_or
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    loading_state,
    muted,
    page_heading,
    stat_card,
)
from cyberhub.pages.sponsor_home.state import (
    CSV_URL,
    EXPORT_ROUTE,
    REPORT_ROUTE,
    CohortCard,
    LearnerRow,
    SponsorHomeState,
    TrackRow,
    WeekRow,
)

S = SponsorHomeState
SHARING_NOTE = (
    "Learners appear by name only if they chose to share their profile and progress with their "
    "cohort's sponsors (they can withdraw at any time); every figure above counts the whole "
    "cohort."
)


def _figure(label: str, value: rx.Var[int] | rx.Var[str], hint: str = "") -> rx.Component:
    return stat_card(
        label, value, rx.cond(hint != "", muted(hint, size="1")), class_name="sponsor-figure"
    )


def _figures(c: rx.Var[CohortCard]) -> rx.Component:
    return rx.grid(
        _figure("Seats used", c.seats_used.to(str) + " of " + c.seats.to(str) + " funded"),
        _figure("Enrolled", c.enrolled),
        _figure("Active, last 7 days", c.active_7d, "learners who submitted work"),
        _figure("Active, last 30 days", c.active_30d),
        _figure("Missions approved", c.approvals),
        _figure("Completions", c.completions),
        _figure("Certificates issued", c.certificates),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        gap="0.75em",
        width="100%",
        data_testid="sponsor-figures",
    )


def _track_row(t: rx.Var[TrackRow]) -> rx.Component:
    return named_row(t.track, t.approvals)


def _week_row(w: rx.Var[WeekRow]) -> rx.Component:
    return named_row(w.week, w.submissions)


def _learner_row(le: rx.Var[LearnerRow]) -> rx.Component:
    return named_row(le.name, le.track, le.progress)


def _learners(c: rx.Var[CohortCard]) -> rx.Component:
    return titled_stack(
        "Learners who share their progress",
        table_or(
            c.learners,
            ["Learner", "Track", "Progress"],
            _learner_row,
            grey_text("No learner of this cohort shares their progress yet."),
            label="Learners who share their progress with sponsors",
            data_testid="sponsor-learners",
        ),
        rx.cond(
            c.withheld > 0,
            muted(
                c.withheld,
                rx.cond(c.withheld == 1, " learner has", " learners have"),
                " not chosen to share and appear only in the figures.",
            ),
        ),
        size="3",
        as_="h3",
    )


def _no_names(testid: str, *text: Any) -> rx.Component:
    """The learners' place in a sponsorship not running today: why no one is shown by name."""
    return titled_stack(
        "Learners",
        grey_text(*text, data_testid=testid),
        size="3",
        as_="h3",
    )


def _ended(c: rx.Var[CohortCard]) -> rx.Component:
    return _no_names(
        "sponsorship-ended",
        "This sponsorship ended on ",
        c.ended,
        ". The figures above cover the cohort up to that day; learners are no longer "
        "shown by name.",
    )


def _not_begun(c: rx.Var[CohortCard]) -> rx.Component:
    return _no_names(
        "sponsorship-starts",
        "This sponsorship starts on ",
        c.starts,
        ". The learners who share their progress are shown by name from that day.",
    )


def cohort_block(c: rx.Var[CohortCard]) -> rx.Component:
    """One funded cohort: who runs it, the funding, the figures, approvals per track, weekly
    submissions and the consenting learners (before the sponsorship's start or after its end,
    why there are none)."""
    return rx.card(
        titled_stack(
            c.cohort,
            grey_text(c.program, " · ", c.organization, " · ", c.dates),
            rx.text("Funded by ", c.sponsor, ": ", c.funding, size="2"),
            rx.cond(c.notes != "", muted(c.notes)),
            _figures(c),
            two_columns(
                rx.vstack(
                    rx.heading("Approvals per track", size="3", as_="h3"),
                    table_or(
                        c.tracks,
                        ["Track", "Approvals"],
                        _track_row,
                        grey_text("No mission approved yet."),
                        size="1",
                        label="Approvals per track",
                    ),
                    width="100%",
                ),
                rx.vstack(
                    rx.heading("Submissions per week", size="3", as_="h3"),
                    data_table(
                        ["Week", "Submissions"],
                        rx.foreach(c.weeks, _week_row),
                        size="1",
                        label="Submissions per week",
                    ),
                    width="100%",
                ),
            ),
            rx.cond(
                c.ended != "",
                _ended(c),
                rx.cond(c.starts != "", _not_begun(c), _learners(c)),
            ),
            spacing="3",
        ),
        width="100%",
        class_name="sponsor-cohort",
        data_testid="sponsored-cohort",
    )


def cohorts_or_empty() -> rx.Component:
    return rx.cond(
        S.loaded,
        rx.cond(
            S.cohorts.length() > 0,
            page_column(
                rx.foreach(S.cohorts, cohort_block),
                muted(SHARING_NOTE),
            ),
            rx.cond(
                S.error == "",
                empty_state(
                    "No sponsored cohort yet",
                    "When a programme's director records your organisation's sponsorship of a "
                    "cohort, its seats, activity and results appear here.",
                ),
            ),
        ),
        loading_state("Loading your sponsored cohorts…"),
    )


def sponsor_home_content() -> rx.Component:
    return page_column(
        page_heading("Sponsorship", S.intro_line),
        error_callout(S.error),
        rx.cond(
            S.cohorts.length() > 0,
            wrap_row(
                # A document navigation (reload_document): the client-side router would take
                # the API's address for a page and never fetch the file.
                rx.button(
                    ReactRouterLink.create(
                        rx.icon("download", size=16),
                        "Download report (CSV)",
                        to=CSV_URL,
                        reload_document=True,
                        download="sponsor-report.csv",
                    ),
                    as_child=True,
                ),
                icon_link("printer", "Printable report", variant="soft", href=REPORT_ROUTE),
                # The same CSV written by the worker: audited, with an expiring download link.
                icon_link("file-clock", "Export the report", variant="soft", href=EXPORT_ROUTE),
                spacing="4",
            ),
        ),
        cohorts_or_empty(),
        rx.hstack(
            link_button(rx.icon("target"), "Browse missions", variant="soft", href="/missions"),
            link_button(rx.icon("compass"), "Explore tracks", variant="soft", href="/tracks"),
            wrap="wrap",
        ),
    )


def sponsor_report_content() -> rx.Component:
    """The printable report: the same blocks, headed for paper; the app's header, navigation
    and footer are hidden when printed (assets/styles.css, @media print)."""
    return page_column(
        rx.hstack(
            rx.link("← Sponsorship", href="/dashboard/sponsor", size="2"),
            muted("Print this page with your browser (Ctrl+P or ⌘P); only the report is printed."),
            spacing="4",
            wrap="wrap",
            class_name="no-print",
        ),
        rx.heading("Sponsor report", size="7", as_="h1"),
        rx.cond(S.organizations != "", rx.text(S.organizations, size="3", weight="medium")),
        error_callout(S.error),
        cohorts_or_empty(),
        class_name="print-report",
    )
