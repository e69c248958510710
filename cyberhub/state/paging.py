"""A list shown one page at a time under the pager (`components.ui.pager`)."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventCallback, EventSpec

from cyberhub.state.dialogs import setter_event


class PagedList(rx.State, mixin=True):
    """Mix into a state that shows one page of a list: it provides `_fetch`, which loads page
    `page` and sets `pages`; the pager calls `go_to`. Filter events set `page = 1` and fetch (`filter_setter` makes one for a control
    that only sets its var)."""

    page: int = 1
    pages: int = 1

    async def _fetch(self) -> None:
        """Load page `page` of the list (and set `pages`): the state's own."""
        raise NotImplementedError

    async def _from_first_page(self) -> None:
        """Fetch the list again from page 1: on load, or after a filter changed."""
        self.page = 1
        await self._fetch()

    async def _refilter(self, name: str, value: str) -> EventSpec | None:
        """Sets the filter var `name` to `value` and shows the list's first page."""
        setattr(self, name, value)
        self.page = 1
        return await self._page_chosen()

    async def _page_chosen(self) -> EventSpec | None:
        """What choosing a page does: fetch it (`AddressedList` also puts it in the address)."""
        await self._fetch()
        return None

    @rx.event
    async def go_to(self, page: int) -> EventSpec | None:
        """The pager: page `page`, kept within 1 and `pages`."""
        self.page = max(1, min(int(page), self.pages))
        return await self._page_chosen()


def filter_setter(var: str) -> EventCallback[str]:
    """An event handler `set_<var>(value)` for a list's filter control (a select of statuses, an
    order): it sets the state's str var `var` to `value` and shows the list's first page for it,
    as `PagedList._refilter` does. The var is fixed here, never sent by the browser."""

    async def setter(self: PagedList, value: str) -> EventSpec | None:
        return await self._refilter(var, value)

    return setter_event(setter, var, "filter_setter", str)
