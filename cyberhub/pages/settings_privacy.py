"""/settings/privacy: the user's consents (version, when granted or withdrawn), a switch for each
optional one, and the full history. Withdrawing AI profiling is confirmed first: it stops every
AI feature for this user."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.pages.registry import SIGNED_IN, Page, register
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import DomainError
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/settings/privacy"

EXPLAIN = {
    consents.TERMS: "Required while you have an account.",
    consents.PRIVACY: "Required while you have an account.",
    consents.AI_PROFILING: (
        "Lets CyberHub's own AI suggest your career track and missions and give automated "
        "feedback. Without it, every AI feature is off for you; mentors still review your work."
    ),
    consents.MARKETING: "Occasional e-mail about programmes, events and jobs.",
}


def _when(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else ""


def _overview(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        principal = require_signed_in(principal)
        state = consents.current_consents(session, principal.user_id)
        docs = {d["kind"]: d for d in consents.documents(session)}
        items = []
        for kind in consents.KINDS:
            current, doc = state[kind], docs[kind]
            items.append(
                {
                    "kind": kind,
                    "label": consents.LABELS[kind],
                    "required": doc["required"],
                    "explain": EXPLAIN[kind],
                    "granted": bool(current["granted"]),
                    "never": current["at"] is None,
                    "version": current["version"] or doc["version"],
                    "at": _when(current["at"]),
                    # A newer document than the one the user agreed to.
                    "outdated": bool(current["granted"]) and current["version"] != doc["version"],
                }
            )
        history = [
            {**h, "at": _when(h["at"]), "action": "Granted" if h["granted"] else "Withdrawn"}
            for h in consents.history(session, principal)
        ]
        return {"items": items, "history": history}


def _set(principal: Principal | None, kind: str, granted: bool, meta: RequestMeta) -> None:
    with db.session_scope() as session:
        consents.set_consent(session, principal, kind, granted, meta)


class PrivacyState(rx.State):
    items: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    confirm_ai_off: bool = False
    saving: str = ""  # the kind being changed

    async def _fetch(self) -> None:
        principal = await (await self.get_state(SessionState)).principal()
        data = await asyncio.to_thread(_overview, principal)
        self.items, self.history = data["items"], data["history"]

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice, self.confirm_ai_off = True, "", "", False
        try:
            await self._fetch()
        except DomainError as exc:
            self.error = exc.message
        self.loading = False

    async def _change(self, kind: str, granted: bool) -> None:
        self.error, self.notice, self.saving = "", "", kind
        principal = await (await self.get_state(SessionState)).principal()
        try:
            await asyncio.to_thread(_set, principal, kind, granted, request_meta(self))
            await self._fetch()
        except DomainError as exc:
            self.error = exc.message
        else:
            label = consents.LABELS.get(kind, kind)
            self.notice = f"{label}: {'granted' if granted else 'withdrawn'}."
        self.saving = ""

    @rx.event
    async def toggle(self, kind: str, granted: bool) -> None:
        if kind == consents.AI_PROFILING and not granted:
            self.confirm_ai_off = True  # explain what stops before withdrawing
            return
        await self._change(kind, granted)

    @rx.event
    async def withdraw_ai(self) -> None:
        self.confirm_ai_off = False
        await self._change(consents.AI_PROFILING, False)

    @rx.event
    def set_confirm_ai_off(self, is_open: bool) -> None:
        self.confirm_ai_off = is_open


def _item(item: rx.Var[dict[str, Any]]) -> rx.Component:
    S = PrivacyState
    kind = item["kind"].to(str)
    switch_id = "consent-switch-" + kind
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.el.label(
                    item["label"], html_for=switch_id, font_weight="600", font_size="1.05em"
                ),
                rx.text(item["explain"], size="2", color_scheme="gray"),
                rx.text(
                    rx.cond(
                        item["never"].to(bool),
                        "Never granted · current version " + item["version"].to(str),
                        rx.cond(item["granted"].to(bool), "Granted ", "Withdrawn ")
                        + item["at"].to(str)
                        + " · version "
                        + item["version"].to(str),
                    ),
                    size="2",
                ),
                rx.cond(
                    item["outdated"].to(bool),
                    rx.text(
                        "A newer version has been published; turn it off and on to accept it.",
                        size="1",
                        color_scheme="amber",
                    ),
                ),
                rx.link("Read the document", href="/legal/" + kind, size="2", is_external=True),
                spacing="1",
                align="start",
            ),
            rx.switch(
                id=switch_id,
                checked=item["granted"].to(bool),
                disabled=item["required"].to(bool) | (S.saving != ""),
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


def _history_row(h: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(h["at"]),
        rx.table.cell(h["label"]),
        rx.table.cell(
            rx.badge(h["action"], color_scheme=rx.cond(h["granted"].to(bool), "green", "gray"))
        ),
        rx.table.cell(h["version"]),
    )


def _confirm_ai_dialog() -> rx.Component:
    S = PrivacyState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Withdraw AI profiling?"),
            rx.alert_dialog.description(
                "Every AI feature stops for you at once: the career profiler, AI track and "
                "mission suggestions, and automated feedback. Nothing new is analysed by AI. "
                "The rest of CyberHub keeps working, and mentors still review your work. You can "
                "turn it back on any time."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep AI profiling", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Withdraw", color_scheme="red", on_click=S.withdraw_ai)
                ),
                justify="end",
                spacing="3",
                padding_top="1em",
            ),
        ),
        open=S.confirm_ai_off,
        on_open_change=S.set_confirm_ai_off,
    )


def settings_privacy_content() -> rx.Component:
    S = PrivacyState
    return rx.vstack(
        page_heading("Privacy & consents", "What you have agreed to, and when. Change it here."),
        error_callout(S.error),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status"),
        ),
        rx.cond(
            S.loading,
            loading_state("Loading your consents…"),
            rx.vstack(
                rx.foreach(S.items, _item),
                rx.heading("History", size="5", as_="h2", padding_top="1em"),
                rx.cond(
                    S.history.length() > 0,
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("When"),
                                    rx.table.column_header_cell("Consent"),
                                    rx.table.column_header_cell("Change"),
                                    rx.table.column_header_cell("Version"),
                                )
                            ),
                            rx.table.body(rx.foreach(S.history, _history_row)),
                            variant="surface",
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    empty_state("No changes yet", "Your grants and withdrawals will appear here."),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        _confirm_ai_dialog(),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def settings_privacy_page() -> rx.Component:
    return shell(guarded(ROUTE, settings_privacy_content()))


page = register(
    Page(
        route=ROUTE,
        title="Privacy & consents · Settings · CyberHub",
        component=settings_privacy_page,
        access=SIGNED_IN,
        on_load=(PrivacyState.load,),
    )
)
