"""/settings/privacy: the user's consents (version, when granted or withdrawn), a switch for each
optional one, and the full history. Withdrawing AI profiling is confirmed first: it stops every
AI feature for this user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.layout import flag_confirm, full_column, settings_column, wrap_row
from cyberhub.components.page_kit import (
    icon_button,
    register_guarded_page,
    stack_card,
)
from cyberhub.components.tables import table_or
from cyberhub.components.ui import empty_state, muted, page_heading
from cyberhub.formatting import when
from cyberhub.routes import SIGNED_IN
from cyberhub.schemas.exports import ExportRequest
from cyberhub.services.admin import exports
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.state.dialogs import open_setter
from cyberhub.state.service import ServiceState

ROUTE = "/settings/privacy"

EXPLAIN = {
    consents.TERMS: "Required while you have an account.",
    consents.PRIVACY: "Required while you have an account.",
    consents.AI_PROFILING: (
        "Lets CyberHub's own AI suggest your career track and missions and give automated "
        "feedback. Without it, every AI feature is off for you; mentors still review your work."
    ),
    consents.MARKETING: "Occasional e-mail about programmes, events and jobs.",
    consents.SPONSOR_SHARING: (
        "Lets the sponsors who fund your cohort see your name, track and progress. Without it "
        "they see only figures about the whole cohort."
    ),
}


@dataclass
class ConsentItem:
    """One consent as the page shows it (times already in the reader's zone)."""

    kind: str
    label: str
    required: bool
    explain: str
    granted: bool
    never: bool
    version: str
    at: str
    # A newer document than the one the user agreed to, and its version (accepted with a
    # click: for terms and privacy the switch is disabled, and switching AI profiling off and
    # on would delete everything the AI derived).
    outdated: bool
    latest: str


@dataclass
class ConsentChange:
    at: str
    label: str
    action: str  # "Granted" | "Withdrawn"
    granted: bool
    version: str


@dataclass
class Overview:
    items: list[ConsentItem]
    history: list[ConsentChange]


def _overview(session: Session, principal: Principal | None) -> Overview:
    principal = require_signed_in(principal)
    tz = principal.time_zone
    state = consents.current_consents(session, principal.user_id)
    docs = {d.kind: d for d in consents.documents(session)}
    items = [
        ConsentItem(
            kind=kind,
            label=consents.LABELS[kind],
            required=docs[kind].required,
            explain=EXPLAIN[kind],
            granted=state[kind].granted,
            never=state[kind].at is None,
            version=state[kind].version or docs[kind].version,
            at=when(state[kind].at, tz),
            outdated=state[kind].granted and state[kind].version != docs[kind].version,
            latest=docs[kind].version,
        )
        for kind in consents.KINDS
    ]
    history = [
        ConsentChange(
            at=when(h.at, tz),
            label=h.label,
            action="Granted" if h.granted else "Withdrawn",
            granted=h.granted,
            version=h.version,
        )
        for h in consents.history(session, principal)
    ]
    return Overview(items, history)


class PrivacyState(ServiceState, rx.State):
    items: list[ConsentItem] = []
    history: list[ConsentChange] = []
    loading: bool = True
    notice: str = ""
    confirm_ai_off: bool = False
    saving: str = ""  # the kind being changed

    async def _fetch(self) -> bool:
        found = await self._call(_overview)
        if found:
            self.items, self.history = found.value.items, found.value.history
        return bool(found)

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice, self.confirm_ai_off = True, "", "", False
        await self._fetch()
        self.loading = False

    async def _change(self, kind: str, granted: bool, *, latest: bool = False) -> None:
        """Grant or withdraw the consent `kind` and say so (`latest`: the newest version of one
        already granted was accepted)."""
        self.error, self.notice, self.saving = "", "", kind
        changed = await self._call(consents.set_consent, kind, granted, self._meta())
        if changed and await self._fetch():
            label = consents.LABELS.get(kind, kind)
            if latest:
                said = f"version {changed.value[kind].version} accepted"
            else:
                said = "granted" if granted else "withdrawn"
            self.notice = f"{label}: {said}."
        self.saving = ""

    @rx.event
    async def toggle(self, kind: str, granted: bool) -> None:
        if kind == consents.AI_PROFILING and not granted:
            self.confirm_ai_off = True  # explain what stops before withdrawing
            return
        await self._change(kind, granted)

    @rx.event
    async def accept_latest(self, kind: str) -> None:
        """Agree to the newest version of a consent already granted (as the API does: granting
        again records the latest version; nothing is withdrawn on the way)."""
        await self._change(kind, True, latest=True)

    @rx.event
    async def withdraw_ai(self) -> None:
        self.confirm_ai_off = False
        await self._change(consents.AI_PROFILING, False)

    set_confirm_ai_off = open_setter("confirm_ai_off")

    @rx.event
    async def download_my_data(self) -> Any:
        """Request the own-data export, then follow it on the exports page."""
        self.error, self.notice = "", ""
        made = await self._call(
            exports.request_export, ExportRequest(kind="own_data"), meta=self._meta()
        )
        return rx.redirect("/exports") if made else None


def _item(item: rx.Var[ConsentItem]) -> rx.Component:
    S = PrivacyState
    kind = item.kind
    switch_id = "consent-switch-" + kind
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.el.label(item.label, html_for=switch_id, font_weight="600", font_size="1.05em"),
                muted(item.explain),
                rx.text(
                    rx.cond(
                        item.never,
                        "Never granted · current version " + item.version,
                        rx.cond(item.granted, "Granted ", "Withdrawn ")
                        + item.at
                        + " · version "
                        + item.version,
                    ),
                    size="2",
                ),
                rx.cond(
                    item.outdated,
                    wrap_row(
                        rx.text(
                            "Version " + item.latest + " has been published since you agreed.",
                            size="2",
                            color_scheme="amber",
                        ),
                        rx.button(
                            "Accept version " + item.latest,
                            size="1",
                            variant="soft",
                            on_click=S.accept_latest(kind),
                            disabled=S.saving != "",
                            aria_label="Accept version " + item.latest + " of " + item.label,
                        ),
                        spacing="2",
                    ),
                ),
                rx.link("Read the document", href="/legal/" + kind, size="2", is_external=True),
                spacing="1",
                align="start",
            ),
            rx.switch(
                id=switch_id,
                checked=item.granted,
                disabled=item.required | (S.saving != ""),
                on_change=lambda value: S.toggle(kind, value),
                size="3",
            ),
            justify="between",
            align="start",
            width="100%",
            spacing="4",
        ),
        width="100%",
    )


