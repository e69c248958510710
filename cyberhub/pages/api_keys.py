"""/settings/api-keys: create API keys for the JSON API (confirmed with the current password or
an authenticator code; the secret is shown once), see when each was last used, revoke them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.dialogs import action_dialog
from cyberhub.components.fields import copy_button, copyable_input
from cyberhub.components.labelled import labelled_form_input, titled_form_card
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, register_guarded_page
from cyberhub.components.tables import table_or
from cyberhub.components.ui import (
    danger_button,
    empty_state,
    error_callout,
    icon_button,
    muted,
    page_heading,
)
from cyberhub.formatting import when
from cyberhub.routes import SIGNED_IN
from cyberhub.schemas.rows import from_row
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import api_keys
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.service import ServiceState

ROUTE = "/settings/api-keys"


@dataclass
class KeyRow:
    """One key as the table shows it (times already in the reader's zone)."""

    id: int
    name: str
    prefix: str
    scopes_text: str
    created_at: str
    last_used_at: str
    revoked_at: str
    active: bool


def _list(session: Session, principal: Principal | None) -> list[KeyRow]:
    tz = principal.time_zone if principal else None
    return [
        from_row(
            KeyRow,
            k,
            scopes_text=" + ".join(k.scopes),
            created_at=when(k.created_at, tz),
            last_used_at=when(k.last_used_at, tz, empty="never"),
            revoked_at=when(k.revoked_at, tz),
        )
        for k in api_keys.list_keys(session, principal)
    ]


def _create(
    session: Session,
    principal: Principal | None,
    name: str,
    scopes: list[str],
    confirmation: str,
    meta: RequestMeta,
) -> tuple[str, str]:
    # One field: the password, or a 6-digit code when two-step sign-in is on.
    key, secret = api_keys.create(
        session,
        principal,
        name=name,
        scopes=scopes,
        password=confirmation,
        code=confirmation,
        meta=meta,
    )
    return key.name, secret


class ApiKeysState(ServiceState, rx.State):
    keys: list[KeyRow] = []
    loading: bool = True
    notice: str = ""
    name: str = ""
    scope_write: bool = False
    create_error: str = ""
    # The new secret lives here only while its dialog is open, then it is forgotten.
    secret: str = ""
    secret_name: str = ""
    revoke_open: bool = False
    revoke_id: int = 0
    revoke_name: str = ""
    revoke_error: str = ""

    async def _fetch(self) -> None:
        found = await self._call(_list)
        self.loading = False
        if found:
            self.keys, self.error = found.value, ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.secret, self.revoke_open = True, "", "", False
        self.create_error = ""  # a refusal of the last visit's form, not of this one
        self.scope_write = False  # a new key reads only, unless "write" is ticked on this visit
        await self._fetch()

    set_scope_write = value_setter("scope_write", bool)

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        if self.secret:
            # The second submit of a double click: the first made the key whose secret is on
            # screen; a second key would be made, its secret never shown.
            return None
        self.name = str(form.get("name", ""))[:100]
        confirmation = str(form.get("confirmation", ""))[:256]  # never kept in the state
        scopes = ["read", "write"] if self.scope_write else ["read"]
        self.notice = ""
        created = await self._try(_create, self.name, scopes, confirmation, self._meta())
        if not created:
            self.create_error = created.error
            return rx.set_value("key-confirmation", "")
        self.secret_name, self.secret = created.value
        self.create_error, self.name, self.scope_write = "", "", False
        await self._fetch()
        return [rx.set_value("key-name", ""), rx.set_value("key-confirmation", "")]

    @rx.event
    def close_secret(self, value: bool = False) -> None:
        if not value:
            self.secret, self.notice = "", f"Key “{self.secret_name}” created."

    @rx.event
    def ask_revoke(self, key_id: int, name: str) -> None:
        self.revoke_id, self.revoke_name = int(key_id), str(name)
        self.revoke_error, self.revoke_open = "", True

    set_revoke_open = open_setter("revoke_open")

    @rx.event
    async def revoke(self) -> None:
        revoked = await self._try(api_keys.revoke, self.revoke_id, self._meta())
        if not revoked:
            self.revoke_error = revoked.error
            return
        self.revoke_open, self.notice = False, f"Key “{self.revoke_name}” revoked."
        await self._fetch()


S = ApiKeysState


def _create_form() -> rx.Component:
    return titled_form_card(
        "New key",
        S.create_error,
        labelled_form_input(
            "Name",
            "key-name",
            name="name",
            default_value=S.name,
            max_length=100,
            placeholder="e.g. Reporting script",
            max_width="28em",
        ),
        rx.el.fieldset(
            rx.el.legend("Scopes", font_weight="500", margin_bottom="0.25em"),
            rx.vstack(
                rx.checkbox(
                    "read — GET requests (always included)",
                    checked=True,
                    disabled=True,
                ),
                rx.checkbox(
                    "write — also create, change and delete",
                    checked=S.scope_write,
                    on_change=S.set_scope_write,
                ),
                spacing="2",
            ),
            border="none",
            padding="0",
        ),
        labelled_form_input(
            "Current password (or authenticator code)",
            "key-confirmation",
            name="confirmation",
            type="password",
            auto_complete="current-password",
            aria_describedby="key-confirmation-help",
            max_length=256,
            max_width="20em",
        ),
        muted(
            "A key acts as you: confirm it's you. With two-step sign-in on, a 6-digit "
            "code from your app also works.",
            size="1",
            id="key-confirmation-help",
        ),
        icon_button("key_round", "Create key", type="submit"),
        on_submit=S.create,
    )


def _secret_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Your new API key"),
            rx.dialog.description(
                "Copy it now and keep it somewhere safe: CyberHub stores only a hash, so it "
                "can't be shown again. Send it as 'Authorization: Bearer <key>' or "
                "'X-API-Key: <key>'."
            ),
            rx.vstack(
                rx.el.label("Secret of ", S.secret_name, html_for="key-secret", font_weight="500"),
                copyable_input("key-secret", S.secret, "api-key-secret"),
                rx.hstack(
                    copy_button(
                        "Copy to clipboard", S.secret, "Copied. Paste it where you keep secrets."
                    ),
                    rx.dialog.close(rx.button("I've stored it — close")),
                    justify="end",
                    width="100%",
                    wrap="wrap",
                ),
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=S.secret != "",
        on_open_change=S.close_secret,
    )


def _revoke_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title("Revoke “", S.revoke_name, "”?"),
        rx.alert_dialog.description(
            "Every program using this key gets 401 from now on. This can't be undone."
        ),
        error_callout(S.revoke_error),
        confirm=rx.button("Revoke key", color_scheme="red", on_click=S.revoke),
        is_open=S.revoke_open,
        on_open_change=S.set_revoke_open,
        margin_top="1em",
    )


