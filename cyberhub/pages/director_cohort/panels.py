"""The cohort page's panels: the roster with progress and mentor, enrolment by email and by CSV
import, the mentors with their capacity."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import FunctionStringVar

from cyberhub.components.counts import counted
from cyberhub.components.fields import field_label, search_form
from cyberhub.components.labelled import (
    email_field,
    labelled_field,
    labelled_textarea,
    titled_form_card,
)
from cyberhub.components.layout import flow, spread_row
from cyberhub.components.learning import learner_progress
from cyberhub.components.panels import cells_row, keeping_form
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import card_stack, titled_stack
from cyberhub.components.tables import data_table, table_or
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import (
    danger_button,
    empty_state,
    error_callout,
    icon_button,
    muted,
    remove_button,
)
from cyberhub.pages.director_cohort.data import CSV_EXAMPLE, NO_MENTOR, RosterLine
from cyberhub.pages.director_cohort.state import DirectorCohortState
from cyberhub.schemas.director import CohortMentorPublic, CsvRowProblem
from cyberhub.services.learning import enrollment

S = DirectorCohortState


# The browser reads the chosen file; its text lands in the text area for review (one character
# past the limit, so an oversized file gets the import's "too large" message, not a silent cut).
# A function compiled into the page, not rx.call_script: that code would reach the browser as a
# string to eval, which the Content-Security-Policy forbids.
_READ_CSV_FILE: FunctionStringVar[Any] = FunctionStringVar.create(
    "((_value) => { const file = document.getElementById('csv-file').files[0]; "
    "if (file) file.text().then((text) => { document.getElementById('csv-text').value = "
    f"text.slice(0, {enrollment.CSV_MAX_BYTES + 1}); }}); }})"
)


def _mentor_select(r: rx.Var[RosterLine]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            aria_label="Mentor of " + r.name.to(str), placeholder="No mentor", min_width="10em"
        ),
        rx.select.content(
            rx.select.item("No mentor", value=NO_MENTOR, disabled=True),
            rx.foreach(S.mentor_options, lambda o: rx.select.item(o["name"], value=o["id"])),
        ),
        value=r.mentor_value,
        on_change=lambda v: S.assign(r.student_id, v),
        size="2",
    )


def _roster_row(r: rx.Var[RosterLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            two_line(
                rx.link(r.name, href="/mentees/" + r.student_id.to(str)),
                r.email,
            ),
            rx.cond(
                r.overdue > 0,
                rx.badge(
                    r.overdue,
                    " overdue",
                    color_scheme="red",
                    title="Missions past their due date with nothing handed in",
                    data_testid="roster-overdue",
                ),
            ),
        ),
        rx.table.cell(learner_progress(r.progress, r.approved, r.published, r.name.to(str))),
        rx.table.cell(
            rx.cond(
                DirectorCohortState.mentors.length() > 0,
                _mentor_select(r),
                rx.text(rx.cond(r.mentor != "", r.mentor, "—"), size="2"),
            )
        ),
        rx.table.cell(
            danger_button(
                "Withdraw",
                "Withdraw " + r.name.to(str),
                DirectorCohortState.ask_withdraw(r),
                size="2",
            )
        ),
    )


def _roster_search() -> rx.Component:
    """The roster's search box, and what a search found with a way back to everyone."""
    return rx.cond(
        (S.cohort.enrolled > 0) | (S.roster_q != ""),
        flow(
            search_form(
                "Search the roster", "roster-q", "Name or email", S.roster_q, S.search_roster
            ),
            rx.cond(
                S.roster_q != "",
                rx.hstack(
                    muted(
                        counted(S.roster_found, "learner matches", "learners match"),
                        " “",
                        S.roster_q,
                        "”",
                        data_testid="roster-found",
                    ),
                    rx.button(
                        "Show everyone",
                        variant="soft",
                        size="1",
                        on_click=S.clear_roster_search,
                    ),
                    align="center",
                ),
            ),
            align="end",
        ),
    )