def _history_row(h: rx.Var[ConsentChange]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(h.at),
        rx.table.cell(h.label),
        rx.table.cell(rx.badge(h.action, color_scheme=rx.cond(h.granted, "green", "gray"))),
        rx.table.cell(h.version),
    )


def _confirm_ai_dialog() -> rx.Component:
    S = PrivacyState
    return flag_confirm(
        S,
        "confirm_ai_off",
        "Withdraw AI profiling?",
        "Every AI feature stops for you at once: the career profiler, AI track and mission "
        "suggestions, and automated feedback. Nothing new is analysed by AI. The rest of "
        "CyberHub keeps working, and mentors still review your work. You can turn it back on any "
        "time.",
        confirm="Withdraw",
        on_confirm=S.withdraw_ai,
        cancel="Keep AI profiling",
    )


def settings_privacy_content() -> rx.Component:
    S = PrivacyState
    return settings_column(
        page_heading("Privacy & consents", "What you have agreed to, and when. Change it here."),
        S,
        "Loading your consents…",
        full_column(
            rx.foreach(S.items, _item),
            rx.heading("History", size="5", as_="h2", padding_top="1em"),
            table_or(
                S.history,
                ["When", "Consent", "Change", "Version"],
                _history_row,
                empty_state("No changes yet", "Your grants and withdrawals will appear here."),
            ),
            spacing="3",
        ),
        stack_card(
            rx.heading("Your data", size="5", as_="h2"),
            rx.text(
                "Everything CyberHub keeps about you — profile, consents, profiler answers, "
                "enrolments, submissions and their reviews, notes, notifications, "
                "certificates — as JSON and CSV files in a zip, prepared in the background.",
                size="2",
            ),
            icon_button("download", "Download my data", on_click=S.download_my_data),
            spacing="2",
            align="start",
        ),
        _confirm_ai_dialog(),
    )


page = register_guarded_page(
    ROUTE,
    "Privacy & consents · Settings · CyberHub",
    settings_privacy_content,
    SIGNED_IN,
    PrivacyState.load,
)
