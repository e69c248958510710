"""/legal/[kind]: the current version of a consent document (terms, privacy, ...), public."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from cyberhub.components.layout import full_column
from cyberhub.components.page_kit import once_loaded, register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, muted
from cyberhub.formatting import when
from cyberhub.routes import PUBLIC
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import url_param
from cyberhub.state.service import ServiceState

ROUTE = "/legal/[kind]"


@dataclass(frozen=True)
class LegalDocument:
    title: str
    version: str
    published_on: str
    paragraphs: list[str]


def _document(session: Session, principal: Principal | None, kind: str) -> LegalDocument:
    # Public: anyone may read the documents they are asked to accept (no principal needed).
    doc = consents.document(session, kind)
    return LegalDocument(
        title=doc.title,
        version=doc.version,
        published_on=when(doc.published_at, principal.time_zone if principal else None, "date"),
        paragraphs=[p.strip() for p in doc.body.split("\n\n") if p.strip()],
    )


class LegalState(ServiceState, rx.State):
    title: str = ""
    version: str = ""
    published_at: str = ""
    paragraphs: list[str] = []
    loading: bool = True
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.paragraphs = True, "", []
        kind = url_param(self, "kind")
        found = await self._call(_document, kind)
        self.loading = False
        if not found:
            self.title = "Document not found"
            return
        doc = found.value
        self.title, self.version = doc.title, doc.version
        self.published_at, self.paragraphs = doc.published_on, doc.paragraphs


def legal_page() -> rx.Component:
    S = LegalState
    return shell(
        full_column(
            once_loaded(
                S.loading,
                "Loading the document…",
                rx.vstack(
                    rx.heading(S.title, size="7", as_="h1"),
                    error_callout(S.error),
                    rx.cond(
                        S.version != "",
                        muted("Version ", S.version, " · published ", S.published_at),
                    ),
                    rx.foreach(S.paragraphs, lambda p: rx.text(p, as_="p", size="3")),
                    muted(
                        "Signed in? See and change your consents under ",
                        rx.link("Privacy & consents", href="/settings/privacy"),
                        ".",
                    ),
                    spacing="3",
                    max_width="44rem",
                ),
            ),
        )
    )


page = register_page(ROUTE, "Legal · CyberHub", legal_page, PUBLIC, LegalState.load)
