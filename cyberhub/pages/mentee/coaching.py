"""The mentee page's coaching sections: the learner's goals with progress, their habits with
streaks, and the reflections they shared with their mentor (private ones never reach here)."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import wrap_row
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.sections import section_card, table_section
from cyberhub.components.tables import list_or
from cyberhub.components.ui import muted
from cyberhub.pages.mentee.state import GoalRow, HabitRow, MenteeState, ReflectionRow

S = MenteeState


def _goal(g: rx.Var[GoalRow]) -> rx.Component:
    return rx.vstack(
        wrap_row(
            rx.text(g.title, weight="medium"),
            rx.badge(g.status, variant="soft"),
            rx.cond(g.target != "", muted("by ", g.target, size="1")),
        ),
        wrap_row(
            rx.progress(value=g.percent, width="10em", aria_label="Progress of " + g.title),
            muted(g.progress),
        ),
        rx.cond(g.why != "", rx.box(safe_markdown(g.why), font_size="0.9em")),
        spacing="1",
        align="start",
        width="100%",
        data_testid="mentee-goal",
        id="goal-" + g.id.to_string(),  # the coach's links to a goal
    )


def _habit(h: rx.Var[HabitRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(h.title),
        rx.table.cell(rx.text(h.cadence, size="2")),
        rx.table.cell(rx.text(h.current, size="2")),
        rx.table.cell(rx.text(h.longest, size="2")),
        data_testid="mentee-habit",
        id="habit-" + h.id.to_string(),
    )


def _reflection(r: rx.Var[ReflectionRow]) -> rx.Component:
    return rx.vstack(
        rx.cond(r.prompt != "", rx.text(r.prompt, weight="medium", size="2")),
        rx.box(safe_markdown(r.body), width="100%"),
        muted(r.written, rx.cond(r.feeling != "", rx.text.span(" · ", r.feeling)), size="1"),
        spacing="1",
        align="start",
        width="100%",
        data_testid="mentee-reflection",
    )


def coaching_sections() -> rx.Component:
    return rx.fragment(
        section_card(
            "Goals",
            list_or(S.goals, _goal, "No goals set yet."),
            data_testid="mentee-goals",
        ),
        table_section(
            "Habits",
            S.habits,
            ["Habit", "How often", "Current streak", "Longest"],
            _habit,
            "No habits yet.",
            data_testid="mentee-habits",
        ),
        section_card(
            "Reflections shared with you",
            list_or(
                S.reflections,
                _reflection,
                "None shared. Learners choose which reflections their mentor sees.",
                spacing="4",
            ),
            data_testid="mentee-reflections",
        ),
    )
