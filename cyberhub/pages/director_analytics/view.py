"""The analytics page: filters, the at-risk learners with their actions, then every block."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.dialogs import fields_dialog, form_dialog
from cyberhub.components.labelled import (
    labelled,
    labelled_select,
    labelled_select_of,
    labelled_textarea,
)
from cyberhub.components.layout import flow
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_listed, page_column
from cyberhub.components.panels import filter_bar, keeping_form, named_row
from cyberhub.components.sections import section_card
from cyberhub.components.tables import table_or
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import empty_state, error_callout, icon_button, muted, page_heading
from cyberhub.formatting import plural
from cyberhub.pages.director_analytics.blocks import (
    approvals_block,
    funnel_block,
    load_block,
    reviews_block,
    weekly_block,
)
from cyberhub.pages.director_analytics.data import ALL, HOME, RiskRow
from cyberhub.pages.director_analytics.roster import roster_block
from cyberhub.pages.director_analytics.state import DirectorAnalyticsState as S
from cyberhub.services.learning.analytics import AT_RISK_LIMIT


def _narrowing(
    label: str, id_: str, every: str, options: Any, key: str, value: Any, on_change: Any
) -> rx.Component:
    """A filter's select: `every` (no narrowing) first, then each of `options` by its name, the
    option's `key` its value."""
    return labelled_select_of(
        label,
        id_,
        rx.select.item(every, value=ALL),
        rx.foreach(options, lambda o: rx.select.item(o["name"], value=o[key])),
        value=value,
        on_change=on_change,
    )


def _filters() -> rx.Component:
    return filter_bar(
        labelled_select("Programme", "an-program", S.program_options, S.program, S.set_program),
        _narrowing(
            "Cohort", "an-cohort", "All cohorts", S.cohort_options, "id", S.cohort, S.set_cohort
        ),
        _narrowing("Track", "an-track", "All tracks", S.track_options, "key", S.track, S.set_track),
        keeping_form(
            filter_bar(
                labelled(
                    "From",
                    "an-from",
                    rx.input(id="an-from", name="from", type="date", default_value=S.date_from),
                ),
                labelled(
                    "To",
                    "an-to",
                    rx.input(id="an-to", name="to", type="date", default_value=S.date_to),
                ),
                rx.button("Apply dates", type="submit"),
            ),
            on_submit=S.apply_dates,
        ),
        rx.button("Clear filters", variant="soft", on_click=S.clear),
        margin_bottom="1em",
    )


def _risk_row(r: rx.Var[RiskRow]) -> rx.Component:
    return named_row(
        two_line(r.name, r.email),
        rx.link(r.cohort, href="/director/cohorts/" + r.cohort_id.to(str)),
        rx.unordered_list(rx.foreach(r.reasons, lambda x: rx.list_item(x)), margin_bottom="0"),
        r.last_activity,
        r.mentor,
        flow(
            rx.cond(
                r.nudged_today,
                rx.badge("Nudged today", color_scheme="green", variant="soft"),
                icon_button(
                    "bell_ring",
                    "Nudge",
                    size="1",
                    aria_label="Nudge " + r.name,
                    on_click=S.open_nudge(r.to(dict)),
                    icon_size=14,
                ),
            ),
            icon_button(
                "user_cog",
                "Mentor",
                size="1",
                variant="soft",
                aria_label="Assign or change the mentor of " + r.name,
                on_click=S.open_mentor(r.to(dict)),
                icon_size=14,
            ),
            gap="0.5em",
        ),
    )


