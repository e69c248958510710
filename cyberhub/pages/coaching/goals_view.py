"""/coaching: the goals column — each goal with its progress bar, and the form to set one."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.labelled import (
    form_card,
    labelled_field,
    labelled_input,
    labelled_textarea,
)
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.page_kit import icon_button, stack_card
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import heading_row, titled_stack
from cyberhub.components.tables import list_or
from cyberhub.components.ui import empty_state, error_callout, muted
from cyberhub.pages.coaching.parts import S, choice, field_row, number_field, picker
from cyberhub.pages.coaching.rows import GoalView
from cyberhub.schemas.coaching import GOAL_TITLE_MAX, TEXT_MAX

# -- goals -------------------------------------------------------------------------------------


def _status_button(g: rx.Var[GoalView], text: str, status: str, color: str = "") -> rx.Component:
    """A small button that moves the goal `g` to `status` (tinted `color`, if given)."""
    tint = {"color_scheme": color} if color else {}
    return rx.button(
        text, size="1", variant="soft", on_click=S.set_goal_status(g.id, status), **tint
    )


def _goal(g: rx.Var[GoalView]) -> rx.Component:
    return stack_card(
        heading_row(
            rx.heading(g.title, size="3", as_="h3", overflow_wrap="anywhere"),
            rx.badge(g.status, variant="soft"),
        ),
        rx.cond(
            g.overdue != "",
            rx.badge(g.overdue, color_scheme="red", variant="soft", data_testid="goal-overdue"),
        ),
        rx.cond(g.why != "", rx.box(safe_markdown(g.why), font_size="0.9em")),
        rx.progress(
            value=g.percent,
            max=100,
            aria_label="Progress of “" + g.title + "”",
            data_testid="goal-progress",
        ),
        rx.text(g.progress, size="2", data_testid="goal-progress-label"),
        rx.cond(g.week != "", muted(g.week, size="1", data_testid="goal-week")),
        rx.cond(g.links != "", muted(g.links, size="1")),
        rx.cond(
            g.target != "",
            rx.hstack(
                muted(g.target, size="1", data_testid="goal-target-date"),
                rx.button(
                    "Clear",
                    size="1",
                    variant="ghost",
                    aria_label="Clear the target date of “" + g.title + "”",
                    on_click=S.clear_goal_target(g.id),
                ),
                spacing="2",
                align="center",
            ),
        ),
        rx.cond(
            g.active,
            rx.hstack(
                _status_button(g, "Mark achieved", "achieved", "green"),
                _status_button(g, "Drop", "dropped", "gray"),
                spacing="2",
            ),
            _status_button(g, "Reopen", "active"),
        ),
        spacing="2",
        width="100%",
        align="start",
        testid="goal",
        id="goal-" + g.id.to_string(),  # the coach's evidence links (/coaching#goal-3)
    )


def _goal_form() -> rx.Component:
    source_fields = rx.match(
        S.new_source,
        (
            "missions",
            picker(
                "Mission",
                "goal-mission",
                "mission_id",
                "Choose a mission",
                S.missions,
                lambda m: rx.el.option(m.title, value=m.id),
            ),
        ),
        (
            "habits",
            field_row(
                picker(
                    "Habit",
                    "goal-habit",
                    "habit_id",
                    "Choose a habit",
                    S.habits,
                    lambda h: rx.el.option(h.title, value=h.id),
                ),
                number_field("Check-ins needed", "goal-habit-target", "habit_target", "10", 1),
            ),
        ),
        number_field("Your progress (%)", "goal-percent", "manual_percent", "0", 0, 100),
    )
    return form_card(
        rx.heading("Set a goal", size="3", as_="h3"),
        error_callout(S.goal_error),
        labelled_input("Goal", "goal-title", name="title", max_length=GOAL_TITLE_MAX),
        labelled_textarea(
            "Why it matters (optional)", "goal-why", name="why", rows="2", max_length=TEXT_MAX
        ),
        field_row(
            labelled_field(
                "Target date (optional)", "goal-target", name="target_date", type="date"
            ),
            choice(
                "Progress from",
                "goal-source",
                "progress_source",
                [
                    ("My own estimate", "manual"),
                    ("A mission", "missions"),
                    ("A habit's check-ins", "habits"),
                ],
                value=S.new_source,
                on_change=S.set_new_source,
            ),
            source_fields,
        ),
        icon_button("target", "Set goal", type="submit"),
        on_submit=S.add_goal,
    )


def goals_section() -> rx.Component:
    return titled_stack(
        "Goals",
        list_or(
            S.goals,
            _goal,
            empty_state(
                "No goals yet",
                "What do you want to reach — a mission approved, a certificate, a first job? "
                "Link it to a mission or a habit and its progress fills in by itself.",
            ),
            spacing="2",
        ),
        _goal_form(),
        rx.cond(
            S.closed_count != "",
            rx.vstack(
                heading_row(
                    rx.heading("Achieved and dropped", size="3", as_="h3"),
                    muted(S.closed_count, size="2", data_testid="closed-goals-count"),
                ),
                rx.foreach(S.closed_goals, _goal),
                pager_if_many(S.closed_page, S.closed_pages, S.go_to_closed_goals),
                spacing="2",
                width="100%",
                data_testid="closed-goals",
            ),
        ),
        spacing="3",
    )
