"""Puts a list's new address in the bar, but only while the list is on screen.

A list page's filter event answers with the new list and a new `address` (its `address_seq`
counts them: see `state/url_query.AddressedList`). This element, placed on the list page, then
navigates there. It lives and dies with the page: when the person opened a card (or anything
else) before the answer came, the page is gone and nothing navigates, where a server-sent
redirect would have pulled them back to the list. The list can outlive that click on screen,
though: while the next page loads its code (the router's navigation is pending, the address bar
still shows the list) and while it first renders (the bar already shows the card's address). So
it navigates only when no navigation to another path is pending and the bar is still at the
list's own path: the click wins. "Pending" is read from the router itself (React Router's
framework mode keeps it in `window.__reactRouterDataRouter`), which knows of the click at once:
`useNavigation()` is React's copy, committed in a transition, and an answer rendered before that
commit saw no navigation and undid the click (test_list_address, about one run in three under
load). An answer already seen when the page mounts (Back to the list later) does not navigate
either.

The hook is compiled into the page bundle (no eval), so the strict CSP allows it.
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import VarData

from cyberhub.components.on_change import on_each_change
from cyberhub.state.url_query import AddressedList

_ROUTER = {"react-router": [ImportVar(tag="useNavigate"), ImportVar(tag="useNavigation")]}


def address_sync(list_state: type[AddressedList]) -> rx.Component:
    """A hidden element that navigates to the list's `address` each time its `address_seq`
    changes while it is shown: a new history entry, or in place of the current one when
    `address_replace` (an on_load that corrected what was asked: a page past the last, …)."""
    address, replace = list_state.address, list_state.address_replace
    # their JavaScript (str: an f-string would add Reflex's markers; what it reads is `reads`)
    url, in_place = str(address), str(replace)
    return on_each_change(
        list_state.address_seq,
        "address",
        f"""  const target = {url};
  if (!target) return;
  const bare = (path) => path.replace(/[/]+$/, "") || "/";
  const there = bare(new URL(target, window.location.origin).pathname);
  const routerNavigation = window.__reactRouterDataRouter?.state?.navigation;
  const pending = routerNavigation?.location ?? addressNavigation.location;
  if (pending && bare(pending.pathname) !== there) return;
  if (bare(window.location.pathname) !== there) return;
  const here = window.location.pathname + window.location.search;
  if (target !== here) addressNavigate(target, {{ replace: {in_place} }});""",
        setup="const addressNavigate = useNavigate();\nconst addressNavigation = useNavigation();\n",
        reads=VarData.merge(address._get_all_var_data(), replace._get_all_var_data()),
        imports=_ROUTER,
    )
