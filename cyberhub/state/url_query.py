"""A list page's search, filters and page kept in its address (catalog, director missions …).

The address is the list's state: a shared link, a reload and Back show the same list. A page's
on_load reads the query back with these helpers (absent or unknown values mean "any": `ALL`)
and its filter events put the new query in the address with `list_url` (a new history entry).

A filter event fetches the new list itself and answers with it (one round trip to see the
result) and its new `address`; the page's `components.address_sync` then puts the address in the
bar, if the list is still on screen, and the on_load that the address change runs skips the
second fetch (`_fresh`). Reload, Back and shared links fetch.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from cyberhub.services import text as free_text
from cyberhub.state.forms import search_text
from cyberhub.state.paging import PagedList

ALL = "all"
PAGE_MAX = 100_000
# How long after a filter event its address change may skip the fetch (the route change follows
# within a round trip; anything later fetches again).
FRESH_SECONDS = 5.0


def choice(params: Mapping[str, str], name: str, allowed: Collection[str]) -> str:
    """The query's `name` when it is one of `allowed`, else ALL."""
    value = params.get(name, "")
    return value if value in allowed else ALL


def text(params: Mapping[str, str], name: str, limit: int = 200) -> str:
    """Free text from the query (a search), trimmed and capped."""
    return params.get(name, "").strip()[:limit]


def page(params: Mapping[str, str]) -> int:
    """The 1-based page number; anything else is page 1."""
    value = params.get("page", "1")
    return int(value) if free_text.digits(value) and 0 < int(value) < PAGE_MAX else 1


def list_url(route: str, filters: Mapping[str, str], q: str = "", page_no: int = 1) -> str:
    """`route` with only what differs from the defaults: filters that aren't ALL (or ""), the
    search and a page after the first."""
    query = {k: v for k, v in filters.items() if v and v != ALL}
    if q:
        query["q"] = q
    if page_no > 1:
        query["page"] = str(page_no)
    return route + ("?" + urlencode(query) if query else "")


class AddressedList(PagedList, mixin=True):
    """For a list page whose filter events fetch, then put the filters in the address.

    The page state provides `_fetch` (loads `page` of the list for its filters and `query`, and
    sets `pages`: see `PagedList`) and `_url` (its address for them, with `list_url`); its filter
    events set a filter and page 1, then `await self._show()`. The search box is here. The page
    shows `components.address_sync(S)`, which puts each new address in the bar while the list
    is on screen.
    """

    # the search box's text: in the address with the filters and the page
    query: str = ""
    # the address of the list a filter event fetched, and how many times one has
    address: str = ""
    address_seq: int = 0
    address_replace: bool = False  # in place of the address in the bar, not a new entry
    _shown_url: str = ""
    _shown_at: float = 0.0

    def _url(self) -> str:
        """The list's address for the filters, `query` and `page` (the page state's own)."""
        raise NotImplementedError

    async def _show(self) -> None:
        """Fetches the list for the new search, filters or page (this event's answer shows it)
        and its address, which the page puts in the address bar if the list is still on screen
        (a new history entry: Back returns to the previous ones); the on_load the address change
        runs then has nothing to fetch. Not a redirect: that would pull a person who opened a
        card while the answer was on its way back to the list."""
        await self._fetch()
        self._shown(self._url())

    async def _page_chosen(self) -> None:
        await self._show()

    async def _read_filters(self, params: Mapping[str, str]) -> None:
        """Sets the page's own filters from the address (`choice`, `text`): a page with none
        but the search keeps this."""

    def _new_visit(self) -> None:
        """What the page clears when it is opened (a link, a reload, Back), before its list is
        read: a notice, a refusal, a confirmation left open. Not on the on_load that follows
        the list's own answer (`_fresh`): the page was not left, and what that answer said (a
        notice, a refused search) is still news."""

    async def _load_from_address(self) -> None:
        """The list page's on_load: its filters, search and page from the address (a shared
        link, a reload and Back show the same list), fetched unless the event that put that
        address there has just fetched it (`_fresh`). A page past the last (the list got
        shorter since the link was made) shows the last, and the address becomes its own."""
        params = self.router.url.query_parameters
        await self._read_filters(params)
        self.query, self.page = text(params, "q"), page(params)
        if self._fresh(self._url()):
            return
        self._new_visit()
        await self._fetch()  # (a list that pages with `last_if_past` sets the last itself)
        if getattr(self, "error", ""):  # (ServiceState's) not fetched: nothing to correct by
            return
        if self.page > self.pages:
            self.page = self.pages
            await self._fetch()
        self._correct_address()

    def _correct_address(self) -> None:
        """After an on_load: the bar says what is shown, in place of what was asked when that
        differs (a page past the last, a filter value that means nothing and so "all", another
        order)."""
        if self._url() != self._here(bare=True):
            self._shown(self._url(), replace=True)

    def _here(self, *, bare: bool = False) -> str:
        """The address in the bar (`bare`: its path without a trailing slash)."""
        here = self.router.url
        path = (here.path.rstrip("/") or "/") if bare else here.path
        return path + (f"?{here.query}" if here.query else "")

    @rx.event
    async def search(self, form: dict[str, Any]) -> None:
        """The search box's submit: its text (trimmed, capped), from page 1."""
        self.query, self.page = search_text(form), 1
        await self._show()

    def _shown(self, url: str, *, replace: bool = False) -> None:
        """Give the page the address of the list just fetched. The page goes there unless it is
        there already (as `address_sync` decides), and only then does an on_load follow, which
        this list spares a second fetch (`_fresh`): no mark is left for an on_load that won't
        come, or a later visit to the same address would show the list without reading it."""
        if url != self._here():
            self._shown_url, self._shown_at = url, time.time()
        self.address, self.address_seq = url, self.address_seq + 1
        self.address_replace = replace

    def _fresh(self, url: str) -> bool:
        """True once: on the on_load that follows `_shown(url)` (the list on screen is for it)."""
        fresh = url == self._shown_url and time.time() - self._shown_at < FRESH_SECONDS
        self._shown_url = ""
        return fresh
