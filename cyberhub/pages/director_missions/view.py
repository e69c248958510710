"""The missions page: the list, the editor, the programmes' missions and the confirmation dialog."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.dialogs import action_dialog
from cyberhub.components.layout import spread_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import page_column
from cyberhub.components.scroll_into_view import scroll_into_view
from cyberhub.components.ui import error_callout, loading_state, page_heading
from cyberhub.pages.director_missions.editor import _editor
from cyberhub.pages.director_missions.listing import _filter, _list, new_mission_button
from cyberhub.pages.director_missions.state import DirectorMissionsState
from cyberhub.pages.director_program_missions import program_missions_panel

S = DirectorMissionsState


def _confirm_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title(S.confirm_label, " “", S.confirm_title, "”?"),
        rx.alert_dialog.description(S.confirm_text),
        confirm=rx.button(
            S.confirm_label,
            color_scheme=rx.match(
                S.confirm_action, ("publish", "green"), ("archive", "gray"), "amber"
            ),
            on_click=S.confirm,
        ),
        is_open=S.confirm_open,
        on_open_change=S.set_confirm_open,
        margin_top="1em",
    )


def director_missions_content() -> rx.Component:
    return page_column(
        spread_row(
            page_heading("Missions", "Write, preview and publish your programmes' missions."),
            new_mission_button(),
            align="start",
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        rx.cond(S.editor_open, _editor()),
        scroll_into_view("editor", S.editor_shown),
        _filter(),
        rx.cond(S.loading, loading_state("Loading missions…"), _list()),
        program_missions_panel(),
        _confirm_dialog(),
    )
