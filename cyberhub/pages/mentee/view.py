"""The mentee page's view: who the learner is (profiler result), where they are (tracks,
cohorts), what they handed in (attempts with their reviews) and what is recommended next."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import spread_row, wrap_row
from cyberhub.components.learning import status_badge
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import once_found, page_column, two_columns
from cyberhub.components.panels import grey_text
from cyberhub.components.sections import section_card, table_section
from cyberhub.components.tables import table_or
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import difficulty_badge, muted, page_heading
from cyberhub.pages.coaching.coach_view import coach_section
from cyberhub.pages.mentee.coaching import coaching_sections
from cyberhub.pages.mentee.state import AttemptRow, CohortRow, MenteeState
from cyberhub.schemas.ai import RecommendationPublic
from cyberhub.schemas.learning import TrackProgress

S = MenteeState


def _bullets(title: str, items: rx.Var[list[str]]) -> rx.Component:
    """A small h3 over one bulleted line per item."""
    return rx.vstack(
        rx.heading(title, size="2", as_="h3"),
        rx.foreach(items, lambda s: rx.text("• ", s, size="2")),
        align="start",
        spacing="1",
    )


def _profile() -> rx.Component:
    p = S.profile
    return section_card(
        "Career profile",
        rx.cond(
            S.profiled,
            rx.vstack(
                rx.text(
                    rx.text.strong(p.track),
                    rx.cond(p.secondary != "", rx.text.span(", then ", p.secondary), rx.fragment()),
                    " · ",
                    p.confidence,
                    " confidence · ",
                    S.profiled_on,
                ),
                muted(p.confidence_explanation),
                rx.cond(p.persona_title != "", rx.heading(p.persona_title, size="3", as_="h3")),
                rx.text(p.narrative, size="2"),
                two_columns(
                    _bullets("Strengths", p.strengths),
                    _bullets("Growth areas", p.growth_areas),
                    wide_from="sm",
                    spacing="4",
                ),
                align="start",
                spacing="2",
                width="100%",
            ),
            grey_text("They have not taken the career profiler yet: their track is not chosen."),
        ),
        data_testid="mentee-profile",
        id="profile",  # the coach's links to the profiler (plan_links.href_for)
    )


def _track(t: rx.Var[TrackProgress]) -> rx.Component:
    return rx.hstack(
        rx.text(t.name, size="2", width="8em"),
        rx.progress(value=t.percent, width="10em", aria_label="Progress in " + t.name),
        muted(t.approved.to(str), " of ", t.published.to(str)),
        align="center",
        spacing="3",
    )


def _progress() -> rx.Component:
    return section_card(
        "Progress",
        rx.cond(S.track_label != "", rx.text(rx.text.strong(S.track_label))),
        rx.vstack(rx.foreach(S.tracks, _track), spacing="2"),
        data_testid="mentee-progress",
    )


def _cohort_row(c: rx.Var[CohortRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(two_line(c.cohort, c.program)),
        rx.table.cell(
            rx.badge(c.status),
            rx.cond(c.since != "", rx.text(c.since, size="1")),
        ),
        rx.table.cell(rx.text(c.enrolled, size="2")),
        rx.table.cell(rx.text(c.mentors, size="2")),
    )


def _cohorts() -> rx.Component:
    return table_section(
        "Cohorts",
        S.cohorts,
        ["Cohort", "Status", "Joined", "Mentors"],
        _cohort_row,
        "Not in a cohort you work with.",
        data_testid="mentee-cohorts",
    )


def _attempt_row(a: rx.Var[AttemptRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(a.mission, href="/missions/" + a.mission_id.to_string()),
            muted("Attempt ", a.attempt.to_string(), size="1"),
        ),
        rx.table.cell(status_badge(a.status)),
        rx.table.cell(rx.text(a.submitted, size="2")),
        rx.table.cell(
            rx.cond(
                a.score != "",
                two_line(a.score, "by " + a.reviewer.to(str)),
                rx.text("—", size="2"),
            )
        ),
        rx.table.cell(
            rx.cond(
                a.review_link != "",
                rx.link(
                    "Review",
                    href=a.review_link,
                    aria_label="Review " + a.mission.to(str) + ", attempt " + a.attempt.to_string(),
                ),
                muted(a.decided),
            )
        ),
        data_testid="mentee-attempt",
    )


def _attempts() -> rx.Component:
    return section_card(
        spread_row(
            rx.heading("Attempts and reviews", size="5", as_="h2"),
            rx.cond(
                S.waiting > 0, rx.badge(S.waiting.to_string(), " waiting", color_scheme="amber")
            ),
            rx.cond(
                S.can_review,
                link_button("Review queue", href="/dashboard/mentor", variant="soft", size="2"),
            ),
        ),
        table_or(
            S.attempts,
            ["Mission", "Status", "Handed in", "Score", "Review"],
            _attempt_row,
            "Nothing handed in yet.",
            label="Attempts and reviews",
        ),
        rx.cond(S.attempts_note != "", muted(S.attempts_note, data_testid="attempts-note")),
        data_testid="mentee-attempts",
        id="attempts",  # the coach's links to a review
    )


def _recommendation(r: rx.Var[RecommendationPublic]) -> rx.Component:
    return rx.vstack(
        wrap_row(
            rx.link(r.title, href="/missions/" + r.mission_id.to_string(), weight="medium"),
            difficulty_badge(r.difficulty),
        ),
        muted(r.reason),
        spacing="1",
        align="start",
    )


def _recommendations() -> rx.Component:
    return section_card(
        "Recommended next",
        rx.cond(
            S.recommendations_enabled,
            rx.cond(
                S.recommendations.length() > 0,
                rx.vstack(rx.foreach(S.recommendations, _recommendation), spacing="3"),
                grey_text("No recommendations stored yet."),
            ),
            grey_text("They have not agreed to AI recommendations: nothing is computed for them."),
        ),
        data_testid="mentee-recommendations",
    )


def mentee_content() -> rx.Component:
    return once_found(
        S.loading,
        "Loading the learner…",
        S.error,
        "Learner not found",
        link_button("Back to your dashboard", href=S.home, variant="soft"),
        page_column(
            page_heading(S.name, S.email),
            _profile(),
            _progress(),
            coaching_sections(),
            coach_section(own=False),
            _attempts(),
            _cohorts(),
            _recommendations(),
        ),
    )
