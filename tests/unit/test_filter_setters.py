"""A list's filter control that only sets its filter goes through one shared handler
(cyberhub/state/paging.py, filter_setter) rather than one written out per list: each reaches its
page's state under the name the control sends (`set_<var>`), sets that filter, and shows the
list's first page for it (fetched; on a list kept in the address, with its new address)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.state import BaseState
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler

import cyberhub.pages  # noqa: F401  (registers every page and its state)
from cyberhub.state.paging import PagedList
from tests.processes import run_in_own_loop


def _states(state: type[BaseState]) -> Iterator[type[BaseState]]:
    yield state
    for sub in state.get_substates():
        yield from _states(sub)


def _filter_setters() -> list[tuple[type[BaseState], str]]:
    return [
        (state, name.removeprefix("set_"))
        for state in _states(rx.State)
        for name, handler in state.event_handlers.items()
        if handler.fn.__qualname__ == f"filter_setter.{name}"
    ]


def test_the_lists_filters_use_the_shared_setter() -> None:
    made = {(state.__name__, var) for state, var in _filter_setters()}
    assert {
        ("AdminAuditState", "action"),
        ("AdminUsersState", "role"),
        ("AdminUsersState", "organization"),
        ("AnalyticsRosterState", "status"),
        ("DirectorMissionsState", "track_filter"),
        ("MissionCatalogState", "difficulty"),
    } <= made
    assert len(made) >= 11


def test_each_reaches_its_own_state_under_the_name_the_control_sends() -> None:
    registered = RegistrationContext.get().event_handlers
    for state, var in _filter_setters():
        assert issubclass(state, PagedList)
        handler = state.event_handlers[f"set_{var}"]
        name = format_event_handler(handler)
        assert name == f"{state.get_full_name()}.set_{var}"
        assert registered[name].states == (state,)
        assert handler._get_type_hints()["value"] is str
    assert not [n for n in rx.State.event_handlers if "filter_setter" in n]


def test_each_sets_its_filter_and_shows_the_first_page(monkeypatch: pytest.MonkeyPatch) -> None:
    root = rx.State()  # allowed under pytest
    shown: list[tuple[str, int]] = []  # (state, page) each time a list is shown

    async def show(self: PagedList) -> None:
        shown.append((type(self).__name__, self.page))

    for state, var in _filter_setters():
        page = root.get_substate(state.get_full_name().split(".")[1:])
        assert isinstance(page, PagedList)
        monkeypatch.setattr(state, "_page_chosen", show)
        page.page, shown[:] = 3, []
        run_in_own_loop(state.event_handlers[f"set_{var}"].fn(page, "chosen"))
        assert getattr(page, var) == "chosen", (state.__name__, var)
        assert shown == [(state.__name__, 1)], (state.__name__, var)
