"""The analytics blocks: each chart has a table beside it carrying the same numbers (the chart
is an image to screen readers, named by what it shows)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.sections import section_card
from cyberhub.components.tables import data_table
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


def _side_by_side(chart: rx.Component, table: rx.Component) -> rx.Component:
    return rx.flex(
        chart,
        rx.box(table, flex="1 1 20em", min_width="0"),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def _bars(data: Any, x: str, bars: list[tuple[str, str, str]], **props: Any) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key=x),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
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
        return rx.table.row(
            rx.table.row_header_cell(s.label),
            rx.table.cell(s.learners),
            rx.table.cell(s.percent.to(str) + " %"),
        )

    return section_card(
        "Funnel",
        _side_by_side(
            _chart(
                "Bar chart of learners reaching each step, from enrolled to track complete.",
                _bars(S.funnel_chart, "step", [("learners", "Learners", "var(--accent-9)")]),
                "funnel-chart",
            ),
            data_table(
                ["Step", "Learners", "Of enrolled"],
                rx.foreach(S.funnel, row),
                size="1",
                label="Funnel",
                data_testid="funnel-table",
            ),
        ),
    )


def weekly_block() -> rx.Component:
    def row(w: rx.Var[WeekActivity]) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(w.label),
            rx.table.cell(w.submissions),
            rx.table.cell(w.approvals),
            rx.table.cell(w.active_learners),
        )

    chart = rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="label"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
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
            _side_by_side(
                _chart(
                    "Line chart of submissions, approvals and active learners per week.",
                    chart,
                    "weekly-chart",
                ),
                data_table(
                    ["Week", "Submissions", "Approvals", "Active learners"],
                    rx.foreach(S.weekly, row),
                    size="1",
                    label="Weekly activity",
                    max_height="20em",
                    overflow_y="auto",
                    data_testid="weekly-table",
                ),
            ),
            rx.text("No weeks in this range.", color_scheme="gray"),
        ),
    )


def approvals_block() -> rx.Component:
    def row(c: rx.Var[ApprovalCell]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(c.track), rx.table.cell(c.difficulty), rx.table.cell(c.approvals)
        )

    def mix_row(m: rx.Var[TrackMix]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.cond(m.track != "", m.track, "No profiler result")),
            rx.table.cell(m.learners),
            rx.table.cell(rx.cond(m.mean_confidence, m.mean_confidence.to(str), "—")),
            rx.table.cell(m.low_confidence),
        )

    return rx.flex(
        section_card(
            "Approvals per track and difficulty",
            rx.cond(
                S.approvals.length() > 0,
                data_table(
                    ["Track", "Difficulty (1–5)", "Approvals"],
                    rx.foreach(S.approvals, row),
                    size="1",
                    label="Approvals per track and difficulty",
                    data_testid="approvals-table",
                ),
                rx.text("Nothing approved in this range.", color_scheme="gray"),
            ),
            flex="1 1 22em",
        ),
        section_card(
            "Profiler track mix",
            rx.text("Mean confidence: 1 low, 2 medium, 3 high.", size="2", color_scheme="gray"),
            data_table(
                ["Track", "Learners", "Mean confidence", "Low confidence"],
                rx.foreach(S.track_mix, mix_row),
                size="1",
                label="Profiler track mix",
                data_testid="track-mix-table",
            ),
            flex="1 1 22em",
        ),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def reviews_block() -> rx.Component:
    def bucket(b: rx.Var[BacklogBucket]) -> rx.Component:
        return rx.table.row(rx.table.row_header_cell(b.label), rx.table.cell(b.submissions))

    def turn(t: rx.Var[MentorTurnaround]) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(t.mentor),
            rx.table.cell(t.reviews),
            rx.table.cell(t.median_hours.to(str) + " h"),
            rx.table.cell(t.p90_hours.to(str) + " h"),
        )

    return section_card(
        "Reviews",
        rx.heading("Waiting for a review, by age", size="3", as_="h3"),
        _side_by_side(
            _chart(
                "Bar chart of submissions waiting for a review, by how long they have waited.",
                _bars(S.backlog_chart, "age", [("submissions", "Submissions", "#e5484d")]),
                "backlog-chart",
            ),
            data_table(
                ["Waiting", "Submissions"],
                rx.foreach(S.backlog, bucket),
                size="1",
                label="Review backlog by age",
                data_testid="backlog-table",
            ),
        ),
        rx.heading("Turnaround per mentor", size="3", as_="h3"),
        rx.cond(
            S.turnaround.length() > 0,
            data_table(
                ["Mentor", "Reviews", "Median", "90th percentile"],
                rx.foreach(S.turnaround, turn),
                size="1",
                label="Review turnaround per mentor",
                data_testid="turnaround-table",
            ),
            rx.text("No reviews in this range.", color_scheme="gray"),
        ),
    )


def load_block() -> rx.Component:
    def row(m: rx.Var[MentorLoad]) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(m.mentor),
            rx.table.cell(m.mentees),
            rx.table.cell(m.capacity),
            rx.table.cell(m.percent.to(str) + " %"),
        )

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
            _side_by_side(
                _chart(
                    "Bar chart of each mentor's mentees and capacity.",
                    _bars(
                        S.load_chart,
                        "mentor",
                        [("mentees", "Mentees", "#3e63dd"), ("capacity", "Capacity", "#c1c8cd")],
                    ),
                    "load-chart",
                ),
                data_table(
                    ["Mentor", "Mentees", "Capacity", "Load"],
                    rx.foreach(S.mentor_load, row),
                    size="1",
                    label="Mentor load",
                    data_testid="load-table",
                ),
            ),
            rx.text("No mentor serves these cohorts yet.", color_scheme="gray"),
        ),
    )
