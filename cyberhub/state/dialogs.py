"""The handler a dialog's `on_open_change` calls, made once instead of written out per dialog.

    class CoachingState(ServiceState, rx.State):
        archive_open: bool = False
        set_archive_open = open_setter("archive_open")

    flag_confirm(S, "archive_open", ...)  # components/layout.py; or pass the pair yourself:
    action_dialog(..., is_open=S.archive_open, on_open_change=S.set_archive_open)

A button opens it with `S.set_archive_open(True)` (or an `ask_...` handler that also notes what
it asks about). A dialog that shows its refusal inside it names that message var as
`cleared_on_close` (Cancel takes the refusal with it); a dialog whose opening or closing must do
more keeps a handler of its own. The action a dialog confirms closes it itself
(`self.archive_open = False`).
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.event import EventCallback


def open_setter(flag: str, *, cleared_on_close: str = "") -> EventCallback[bool]:
    """An event handler `set_<flag>(value)` that sets the state's bool var `flag` to `value`
    (what a dialog sends when it opens or closes) and, when it closes, the str var
    `cleared_on_close` (if named) to "". The vars are fixed here, never sent by the browser, so
    an event can set nothing else."""

    def setter(self: rx.State, value: bool) -> None:
        setattr(self, flag, value)
        if cleared_on_close and not value:
            setattr(self, cleared_on_close, "")

    # Reflex names the event after the last part of the function's qualified name: the same
    # name as a handler written out in the class. The name must stay dotted, as in a class: a
    # bare one would make rx.event add it to the base state, for every page, under its module's name.
    setter.__name__ = f"set_{flag}"
    setter.__qualname__ = f"open_setter.set_{flag}"
    # rx.event hands back the function itself; EventCallback is how Reflex types it, so that
    # `S.set_x_open(True)` type-checks in a view like a handler written out.
    return cast("EventCallback[bool]", rx.event(setter))