def _key_row(k: rx.Var[KeyRow]) -> rx.Component:
    active = k.active
    return rx.table.row(
        rx.table.cell(rx.text(k.name, weight="medium")),
        rx.table.cell(rx.code(k.prefix, "…")),
        rx.table.cell(k.scopes_text),
        rx.table.cell(rx.text(k.created_at, size="2")),
        rx.table.cell(rx.text(k.last_used_at, size="2")),
        rx.table.cell(
            rx.cond(
                active,
                danger_button(
                    "Revoke", "Revoke " + k.name, ApiKeysState.ask_revoke(k.id, k.name), size="2"
                ),
                rx.badge("revoked ", k.revoked_at, color_scheme="gray"),
            )
        ),
    )


def api_keys_content() -> rx.Component:
    return rx.box(
        page_heading(
            "API keys",
            "Keys let your programs call the CyberHub JSON API (/api/v1) as you, with your "
            "roles, limited to what the key's scope allows.",
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        _create_form(),
        rx.heading("Your keys", size="5", as_="h2", margin_top="1.5em", margin_bottom="0.5em"),
        once_loaded(
            S.loading,
            "Loading your keys…",
            table_or(
                S.keys,
                ["Name", "Key", "Scopes", "Created", "Last used", "Status"],
                _key_row,
                empty_state("No API keys yet", "Create one above when a program needs access."),
            ),
        ),
        _secret_dialog(),
        _revoke_dialog(),
    )


page = register_guarded_page(
    ROUTE, "API keys · Settings · CyberHub", api_keys_content, SIGNED_IN, ApiKeysState.load
)
