"""/coaching: the goals column — each goal with its progress bar, and the form to set one."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.labelled import kept_form, labelled, labelled_textarea
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.ui import empty_state, error_callout
from cyberhub.pages.coaching.parts import S
from cyberhub.pages.coaching.parts import hint as _hint
from cyberhub.pages.coaching.parts import native_select as _native_select
from cyberhub.pages.coaching.state import GoalView
from cyberhub.schemas.coaching import GOAL_TITLE_MAX, TEXT_MAX

# -- goals -------------------------------------------------------------------------------------


def _goal(g: rx.Var[GoalView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(g.title, size="3", as_="h3", overflow_wrap="anywhere"),
                rx.badge(g.status, variant="soft"),
                justify="between",
                width="100%",
                align="center",
            ),
            rx.cond(g.why != "", rx.box(safe_markdown(g.why), font_size="0.9em")),
            rx.progress(
                value=g.percent,
                max=100,
                aria_label="Progress of “" + g.title + "”",
                data_testid="goal-progress",
            ),
            rx.text(g.progress, " · ", g.percent, "%", size="2", data_testid="goal-progress-label"),
            rx.cond(g.week != "", _hint(g.week, size="1", data_testid="goal-week")),
            rx.cond(g.links != "", _hint(g.links, size="1")),
            rx.cond(g.target != "", _hint(g.target, size="1")),
            rx.cond(
                g.active,
                rx.hstack(
                    rx.button(
                        "Mark achieved",
                        size="1",
                        variant="soft",
                        color_scheme="green",
                        on_click=S.set_goal_status(g.id, "achieved"),
                    ),
                    rx.button(
                        "Drop",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.set_goal_status(g.id, "dropped"),
                    ),
                    spacing="2",
                ),
                rx.button(
                    "Reopen", size="1", variant="soft", on_click=S.set_goal_status(g.id, "active")
                ),
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        width="100%",
        data_testid="goal",
    )


def _goal_form() -> rx.Component:
    source_fields = rx.match(
        S.new_source,
        (
            "missions",
            labelled(
                "Mission",
                "goal-mission",
                _native_select(
                    "goal-mission",
                    "mission_id",
                    rx.el.option("Choose a mission", value=""),
                    rx.foreach(S.missions, lambda m: rx.el.option(m.title, value=m.id)),
                ),
            ),
        ),
        (
            "habits",
            rx.hstack(
                labelled(
                    "Habit",
                    "goal-habit",
                    _native_select(
                        "goal-habit",
                        "habit_id",
                        rx.el.option("Choose a habit", value=""),
                        rx.foreach(S.habits, lambda h: rx.el.option(h.title, value=h.id)),
                    ),
                ),
                labelled(
                    "Check-ins needed",
                    "goal-habit-target",
                    rx.input(
                        id="goal-habit-target",
                        name="habit_target",
                        type="number",
                        min=1,
                        default_value="10",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
        ),
        labelled(
            "Your progress (%)",
            "goal-percent",
            rx.input(
                id="goal-percent",
                name="manual_percent",
                type="number",
                min=0,
                max=100,
                default_value="0",
            ),
        ),
    )
    return rx.card(
        kept_form(
            rx.heading("Set a goal", size="3", as_="h3"),
            error_callout(S.goal_error),
            labelled(
                "Goal",
                "goal-title",
                rx.input(id="goal-title", name="title", max_length=GOAL_TITLE_MAX, width="100%"),
                width="100%",
            ),
            labelled_textarea(
                "Why it matters (optional)", "goal-why", name="why", rows="2", max_length=TEXT_MAX
            ),
            rx.hstack(
                labelled(
                    "Target date (optional)",
                    "goal-target",
                    rx.input(id="goal-target", name="target_date", type="date"),
                ),
                labelled(
                    "Progress from",
                    "goal-source",
                    _native_select(
                        "goal-source",
                        "progress_source",
                        rx.el.option("My own estimate", value="manual"),
                        rx.el.option("A mission", value="missions"),
                        rx.el.option("A habit's check-ins", value="habits"),
                        value=S.new_source,
                        on_change=S.set_new_source,
                    ),
                ),
                source_fields,
                spacing="3",
                wrap="wrap",
            ),
            rx.button(rx.icon("target", size=16), "Set goal", type="submit"),
            on_submit=S.add_goal,
        ),
        width="100%",
    )


def goals_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Goals", size="5", as_="h2"),
        rx.cond(
            S.goals.length() > 0,
            rx.vstack(rx.foreach(S.goals, _goal), spacing="2", width="100%"),
            empty_state(
                "No goals yet",
                "What do you want to reach — a mission approved, a certificate, a first job? "
                "Link it to a mission or a habit and its progress fills in by itself.",
            ),
        ),
        _goal_form(),
        spacing="3",
        width="100%",
    )
