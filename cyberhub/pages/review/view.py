"""The review page: the work, the rubric and earlier attempts beside the form, the decision once
sent, the refusals."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.learning import attempt_card, review_block
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import page_column, two_columns
from cyberhub.components.sections import section_card, titled_stack
from cyberhub.components.shell import dead_end_view
from cyberhub.components.tables import list_or
from cyberhub.components.ui import empty_state, loading_state, muted
from cyberhub.pages.review.form import _claim_bar, _review_form
from cyberhub.pages.review.state import ReviewState
from cyberhub.pages.review.work import _callout, _hints, _rubric, _submission

S = ReviewState


def _result() -> rx.Component:
    return section_card(
        "Decision",
        review_block(S.current),
        rx.cond(
            S.status == "changes_requested",
            muted("The student can resubmit; the new attempt will come back to the queue."),
        ),
        rx.link("Back to the review queue", href="/dashboard/mentor", size="2"),
        size="4",
        data_testid="review-result",
        align="start",
    )


def _earlier() -> rx.Component:
    S = ReviewState  # a local: the foreach lambda below closes over it, as before
    return titled_stack(
        "Earlier attempts",
        list_or(
            S.earlier,
            lambda a: attempt_card(a, download=S.download_file),
            muted("This is the first attempt."),
        ),
        size="4",
        spacing="3",
        align="start",
        data_testid="earlier-attempts",
    )


def _denied() -> rx.Component:
    return dead_end_view(
        "403 — You can't review this submission",
        rx.text(ReviewState.denied, color_scheme="gray"),
        rx.text(
            "Mentors review the work of the students in the cohorts they serve.",
            color_scheme="gray",
        ),
        link_button("Back to the review queue", href="/dashboard/mentor"),
        testid="forbidden",
    )


def review_content() -> rx.Component:
    m = S.mission
    body = page_column(
        rx.vstack(
            rx.link("← Review queue", href="/dashboard/mentor", size="2"),
            rx.heading("Review: ", m.title, size="7", as_="h1"),
            muted(
                rx.link(
                    S.student,
                    href="/mentees/" + S.student_id.to_string(),
                    size="3",
                    title="Their goals, progress and other work",
                ),
                " · attempt ",
                S.attempt,
                " · ",
                rx.cond(
                    m.offered,
                    rx.link("mission brief", href="/missions/" + m.id.to(str), size="3"),
                    "mission no longer offered (archived or unpublished)",
                ),
                size="3",
            ),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            S.newer_attempt_id > 0,
            _callout(
                "The student has submitted a newer attempt. ",
                rx.link("Open it", href="/review/" + S.newer_attempt_id.to(str)),
                icon="info",
                color="blue",
            ),
        ),
        _claim_bar(),
        two_columns(
            page_column(
                _submission(),
                rx.cond(
                    S.decided,
                    _result(),
                    rx.cond(S.can_review, _review_form()),
                ),
                min_width="0",
            ),
            page_column(
                _rubric(),
                _hints(),
                _earlier(),
                rx.card(
                    rx.heading("Timeline", size="3", as_="h2"),
                    rx.box(
                        rx.foreach(
                            S.current.events,
                            lambda e: rx.text(
                                rx.text.strong(e.label),
                                rx.cond(e.actor != "", rx.fragment(" by ", e.actor)),
                                " · ",
                                e.at,
                                size="2",
                            ),
                        ),
                        data_testid="review-timeline",
                    ),
                    width="100%",
                ),
                min_width="0",
            ),
            spacing="5",
        ),
    )
    return rx.cond(
        S.loaded,
        rx.cond(
            S.denied != "",
            _denied(),
            rx.cond(
                S.missing != "",
                empty_state(
                    "Submission not found",
                    S.missing,
                    link_button("Back to the review queue", href="/dashboard/mentor"),
                ),
                body,
            ),
        ),
        loading_state(),
    )
