"""The programme page: the programme cards, the forms below them and the dialogs."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, page_column
from cyberhub.components.ui import empty_state, error_callout, page_heading
from cyberhub.pages.director_home.forms import (
    _cohort_form,
    _program_dialog,
    _program_form,
    _remove_track_dialog,
    _track_dialog,
)
from cyberhub.pages.director_home.programs import _program_card
from cyberhub.pages.director_home.state import DirectorHomeState

S = DirectorHomeState


def director_home_content() -> rx.Component:
    return page_column(
        page_heading("Programme", "Your programmes, their tracks and cohorts."),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        once_loaded(
            S.loading,
            "Loading your programmes…",
            page_column(
                rx.cond(
                    S.programs.length() > 0,
                    rx.foreach(S.programs, _program_card),
                    rx.cond(
                        S.error == "",
                        empty_state(
                            "No programme yet",
                            "Create your organization's first programme below.",
                        ),
                    ),
                ),
                rx.cond(S.programs.length() > 0, _cohort_form()),
                rx.cond(S.org_options.length() > 0, _program_form()),
            ),
        ),
        _program_dialog(),
        _track_dialog(),
        _remove_track_dialog(),
    )
