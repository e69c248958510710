"""The state side of a dialog that asks why before an audited action (the view side is
components.dialogs.flag_reason_dialog), bound to the state's vars named after the dialog:

    class AdminUserState(ServiceState, rx.State):
        revoke_open: bool = False      # the dialog is open
        revoke_reason: str = ""        # what was typed (kept when the action is refused)
        revoke_error: str = ""         # the refusal, shown in the dialog
        set_revoke_open = open_setter("revoke_open")

        def ask_revoke(self, ...):     # note what it asks about, then
            open_reason_dialog(self, "revoke")

        async def revoke(self, form):
            if await submit_reason(self, "revoke", form, roles.revoke_role, user_id=...):
                self.notice = ...       # the dialog has closed
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cyberhub.state.service import Outcome, ServiceState

T = TypeVar("T")

REASON_MAX = 500  # the reason field's max_length (components.dialogs.reason_dialog)


def open_reason_dialog(state: ServiceState, name: str) -> None:
    """Open the dialog `name` with an empty reason and no refusal from an earlier try."""
    setattr(state, f"{name}_reason", "")
    setattr(state, f"{name}_error", "")
    setattr(state, f"{name}_open", True)


async def submit_reason(
    state: ServiceState,
    name: str,
    form: dict[str, Any],
    fn: Callable[..., T],
    *args: Any,
    **kwargs: Any,
) -> Outcome[T]:
    """The dialog `name`'s submit: keeps the reason typed, runs the service `fn(*args, reason=,
    meta=, **kwargs)` for the signed-in user and closes the dialog when it worked; a refusal
    shows in the dialog, which stays open with the reason as typed."""
    reason = str(form.get("reason", ""))[:REASON_MAX]
    setattr(state, f"{name}_reason", reason)
    outcome = await state._try(fn, *args, reason=reason, meta=state._meta(), **kwargs)
    setattr(state, f"{name}_error", outcome.error)
    if outcome:
        setattr(state, f"{name}_open", False)
    return outcome
