"""The student dashboard's view: next best action, progress, work in progress, feedback,
cohorts and the learner's track."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.layout import (
    compact_markdown,
    full_column,
    full_row,
    percent_bar,
    wide_callout,
    wrap_row,
)
from cyberhub.components.learning import decision_badge, review_score, status_badge
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import once_loaded, page_column, stack_card, two_columns
from cyberhub.components.panels import grey_text
from cyberhub.components.recommendations import recommendations_card
from cyberhub.components.sections import card_stack
from cyberhub.components.ui import badge_row, difficulty_badge, error_callout, muted, page_heading
from cyberhub.pages.student_dashboard.certificates import certificates_section
from cyberhub.pages.student_dashboard.coaching_block import coaching_block
from cyberhub.pages.student_dashboard.due import due_section
from cyberhub.pages.student_dashboard.state import (
    FeedbackRow,
    InProgressRow,
    StudentDashboardState,
)
from cyberhub.schemas.learning import StarterMission, TrackProgress
from cyberhub.state.session import SessionState


def _section(title: str, *children: rx.Component, testid: str = "") -> rx.Component:
    """A titled block of the dashboard: its h2 and what it holds."""
    props = {"data_testid": testid} if testid else {}
    return full_column(rx.heading(title, size="5", as_="h2"), *children, align="start", **props)


def _list_section(
    title: str, items: rx.Var[Any], listing: rx.Component, empty: str, testid: str
) -> rx.Component:
    """A titled list, or a gray sentence saying what will show up there."""
    return _section(title, rx.cond(items.length() > 0, listing, grey_text(empty)), testid=testid)


def _starter(m: rx.Var[StarterMission]) -> rx.Component:
    return rx.card(
        _mission_link(
            rx.vstack(
                difficulty_badge(m.difficulty),
                rx.text(m.title, weight="medium"),
                muted(m.minutes, " min", size="1"),
                spacing="1",
                align="start",
            ),
            m.id,
            underline="none",
            color="inherit",
        )
    )


def _next_action() -> rx.Component:
    a = StudentDashboardState.home.next_action
    return rx.card(
        rx.vstack(
            rx.heading("Next best action", size="5", as_="h2"),
            rx.text(a.label, size="4", weight="medium"),
            link_button(
                rx.match(
                    a.kind,
                    ("resubmit", "Resubmit your work"),
                    ("continue_draft", "Continue your draft"),
                    ("start", "Start the mission"),
                    ("profiler", "Take the profiler"),
                    ("enroll", "Find a cohort"),
                    "Browse missions",
                ),
                rx.icon("arrow_right", size=18),
                size="3",
                href=a.link,
            ),
            spacing="3",
            align="start",
        ),
        width="100%",
        size="3",
        data_testid="next-action",
        style={"borderLeft": f"4px solid {rx.color('accent', 9)}"},
    )


def _track_row(t: rx.Var[TrackProgress]) -> rx.Component:
    return full_column(
        full_row(
            rx.text(t.name, weight="medium"),
            rx.spacer(),
            rx.text(
                t.approved.to(str),
                " of ",
                t.published.to(str),
                " approved · ",
                rx.text.strong(t.percent.to(str), "%"),
                size="2",
            ),
        ),
        percent_bar(t.percent, t.name + " progress"),
        spacing="1",
        data_testid="track-progress",
    )


def _scope_card() -> rx.Component:
    """ "3 of 7": the approved missions among those the learner's programmes expect of them."""
    s = StudentDashboardState.scope
    return rx.cond(
        StudentDashboardState.has_scope,
        card_stack(
            full_row(
                rx.text(
                    rx.cond(
                        s.track_name != "",
                        "Your " + s.track_name + " track in your programme",
                        "Your programme",
                    ),
                    weight="medium",
                ),
                rx.spacer(),
                rx.text(
                    rx.text.strong(s.label),
                    rx.cond(s.expected == 1, " mission approved · ", " missions approved · "),
                    s.percent.to(str),
                    "%",
                    size="2",
                ),
            ),
            percent_bar(s.percent, "Progress in your programme"),
            spacing="1",
            data_testid="scope-progress",
        ),
        wide_callout(
            "You are not in a programme yet, so there is no progress to count. Browse the "
            "public mission library; once a cohort enrols you, your progress shows here.",
            icon="info",
            testid="scope-empty",
        ),
    )


def _progress_block() -> rx.Component:
    S = StudentDashboardState
    return _section(
        "Progress",
        _scope_card(),
        rx.cond(
            S.home.tracks.length() > 0,
            card_stack(rx.foreach(S.home.tracks, _track_row), spacing="3"),
            rx.cond(S.has_scope, grey_text("Your programme has no published missions yet.")),
        ),
    )


def _mission_link(text: Any, mission_id: rx.Var[int], **props: Any) -> rx.Component:
    """A link to the mission's page."""
    return rx.link(text, href="/missions/" + mission_id.to(str), **props)


def _in_progress_row(m: rx.Var[InProgressRow]) -> rx.Component:
    return wrap_row(
        _mission_link(m.title, m.mission_id, weight="medium"),
        rx.badge(m.track_name, variant="outline"),
        status_badge(m.status),
        muted("attempt ", m.attempt.to(str), size="1"),
        spacing="2",
        testid="in-progress-item",
    )


