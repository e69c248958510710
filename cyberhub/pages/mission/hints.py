"""The mission page's Hints section."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import full_column, wide_callout, wrap_row
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.ui import error_callout, muted
from cyberhub.pages.mission.state import MissionState


def _hint(text: rx.Var[str]) -> rx.Component:
    """One hint: markdown (code, emphasis) rendered through the one safe renderer."""
    return wide_callout(
        safe_markdown(text, class_name="hint-text"),
        icon="lightbulb",
        color_scheme="amber",
        data_testid="hint",
    )


def hints_section() -> rx.Component:
    """The mission page's Hints: a learner's revealed hints and the button for the next (only
    when the reveal would work), or every hint for staff."""
    S = MissionState
    return full_column(
        rx.heading("Hints", size="5", as_="h2"),
        rx.cond(
            S.is_student,
            full_column(
                rx.foreach(S.revealed, lambda h: _hint(h.hint)),
                error_callout(S.hint_error),
                rx.cond(
                    S.hints_left > 0,
                    rx.cond(
                        # a hint counts as used towards the work, which waits for the unlock
                        S.missing.length() > 0,
                        muted("Hints open once the mission is unlocked."),
                        rx.cond(
                            S.mission.retired,
                            muted("This mission takes no new work, so no more hints."),
                            rx.cond(
                                # the reveal's own rule (WorkStatus.can_reveal_hints)
                                S.work.can_reveal_hints,
                                wrap_row(
                                    rx.button(
                                        rx.icon("lightbulb"),
                                        "Reveal a hint",
                                        variant="soft",
                                        on_click=S.reveal_hint(S.revealed.length()),
                                    ),
                                    muted(
                                        S.hints_left,
                                        " of ",
                                        S.hints_total,
                                        " left · your mentor sees how many you used",
                                    ),
                                ),
                                muted(
                                    "Hints open once you are enrolled in a programme that runs "
                                    "this mission."
                                ),
                            ),
                        ),
                    ),
                    muted(
                        rx.cond(S.hints_total > 0, "No more hints.", "This mission has no hints.")
                    ),
                ),
                align="start",
            ),
            full_column(
                rx.foreach(S.staff_hints, _hint),
                rx.cond(
                    S.hints_total == 0,
                    muted("This mission has no hints."),
                ),
                align="start",
            ),
        ),
        align="start",
    )
