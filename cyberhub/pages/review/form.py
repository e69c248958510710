"""Claim / release and the scoring form with its confirmation: a score box beside each criterion
(its text and maximum) with an optional comment, the running total, the feedback and its
snippets."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.dialogs import action_dialog
from cyberhub.components.layout import wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.panels import keeping_form
from cyberhub.components.sections import titled_stack
from cyberhub.components.ui import error_callout, icon_button, muted, thin_rule
from cyberhub.pages.review.snippets import snippets_panel
from cyberhub.pages.review.state import CriterionRow, ReviewState
from cyberhub.pages.review.work import _callout, _label
from cyberhub.services.learning import reviews

S = ReviewState


def _score_field(c: rx.Var[CriterionRow]) -> rx.Component:
    key = c.key
    field_id, comment_id = "score-" + key, "comment-" + key
    return rx.box(
        rx.flex(
            rx.vstack(
                _label(c.title, field_id, " (max ", c.points.to(str), ")"),
                muted(c.description, size="1"),
                spacing="1",
                flex="1",
                min_width="12em",
            ),
            rx.hstack(
                rx.input(
                    id=field_id,
                    name=field_id,
                    type="number",
                    min=0,
                    max=c.points,
                    step=1,
                    default_value=c.typed,
                    input_mode="numeric",
                    width="6em",
                    on_change=lambda value: ReviewState.type_score(key, value),
                ),
                muted("/ ", c.points.to(str)),
                align="center",
                spacing="2",
            ),
            spacing="3",
            align="start",
            wrap="wrap",
            width="100%",
        ),
        rx.el.label(
            rx.text("Comment on ", c.title, " (optional)", size="1"),
            html_for=comment_id,
        ),
        rx.text_area(
            id=comment_id,
            name=comment_id,
            value=ReviewState.typed_comments[key].to(str),
            on_change=lambda value: ReviewState.type_comment(key, value),
            rows="2",
            width="100%",
            max_length=reviews.COMMENT_MAX,
            placeholder="Shown to the learner beside this score (markdown).",
        ),
        width="100%",
        padding_bottom="0.75em",
        border_bottom=thin_rule(5),
        data_testid="criterion-score",
        # A rubric read again (edited meanwhile) may put another criterion at this place, and
        # the next submission in the queue has the same criteria: its own box then, not the
        # score typed here for the one before (the input keeps what was typed rather than
        # following the state).
        key=ReviewState.submission_id.to_string() + ":" + key,
    )


def _running_total() -> rx.Component:
    return rx.text(
        "Total ",
        rx.text.strong(S.total_so_far, " / ", S.max_total),
        rx.cond(
            S.scored_count < S.rubric.length(),
            rx.fragment(
                " · ",
                S.scored_count,
                " of ",
                counted(S.rubric.length(), "criterion", "criteria"),
                " scored",
            ),
        ),
        size="3",
        role="status",
        aria_live="polite",
        data_testid="running-total",
    )


def _confirm_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title(S.decision_words, "?"),
        rx.alert_dialog.description(
            "Attempt ",
            S.attempt,
            " by ",
            S.student,
            ": ",
            rx.cond(S.decision == "approved", "approved", "changes requested"),
            rx.cond(S.max_total > 0, rx.fragment(", score ", S.pending_total, " / ", S.max_total)),
            ". The student is told in the app and by e-mail; a review can't be changed.",
            size="2",
        ),
        confirm=rx.button(
            "Send review",
            color_scheme=rx.cond(S.decision == "approved", "green", "orange"),
            on_click=S.send,
            disabled=S.busy,
        ),
        is_open=S.confirm_open,
        on_open_change=S.set_confirm_open,
        in_form=True,
        margin_top="1em",
        spacing="3",
    )


def _decision_button(text: str, decision: str, color: str, **props: Any) -> rx.Component:
    """A button that submits the review form as `decision` (checked, then confirmed)."""
    return rx.button(
        text,
        type="submit",
        color_scheme=color,
        disabled=S.busy,
        on_click=S.choose(decision),
        **props,
    )


def _review_form() -> rx.Component:
    return rx.card(
        keeping_form(
            titled_stack(
                "Your review",
                rx.cond(
                    S.claim_expired,
                    _callout(
                        "Your claim expired at ",
                        S.claim_expires_at,
                        ". You can still send this review until another mentor claims the "
                        "submission; claim it again to be sure.",
                        icon="clock",
                        color="amber",
                        data_testid="claim-expired",
                    ),
                ),
                error_callout(S.form_error),
                rx.foreach(S.rubric, _score_field),
                rx.cond(S.rubric.length() > 0, _running_total()),
                _label("Feedback", "feedback"),
                rx.text_area(
                    id="feedback",
                    name="feedback",
                    value=S.feedback,
                    on_change=S.set_feedback,
                    rows="8",
                    width="100%",
                    max_length=reviews.FEEDBACK_MAX,
                    placeholder="What is good, what to change and why (markdown).",
                ),
                muted("Markdown is supported. Feedback is required to request changes.", size="1"),
                snippets_panel(),
                rx.hstack(
                    _decision_button(
                        "Request changes", "changes_requested", "orange", variant="soft"
                    ),
                    _decision_button("Approve", "approved", "green"),
                    spacing="3",
                    wrap="wrap",
                ),
                size="4",
                spacing="3",
                align="start",
            ),
            on_submit=S.check,
            # The service's check says what is wrong with a score, not the browser's tooltip.
            no_validate=True,
            width="100%",
        ),
        _confirm_dialog(),
        width="100%",
        data_testid="review-form",
    )


def _claim_bar() -> rx.Component:
    return rx.vstack(
        error_callout(S.action_error),
        notice_callout(S.notice),
        rx.cond(
            S.decided,
            rx.fragment(),
            rx.cond(
                S.claimed_by_me,
                wrap_row(
                    rx.text(
                        "You are reviewing this submission until ",
                        S.claim_expires_at,
                        ".",
                        size="2",
                    ),
                    rx.cond(
                        S.can_claim,
                        rx.button(
                            "Claim again",
                            on_click=S.claim,
                            disabled=S.busy,
                            data_testid="claim-button",
                        ),
                    ),
                    rx.button("Release", variant="soft", on_click=S.release, disabled=S.busy),
                    spacing="3",
                ),
                rx.cond(
                    S.holder != "",
                    _callout(
                        rx.cond(
                            S.claim_expired,
                            rx.fragment(
                                S.holder,
                                "'s claim expired at ",
                                S.claim_expires_at,
                                ": you may take the submission over.",
                            ),
                            rx.fragment(
                                S.holder,
                                " is reviewing this submission (claimed until ",
                                S.claim_expires_at,
                                ").",
                            ),
                        ),
                        icon="lock",
                        color="amber",
                        data_testid="claimed-by-other",
                    ),
                ),
            ),
        ),
        rx.cond(
            S.can_claim & ~S.claimed_by_me,
            wrap_row(
                icon_button(
                    "hand", "Claim", on_click=S.claim, disabled=S.busy, data_testid="claim-button"
                ),
                muted("Claiming reserves it for you for 24 hours, so no one else reviews it."),
                spacing="3",
            ),
        ),
        rx.cond(
            S.claim_refusal != "",
            _callout(S.claim_refusal, icon="info", color="gray", data_testid="claim-refused"),
        ),
        spacing="2",
        width="100%",
    )
