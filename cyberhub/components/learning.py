"""Widgets shared by the student and mentor screens of the learning core.

They render the attempts shaped by services.submissions.attempt_views(), held in state as
`AttemptRow` (with its `ScoreRow`s and `EventRow`s, cyberhub/schemas/learning.py:
`AttemptRow.model_validate(view)`), their dates already written for people in the reader's time
zone: a status is a SubmissionStatus value, a decision "" / "approved" / "changes_requested",
answer, feedback and a score's comment are markdown ("" when none), file_size reads "1.2 MB".

Files are served by an event handler (the API needs a bearer token, pages use cookies): use
`rx.foreach(S.attempts, attempt_renderer(download=YourState.download_file))` (a handler taking
the submission id and returning rx.download) to get a download button.

Statuses are shown with human labels ("Changes requested", not "changes_requested").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.layout import wrap_row
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.sections import card_stack
from cyberhub.components.ui import icon_button, muted
from cyberhub.schemas.learning import AttemptRow, EventRow, ScoreRow

STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "draft": "Draft",
    "submitted": "Submitted",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "locked": "Locked",
}
STATUS_COLORS: dict[str, str] = {
    "not_started": "gray",
    "draft": "gray",
    "submitted": "blue",
    "in_review": "violet",
    "changes_requested": "orange",
    "approved": "green",
    "locked": "gray",
}
DECISION_LABELS: dict[str, str] = {
    "approved": "Approved",
    "changes_requested": "Changes requested",
}


def status_label(status: rx.Var[str] | rx.Var[Any]) -> rx.Var[str]:
    """The human label of a status value, as a Var (unknown values are shown as they are)."""
    return rx.match(status, *STATUS_LABELS.items(), status.to(str))


def status_badge(status_var: rx.Var[str] | rx.Var[Any], testid: str | None = None) -> rx.Component:
    """A coloured badge with the human label of a submission/work status."""
    props: dict[str, Any] = {"data_testid": testid} if testid else {}
    return rx.badge(
        status_label(status_var),
        color_scheme=rx.match(status_var, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        size="2",
        **props,
    )


def decision_badge(decision: rx.Var[str] | rx.Var[Any]) -> rx.Component:
    return rx.badge(
        rx.match(decision, *DECISION_LABELS.items(), decision.to(str)),
        color_scheme=rx.match(decision, ("approved", "green"), "orange"),
        variant="solid",
        size="2",
    )


def review_score(total: rx.Var[int], max_total: rx.Var[int]) -> rx.Component:
    """A review's total beside its decision: "Score **7 / 10**"."""
    return rx.text("Score ", rx.text.strong(total.to(str), " / ", max_total.to(str)), size="2")


def _score_row(s: rx.Var[ScoreRow]) -> rx.Component:
    comment = s.comment
    return rx.table.row(
        rx.table.cell(
            s.title,
            # The mentor's comment on this criterion, through the one safe renderer.
            rx.cond(
                comment != "",
                rx.box(
                    safe_markdown(comment),
                    font_size="var(--font-size-1)",
                    color=rx.color("gray", 11),
                    class_name="criterion-comment",
                    data_testid="criterion-comment",
                ),
            ),
        ),
        rx.table.cell(s.points.to(str), " / ", s.max.to(str), white_space="nowrap"),
    )


def review_block(a: rx.Var[AttemptRow]) -> rx.Component:
    """The mentor's review of one attempt: decision, total, scores per criterion, feedback."""
    return rx.vstack(
        wrap_row(
            decision_badge(a.decision),
            review_score(a.total, a.max_total),
            # a one-word name breaks (as in ui.page_heading): body text keeps Radix's break-word
            muted("by ", a.mentor, " · ", a.reviewed_at, overflow_wrap="anywhere"),
            spacing="3",
        ),
        rx.cond(
            a.scores.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Criterion"),
                        rx.table.column_header_cell("Score"),
                    )
                ),
                rx.table.body(rx.foreach(a.scores, _score_row)),
                size="1",
                variant="surface",
                width="100%",
            ),
        ),
        rx.cond(
            a.feedback != "",
            rx.box(
                rx.text("Feedback", weight="medium", size="2"),
                safe_markdown(a.feedback),
                width="100%",
                class_name="review-feedback",
            ),
        ),
        spacing="2",
        width="100%",
        align="start",
        data_testid="attempt-review",
    )


