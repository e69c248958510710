"""The "Where you're signed in" card of /settings/security: every live sign-in of the account
(browsers and apps) with its device, address, start and last activity, "This device" on the
tab's own, and Sign out on each other one (after a confirmation).

The service (services/identity/signed_in_sessions.py) lists and ends them; ending one revokes it
at once, so that browser's next action sends it to sign-in. The device summary and the user agent
come from the visitor's browser: they are shown as plain text only."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from cyberhub.components.dialogs import action_dialog
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, stack_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import danger_button, empty_state, error_callout, muted
from cyberhub.formatting import when
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity import devices, signed_in_sessions
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.dialogs import open_setter
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

UNKNOWN_ADDRESS = "Unknown address"
UNNAMED = (devices.UNKNOWN_DEVICE, devices.UNKNOWN_BROWSER)


@dataclass
class SignInRow:
    """One live sign-in as the card shows it (times already in the reader's zone)."""

    id: str
    device: str
    # The user agent as sent, shown under a device the summary could not name ("" otherwise).
    user_agent: str
    ip: str
    started_at: str
    last_active_at: str
    current: bool


def _rows(session: Session, principal: Principal | None, token: str) -> list[SignInRow]:
    tz = principal.time_zone if principal else None
    return [
        from_row(
            SignInRow,
            s,
            user_agent=(s.user_agent or "") if s.device.startswith(UNNAMED) else "",
            ip=s.ip or UNKNOWN_ADDRESS,
            started_at=when(s.started_at, tz),
            last_active_at=when(s.last_active_at, tz, empty="Not since signing in"),
        )
        for s in signed_in_sessions.list_sessions(session, principal, token)
    ]


class SignInsState(ServiceState, rx.State):
    sign_ins: list[SignInRow] = []
    loading: bool = True
    notice: str = ""
    busy: bool = False
    end_open: bool = False
    end_id: str = ""
    end_device: str = ""
    end_error: str = ""

    async def _token(self) -> str:
        return (await self.get_state(SessionState))._session_token()

    async def _fetch(self) -> None:
        found = await self._call(_rows, await self._token())
        self.loading = False
        if found:
            self.sign_ins, self.error = found.value, ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.error, self.end_open, self.busy = True, "", "", False, False
        await self._fetch()

    @rx.event
    async def refresh(self) -> None:
        """Read the sign-ins again in place (their times in the zone the user just chose)."""
        await self._fetch()

    @rx.event
    def ask_end(self, session_id: str, device: str) -> None:
        self.end_id, self.end_device = str(session_id), str(device)
        self.end_error, self.notice, self.end_open = "", "", True

    set_end_open = open_setter("end_open")

    @rx.event
    async def end(self) -> None:
        self.busy = True
        ended = await self._try(
            signed_in_sessions.end_session, self.end_id, await self._token(), self._meta()
        )
        self.busy = False
        if not ended:
            self.end_error = ended.error
            return
        self.end_open, self.notice = False, ended.value.detail
        await self._fetch()


S = SignInsState


def _end_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title("Sign out ", S.end_device, "?"),
        rx.alert_dialog.description(
            "That browser or app is signed out at once and has to sign in again with your "
            "password. If you don't recognise it, change your password too."
        ),
        error_callout(S.end_error),
        confirm=rx.button("Sign out", color_scheme="red", loading=S.busy, on_click=S.end),
        is_open=S.end_open,
        on_open_change=S.set_end_open,
        margin_top="1em",
    )


def _device(s: rx.Var[SignInRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(s.device, weight="medium"),
            rx.cond(s.current, rx.badge("This device", color_scheme="green")),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            s.user_agent != "",
            muted(s.user_agent, size="1", word_break="break-all"),
        ),
        spacing="1",
    )


def _sign_in_row(s: rx.Var[SignInRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_device(s)),
        rx.table.cell(rx.code(s.ip, variant="ghost")),
        rx.table.cell(rx.text(s.started_at, size="2")),
        rx.table.cell(rx.text(s.last_active_at, size="2")),
        rx.table.cell(
            rx.cond(
                s.current,
                muted("Use Sign out in the menu", size="1"),
                danger_button("Sign out", "Sign out " + s.device, S.ask_end(s.id, s.device)),
            )
        ),
        data_testid="sign-in-row",
    )


def sign_ins_card() -> rx.Component:
    """Where you're signed in: each session, and Sign out for the others."""
    return stack_card(
        rx.heading("Where you're signed in", size="5", as_="h2"),
        muted(
            "Each browser and app signed in to your account. “Last active” is updated every "
            "ten minutes or so. Sign out any you don't recognise."
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        once_loaded(
            S.loading,
            "Loading where you're signed in…",
            rx.cond(
                (S.error != "") & (S.sign_ins.length() == 0),
                rx.fragment(),
                table_or(
                    S.sign_ins,
                    ["Device", "Address", "Signed in", "Last active", ""],
                    _sign_in_row,
                    empty_state("No sessions", "Nothing is signed in to your account."),
                ),
            ),
        ),
        _end_dialog(),
        spacing="3",
        width="100%",
        testid="sign-ins",
    )
