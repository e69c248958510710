"""The missions page: the list, the editor, the programmes' missions and the confirmation dialog."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import error_callout, loading_state, page_heading
from cyberhub.pages.director_missions.data import ROUTE
from cyberhub.pages.director_missions.editor import _editor
from cyberhub.pages.director_missions.listing import _filter, _list
from cyberhub.pages.director_missions.state import DirectorMissionsState
from cyberhub.pages.director_program_missions import program_missions_panel

S = DirectorMissionsState


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_label, " “", S.confirm_title, "”?"),
            rx.alert_dialog.description(S.confirm_text),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button(
                    S.confirm_label,
                    color_scheme=rx.match(
                        S.confirm_action, ("publish", "green"), ("archive", "gray"), "amber"
                    ),
                    on_click=S.confirm,
                ),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def director_missions_content() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            page_heading("Missions", "Write, preview and publish your programmes' missions."),
            rx.button(rx.icon("plus", size=16), "New mission", on_click=S.new_mission),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        error_callout(S.error),
        rx.cond(S.editor_open, _editor()),
        _filter(),
        rx.cond(S.loading, loading_state("Loading missions…"), _list()),
        program_missions_panel(),
        _confirm_dialog(),
        spacing="4",
        width="100%",
    )


def director_missions_page() -> rx.Component:
    return shell(guarded(ROUTE, director_missions_content()))