def _at_risk() -> rx.Component:
    return section_card(
        "At-risk learners",
        muted(
            "Active learners with no activity for a while, changes requested and not "
            "resubmitted, or a low-confidence profiler result and nothing approved yet."
        ),
        rx.cond(
            S.at_risk.length() >= AT_RISK_LIMIT,
            muted(
                f"Only the first {plural(AT_RISK_LIMIT, 'learner')} (most reasons first) are "
                "listed: choose a cohort or a track above to see the others.",
                data_testid="at-risk-limit",
            ),
        ),
        table_or(
            S.at_risk,
            ["Learner", "Cohort", "Why", "Last activity", "Mentor", ""],
            _risk_row,
            rx.text("No learner is at risk. ", color_scheme="green"),
            size="1",
            label="At-risk learners",
            data_testid="at-risk-table",
        ),
        data_testid="at-risk",
    )


def _nudge_dialog() -> rx.Component:
    t = S.nudge_target
    return form_dialog(
        rx.alert_dialog.title("Nudge ", t["name"].to(str)),
        rx.alert_dialog.description(
            "They get a notification and an e-mail with your message (once a day at most).",
            size="2",
        ),
        error_callout(S.nudge_error),
        labelled_textarea(
            "Message",
            "an-nudge-message",
            name="message",
            default_value=S.nudge_message,
            max_length=1000,
            rows="5",
            auto_focus=True,
        ),
        save=rx.button("Send nudge", type="submit"),
        on_submit=S.send_nudge,
        is_open=S.nudge_open,
        on_open_change=S.set_nudge_open,
    )


def _mentor_dialog() -> rx.Component:
    t = S.mentor_target
    return fields_dialog(
        rx.alert_dialog.title("Mentor for ", t["name"].to(str)),
        rx.alert_dialog.description(
            "Mentors serving ", t["cohort"].to(str), " (mentees of capacity).", size="2"
        ),
        error_callout(S.mentor_error),
        rx.cond(
            S.mentor_options.length() > 0,
            labelled_select(
                "Mentor",
                "an-mentor",
                S.mentor_options,
                S.mentor_choice,
                S.set_mentor_choice,
                placeholder="Choose a mentor",
                full_width=True,
            ),
            rx.cond(
                S.mentor_error == "",
                rx.text(
                    "No mentor serves this cohort yet: add one on ",
                    rx.link(
                        "the cohort's page",
                        href="/director/cohorts/" + t["cohort_id"].to(str),
                    ),
                    ".",
                    size="2",
                    data_testid="no-cohort-mentor",
                ),
            ),
        ),
        confirm=rx.cond(
            S.mentor_options.length() > 0,
            rx.button("Assign", on_click=S.assign_mentor),
            rx.fragment(),
        ),
        is_open=S.mentor_open,
        on_open_change=S.set_mentor_open,
    )


def director_analytics_content() -> rx.Component:
    return rx.vstack(
        rx.link("← Programme", href=HOME, size="2"),
        page_heading("Analytics", "How your programme's learners are doing, and who needs help."),
        _filters(),
        rx.cond(
            S.as_of != "",
            muted(
                "Whole-programme figures as of ",
                S.as_of,
                " (refreshed every few minutes; choose a cohort for live figures).",
            ),
        ),
        notice_callout(S.notice),
        error_callout(S.error),
        once_listed(
            S.loading,
            S.funnel,
            "Loading the analytics…",
            rx.cond(
                S.program_options.length() == 0,
                rx.cond(
                    S.error == "",
                    empty_state(
                        "No programme yet",
                        "Create a programme and enrol learners to see its analytics.",
                        link_button("Go to your programme", href=HOME),
                    ),
                ),
                rx.cond(
                    S.has_learners,
                    page_column(
                        _at_risk(),
                        funnel_block(),
                        weekly_block(),
                        approvals_block(),
                        reviews_block(),
                        load_block(),
                        roster_block(),
                    ),
                    rx.cond(
                        S.error == "",  # else the refusal above says why nothing is shown
                        empty_state(
                            "No learners here yet",
                            "Nobody is enrolled in what these filters select: enrol learners in "
                            "a cohort, or clear the filters.",
                        ),
                    ),
                ),
            ),
        ),
        _nudge_dialog(),
        _mentor_dialog(),
        spacing="3",
        width="100%",
    )