def _roster() -> rx.Component:
    return titled_stack(
        "Roster",
        _roster_search(),
        table_or(
            S.roster,
            ["Student", "Progress", "Mentor", "Actions"],
            _roster_row,
            rx.cond(
                S.roster_q != "",
                empty_state("No learner matches", "Search for part of a name or an email."),
                empty_state(
                    "Nobody enrolled yet", "Enrol students one by one or import a CSV file below."
                ),
            ),
            data_testid="roster",
        ),
        pager_if_many(S.roster_page, S.roster_pages, S.go_roster, "the roster"),
    )


def _enroll_form() -> rx.Component:
    return titled_form_card(
        "Enrol a student",
        S.enroll_error,
        flow(
            email_field("Email", "enroll-email", S.enroll_email),
            labelled_field(
                "Full name (for new accounts)",
                "enroll-name",
                name="full_name",
                default_value=S.enroll_name,
                max_length=200,
                min_width="14em",
            ),
        ),
        icon_button("user_plus", "Enrol", type="submit"),
        on_submit=S.enroll,
        intro="An address without an account gets one, and an invitation by email.",
    )


def _import_row(r: rx.Var[CsvRowProblem]) -> rx.Component:
    return cells_row(r.row, rx.code(r.email), r.error)


def _import_form() -> rx.Component:
    return titled_form_card(
        "Import from CSV",
        S.import_error,
        rx.cond(
            S.import_rows.length() > 0,
            data_table(
                ["Row", "Email", "Problem"],
                rx.foreach(S.import_rows, _import_row),
                data_testid="import-errors",
            ),
        ),
        field_label("CSV file (optional)", "csv-file"),
        rx.el.input(
            id="csv-file",
            name="csv_file",
            type="file",
            accept=".csv,text/csv,text/plain",
            on_change=_READ_CSV_FILE,
        ),
        labelled_textarea(
            "CSV text",
            "csv-text",
            name="csv",
            default_value=S.csv_text,
            placeholder=CSV_EXAMPLE,
            rows="8",
            font_family="monospace",
        ),
        icon_button("upload", "Import", type="submit", loading=S.importing),
        on_submit=S.import_csv,
        intro="Columns email,full_name with that header row. All or nothing: if any row "
        "has a problem, nobody is imported and each problem is listed.",
    )


def _mentor_row(m: rx.Var[CohortMentorPublic]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(two_line(m.name, m.email)),
        rx.table.cell(m.mentees, " / ", m.capacity),
        rx.table.cell(m.free),
        rx.table.cell(remove_button(m.name.to(str), DirectorCohortState.ask_remove_mentor(m))),
    )


def _mentors() -> rx.Component:
    return card_stack(
        spread_row(
            rx.heading("Mentors", size="4", as_="h2"),
            icon_button(
                "scale",
                "Balance by load",
                variant="soft",
                on_click=S.set_balance_open(True),
                disabled=(S.mentors.length() == 0) | (S.unassigned == 0),
            ),
            align="start",
        ),
        table_or(
            S.mentors,
            ["Mentor", "Mentees / capacity", "Free places", "Actions"],
            _mentor_row,
            muted("No mentor serves this cohort yet: add one below."),
            data_testid="mentors",
        ),
        rx.text(counted(S.unassigned, "student"), " without a mentor.", size="2"),
        keeping_form(
            rx.vstack(
                rx.heading("Add a mentor", size="3", as_="h3"),
                error_callout(S.mentor_error),
                flow(
                    email_field("Mentor's email", "mentor-email", S.mentor_email),
                    labelled_field(
                        "Capacity (learners)",
                        "mentor-capacity",
                        name="capacity",
                        type="number",
                        min=1,
                        max=200,
                        default_value=S.mentor_capacity,
                        width="8em",
                    ),
                ),
                icon_button("user_plus", "Add mentor", type="submit"),
                spacing="2",
            ),
            on_submit=S.add_mentor,
        ),
    )
