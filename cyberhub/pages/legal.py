"""/legal/[kind]: the current version of a consent document (terms, privacy, ...), public."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, loading_state
from cyberhub.pages.registry import PUBLIC, Page, register
from cyberhub.services.errors import DomainError
from cyberhub.services.identity import consents

ROUTE = "/legal/[kind]"


def _document(kind: str) -> dict[str, Any]:
    with db.session_scope() as session:
        return consents.document(session, kind)


class LegalState(rx.State):
    title: str = ""
    version: str = ""
    published_at: str = ""
    paragraphs: list[str] = []
    loading: bool = True
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.paragraphs = True, "", []
        kind = str(self.router.page.params.get("kind", ""))
        try:
            doc = await asyncio.to_thread(_document, kind)
        except DomainError as exc:
            self.error, self.loading, self.title = exc.message, False, "Document not found"
            return
        self.title, self.version = doc["title"], doc["version"]
        self.published_at = doc["published_at"][:10]
        self.paragraphs = [p.strip() for p in doc["body"].split("\n\n") if p.strip()]
        self.loading = False


def legal_page() -> rx.Component:
    S = LegalState
    return shell(
        rx.vstack(
            rx.cond(
                S.loading,
                loading_state("Loading the document…"),
                rx.vstack(
                    rx.heading(S.title, size="7", as_="h1"),
                    error_callout(S.error),
                    rx.cond(
                        S.version != "",
                        rx.text(
                            "Version ",
                            S.version,
                            " · published ",
                            S.published_at,
                            color_scheme="gray",
                            size="2",
                        ),
                    ),
                    rx.foreach(S.paragraphs, lambda p: rx.text(p, as_="p", size="3")),
                    rx.text(
                        "Signed in? See and change your consents under ",
                        rx.link("Privacy & consents", href="/settings/privacy"),
                        ".",
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="3",
                    max_width="44rem",
                ),
            ),
            width="100%",
        )
    )


page = register(
    Page(
        route=ROUTE,
        title="Legal · CyberHub",
        component=legal_page,
        access=PUBLIC,
        on_load=(LegalState.load,),
    )
)
