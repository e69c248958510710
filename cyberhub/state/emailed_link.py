"""The state a page opened from an e-mailed link starts from (/auth/magic/[token],
/password-reset/[token]): the link's token from the address, the step the page shows while it
checks the link, and whether a refused link may be replaced by a new one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.services.errors import AccountDeactivated
from cyberhub.state.forms import url_param
from cyberhub.state.service import Outcome, ServiceState


class EmailedLinkState(ServiceState, rx.State, mixin=True):
    """Mix in; the page's load starts with `_begin_check()` and answers a refusal of the link
    with `_refuse(outcome, step)`."""

    # "checking" until the link is read; the rest are the page's own steps.
    step: str = "checking"
    email: str = ""
    submitting: bool = False
    # False when the link is refused because the account is deactivated: no new link would come.
    renewable: bool = True

    def _token(self) -> str:
        return url_param(self, "token")

    def _begin_check(self) -> None:
        self.step, self.error, self.submitting, self.email = "checking", "", False, ""
        self.renewable = True

    def _refuse(self, outcome: Outcome[Any], step: str) -> None:
        """The link can't be used (the page shows `step`): a new one is offered unless the
        account is deactivated (none is sent to it)."""
        self.step = step
        self.renewable = outcome.code != AccountDeactivated.__name__
