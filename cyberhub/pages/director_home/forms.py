"""The new cohort and new programme forms, and the edit / remove dialogs."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.dialogs import fields_dialog, form_dialog
from cyberhub.components.labelled import (
    labelled_input,
    labelled_select,
    labelled_textarea,
    titled_form_card,
)
from cyberhub.components.panels import field_grid
from cyberhub.components.ui import error_callout, icon_button, muted
from cyberhub.pages.director_home.state import NICE_PREFIX, DirectorHomeState

S = DirectorHomeState


def _field(label: str, id_: str, name: str, value: Any, **props: Any) -> rx.Component:
    return labelled_input(label, id_, name=name, default_value=value, **props)


def _description(label: str, id_: str, value: Any, **props: Any) -> rx.Component:
    """A programme's (or its track's) description: up to 5,000 characters, `value` to start."""
    return labelled_textarea(
        label, id_, name="description", default_value=value, max_length=5000, **props
    )


def _select(
    id_: str, label: str, options: Any, value: Any, on_change: Any, placeholder: str
) -> rx.Component:
    return labelled_select(label, id_, options, value, on_change, placeholder=placeholder)


def _cohort_form() -> rx.Component:
    f = S.cohort_form
    return titled_form_card(
        "New cohort",
        S.cohort_error,
        _select(
            "cohort-program",
            "Programme",
            S.program_options,
            S.cohort_program,
            S.set_cohort_program,
            "Choose a programme",
        ),
        field_grid(
            _field("Name", "cohort-name", "name", f["name"], max_length=200),
            _field("Starts on", "cohort-starts_on", "starts_on", f["starts_on"], type="date"),
            _field("Ends on", "cohort-ends_on", "ends_on", f["ends_on"], type="date"),
            _field(
                "Capacity (seats)",
                "cohort-capacity",
                "capacity",
                f["capacity"],
                type="number",
                min=1,
                max=10000,
            ),
            sm="2",
            md="4",
        ),
        icon_button("plus", "Create cohort", type="submit"),
        on_submit=S.create_cohort,
        spacing="3",
    )


def _program_form() -> rx.Component:
    return titled_form_card(
        "New programme",
        S.program_error,
        rx.cond(
            S.org_options.length() > 1,
            _select(
                "program-org",
                "Organization",
                S.org_options,
                S.program_org,
                S.set_program_org,
                "Choose an organization",
            ),
        ),
        _field("Name", "program-name", "name", S.program_form["name"], max_length=200),
        _description("Description", "program-description", S.program_form["description"]),
        icon_button("plus", "Create programme", type="submit"),
        on_submit=S.create_program,
        intro="It starts with the five career tracks and their standard texts.",
    )


def _form_dialog(
    title: rx.Component,
    description: rx.Component,
    fields: list[rx.Component],
    save: str,
    on_submit: Any,
    open_: Any,
    on_open_change: Any,
) -> rx.Component:
    """An edit dialog: its fields (the first is usually the error callout) and Cancel / `save`."""
    return form_dialog(
        title,
        description,
        *fields,
        save=rx.button(save, type="submit"),
        on_submit=on_submit,
        is_open=open_,
        on_open_change=on_open_change,
    )


def _program_dialog() -> rx.Component:
    return _form_dialog(
        rx.alert_dialog.title("Edit programme"),
        rx.alert_dialog.description("Learners see the name and description.", size="2"),
        [
            error_callout(S.edit_program_error),
            _field("Name", "edit-program-name", "name", S.edit_program["name"], max_length=200),
            _description(
                "Description", "edit-program-description", S.edit_program["description"], rows="5"
            ),
        ],
        "Save programme",
        S.save_program,
        S.edit_program_open,
        S.set_edit_program_open,
    )


def _track_dialog() -> rx.Component:
    t = S.edit_track
    return _form_dialog(
        rx.alert_dialog.title("Edit the ", t["name"], " track"),
        rx.alert_dialog.description(
            "NICE work roles: ", rx.cond(t["nice"] != "", t["nice"], "none"), size="2"
        ),
        [
            error_callout(S.edit_track_error),
            muted(
                t["tagline"],
                " Careers: ",
                t["careers"],
                ". The track's name, tagline and careers are shared by every "
                "programme (an admin edits them).",
            ),
            _description(
                "Description in this programme", "track-description", t["description"], rows="4"
            ),
            rx.el.fieldset(
                rx.el.legend("NICE work roles in this programme", font_weight="500"),
                rx.foreach(
                    S.edit_track_nice,
                    lambda r: rx.checkbox(
                        r["name"].to(str) + " (" + r["id"].to(str) + ")",
                        name=NICE_PREFIX + r["id"].to(str),
                        default_checked=r["checked"].to(bool),
                    ),
                ),
                display="flex",
                flex_direction="column",
                gap="0.4em",
                border="none",
                padding="0",
            ),
        ],
        "Save track",
        S.save_track,
        S.edit_track_open,
        S.set_edit_track_open,
    )


def _remove_track_dialog() -> rx.Component:
    t = S.remove_track
    return fields_dialog(
        rx.alert_dialog.title("Stop running the ", t["name"], " track?"),
        rx.alert_dialog.description(
            t["program"],
            " will no longer run the ",
            t["name"],
            " track; its learners are no longer expected to do missions of it. Remove the "
            "programme's missions of this track first. Its description and NICE work roles "
            "in this programme start again from the standard ones if you add it back.",
            size="2",
        ),
        error_callout(S.remove_track_error),
        confirm=rx.button("Remove track", color_scheme="red", on_click=S.confirm_remove_track),
        is_open=S.remove_track_open,
        on_open_change=S.set_remove_track_open,
    )
