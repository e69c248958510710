"""The coach's plan section, shared by /coaching (the learner's own) and the mentee page: the
week's focus, suggested habits, next missions, nudges and what changed — each sentence followed
by the links to its evidence. States: loading, preparing (the worker has not written it yet),
off (no AI-profiling consent: how to turn it on), ready."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import full_column
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import page_column
from cyberhub.components.sections import card_stack, titled_stack
from cyberhub.components.ui import error_callout, muted
from cyberhub.pages.coaching.coach_state import CoachPlanState, EvidenceView, LineView

P = CoachPlanState


def _evidence(e: rx.Var[EvidenceView]) -> rx.Component:
    return rx.link(
        rx.icon("link", size=12),
        "Evidence: " + e.label,
        href=e.href,
        size="1",
        display="inline-flex",
        align_items="center",
        gap="4px",
        min_height="24px",
    )


def _line(line: rx.Var[LineView]) -> rx.Component:
    return full_column(
        rx.cond(
            line.title != "",
            rx.link(line.title, href=line.href, weight="medium", size="2"),
        ),
        rx.text(line.text, size="2", overflow_wrap="anywhere"),
        rx.hstack(rx.foreach(line.evidence, _evidence), spacing="3", wrap="wrap"),
        spacing="1",
        align="start",
        data_testid="coach-line",
    )


def _part(title: str, rows: rx.Var[list[LineView]], testid: str, **props: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        titled_stack(
            title,
            full_column(rx.foreach(rows, _line), spacing="3"),
            data_testid=testid,
            size="3",
            as_="h3",
            **props,
        ),
    )


def _ready(own: bool) -> rx.Component:
    # Staff read the week's figures here (the coach links them to #week); the learner's own
    # page has them in its "This week" section.
    week = {} if own else {"id": "week"}
    return page_column(
        _part("Focus for the week", P.focus, "coach-focus"),
        _part("Needs attention", P.nudges, "coach-nudges"),
        _part("Suggested habits", P.habits, "coach-habits"),
        _part("Next missions", P.missions, "coach-missions"),
        _part("Since last week", P.changes, "coach-changes", **week),
        muted(P.plan_computed, size="1"),
    )


def coach_section(*, own: bool) -> rx.Component:
    """The plan's card; `own`: the learner's page (the consent-off state says how to turn it
    on), else a staff view of a learner's plan."""
    off = rx.vstack(
        rx.text(P.plan_message, size="2"),
        link_button("Privacy & consents", href="/settings/privacy", variant="soft", size="2")
        if own
        else rx.fragment(),
        spacing="2",
        align="start",
    )
    return card_stack(
        rx.heading("The coach's plan", size="5", as_="h2", id="coach"),
        muted(
            "Built each week from "
            + ("your" if own else "their")
            + " reviews, goals, habits and recommendations; each sentence links to where "
            "it comes from."
        ),
        error_callout(P.error),
        rx.match(
            P.plan_state,
            ("ready", _ready(own)),
            (
                "preparing",
                rx.hstack(
                    # Not a spinner: the page has loaded; the worker prepares the plan
                    # (seconds to a minute) and the page shows it when it is stored.
                    rx.icon("hourglass", size=16, aria_hidden="true"),
                    rx.text(P.plan_message, size="2", role="status"),
                    align="center",
                    spacing="2",
                ),
            ),
            ("off", off),
            rx.cond(P.plan_loading, rx.text("Loading the plan…", size="2", role="status")),
        ),
        spacing="3",
        data_testid="coach-plan",
    )
