"""A dialog's open flag is set through one shared handler (cyberhub/state/dialogs.py,
open_setter) rather than one written out per dialog: every such handler reaches the page's state
under the name the dialog sends (`set_<flag>`), and opens and closes that dialog only."""

from __future__ import annotations

from collections.abc import Iterator

import reflex as rx
from reflex.state import BaseState
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler

import cyberhub.pages  # noqa: F401  (registers every page and its state)
from cyberhub.pages.director_cohort.sponsors import CohortSponsorsState


def _states(state: type[BaseState]) -> Iterator[type[BaseState]]:
    yield state
    for sub in state.get_substates():
        yield from _states(sub)


def _dialog_setters() -> list[tuple[type[BaseState], str]]:
    """(state, flag) for every handler open_setter made, on every state of the app."""
    return [
        (state, name.removeprefix("set_"))
        for state in _states(rx.State)
        for name, handler in state.event_handlers.items()
        if handler.fn.__qualname__ == f"open_setter.{name}"
    ]


def test_the_pages_dialogs_use_the_shared_setter() -> None:
    flags = {(state.__name__, flag) for state, flag in _dialog_setters()}
    assert ("CoachingState", "archive_open") in flags
    assert len(flags) >= 20  # admin, director, reviewer, learner and settings pages


def test_each_reaches_its_own_state_under_the_name_the_dialog_sends() -> None:
    registered = RegistrationContext.get().event_handlers
    for state, flag in _dialog_setters():
        handler = state.event_handlers[f"set_{flag}"]
        name = format_event_handler(handler)
        assert name == f"{state.get_full_name()}.set_{flag}"
        assert registered[name].states == (state,)
    # none lands on the base state, where every page would share it
    assert not [n for n in rx.State.event_handlers if "open_setter" in n or "dialogs" in n]


def test_each_opens_and_closes_its_dialog_and_touches_nothing_else() -> None:
    root = rx.State()  # allowed under pytest
    for state, flag in _dialog_setters():
        assert state.get_fields()[flag].default is False, (state.__name__, flag)
        page = root.get_substate(state.get_full_name().split(".")[1:])
        before = page.dict()
        setter = state.event_handlers[f"set_{flag}"].fn
        setter(page, True)
        assert getattr(page, flag) is True
        setter(page, False)
        assert page.dict() == before


def test_cancel_takes_a_refusal_shown_in_the_dialog_with_it() -> None:
    """The sponsor form shows its refusal inside the dialog: Cancel closes both (the panel
    does not show it afterwards); opening the dialog leaves the message alone."""
    root = rx.State()  # allowed under pytest
    page = root.get_substate(CohortSponsorsState.get_full_name().split(".")[1:])
    assert isinstance(page, CohortSponsorsState)
    setter = CohortSponsorsState.event_handlers["set_form_open"].fn
    page.error = "Choose the sponsoring organisation."
    setter(page, True)
    assert page.error == "Choose the sponsoring organisation."
    setter(page, False)
    assert (page.form_open, page.error) == (False, "")
