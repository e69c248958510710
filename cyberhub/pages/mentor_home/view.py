"""The mentor home's view: review queue tabs, workload figures, mentees, cohorts and learners."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.address_sync import address_sync
from cyberhub.components.fields import search_form
from cyberhub.components.learning import decision_badge, learner_progress, status_badge
from cyberhub.components.page_kit import page_column
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import titled_stack
from cyberhub.components.tables import data_table, table_or
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import (
    cohort_status_badge,
    empty_state,
    error_callout,
    loading_state,
    muted,
    page_heading,
    stat_card,
)
from cyberhub.pages.mentor_home.state import (
    BUCKET_LABELS,
    LearnerRow,
    MenteeRow,
    MentorHomeState,
    QueueRow,
)
from cyberhub.schemas.reviews import MentorCohort

S = MentorHomeState


def _row_link(text: str, href: rx.Var[str], **props: Any) -> rx.Component:
    """A row's link to its review page, padded to a comfortable click target."""
    return rx.link(
        text, href=href, weight="medium", display="inline-block", padding="0.3em 0.6em", **props
    )


def _queue_row(r: rx.Var[QueueRow]) -> rx.Component:
    S = MentorHomeState
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r.student, weight="medium"),
                rx.cond(
                    r.assigned,
                    rx.badge("Your mentee", size="1", variant="soft", color_scheme="teal"),
                ),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(rx.text(r.mission, size="2")),
        rx.table.cell(rx.text("Attempt ", r.attempt.to(str), size="2")),
        rx.table.cell(
            rx.vstack(
                rx.text(r.submitted, size="2"),
                muted(
                    rx.match(
                        S.bucket,
                        ("waiting_for_student", rx.fragment("sent back ", r.since, " ago")),
                        ("reviewed", rx.fragment("reviewed ", r.since, " ago")),
                        rx.fragment("waiting ", r.waiting),
                    ),
                    size="1",
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                r.decision.to(str) != "",
                decision_badge(r.decision),
                rx.cond(
                    r.claim.to(str) != "",
                    rx.text(r.claim, size="2"),
                    status_badge(r.status),
                ),
            )
        ),
        rx.table.cell(_row_link("Open", r.link.to(str))),
        data_testid="queue-row",
    )


def _queue_panel() -> rx.Component:
    return rx.cond(
        S.queue.length() > 0,
        rx.vstack(
            data_table(
                ["Learner", "Mission", "Attempt", "Submitted", "Claim / decision", ""],
                rx.foreach(S.queue, _queue_row),
            ),
            pager_if_many(S.page, S.pages, S.go_to),
            width="100%",
            spacing="2",
        ),
        rx.match(
            S.bucket,
            (
                "claimed_by_me",
                empty_state(
                    "Nothing claimed",
                    "Claim a pending submission to reserve it for 24 hours while you review it.",
                ),
            ),
            (
                "waiting_for_student",
                empty_state(
                    "No one to wait for",
                    "Attempts you send back with changes requested stay here until the student "
                    "resubmits.",
                ),
            ),
            (
                "reviewed",
                empty_state("No reviews yet", "The attempts you decide are listed here."),
            ),
            empty_state(
                "Nothing to review",
                "New submissions from your mentees and cohorts appear here.",
            ),
        ),
    )


def _tab(bucket: str) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(BUCKET_LABELS[bucket]),
            rx.badge(S.counts[bucket].to(str), variant="soft", radius="full", size="1"),
            align="center",
            spacing="2",
        ),
        value=bucket,
    )


def _queue_section() -> rx.Component:
    return titled_stack(
        "Review queues",
        rx.tabs.root(
            rx.tabs.list(*[_tab(b) for b in BUCKET_LABELS], wrap="wrap"),
            *[
                rx.tabs.content(
                    rx.box(
                        rx.cond(S.queue_loading, loading_state(), _queue_panel()),
                        padding_top="1em",
                    ),
                    value=b,
                )
                for b in BUCKET_LABELS
            ],
            value=S.bucket,
            on_change=S.select_bucket,
            width="100%",
        ),
        data_testid="review-queue",
    )


def _figure(label: str, value: rx.Var[Any], hint: str = "") -> rx.Component:
    note = muted(hint, size="1") if hint else rx.fragment()
    return stat_card(label, value, note, min_width="9em", flex="1")


def _workload() -> rx.Component:
    w = MentorHomeState.workload
    return titled_stack(
        "Workload",
        rx.flex(
            _figure("Mentees", w.mentees),
            _figure("Pending", w.pending),
            _figure("Claimed by me", w.claimed),
            _figure("Waiting for student", w.waiting_for_student),
            _figure("Reviewed (last 7 days)", w.reviewed_last_7_days, "decided by you"),
            _figure("Median turnaround", w.median, "submission to decision, 30 days"),
            wrap="wrap",
            gap="3",
            width="100%",
        ),
        data_testid="workload",
    )