def _in_progress_block() -> rx.Component:
    S = StudentDashboardState
    return _list_section(
        "In progress",
        S.home.in_progress,
        stack_card(rx.foreach(S.home.in_progress, _in_progress_row), spacing="2"),
        "Nothing in progress. Drafts and submitted work show up here.",
        testid="in-progress",
    )


def _feedback_item(f: rx.Var[FeedbackRow]) -> rx.Component:
    return stack_card(
        wrap_row(
            _mission_link(f.title, f.mission_id, weight="medium"),
            muted("attempt ", f.attempt.to(str), size="1"),
        ),
        wrap_row(
            decision_badge(f.decision),
            review_score(f.total, f.max_total),
            muted(rx.cond(f.mentor != "", "by " + f.mentor + " · ", ""), f.when, size="1"),
            spacing="2",
        ),
        rx.cond(
            f.excerpt != "",
            compact_markdown(
                f.excerpt,
                "0.15em 0",
                class_name="feedback-quote",
                color=rx.color("gray", 11),
                padding_left="0.75em",
                border_left=f"3px solid {rx.color('gray', 6)}",
                data_testid="feedback-quote",
            ),
        ),
        _mission_link("Read the full review →", f.mission_id, size="2"),
        spacing="2",
        align="start",
    )


def _feedback_block() -> rx.Component:
    S = StudentDashboardState
    return _list_section(
        "Latest feedback",
        S.home.feedback,
        full_column(rx.foreach(S.home.feedback, _feedback_item), spacing="2"),
        "No reviews yet. Your mentor's feedback appears here.",
        testid="latest-feedback",
    )


def _cohorts_block() -> rx.Component:
    S = StudentDashboardState
    return _section(
        "Your cohorts",
        rx.cond(
            S.home.cohorts.length() > 0,
            badge_row(
                S.home.cohorts,
                lambda c: rx.badge(c.name, " · ", c.program, variant="surface", size="2"),
            ),
            rx.vstack(
                grey_text("You are not in a cohort yet. What to do next:"),
                rx.el.ol(
                    rx.el.li(
                        rx.link("Take the career profiler", href="/onboarding/ai-profiler"),
                        " to find your track.",
                    ),
                    rx.el.li(
                        rx.link("Browse the mission library", href="/missions"),
                        ": every mission is open to read.",
                    ),
                    rx.el.li(
                        rx.link("Apply to a cohort", href="/cohorts"),
                        " to submit work and get a mentor. An organisation can also invite you.",
                    ),
                    style={"paddingLeft": "1.25em", "margin": "0"},
                ),
                spacing="1",
                align="start",
            ),
        ),
        rx.link("Find a cohort to join →", href="/cohorts", size="2"),
        testid="cohorts",
    )


def content() -> rx.Component:
    S = StudentDashboardState
    t = S.track
    return full_column(
        page_heading(
            rx.cond(
                SessionState.display_name != "", "Hello, " + SessionState.display_name, "Hello"
            ),
            "Your learning home.",
        ),
        error_callout(S.error),
        once_loaded(
            S.loading,
            "Loading…",
            page_column(
                rx.cond(
                    S.welcome & ~S.has_track,
                    wide_callout(
                        "Your account is ready. Start with the career profiler below, or browse "
                        "the missions of your programme.",
                        icon="party_popper",
                        color_scheme="green",
                        testid="welcome-new-account",
                    ),
                ),
                rx.cond(
                    S.welcome & S.has_track,
                    wide_callout(
                        rx.text(
                            "Welcome to the ",
                            rx.text.strong(t.name),
                            " track — ",
                            t.tagline,
                            ". Here is where to start.",
                        ),
                        icon="party_popper",
                        color_scheme="green",
                        testid="welcome-track",
                    ),
                ),
                rx.cond(
                    ~S.home.profiler_done,
                    wide_callout(
                        rx.vstack(
                            rx.text(
                                "You haven't taken the career profiler yet. Ten minutes of scenarios "
                                "tell you which of the five tracks fits how you think."
                            ),
                            link_button("Take the career profiler", href="/onboarding/ai-profiler"),
                            align="start",
                        ),
                        icon="sparkles",
                        testid="profiler-reminder",
                    ),
                ),
                _next_action(),
                coaching_block(),
                due_section(),
                recommendations_card(),
                two_columns(_progress_block(), _in_progress_block(), spacing="4"),
                _feedback_block(),
                _cohorts_block(),
                certificates_section(),
                rx.cond(
                    S.has_track,
                    stack_card(
                        muted("Your track", size="1"),
                        rx.heading(t.name, size="6", as_="h2"),
                        rx.text(t.tagline, weight="medium"),
                        grey_text(t.description),
                        badge_row(t.careers, lambda c: rx.badge(c, variant="surface")),
                        rx.cond(
                            S.home.confidence != "",
                            rx.link(
                                "Profiler confidence: ",
                                S.home.confidence,
                                " — see your results",
                                href="/onboarding/ai-profiler/results",
                                size="2",
                            ),
                        ),
                        spacing="2",
                        align="start",
                    ),
                ),
                rx.cond(
                    S.home.starters.length() > 0,
                    _section(
                        "Start here",
                        rx.grid(
                            rx.foreach(S.home.starters, _starter),
                            columns=rx.breakpoints(initial="1", sm="3"),
                            spacing="3",
                            width="100%",
                        ),
                        rx.link("All missions in your track →", href="/missions?track=" + t.key),
                    ),
                ),
            ),
        ),
    )
