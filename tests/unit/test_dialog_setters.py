"""A dialog's open flag, and a value a control only stores, are set through one shared handler
(cyberhub/state/dialogs.py: open_setter, value_setter) rather than one written out per page: every
such handler reaches the page's state under the name the control sends (`set_<var>`), takes the
var's own type, and sets that var only."""

from __future__ import annotations

from collections.abc import Iterator

import reflex as rx
from reflex.state import BaseState
from reflex_base.event import EventHandler
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler

import cyberhub.pages  # noqa: F401  (registers every page and its state)
from cyberhub.pages.director_cohort.sponsors import CohortSponsorsState


def _states(state: type[BaseState]) -> Iterator[type[BaseState]]:
    yield state
    for sub in state.get_substates():
        yield from _states(sub)


def _made_by(factory: str) -> list[tuple[type[BaseState], str]]:
    """(state, var) for every handler `factory` made, on every state of the app."""
    return [
        (state, name.removeprefix("set_"))
        for state in _states(rx.State)
        for name, handler in state.event_handlers.items()
        if handler.fn.__qualname__ == f"{factory}.{name}"
    ]


def _dialog_setters() -> list[tuple[type[BaseState], str]]:
    return _made_by("open_setter")


def _value_setters() -> list[tuple[type[BaseState], str]]:
    return _made_by("value_setter")


def _page(root: rx.State, state: type[BaseState]) -> BaseState:
    return root.get_substate(state.get_full_name().split(".")[1:])


def _reaches_its_own_state(state: type[BaseState], var: str) -> EventHandler:
    registered = RegistrationContext.get().event_handlers
    handler = state.event_handlers[f"set_{var}"]
    name = format_event_handler(handler)
    assert name == f"{state.get_full_name()}.set_{var}"
    assert registered[name].states == (state,)
    return handler


def test_the_pages_dialogs_use_the_shared_setter() -> None:
    flags = {(state.__name__, flag) for state, flag in _dialog_setters()}
    assert ("CoachingState", "archive_open") in flags
    assert ("PrivacyState", "confirm_ai_off") in flags
    assert len(flags) >= 20  # admin, director, reviewer, learner and settings pages


def test_each_reaches_its_own_state_under_the_name_the_dialog_sends() -> None:
    for state, flag in _dialog_setters():
        _reaches_its_own_state(state, flag)
    # none lands on the base state, where every page would share it
    assert not [n for n in rx.State.event_handlers if any(k in n for k in ("_setter", "dialogs"))]


def test_each_opens_and_closes_its_dialog_and_touches_nothing_else() -> None:
    root = rx.State()  # allowed under pytest
    for state, flag in _dialog_setters():
        assert state.get_fields()[flag].default is False, (state.__name__, flag)
        page = _page(root, state)
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
    page = _page(root, CohortSponsorsState)
    assert isinstance(page, CohortSponsorsState)
    setter = CohortSponsorsState.event_handlers["set_form_open"].fn
    page.error = "Choose the sponsoring organisation."
    setter(page, True)
    assert page.error == "Choose the sponsoring organisation."
    setter(page, False)
    assert (page.form_open, page.error) == (False, "")


def test_the_pages_controls_that_only_store_a_value_use_the_shared_setter() -> None:
    """A select's choice or a switch's state that the page only keeps until a form is sent."""
    made = {(state.__name__, var) for state, var in _value_setters()}
    assert {
        ("OrganizationState", "new_role"),
        ("AdminUserState", "new_org"),
        ("ApiKeysState", "scope_write"),
        ("CoachingState", "new_cadence"),
        ("CoachingState", "new_source"),
        ("CohortEnrolmentState", "mode"),
        ("DirectorHomeState", "program_org"),
    } <= made
    assert len(made) >= 10


def test_each_value_setter_takes_its_vars_type_and_sets_that_var_only() -> None:
    root = rx.State()  # allowed under pytest
    for state, var in _value_setters():
        handler = _reaches_its_own_state(state, var)
        kind = state.get_fields()[var].type_
        # what the browser sends is read as the var's type, as a handler written out says
        assert handler._get_type_hints()["value"] is kind, (state.__name__, var)
        page = _page(root, state)
        before, kept = page.dict(), getattr(page, var)
        sent = not kept if kind is bool else "chosen"
        handler.fn(page, sent)
        assert getattr(page, var) == sent
        handler.fn(page, kept)
        assert page.dict() == before  # nothing else moved
