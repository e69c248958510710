"""/dev/mailbox: every e-mail CyberHub "sent", newest first (development and tests only).

Without SMTP the outbox is the mailbox, so sign-in links and password resets can be completed in
the browser. The page is public, but the mail service decides who sees it: nobody when DEV_MAILBOX
is off or in production (404), and only a browser on this machine otherwise (403).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.layout import flow, wrap_row
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import icon_button, once_listed, register_page
from cyberhub.components.panels import grey_text
from cyberhub.components.sections import titled_stack
from cyberhub.components.shell import dead_end_view, shell
from cyberhub.components.tables import list_or
from cyberhub.components.ui import empty_state, error_callout, muted, page_heading
from cyberhub.formatting import when
from cyberhub.routes import PUBLIC
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Forbidden, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.messaging import mail
from cyberhub.state.service import ServiceState

ROUTE = "/dev/mailbox"
_URL = re.compile(r"(https?://[^\s<>\"']+)")


def body_parts(body: str) -> list[dict[str, str]]:
    """The body as text and link pieces, so links render as real <a> elements."""
    parts = []
    for i, piece in enumerate(_URL.split(body)):
        if piece:
            parts.append({"text": piece, "href": piece if i % 2 else ""})
    return parts


@dataclass(frozen=True)
class MailPart:
    text: str
    href: str  # "" for plain text


@dataclass(frozen=True)
class MailRow:
    id: int
    recipient: str
    subject: str
    kind: str
    at: str
    parts: list[MailPart] = field(default_factory=list)


def _messages(
    session: Session, principal: Principal | None, meta: RequestMeta, to: str
) -> list[MailRow]:
    # The mail service decides who may look (a local request, the mailbox switched on), not
    # the signed-in user: there may be none (completing a sign-in link).
    tz = principal.time_zone if principal else None
    return [
        MailRow(
            id=m.id or 0,
            recipient=m.to_email,
            subject=m.subject,
            kind=m.kind,
            at=when(m.created_at, tz, "seconds"),
            parts=[MailPart(**part) for part in body_parts(m.body)],
        )
        for m in mail.dev_mailbox(session, meta, to=to)
    ]


class MailboxState(ServiceState, rx.State):
    messages: list[MailRow] = []
    recipient: str = ""
    loading: bool = True
    forbidden: bool = False
    refusal: str = ""  # "403" or "404"
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.recipient = str(self.router.url.query_parameters.get("to", "") or "")[:320]
        await self._fetch()

    async def _fetch(self) -> None:
        self.loading = True
        found = await self._try(_messages, self._meta(), self.recipient)
        self.loading = False
        if found:
            self.messages, self.error, self.forbidden = found.value, "", False
        elif found.code in (Forbidden.__name__, NotFound.__name__):
            self.messages, self.forbidden, self.error = [], True, found.error
            refused = Forbidden if found.code == Forbidden.__name__ else NotFound
            self.refusal = str(refused.status_code)
        else:
            self.error = found.error

    @rx.event
    async def filter(self, form: dict[str, Any]) -> None:
        self.recipient = str(form.get("to", "")).strip()[:320]
        await self._fetch()

    @rx.event
    async def clear(self) -> None:
        self.recipient = ""
        await self._fetch()

    @rx.event
    async def refresh(self) -> None:
        await self._fetch()


def _part(part: rx.Var[MailPart]) -> rx.Component:
    return rx.cond(
        part.href != "",
        rx.link(part.text, href=part.href, word_break="break-all"),
        rx.text.span(part.text),
    )


def _message(m: rx.Var[MailRow]) -> rx.Component:
    return rx.card(
        rx.el.article(
            titled_stack(
                m.subject,
                wrap_row(
                    rx.text("To: ", rx.text.strong(m.recipient), size="2"),
                    muted(m.at),
                    rx.badge(m.kind, variant="surface"),
                    spacing="3",
                ),
                rx.box(
                    rx.foreach(m.parts, _part),
                    white_space="pre-wrap",
                    font_family="var(--code-font-family, monospace)",
                    font_size="0.9em",
                    width="100%",
                    class_name="mail-body",
                ),
                size="4",
            ),
            data_testid="mail-message",
        ),
        width="100%",
    )


def _filters() -> rx.Component:
    S = MailboxState
    return flow(
        rx.form(
            wrap_row(
                rx.el.label("Recipient", html_for="mailbox-to", font_weight="500"),
                rx.input(
                    id="mailbox-to",
                    name="to",
                    type="search",
                    placeholder="someone@example.org",
                    default_value=S.recipient,
                    # Made anew when the filter changes: "Show all" empties it (an uncontrolled
                    # box kept the old address, as if still filtered by it).
                    key=S.recipient,
                    max_length=320,
                ),
                icon_button("filter", "Filter", type="submit"),
            ),
            on_submit=S.filter,
        ),
        rx.cond(S.recipient != "", rx.button("Show all", variant="soft", on_click=S.clear)),
        icon_button("refresh_cw", "Refresh", variant="soft", on_click=S.refresh),
        gap="0.75em",
        align="center",
        margin_bottom="1em",
    )


def _forbidden() -> rx.Component:
    return dead_end_view(
        MailboxState.refusal + " — The dev mailbox is not available",
        grey_text(MailboxState.error),
        link_button("Home", href="/"),
        testid="forbidden",
    )


def mailbox_content() -> rx.Component:
    S = MailboxState
    return rx.box(
        page_heading(
            "Dev mailbox",
            "Every e-mail CyberHub sent while no SMTP server is configured, newest first.",
        ),
        _filters(),
        error_callout(S.error),
        once_listed(
            S.loading,
            S.messages,
            "Loading messages…",
            list_or(
                S.messages,
                _message,
                empty_state(
                    "No messages",
                    rx.cond(
                        S.recipient != "",
                        "Nothing was sent to " + S.recipient + " yet.",
                        "Nothing was sent yet. Ask for a sign-in link or a password reset.",
                    ),
                ),
            ),
        ),
        width="100%",
    )


def mailbox_page() -> rx.Component:
    return shell(rx.cond(MailboxState.forbidden, _forbidden(), mailbox_content()))


# No route at all where the mailbox is off (production): /dev/mailbox is the not-found page there.
# Where it is on, the mail service still decides per request (this machine only).
if mail.mailbox_enabled():
    register_page(ROUTE, "Dev mailbox · CyberHub", mailbox_page, PUBLIC, MailboxState.load)
