"""Driving a page's state from a test: its service calls run in the test's session for a given
principal (ServiceState._try answers as it would), and the state is one of a fresh tree."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import Outcome

S = TypeVar("S", bound=rx.State)


def page_state(
    state: type[S], session: Session, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> S:
    """A fresh `state` whose service calls run in `session` as `principal`."""

    async def run_here(_: Any, fn: Any, *args: Any, **kwargs: Any) -> Outcome[Any]:
        try:
            return Outcome(value=fn(session, principal, *args, **kwargs))
        except DomainError as exc:
            return Outcome(value=None, error=exc.message, code=type(exc).__name__)

    monkeypatch.setattr(state, "_try", run_here)
    page = rx.State().get_substate(state.get_full_name().split(".")[1:])
    assert isinstance(page, state)
    return page


class _Router:
    """What a state's `router` gives a handler: the page's address (its query, and no path:
    a test names none)."""

    def __init__(self, query: dict[str, str]) -> None:
        url = {"query_parameters": query, "path": "", "query": urlencode(query)}
        self.url = type("Url", (), url)()


def at_address(state: type[rx.State], monkeypatch: pytest.MonkeyPatch, **query: str) -> None:
    """The page is opened with `query` in its address (its on_load reads them)."""
    monkeypatch.setattr(state, "router", property(lambda _: _Router(query)))


def opened_at(page: rx.State, route: str, path: str) -> None:
    """The page is opened at `path` (a dynamic `route`'s address: /admin/users/5), as its
    on_load reads it (url_id)."""
    page.router = RouterData.from_router_data(
        {"pathname": route, "asPath": path, "query": {}, "headers": {"origin": "http://x"}}
    )
