"""The "Change password" card of /settings/security: the current password, the new one twice.

The service (services/identity/password_change.py) checks the current password (a wrong one
counts as a failed sign-in), the rules and that it differs; every other session, API key and the
calendar feed end, this browser stays signed in. What was typed stays after a refusal; the three
fields are emptied once it worked. Passwords are never kept in the state."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.labelled import kept_form, labelled_form_input
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import stack_card
from cyberhub.components.ui import error_callout, muted
from cyberhub.pages.settings_security.calendar import CalendarFeedState
from cyberhub.pages.settings_security.sessions import SignInsState
from cyberhub.services.identity import password_change, passwords
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

FIELDS = ("current-password", "new-password", "repeat-password")
MISMATCH = "The two new passwords don't match."


class PasswordState(ServiceState, rx.State):
    notice: str = ""
    busy: bool = False

    @rx.event
    def load(self) -> None:
        self.error, self.notice, self.busy = "", "", False

    @rx.event
    async def change(self, form: dict[str, Any]) -> Any:
        current = str(form.get("current_password", ""))
        new = str(form.get("new_password", ""))
        self.error, self.notice = "", ""
        if new != str(form.get("repeat_password", "")):
            self.error = MISMATCH
            return
        self.busy = True
        yield
        # This tab's session stays signed in; every other one ends.
        token = (await self.get_state(SessionState))._session_token()
        done = await self._call(
            password_change.change_password, current, new, self._meta(), keep_session=token
        )
        self.busy = False
        if done:
            self.notice = done.value.detail
            # The sessions it ended and the feed it stopped leave their cards too.
            yield [
                *(rx.set_value(field, "") for field in FIELDS),
                SignInsState.load,
                CalendarFeedState.load,
            ]


def _password_input(
    label: str, field_id: str, name: str, auto_complete: str, **props: Any
) -> rx.Component:
    return labelled_form_input(
        label,
        field_id,
        name=name,
        type="password",
        auto_complete=auto_complete,
        required=True,
        max_length=256,
        max_width="20rem",
        **props,
    )


def password_card() -> rx.Component:
    """Change the password: current, new and the new one again."""
    S = PasswordState
    return stack_card(
        rx.heading("Change password", size="5", as_="h2"),
        muted(
            "After the change every other browser and app signed in to your account is signed "
            "out, and your API keys and calendar feed address stop working. You stay signed in "
            "here. Forgot your current password? Sign out and use “Forgot your password?”."
        ),
        notice_callout(S.notice, full_width=False),
        error_callout(S.error),
        kept_form(
            _password_input("Current password", FIELDS[0], "current_password", "current-password"),
            _password_input(
                "New password",
                FIELDS[1],
                "new_password",
                "new-password",
                aria_describedby="new-password-help",
            ),
            muted(
                f"At least {passwords.MIN_LENGTH} characters; avoid common passwords.",
                id="new-password-help",
                size="1",
            ),
            _password_input("Repeat new password", FIELDS[2], "repeat_password", "new-password"),
            rx.button("Change password", type="submit", loading=S.busy),
            on_submit=S.change,
            aria_label="Change password",
        ),
        spacing="3",
        data_testid="change-password",
    )