def _mentee_row(m: rx.Var[MenteeRow]) -> rx.Component:
    percent = m.percent.to(int)
    return rx.table.row(
        rx.table.cell(two_line(rx.link(m.name, href="/mentees/" + m.id.to_string()), m.email)),
        rx.table.cell(rx.text(m.cohort_name, size="2")),
        rx.table.cell(
            learner_progress(percent, m.approved.to(str), m.published.to(str), m.name.to(str))
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(m.last, size="2"),
                rx.cond(
                    m.ago.to(str) != "",
                    muted(m.ago, " ago", size="1"),
                ),
                spacing="0",
            )
        ),
        data_testid="mentee-row",
    )


def _mentees() -> rx.Component:
    return titled_stack(
        "Your mentees",
        table_or(
            S.mentees,
            ["Mentee", "Cohort", "Progress", "Last activity"],
            _mentee_row,
            empty_state(
                "No mentees assigned yet",
                "A programme director assigns mentees to you in a cohort. Until then, work from "
                "the cohorts you serve still reaches your queue.",
            ),
            data_testid="mentees",
        ),
        pager_if_many(S.mentees_page, S.mentees_pages, S.mentees_go_to),
    )


def _cohort_row(c: rx.Var[MentorCohort]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(two_line(c.name, c.program)),
        rx.table.cell(c.dates),
        rx.table.cell(c.capacity),
        rx.table.cell(cohort_status_badge(c.status)),
    )


def _learner_action(x: rx.Var[LearnerRow]) -> rx.Component:
    return rx.match(
        x.action,
        (
            "claim",
            rx.button(
                "Claim and review",
                on_click=MentorHomeState.claim_from_list(x.submission_id),
                size="2",
                aria_label="Claim and review " + x.mission.to(str) + " by " + x.name.to(str),
            ),
        ),
        (
            "continue",
            _row_link(
                "Continue your review",
                x.link.to(str),
                aria_label="Continue your review of " + x.mission.to(str) + " by " + x.name.to(str),
            ),
        ),
        muted("Nothing waiting for you"),
    )


def _learner_row(x: rx.Var[LearnerRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(two_line(x.name, x.email)),
        rx.table.cell(rx.text(x.organization, size="2")),
        rx.table.cell(rx.text(x.joined, size="2")),
        rx.table.cell(
            rx.cond(x.mission.to(str) != "", rx.text(x.mission, size="2"), rx.text("—", size="2"))
        ),
        rx.table.cell(_learner_action(x)),
        data_testid="learner-row",
    )


def _organization() -> rx.Component:
    return titled_stack(
        "Cohorts",
        table_or(
            S.cohorts,
            ["Cohort", "Dates", "Capacity", "Status"],
            _cohort_row,
            empty_state(
                "No cohorts yet", "Your organization has no cohorts yet; a director creates them."
            ),
        ),
        rx.heading("Learners you may be matched with", size="5", as_="h2"),
        rx.cond(
            (S.learners.length() > 0) | (S.learners_query != ""),
            search_form(
                "Search learners by name or e-mail",
                "learners-q",
                "Name or e-mail",
                S.learners_query,
                S.search_learners,
            ),
        ),
        error_callout(S.learners_error),
        rx.cond(
            S.learners.length() > 0,
            rx.vstack(
                muted(
                    S.learners_total,
                    rx.cond(S.learners_total == 1, " learner", " learners"),
                    rx.cond(
                        S.learners_query != "",
                        rx.cond(S.learners_total == 1, " matches", " match"),
                        " in your organizations",
                    ),
                ),
                data_table(
                    ["Learner", "Organization", "Joined", "Waiting for review", "Action"],
                    rx.foreach(S.learners, _learner_row),
                    data_testid="learners",
                ),
                pager_if_many(S.learners_page, S.learners_pages, S.learners_go_to),
                width="100%",
                spacing="2",
            ),
            rx.cond(
                S.learners_query != "",
                empty_state("No learner matches", "Try another name or e-mail."),
                empty_state(
                    "No learners yet", "When students join your organization they appear here."
                ),
            ),
        ),
        spacing="4",
    )


def mentor_home_content() -> rx.Component:
    return page_column(
        page_heading(
            "Mentoring",
            rx.cond(
                S.organizations.length() > 0,
                "You mentor in " + S.organizations.join(", ") + ".",
                "Your mentor home.",
            ),
        ),
        error_callout(S.error),
        # the queue's tab and page in the address bar (state: url_query.AddressedList)
        address_sync(S),
        rx.cond(
            S.loaded,
            rx.vstack(
                _queue_section(),
                _workload(),
                _mentees(),
                _organization(),
                spacing="6",
                width="100%",
            ),
            loading_state(),
        ),
    )
