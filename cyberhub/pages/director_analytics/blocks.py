"""The analytics blocks: each chart has a table beside it carrying the same numbers (the chart
is an image to screen readers, named by what it shows)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.charts import count_axes
from cyberhub.components.layout import flow
from cyberhub.components.panels import cells_row, grey_text, named_row
from cyberhub.components.sections import section_card
from cyberhub.components.tables import data_table, table_or
from cyberhub.components.ui import muted
from cyberhub.pages.director_analytics.state import DirectorAnalyticsState as S
from cyberhub.schemas.analytics import (
    ApprovalCell,
    BacklogBucket,
    FunnelStep,
    MentorLoad,
    MentorTurnaround,
    TrackMix,
    WeekActivity,
)

CHART_HEIGHT = 240


def _chart(label: str, chart: rx.Component, testid: str) -> rx.Component:
    return rx.box(
        chart,
        role="img",
        aria_label=label + " The table beside it has the same numbers.",
        width="100%",
        min_width="16em",
        flex="1 1 20em",
        data_testid=testid,
    )


def _small_table(
    headers: list[str], rows: Any, row: Any, label: str, testid: str, **props: Any
) -> rx.Component:
    """A compact table of `row(r)` for each of `rows`, named `label` (its data-testid `testid`)."""
    return data_table(
        headers, rx.foreach(rows, row), size="1", label=label, data_testid=testid, **props
    )


def _chart_and_table(
    label: str, chart: rx.Component, testid: str, table: rx.Component
) -> rx.Component:
    """The chart (an image named `label`) with the table of the same numbers beside it (under
    it on a narrow screen)."""
    return flow(
        _chart(label, chart, testid),
        rx.box(table, flex="1 1 20em", min_width="0"),
        width="100%",
    )


def _small_table_or(
    rows: Any, headers: list[str], row: Any, none: str, label: str, testid: str
) -> rx.Component:
    """_small_table of `rows`, or the `none` line while the range holds none."""
    return table_or(rows, headers, row, grey_text(none), size="1", label=label, data_testid=testid)


def _bars(data: Any, x: str, bars: list[tuple[str, str, str]], **props: Any) -> rx.Component:
    return rx.recharts.bar_chart(
        *count_axes(x),
        *[
            rx.recharts.bar(data_key=key, name=name, fill=color, is_animation_active=False)
            for key, name, color in bars
        ],
        data=data,
        width="100%",
        height=CHART_HEIGHT,
        **props,
    )


def funnel_block() -> rx.Component:
    def row(s: rx.Var[FunnelStep]) -> rx.Component:
        return named_row(s.label, s.learners, s.percent.to(str) + " %")

    return section_card(
        "Funnel",
        _chart_and_table(
            "Bar chart of learners reaching each step, from enrolled to track complete.",
            _bars(S.funnel_chart, "step", [("learners", "Learners", "var(--accent-9)")]),
            "funnel-chart",
            _small_table(
                ["Step", "Learners", "Of enrolled"], S.funnel, row, "Funnel", "funnel-table"
            ),
        ),
    )


def weekly_block() -> rx.Component:
    def row(w: rx.Var[WeekActivity]) -> rx.Component:
        return named_row(w.label, w.submissions, w.approvals, w.active_learners)

    chart = rx.recharts.line_chart(
        *count_axes("label"),
        rx.recharts.legend(),
        rx.recharts.line(data_key="submissions", name="Submissions", stroke="#3e63dd"),
        rx.recharts.line(data_key="approvals", name="Approvals", stroke="#30a46c"),
        rx.recharts.line(data_key="active_learners", name="Active learners", stroke="#f76b15"),
        data=S.weekly_chart,
        width="100%",
        height=CHART_HEIGHT,
    )
    return section_card(
        "Weekly activity",
        rx.cond(
            S.weekly.length() > 0,
            _chart_and_table(
                "Line chart of submissions, approvals and active learners per week.",
                chart,
                "weekly-chart",
                _small_table(
                    ["Week", "Submissions", "Approvals", "Active learners"],
                    S.weekly,
                    row,
                    "Weekly activity",
                    "weekly-table",
                    scroll_height="20em",
                ),
            ),
            grey_text("No weeks in this range."),
        ),
    )


def approvals_block() -> rx.Component:
    def row(c: rx.Var[ApprovalCell]) -> rx.Component:
        return cells_row(c.track, c.difficulty, c.approvals)

    def mix_row(m: rx.Var[TrackMix]) -> rx.Component:
        return cells_row(
            rx.cond(m.track != "", m.track, "No profiler result"),
            m.learners,
            rx.cond(m.mean_confidence, m.mean_confidence.to(str), "—"),
            m.low_confidence,
        )

    return flow(
        section_card(
            "Approvals per track and difficulty",
            _small_table_or(
                S.approvals,
                ["Track", "Difficulty (1–5)", "Approvals"],
                row,
                "Nothing approved in this range.",
                "Approvals per track and difficulty",
                "approvals-table",
            ),
            flex="1 1 22em",
        ),
        section_card(
            "Profiler track mix",
            muted("Mean confidence: 1 low, 2 medium, 3 high."),
            _small_table(
                ["Track", "Learners", "Mean confidence", "Low confidence"],
                S.track_mix,
                mix_row,
                "Profiler track mix",
                "track-mix-table",
            ),
            flex="1 1 22em",
        ),
        width="100%",
    )


def reviews_block() -> rx.Component:
    def bucket(b: rx.Var[BacklogBucket]) -> rx.Component:
        return named_row(b.label, b.submissions)

    def turn(t: rx.Var[MentorTurnaround]) -> rx.Component:
        return named_row(
            t.mentor, t.reviews, t.median_hours.to(str) + " h", t.p90_hours.to(str) + " h"
        )

    return section_card(
        "Reviews",
        rx.heading("Waiting for a review, by age", size="3", as_="h3"),
        _chart_and_table(
            "Bar chart of submissions waiting for a review, by how long they have waited.",
            _bars(S.backlog_chart, "age", [("submissions", "Submissions", "#e5484d")]),
            "backlog-chart",
            _small_table(
                ["Waiting", "Submissions"],
                S.backlog,
                bucket,
                "Review backlog by age",
                "backlog-table",
            ),
        ),
        rx.heading("Turnaround per mentor", size="3", as_="h3"),
        _small_table_or(
            S.turnaround,
            ["Mentor", "Reviews", "Median", "90th percentile"],
            turn,
            "No reviews in this range.",
            "Review turnaround per mentor",
            "turnaround-table",
        ),
    )


def load_block() -> rx.Component:
    def row(m: rx.Var[MentorLoad]) -> rx.Component:
        return named_row(m.mentor, m.mentees, m.capacity, m.percent.to(str) + " %")

    return section_card(
        "Mentor load",
        rx.text(
            "Mentees against the capacity set per cohort (summed over the cohorts a mentor "
            "serves). Learners without a mentor: ",
            rx.text.strong(S.unassigned),
            size="2",
        ),
        rx.cond(
            S.mentor_load.length() > 0,
            _chart_and_table(
                "Bar chart of each mentor's mentees and capacity.",
                _bars(
                    S.load_chart,
                    "mentor",
                    [("mentees", "Mentees", "#3e63dd"), ("capacity", "Capacity", "#c1c8cd")],
                ),
                "load-chart",
                _small_table(
                    ["Mentor", "Mentees", "Capacity", "Load"],
                    S.mentor_load,
                    row,
                    "Mentor load",
                    "load-table",
                ),
            ),
            grey_text("No mentor serves these cohorts yet."),
        ),
    )
