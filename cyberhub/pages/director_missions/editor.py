"""The mission editor: fields, brief with its markdown preview, rubric rows, hints, prerequisites
and NICE work roles."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.labelled import form_card, labelled, labelled_select
from cyberhub.components.layout import wide_callout
from cyberhub.components.learning import rubric_table
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.page_kit import two_columns
from cyberhub.components.panels import cells_row, field_grid, grey_text, kept_input
from cyberhub.components.ui import alert_callout, error_callout, icon_button, muted
from cyberhub.formatting import DIFFICULTY_NAMES, difficulty_label
from cyberhub.pages.director_missions.data import CHECKED_FIELDS
from cyberhub.pages.director_missions.listing import _editor_actions, _status_badge
from cyberhub.pages.director_missions.state import DirectorMissionsState

S = DirectorMissionsState


def _input(label: str, name: str, **props: Any) -> rx.Component:
    """A form field; a checked one (data.CHECKED_FIELDS) shows its message under it, tied to
    the input (aria-invalid, aria-describedby) until the field is fixed."""
    if name not in CHECKED_FIELDS:
        return kept_input(label, "mission", name, S.form, S.set_field, **props)
    wrong = S.field_errors.contains(name)
    error_id = f"mission-{name}-error"
    return rx.vstack(
        kept_input(
            label,
            "mission",
            name,
            S.form,
            S.set_field,
            aria_invalid=rx.cond(wrong, "true", "false"),
            aria_describedby=rx.cond(wrong, error_id, None),
            color_scheme=rx.cond(wrong, "red", "gray"),
            **props,
        ),
        rx.cond(
            wrong,
            rx.text(S.field_errors[name], id=error_id, color_scheme="red", size="2"),
        ),
        spacing="1",
        width="100%",
    )


def _choice(label: str, id_: str, options: Any, value: Any, on_change: Any) -> rx.Component:
    return labelled_select(label, id_, options, value, on_change, full_width=True)


BRIEF_DEBOUNCE_MS = 200
# Radix's panels (cards, tables) are translucent by default: they blur what lies behind them
# (backdrop-filter: blur(64px)). A key typed anywhere in such a panel damages it, and the
# compositor blurs the whole panel again before it can show the key: ~40 ms a frame for this
# 1100 x 1400 px card when Chromium composites in software (no GPU), which made typing here 4x
# slower than in the list's search box (bench/brief_preview.py). The editor's panels (its
# card, the preview, the rubric table) are solid instead; they look the same on the plain page.
SOLID_PANELS = {"--color-panel": "var(--color-panel-solid)", "--backdrop-filter-panel": "none"}
# a fieldset that only groups (and disables) the editor's fields: no border or inset of its own
FIELDSET = {"border": "none", "padding": "0", "margin": "0", "min_width": "0", "width": "100%"}
LEVELS = [{"id": str(n), "name": difficulty_label(n)} for n in DIFFICULTY_NAMES]


def _trash(on_click: Any, label: rx.Var[str]) -> rx.Component:
    """A row's remove button (a form button that doesn't submit)."""
    return rx.icon_button(
        rx.icon("trash_2", size=16),
        variant="ghost",
        color_scheme="red",
        on_click=on_click,
        aria_label=label,
        type="button",
    )


def _rubric_row(row: rx.Var[dict[str, str]], i: rx.Var[int]) -> rx.Component:
    n = (i + 1).to(str)

    def part(key: str, **props: Any) -> rx.Component:
        """The criterion's `key` (title, description, points) as an input of its own."""
        return rx.input(
            value=row[key],
            on_change=lambda v: S.set_rubric(i, key, v),
            aria_label="Criterion " + n + f" {key}",
            **props,
        )

    return cells_row(
        part("title", max_length=120),
        part("description", max_length=1000, width="100%"),
        part("points", type="number", min=1, max=1000, width="6em"),
        _trash(S.remove_rubric_row(i), "Remove criterion " + n),
    )


def _hint_row(hint: rx.Var[str], i: rx.Var[int]) -> rx.Component:
    n = (i + 1).to(str)
    return rx.hstack(
        rx.text_area(
            value=hint,
            on_change=lambda v: S.set_hint(i, v),
            aria_label="Hint " + n,
            max_length=1000,
            rows="2",
            width="100%",
        ),
        _trash(S.remove_hint(i), "Remove hint " + n),
        width="100%",
        align="start",
    )


def _checks(legend: str, options: Any, on_toggle: Any, empty: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, font_weight="500", margin_bottom="0.25em"),
        rx.cond(
            options.length() > 0,
            rx.flex(
                rx.foreach(
                    options,
                    lambda o: rx.checkbox(
                        o["label"],
                        checked=o["checked"].to(bool),
                        on_change=lambda v: on_toggle(o["id"], v),
                    ),
                ),
                direction="column",
                gap="0.4em",
                max_height="12em",
                overflow_y="auto",
            ),
            muted(empty),
        ),
        border="none",
        padding="0",
        width="100%",
    )


