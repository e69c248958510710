"""The /coaching page's components: today's check-ins with streaks (this module), goals with
progress bars (goals_view.py), reflections and the week (reflections_view.py). User-written
text (a goal's why, reflections) goes through the safe markdown path."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.labelled import form_card, labelled_field, labelled_input
from cyberhub.components.layout import compact_markdown, flag_confirm, full_column
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import (
    icon_button,
    once_loaded,
    page_column,
    stack_card,
    two_columns,
)
from cyberhub.components.sections import heading_row, titled_stack
from cyberhub.components.tables import list_or
from cyberhub.components.ui import empty_state, error_callout, muted, page_heading
from cyberhub.pages.coaching.coach_view import coach_section
from cyberhub.pages.coaching.goals_view import goals_section
from cyberhub.pages.coaching.parts import S, choice, field_row, number_field, picker
from cyberhub.pages.coaching.reflections_view import reflections_section, week_section
from cyberhub.pages.coaching.rows import CheckinView, DayChoice, HabitView
from cyberhub.schemas.coaching import NOTE_MAX, SKILL_MAX, TITLE_MAX

# -- habits ------------------------------------------------------------------------------------


def _day_button(h: rx.Var[HabitView], d: rx.Var[DayChoice]) -> rx.Component:
    return icon_button(
        "check",
        rx.cond(d.label == "today", "Check in", "Check in for " + d.label),
        icon_size=14,
        size="2",
        variant=rx.cond(d.label == "today", "solid", "soft"),
        # The visible words first, then the habit (axe: label-content-name-mismatch).
        aria_label="Check in for " + d.label + ": " + h.title,
        on_click=S.check_in(h.id, d.value),
    )


def _past_checkin(c: rx.Var[CheckinView]) -> rx.Component:
    return rx.hstack(
        rx.icon("check", size=12, color="green", flex_shrink="0"),
        muted(c.day, size="1", white_space="nowrap"),
        rx.cond(
            c.note != "",
            compact_markdown(c.note, "0", overflow_wrap="anywhere"),
        ),
        spacing="2",
        align="start",
        width="100%",
        data_testid="habit-checkin",
    )


def _history(h: rx.Var[HabitView]) -> rx.Component:
    """The habit's last few check-ins with the notes written with them."""
    return rx.cond(
        h.history.length() > 0,
        full_column(
            muted("Recent check-ins", size="1", weight="medium"),
            rx.foreach(h.history, _past_checkin),
            spacing="1",
        ),
    )


def _habit(h: rx.Var[HabitView]) -> rx.Component:
    return stack_card(
        heading_row(
            rx.heading(h.title, size="3", as_="h3", overflow_wrap="anywhere"),
            rx.cond(h.done, rx.badge("Done", color_scheme="green")),
        ),
        muted(h.cadence + " · " + h.week, size="1"),
        rx.hstack(
            rx.icon("flame", size=16, color=rx.cond(h.current > 0, "orange", "gray")),
            rx.text(h.streak, size="2", data_testid="streak"),
            align="center",
            spacing="1",
        ),
        rx.cond(S.card_error_id == h.id, error_callout(S.card_error)),
        rx.cond(h.reminder != "", muted(h.reminder, size="1")),
        rx.cond(h.link != "", muted(h.link, size="1", data_testid="habit-link")),
        _history(h),
        rx.cond(
            h.days.length() > 0,
            full_column(
                rx.input(
                    id="habit-note-" + h.id.to_string(),
                    placeholder="Note (optional)",
                    aria_label="Note for “" + h.title + "”",
                    max_length=NOTE_MAX,
                    on_blur=lambda v: S.set_note(h.id, v),
                    width="100%",
                ),
                rx.hstack(
                    rx.foreach(h.days, lambda d: _day_button(h, d)), spacing="2", wrap="wrap"
                ),
                spacing="2",
            ),
        ),
        icon_button(
            "archive",
            "Archive",
            icon_size=14,
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label="Archive “" + h.title + "”",
            on_click=S.ask_archive(h.id),
        ),
        spacing="2",
        width="100%",
        align="start",
        testid="habit",
        id="habit-" + h.id.to_string(),  # the coach's evidence links
    )


def _habit_form() -> rx.Component:
    return form_card(
        rx.heading("Start a habit", size="3", as_="h3"),
        error_callout(S.habit_error),
        labelled_input(
            "What will you do?",
            "habit-title",
            name="title",
            max_length=TITLE_MAX,
            placeholder="Read one CTF write-up",
        ),
        field_row(
            choice(
                "How often",
                "habit-cadence",
                "cadence",
                [
                    ("Every day", "daily"),
                    ("Once a week", "weekly"),
                    ("Some days a week", "n_per_week"),
                ],
                value=S.new_cadence,
                on_change=S.set_new_cadence,
            ),
            rx.cond(
                S.new_cadence == "n_per_week",
                number_field("Days a week", "habit-per-week", "per_week", "3", 1, 7),
            ),
            labelled_field(
                "Reminder (optional)", "habit-reminder", name="reminder_time", type="time"
            ),
        ),
        field_row(
            picker(
                "Track (optional)",
                "habit-track",
                "track_key",
                "—",
                S.tracks,
                lambda t: rx.el.option(t.name, value=t.key),
            ),
            labelled_field(
                "Skill (optional)",
                "habit-skill",
                name="skill",
                max_length=SKILL_MAX,
                placeholder="Log analysis",
            ),
        ),
        icon_button("plus", "Start habit", type="submit"),
        on_submit=S.add_habit,
    )


def _habits_section() -> rx.Component:
    return titled_stack(
        "Today's check-ins",
        muted("One click when it's done. Missed a day? You can check in up to two days late."),
        list_or(
            S.habits,
            _habit,
            empty_state(
                "No habits yet",
                "Start with something small you can do most days — 20 minutes in a lab, one "
                "write-up read. Streaks grow from there.",
            ),
            spacing="2",
        ),
        _habit_form(),
        spacing="3",
    )


def _archive_dialog() -> rx.Component:
    return flag_confirm(
        S,
        "archive_open",
        "Archive this habit?",
        "It stops taking check-ins and reminders; its history and streaks stay.",
        confirm="Archive",
        on_confirm=S.archive,
        cancel="Keep it",
    )


def coaching_content() -> rx.Component:
    return page_column(
        page_heading("Coaching", "Your habits, goals and reflections, one week at a time."),
        error_callout(S.error),
        notice_callout(S.notice),
        once_loaded(
            S.loading,
            "Loading your coaching…",
            full_column(
                week_section(),
                coach_section(own=True),
                two_columns(_habits_section(), goals_section(), gap="2em"),
                reflections_section(),
                spacing="5",
            ),
        ),
        _archive_dialog(),
    )
