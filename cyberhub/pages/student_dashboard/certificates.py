"""The "My certificates" block of the learner's home: each certificate with its public page and
PDF (issue 15, item 4). Shown only once the learner has one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.layout import full_column, wrap_row
from cyberhub.components.page_kit import stack_card
from cyberhub.formatting import when
from cyberhub.services.learning import certificates
from cyberhub.state.service import ServiceState


class MyCertificatesState(ServiceState, rx.State):
    items: list[dict[str, Any]] = []

    @rx.event
    async def load(self) -> None:
        got = await self._try(certificates.my_certificates)
        if not got:
            self.items = []
            return
        self.items = [
            {
                "title": f"{c.track} · {c.cohort}",
                "organization": c.organization,
                "issued": when(c.issued_on, style="date"),  # as on the certificate
                "revoked": c.revoked,
                "url": c.url,
                "pdf_url": c.pdf_url,
            }
            for c in got.value
        ]


def _item(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return stack_card(
        wrap_row(
            rx.icon("award", size=18),
            rx.text(c["title"].to(str), weight="bold"),
            rx.cond(c["revoked"].to(bool), rx.badge("Revoked", color_scheme="red")),
            spacing="2",
        ),
        rx.text(c["organization"].to(str), " · completed ", c["issued"].to(str), size="2"),
        rx.hstack(
            rx.link("Public page", href=c["url"].to(str)),
            rx.link("PDF", href=c["pdf_url"].to(str), is_external=True),
            spacing="4",
        ),
        spacing="1",
        align="start",
    )


def certificates_section() -> rx.Component:
    S = MyCertificatesState
    return rx.cond(
        S.items.length() > 0,
        full_column(
            rx.heading("My certificates", size="5", as_="h2"),
            rx.foreach(S.items, _item),
            align="start",
            data_testid="my-certificates",
        ),
    )
