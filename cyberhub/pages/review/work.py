"""The work under review: the attempt (answer, links, file) and the mission's rubric, with the
small pieces the rest of the page shares."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.layout import wrap_row
from cyberhub.components.learning import attempt_answer, attempt_links, status_badge
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.sections import card_stack, section_card, titled_stack
from cyberhub.components.ui import muted
from cyberhub.pages.review.state import CriterionRow, HintRow, ReviewState

S = ReviewState


def _callout(*children: Any, icon: str, color: str, **props: Any) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon)),
        rx.callout.text(*children),
        color_scheme=color,
        width="100%",
        **props,
    )


def _label(text: Any, html_for: str, *extra: Any) -> rx.Component:
    return rx.el.label(
        rx.text(text, *extra, size="2", weight="medium"), html_for=html_for, width="100%"
    )


def _submission() -> rx.Component:
    c = S.current
    links = c.links
    return card_stack(
        wrap_row(
            rx.heading("Attempt ", S.attempt, size="5", as_="h2"),
            status_badge(S.status, testid="review-status"),
            muted("submitted ", c.submitted_at),
            spacing="3",
        ),
        rx.heading("Answer", size="3", as_="h3"),
        attempt_answer(c.answer, rx.color("teal", 7), data_testid="submission-answer"),
        rx.cond(
            links.length() > 0,
            titled_stack(
                "Links",
                attempt_links(links),
                size="3",
                as_="h3",
                spacing="1",
            ),
        ),
        rx.cond(
            c.file_name != "",
            rx.hstack(
                rx.icon("paperclip", size=16),
                rx.el.a(
                    "Download ",
                    c.file_name,
                    href=S.current_file_url,
                    download=c.file_name,
                    data_testid="file-download",
                    style={"textDecoration": "underline"},
                ),
                muted(c.file_size, size="1"),
                align="center",
                spacing="2",
            ),
        ),
        data_testid="submission",
        align="start",
    )


def _criterion(c: rx.Var[CriterionRow]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(c.title, weight="medium", size="2"),
            rx.badge(counted(c.points, "pt"), variant="soft"),
            align="center",
            spacing="2",
        ),
        muted(c.description),
        style={"marginBottom": "0.5em"},
    )


def _rubric() -> rx.Component:
    return section_card(
        "Rubric",
        rx.cond(
            S.rubric.length() > 0,
            rx.el.ul(rx.foreach(S.rubric, _criterion), style={"paddingLeft": "1.1em"}),
            rx.text("This mission has no rubric: only a decision.", size="2"),
        ),
        muted("Total: ", counted(S.max_total, "point")),
        size="4",
        data_testid="rubric",
        spacing="2",
        align="start",
    )


def _hint_row(h: rx.Var[HintRow]) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong("Hint ", h.number), " · revealed ", h.at, size="2"),
        rx.box(safe_markdown(h.hint), width="100%"),
        style={"marginBottom": "0.5em"},
    )


def _hints() -> rx.Component:
    """The hints the learner revealed on this mission (they are told their mentor sees them)."""
    return section_card(
        "Hints used",
        rx.cond(
            S.hints_total > 0,
            rx.text(
                S.student,
                " revealed ",
                rx.text.strong(S.hints_revealed.length(), " of ", counted(S.hints_total, "hint")),
                " on this mission.",
                size="2",
                data_testid="hint-count",
            ),
            rx.text("This mission has no hints.", size="2", data_testid="hint-count"),
        ),
        rx.cond(
            S.hints_revealed.length() > 0,
            rx.el.ol(
                rx.foreach(S.hints_revealed, _hint_row),
                style={"paddingLeft": "1.1em", "margin": "0", "width": "100%"},
            ),
        ),
        size="4",
        data_testid="hints-used",
        spacing="2",
        align="start",
    )