def _editor() -> rx.Component:
    f = S.form
    return form_card(
        rx.hstack(
            rx.heading(
                rx.cond(
                    S.editing_id > 0,
                    rx.cond(S.editing_editable, "Edit mission", "Library mission"),
                    "New mission",
                ),
                size="5",
                as_="h2",
            ),
            rx.cond(S.editing_id > 0, _status_badge(S.editing_status)),
            align="center",
            spacing="3",
        ),
        error_callout(S.editor_error),
        rx.cond(
            ~S.editing_editable,
            wide_callout(
                "This is a CyberHub library mission your programme runs: you can read it here, "
                "and only an admin can edit, publish or archive it.",
                icon="lock",
                testid="library-read-only",
            ),
        ),
        rx.cond(
            S.field_errors.length() > 0,
            alert_callout("Fix the fields marked below to save the mission."),
        ),
        # A library mission a director opened: every field shown, none editable.
        rx.el.fieldset(
            rx.vstack(
                field_grid(
                    rx.cond(
                        S.programs.length() > 1,
                        _choice(
                            "Programme",
                            "mission-program",
                            S.programs.to(list[dict[str, Any]]),
                            f["program"],
                            S.set_program,
                        ),
                    ),
                    _choice("Track", "mission-track", S.track_options, f["track"], S.set_track),
                    _choice(
                        "Difficulty",
                        "mission-difficulty",
                        LEVELS,
                        f["difficulty"],
                        lambda v: S.set_field("difficulty", v),
                    ),
                    _input("Estimated minutes", "minutes", type="number", min=1, max=6000),
                    sm="2",
                    md="4",
                ),
                _input("Title", "title", max_length=200),
                _input("Summary", "summary", max_length=400),
                _input("Skills (comma-separated)", "skills", max_length=1000),
                two_columns(
                    labelled(
                        "Brief (markdown)",
                        "mission-brief",
                        rx.text_area(
                            id="mission-brief",
                            name="brief",
                            value=S.brief,
                            on_change=S.set_brief,
                            # One update a pause, not a server round trip a keystroke; the
                            # brief is a var of its own, so an update redraws only the box and
                            # the preview (rendered in the browser; bench/brief_preview.py).
                            debounce_timeout=BRIEF_DEBOUNCE_MS,
                            rows="16",
                            width="100%",
                            min_height="28em",
                            font_family="monospace",
                            max_length=50_000,
                        ),
                        width="100%",
                    ),
                    rx.vstack(
                        rx.text("Preview", font_weight="500", id="brief-preview-label"),
                        rx.card(
                            rx.cond(
                                S.brief != "",
                                safe_markdown(S.brief),
                                grey_text("The brief appears here as students will see it."),
                            ),
                            width="100%",
                            min_height="20em",
                            max_height="32em",
                            overflow_y="auto",
                            class_name="mission-brief",
                            data_testid="brief-preview",
                            aria_labelledby="brief-preview-label",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.heading("Rubric", size="4", as_="h3"),
                rubric_table(
                    rx.foreach(S.rubric, _rubric_row),
                    rx.table.column_header_cell(rx.el.span("Remove")),
                ),
                rx.hstack(
                    icon_button(
                        "plus",
                        "Add criterion",
                        variant="soft",
                        type="button",
                        on_click=S.add_rubric_row,
                        icon_size=14,
                    ),
                    rx.text("Total: ", counted(S.rubric_total, "point"), size="2"),
                    align="center",
                    spacing="3",
                ),
                rx.heading("Hints", size="4", as_="h3"),
                rx.foreach(S.hints, _hint_row),
                icon_button(
                    "plus",
                    "Add hint",
                    variant="soft",
                    type="button",
                    on_click=S.add_hint,
                    icon_size=14,
                ),
                two_columns(
                    _checks(
                        "Prerequisites",
                        S.prereq_options,
                        S.toggle_prereq,
                        "No other mission in this programme yet.",
                    ),
                    _checks(
                        "NICE work roles",
                        S.nice_options,
                        S.toggle_nice,
                        "Choose a track first.",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            disabled=~S.editing_editable,
            style=FIELDSET,
        ),
        rx.hstack(
            rx.cond(
                S.editing_editable,
                rx.fragment(
                    icon_button("save", "Save mission", type="submit", loading=S.saving),
                    rx.cond(S.editing_id > 0, _editor_actions()),
                ),
            ),
            rx.button(
                rx.cond(S.editing_editable, "Cancel", "Close"),
                variant="ghost",
                type="button",
                on_click=S.close_editor,
            ),
            spacing="3",
            wrap="wrap",
        ),
        on_submit=S.save,
        spacing="3",
        id="editor",
        style=SOLID_PANELS,
    )
