"""The cohort page: its header, the panels, the enrolment panel, the settings and confirmation
dialogs."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.dialogs import action_dialog, form_dialog
from cyberhub.components.labelled import labelled_input
from cyberhub.components.layout import flow, spread_row
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_found, page_column, two_columns
from cyberhub.components.panels import grey_text, icon_link
from cyberhub.components.ui import error_callout, icon_button
from cyberhub.pages.director_cohort.completion import completion_panel
from cyberhub.pages.director_cohort.data import HOME
from cyberhub.pages.director_cohort.enrolment import enrolment_panel
from cyberhub.pages.director_cohort.panels import (
    _enroll_form,
    _import_form,
    _mentors,
    _roster,
)
from cyberhub.pages.director_cohort.schedule import schedule_panel
from cyberhub.pages.director_cohort.sponsors import sponsors_panel
from cyberhub.pages.director_cohort.state import DirectorCohortState

S = DirectorCohortState


def _confirm(
    title: Any, body: Any, action: str, on_confirm: Any, open_: Any, on_open: Any, red: bool = False
) -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title(title),
        rx.alert_dialog.description(body),
        confirm=rx.button(action, color_scheme="red" if red else "teal", on_click=on_confirm),
        is_open=open_,
        on_open_change=on_open,
        margin_top="1em",
    )


def _settings_dialog() -> rx.Component:
    c = S.cohort

    def field(label: str, name: str, **props: Any) -> rx.Component:
        id_ = f"settings-{name}"
        return labelled_input(
            label, id_, name=name, default_value=getattr(c, name).to(str), **props
        )

    return form_dialog(
        rx.alert_dialog.title("Cohort settings"),
        rx.alert_dialog.description(
            "The capacity can't go below the students already enrolled.", size="2"
        ),
        error_callout(S.settings_error),
        field("Name", "name", max_length=200),
        field("Starts on", "starts_on", type="date"),
        field("Ends on", "ends_on", type="date"),
        field("Capacity (seats)", "capacity", type="number", min=1),
        save=rx.button("Save settings", type="submit"),
        on_submit=S.save_settings,
        is_open=S.settings_open,
        on_open_change=S.set_settings_open,
    )


def _header() -> rx.Component:
    c = S.cohort
    return rx.vstack(
        rx.link("← Programme", href=HOME, size="2"),
        spread_row(
            rx.vstack(
                rx.heading(c.name, size="7", as_="h1"),
                grey_text(c.program, " · ", c.dates),
                spacing="1",
                overflow_wrap="anywhere",  # a one-word name breaks (ui.page_heading)
            ),
            rx.hstack(
                icon_link(
                    "chart_column",
                    "Analytics",
                    href="/dashboard/director/analytics?program="
                    + c.program_id.to(str)
                    + "&cohort="
                    + c.id.to(str),
                ),
                icon_link(
                    "download",
                    "Export",
                    variant="soft",
                    href="/exports?cohort=" + S.cohort_id.to_string(),
                ),
                icon_button(
                    "settings", "Settings", variant="soft", on_click=S.set_settings_open(True)
                ),
                spacing="2",
                wrap="wrap",
            ),
            align="start",
        ),
        flow(
            rx.badge(c.status, variant="soft", size="2"),
            rx.badge(c.enrolled, " of ", counted(c.capacity, "seat"), " taken", size="2"),
            rx.badge(c.seats_left, " left", variant="soft", size="2"),
            rx.cond(
                c.director != "",
                rx.badge("Director: ", c.director, variant="outline", size="2"),
            ),
            gap="0.5em",
        ),
        spacing="2",
        width="100%",
    )


def director_cohort_content() -> rx.Component:
    return once_found(
        S.loading,
        "Loading the cohort…",
        S.error,
        "Cohort not available",
        link_button("Back to your programme", href=HOME),
        page_column(
            _header(),
            notice_callout(S.notice, icon="circle_check", full_width=False),
            error_callout(S.action_error),
            _roster(),
            schedule_panel(),
            enrolment_panel(),
            completion_panel(),
            sponsors_panel(),
            two_columns(_enroll_form(), _mentors()),
            _import_form(),
            _confirm(
                rx.text("Withdraw ", S.withdraw_name, "?"),
                "They lose their seat and their mentor here; their submissions are kept.",
                "Withdraw",
                S.withdraw,
                S.withdraw_open,
                S.set_withdraw_open,
                red=True,
            ),
            _confirm(
                rx.text("Remove ", S.removing.name, " from this cohort?"),
                rx.text(
                    "Their ",
                    S.removing.mentees,
                    rx.cond(S.removing.mentees == 1, " mentee becomes", " mentees become"),
                    " unassigned; you can balance mentors again afterwards.",
                ),
                "Remove",
                S.remove_mentor,
                S.remove_open,
                S.set_remove_open,
                red=True,
            ),
            _confirm(
                "Balance mentors by load?",
                rx.text(
                    rx.cond(
                        S.unassigned == 1,
                        "The one student without a mentor goes",
                        "Each of the "
                        + S.unassigned.to_string()
                        + " students without a mentor goes",
                    ),
                    " to the mentor with the fewest mentees who still has room. Existing matches "
                    "stay as they are.",
                ),
                "Balance",
                S.balance,
                S.balance_open,
                S.set_balance_open,
            ),
            _settings_dialog(),
        ),
    )
