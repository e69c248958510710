"""The states of /settings/security: two-step sign-in and sign-out-everywhere (`SecurityState`),
and the time zone dates and times are shown in (`TimeZoneState`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from cyberhub.formatting import when
from cyberhub.pages.settings_security.calendar import CalendarFeedState
from cyberhub.pages.settings_security.sessions import SignInsState
from cyberhub.services.identity import accounts, mfa, time_zones
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class SecurityState(ServiceState, rx.State):
    enabled: bool = False
    enabled_at: str = ""
    recovery_codes_left: int = 0
    loading: bool = True
    notice: str = ""
    busy: bool = False
    # Enrolment in progress: the secret is shown (typed out and as a QR code) until confirmed.
    enrolling: bool = False
    secret: str = ""
    qr: str = ""
    # Shown once, right after enabling or replacing, until the user says they saved them.
    recovery_codes: list[str] = []
    dialog: str = ""  # "disable" | "regenerate" | "everywhere" | ""
    dialog_error: str = ""

    @rx.var
    def secret_grouped(self) -> str:
        return _grouped(self.secret)

    @rx.var
    def recovery_text(self) -> str:
        return "CyberHub recovery codes (each works once)\n\n" + "\n".join(self.recovery_codes)

    async def _refresh(self) -> bool:
        found = await self._call(mfa.status)
        if found:
            self.enabled = found.value.enabled
            self.enabled_at = when(found.value.enabled_at, await self._time_zone())
            self.recovery_codes_left = found.value.recovery_codes_left
        return bool(found)

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice = True, "", ""
        self.enrolling, self.secret, self.qr, self.recovery_codes = False, "", "", []
        self.dialog, self.dialog_error, self.busy = "", "", False
        await self._refresh()
        self.loading = False

    @rx.event
    async def refresh(self) -> None:
        """Read the two-step status again in place (its date in the zone the user just chose),
        leaving an enrolment or a dialog in progress as it is."""
        await self._refresh()

    @rx.event
    async def start_enrollment(self) -> None:
        self.error, self.notice, self.busy = "", "", True
        started = await self._call(mfa.begin_enrollment, self._meta())
        self.busy = False
        if started:
            self.secret, self.qr, self.enrolling = started.value.secret, started.value.qr, True

    @rx.event
    def cancel_enrollment(self) -> None:
        self.enrolling, self.secret, self.qr, self.error = False, "", "", ""

    @rx.event
    async def confirm(self, form: dict[str, Any]) -> Any:
        code = str(form.get("code", "")).strip()
        password = str(form.get("password", ""))
        if not code:
            self.error = "Enter the 6-digit code your authenticator app shows."
            return
        if not password:
            self.error = "Enter your current password: it confirms it's you turning this on."
            return
        self.error, self.busy = "", True
        yield
        codes = await self._call(mfa.confirm_enrollment, code, self._meta(), password=password)
        if not codes or not await self._refresh():
            self.busy = False
            return
        self.recovery_codes = codes.value
        self.enrolling, self.secret, self.qr, self.busy = False, "", "", False

    @rx.event
    def saved_codes(self) -> None:
        self.recovery_codes = []
        self.notice = "Two-factor authentication is on. Keep your recovery codes somewhere safe."

    @rx.event
    def open_dialog(self, name: str) -> None:
        self.dialog, self.dialog_error, self.notice = name, "", ""

    @rx.event
    def set_dialog_open(self, is_open: bool) -> None:
        if not is_open:
            self.dialog, self.dialog_error = "", ""

    @rx.event
    async def sign_out_everywhere(self) -> Any:
        self.dialog_error, self.busy = "", True
        yield
        done = await self._try(accounts.sign_out_everywhere, self._meta())
        self.busy = False
        if not done:
            self.dialog_error = done.error
            return
        self.dialog = ""
        yield SessionState.sign_out

    @rx.event
    async def submit_dialog(self, form: dict[str, Any]) -> Any:
        code = str(form.get("code", "")).strip()
        if not code:
            self.dialog_error = "Enter a code from your app or one of your recovery codes."
            return
        action = self.dialog
        self.dialog_error, self.busy = "", True
        yield
        if action == "disable":
            done = await self._try(mfa.disable, code, self._meta())
        else:
            done = await self._try(mfa.regenerate_recovery_codes, code, self._meta())
        if done and action != "disable":
            self.recovery_codes = done.value or []
        if done:
            await self._refresh()
        self.busy = False
        if not done:
            self.dialog_error = done.error
            return
        self.dialog = ""
        if action == "disable":
            self.notice = "Two-factor authentication is off. We e-mailed you a notice."


class TimeZoneState(ServiceState, rx.State):
    """The zone the user reads times in; chosen from the tz database's names."""

    time_zone: str = "UTC"
    # What a time looks like in that zone right now ("3 Dec 2026, 17:05 EAT").
    example: str = ""
    notice: str = ""

    def _show(self, zone: str) -> None:
        self.time_zone, self.example = zone, when(datetime.now(UTC), zone)

    @rx.event
    async def load(self) -> None:
        self.error, self.notice = "", ""
        self._show(await self._time_zone())

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        self.error, self.notice = "", ""
        saved = await self._call(
            time_zones.set_time_zone, str(form.get("time_zone", "")), self._meta()
        )
        if not saved:
            return None
        (await self.get_state(SessionState)).time_zone = saved.value
        self._show(saved.value)
        self.notice = f"Times are now shown in {saved.value}."
        # The page's other times ("On since", the feed's date, the sign-ins) in the new zone.
        return [SecurityState.refresh, CalendarFeedState.refresh, SignInsState.refresh]