def rubric_table(rows: rx.Component, *headers: rx.Component, **table_props: Any) -> rx.Component:
    """A mission's rubric as a table: criterion, what mentors look for, points, then any further
    `headers` (the editor's "Remove"); `rows` is the body's rows (an `rx.foreach`). Scrolls
    sideways on a narrow screen; `table_props` go to the table (e.g. variant)."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Criterion"),
                    rx.table.column_header_cell("What mentors look for"),
                    rx.table.column_header_cell("Points"),
                    *headers,
                )
            ),
            rx.table.body(rows),
            **table_props,
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def _event_item(e: rx.Var[EventRow]) -> rx.Component:
    return rx.el.li(
        wrap_row(
            rx.icon("circle_dot", size=14, color=rx.color("accent", 9)),
            rx.text(rx.text.strong(e.label), size="2"),
            rx.cond(
                e.actor != "",
                muted("by ", e.actor, overflow_wrap="anywhere"),
            ),
            muted(e.at, size="1"),
            spacing="2",
        ),
        data_testid="timeline-event",
        style={"listStyle": "none"},
    )


def timeline(events: rx.Var[list[EventRow]], testid: str = "status-timeline") -> rx.Component:
    """A vertical list of status events (oldest first), or a short note when there are none."""
    return rx.box(
        rx.cond(
            events.length() > 0,
            rx.el.ol(
                rx.foreach(events, _event_item),
                style={"paddingLeft": "0", "margin": "0", "display": "grid", "gap": "0.35em"},
            ),
            muted("Nothing has happened yet."),
        ),
        width="100%",
        data_testid=testid,
    )


def _link_item(url: rx.Var[str]) -> rx.Component:
    return rx.el.li(rx.link(url, href=url, is_external=True, size="2", word_break="break-all"))


def attempt_links(links: rx.Var[list[str]]) -> rx.Component:
    """An attempt's links as a list, each opening in a new tab (long addresses wrap)."""
    return rx.el.ul(rx.foreach(links, _link_item), style={"margin": "0"})


def attempt_answer(answer: rx.Var[str], color: Any = None, **props: Any) -> rx.Component:
    """An attempt's answer (markdown) set off by a bar on its left, `color` (gray by default);
    `props` go to its box (e.g. data_testid)."""
    bar = color if color is not None else rx.color("gray", 6)
    return rx.box(
        safe_markdown(answer),
        width="100%",
        padding="0.5em 0.75em",
        border_left=f"3px solid {bar}",
        class_name="attempt-answer",
        **props,
    )


def attempt_card(
    attempt_var: rx.Var[AttemptRow],
    show_timeline: bool = False,
    download: Callable[[rx.Var[int]], Any] | None = None,
) -> rx.Component:
    """One attempt: number, status, dates, the work (answer, links, file) and the review if any.

    `download(submission_id)` is the event that sends the attempt's file (a download button;
    without it the file name is text); `show_timeline` adds the attempt's own status events.
    rx.foreach accepts at most two parameters: call it from a lambda
    (`lambda a: attempt_card(a, download=...)`) or use attempt_renderer(...).
    """
    return _attempt_card(attempt_var, show_timeline=show_timeline, download=download)


def attempt_renderer(
    *, download: Callable[[rx.Var[int]], Any] | None = None, show_timeline: bool = False
) -> Callable[[rx.Var[AttemptRow]], rx.Component]:
    """An attempt_card renderer for rx.foreach with options: `download(submission_id)` is the
    event that sends the attempt's file (shown as a button; without it the file name is text),
    `show_timeline` adds the attempt's own status events."""

    def render(attempt_var: rx.Var[AttemptRow]) -> rx.Component:
        return _attempt_card(attempt_var, show_timeline=show_timeline, download=download)

    return render


def _attempt_card(
    attempt_var: rx.Var[AttemptRow],
    show_timeline: bool = False,
    download: Callable[[rx.Var[int]], Any] | None = None,
) -> rx.Component:
    a = attempt_var
    links = a.links
    return card_stack(
        wrap_row(
            rx.heading("Attempt ", a.attempt.to(str), size="4", as_="h3"),
            status_badge(a.status),
            rx.cond(
                a.submitted_at != "",
                muted("submitted ", a.submitted_at),
                muted("started ", a.created_at),
            ),
            spacing="3",
        ),
        rx.cond(
            a.answer != "",
            attempt_answer(a.answer),
        ),
        rx.cond(
            links.length() > 0,
            attempt_links(links),
        ),
        rx.cond(
            a.file_name != "",
            rx.hstack(
                rx.icon("paperclip", size=14),
                rx.text(a.file_name, " (", a.file_size, ")", size="2"),
                icon_button(
                    "download",
                    "Download",
                    icon_size=14,
                    size="1",
                    variant="soft",
                    on_click=download(a.id),
                    min_height="24px",
                )
                if download is not None
                else rx.fragment(),
                align="center",
            ),
        ),
        rx.cond(
            a.has_review,
            review_block(a),
            rx.cond(
                (a.status == "submitted") | (a.status == "in_review"),
                muted("Waiting for a mentor's review."),
            ),
        ),
        timeline(a.events, testid="attempt-timeline") if show_timeline else rx.fragment(),
        spacing="2",
        align="start",
        data_testid="attempt",
    )


def learner_progress(percent: Any, approved: Any, published: Any, name: Any) -> rx.Component:
    """A learner's progress in a table cell: a short bar over "40% · 2 of 5 missions" (their
    approved missions among those expected of them, mission_scope.scopes); the bar is named
    after the learner."""
    return rx.vstack(
        rx.progress(value=percent, width="8em", aria_label="Progress of " + name),
        muted(
            percent,
            "% · ",
            approved,
            " of ",
            counted(rx.Var.create(published).to(int), "mission"),
            size="1",
        ),
        spacing="1",
    )
