"""The handlers that only store what a control sends, made once instead of written out per page.

    class CoachingState(ServiceState, rx.State):
        archive_open: bool = False
        new_cadence: str = "weekly"
        set_archive_open = open_setter("archive_open")
        set_new_cadence = value_setter("new_cadence", str)

    flag_confirm(S, "archive_open", ...)  # components/layout.py; or pass the pair yourself:
    action_dialog(..., is_open=S.archive_open, on_open_change=S.set_archive_open)
    rx.select(..., value=S.new_cadence, on_change=S.set_new_cadence)

A button opens a dialog with `S.set_archive_open(True)` (or an `ask_...` handler that also notes
what it asks about). A dialog that shows its refusal inside it names that message var as
`cleared_on_close` (Cancel takes the refusal with it); a dialog whose opening or closing must do
more keeps a handler of its own. The action a dialog confirms closes it itself
(`self.archive_open = False`). Likewise a control whose change must do more than store the value
(trim it, reset a page, reload) keeps its own handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import reflex as rx
from reflex.event import EventCallback

V = TypeVar("V")


def value_setter(var: str, of: type[V]) -> EventCallback[V]:
    """An event handler `set_<var>(value)` that sets the state's var `var`, of type `of`, to the
    value a control sends (a select's choice, a switch's state). The var is fixed here, never
    sent by the browser, so the event can set nothing else."""

    def setter(self: rx.State, value: V) -> None:
        setattr(self, var, value)

    return setter_event(setter, var, "value_setter", of)


def open_setter(flag: str, *, cleared_on_close: str = "") -> EventCallback[bool]:
    """A value_setter for the bool var `flag` (what a dialog sends when it opens or closes) that
    also sets the str var `cleared_on_close` (if named) to "" when the dialog closes."""

    def setter(self: rx.State, value: bool) -> None:
        setattr(self, flag, value)
        if cleared_on_close and not value:
            setattr(self, cleared_on_close, "")

    return setter_event(setter, flag, "open_setter", bool)


def setter_event(
    setter: Callable[[Any, V], Any], var: str, factory: str, of: type[V]
) -> EventCallback[V]:
    """`setter` (made inside `factory`) as the event handler `set_<var>(value: of)` of the
    state class it is assigned to (also paging.filter_setter's)."""
    # Reflex names the event after the last part of the function's qualified name: the same
    # name as a handler written out in the class. The name must stay dotted, as in a class: a
    # bare one would make rx.event add it to the base state, for every page, under its module's name.
    setter.__name__ = f"set_{var}"
    setter.__qualname__ = f"{factory}.set_{var}"
    # Reflex reads the value's type from the annotation (to check what a control hands the event
    # and to convert what the browser sends): the var's own type, as a written-out handler says.
    setter.__annotations__ = {**setter.__annotations__, "value": of}
    # rx.event hands back the function itself; EventCallback is how Reflex types it, so that
    # `S.set_x_open(True)` type-checks in a view like a handler written out.
    return cast("EventCallback[V]", rx.event(setter))
