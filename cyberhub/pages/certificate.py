"""/certificates/[code]: a certificate's public verification page (no sign-in). It shows who
completed what, where and when, the issuing organisation, the approved missions, a clear revoked
state, and the PDF; an unknown code gets a plain "not found" (nothing about other codes)."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import wide_callout
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import page_column, register_page
from cyberhub.components.shell import dead_end_view, shell
from cyberhub.components.ui import loading_state
from cyberhub.formatting import when
from cyberhub.routes import PUBLIC
from cyberhub.services.learning import certificates
from cyberhub.state.forms import url_param
from cyberhub.state.service import ServiceState

ROUTE = "/certificates/[code]"


class CertificatePageState(ServiceState, rx.State):
    loaded: bool = False
    found: bool = False
    name: str = ""
    track: str = ""
    cohort: str = ""
    program: str = ""
    organization: str = ""
    issued: str = ""
    missions: list[str] = []
    revoked: bool = False
    revoked_on: str = ""
    revoke_reason: str = ""
    pdf_url: str = ""

    def _code(self) -> str:
        return url_param(self, "code")[:100]

    @rx.event
    async def load(self) -> None:
        self.loaded, self.found, self.error = False, False, ""
        got = await self._try(certificates.verify, self._code(), meta=self._meta())
        self.loaded = True
        if not got:
            self.error = got.error
            return
        c = got.value
        self.found = True
        self.name, self.track, self.cohort = c.name, c.track, c.cohort
        self.program, self.organization = c.program, c.organization
        self.issued = when(c.issued_on, style="date")  # the certificate's date, as on its PDF
        self.missions = c.missions
        self.revoked = c.revoked
        self.revoked_on = when(c.revoked_on, style="date")
        self.revoke_reason = c.revoke_reason
        self.pdf_url = c.pdf_url


S = CertificatePageState


def _fact(label: str, value: rx.Var[str]) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value), align="center")


def _certificate() -> rx.Component:
    return page_column(
        rx.text(S.organization, weight="bold", size="4"),
        rx.heading("Certificate of completion", size="7", as_="h1"),
        rx.cond(
            S.revoked,
            wide_callout(
                rx.text(
                    rx.text.strong("Revoked on ", S.revoked_on),
                    " (",
                    S.revoke_reason,
                    "). This certificate is no longer valid.",
                ),
                icon="triangle_alert",
                color_scheme="red",
                role="alert",
                testid="certificate-revoked",
            ),
            wide_callout(
                "Valid: issued by the organisation named above through CyberHub.",
                icon="badge_check",
                color_scheme="green",
                role="status",
            ),
        ),
        rx.text(
            "This certifies that ",
            rx.text.strong(S.name, data_testid="certificate-name"),
            " completed the ",
            rx.text.strong(S.track),
            " track.",
            size="4",
        ),
        rx.data_list.root(
            _fact("Learner", S.name),
            _fact("Track", S.track),
            _fact("Programme", S.program),
            _fact("Cohort", S.cohort),
            _fact("Completed on", S.issued),
            _fact("Issued by", S.organization),
        ),
        rx.heading("Missions approved", size="4", as_="h2"),
        rx.el.ul(
            rx.foreach(S.missions, lambda m: rx.el.li(m)),
            padding_left="1.25em",
        ),
        # A plain <a> styled as a button (a file from the API, not a client-side route).
        rx.button(
            rx.el.a(rx.icon("file_down", size=16), "Download the PDF", href=S.pdf_url),
            as_child=True,
            variant="soft",
        ),
        align="start",
        data_testid="certificate",
    )


def _not_found() -> rx.Component:
    return dead_end_view(
        "Certificate not found",
        rx.text(S.error, color_scheme="gray"),
        link_button("Go home", href="/"),
        testid="certificate-not-found",
        padded=False,
    )


def certificate_page() -> rx.Component:
    return shell(rx.cond(S.loaded, rx.cond(S.found, _certificate(), _not_found()), loading_state()))


page = register_page(
    ROUTE,
    "Certificate · CyberHub",
    certificate_page,
    PUBLIC,
    CertificatePageState.load,
    description="Verify a CyberHub completion certificate.",
)
