"""The cohort's completions for its director (issue 15, item 4): who completed and when, each
certificate's public page, revoke with a reason (after a confirmation), and close the cohort."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.counts import counted
from cyberhub.components.dialogs import action_dialog
from cyberhub.components.layout import flag_confirm, wide_callout
from cyberhub.components.notice import notice_callout
from cyberhub.components.panels import grey_text, named_row
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import heading_with_actions, section_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import danger_button, error_callout, icon_button, muted
from cyberhub.formatting import when
from cyberhub.pages.director_cohort.data import fetch_panel
from cyberhub.pages.director_cohort.enrolment import CohortEnrolmentState
from cyberhub.pages.director_cohort.state import DirectorCohortState
from cyberhub.schemas.certificates import CohortCompletion, CohortCompletionsPage
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import certificates, programs
from cyberhub.state import resubmit
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.paging import PagedList
from cyberhub.state.service import ServiceState


@dataclass(frozen=True)
class _Loaded:
    completions: CohortCompletionsPage
    closed_at: Any


def _load(session: Session, principal: Principal | None, cohort_id: int, page: int) -> _Loaded:
    cohort = programs.cohort_detail(session, principal, cohort_id)
    # A page emptied by revoking does not happen (a revoked one stays listed), but a list cut
    # short meanwhile shows its last page, not nothing (last_if_past).
    found = certificates.cohort_completions(
        session, principal, cohort_id, page=page, last_if_past=True
    )
    return _Loaded(found, cohort.closed_at)


def _revoke(
    session: Session, principal: Principal | None, cert_id: int, reason: str, meta: RequestMeta
) -> str:
    return certificates.revoke(session, principal, cert_id, reason, meta=meta).name


def _check(session: Session, principal: Principal | None, cohort_id: int, meta: RequestMeta) -> int:
    return certificates.complete_cohort(session, principal, cohort_id, meta=meta).completed


def _close(session: Session, principal: Principal | None, cohort_id: int, meta: RequestMeta) -> str:
    return certificates.close_cohort(session, principal, cohort_id, meta=meta).name


def completion_row(c: CohortCompletion) -> dict[str, Any]:
    """One completion as the panel lists it. Its dates are the certificate's (UTC days, as on
    its public page and PDF: a document bears one date): in the director's zone, a learner who
    completed at 22:30 UTC on 12 November showed 13 Nov here and 12 Nov on the page it links."""
    return {
        "id": c.certificate_id,
        "name": c.name,
        "email": c.email,
        "completed": when(c.certificate.issued_on, style="date"),
        "url": c.certificate.url,
        "revoked": c.certificate.revoked,
        "revoked_on": when(c.certificate.revoked_on, style="date"),
        "reason": c.certificate.revoke_reason,
    }


class CohortCompletionState(PagedList, ServiceState, rx.State):
    cohort_id: int = 0
    rows: list[dict[str, Any]] = []  # one page of them (certificates.COMPLETIONS_PAGE_SIZE)
    total: int = 0
    closed_on: str = ""
    notice: str = ""
    revoke_open: bool = False
    revoke_id: int = 0
    revoke_name: str = ""
    reason: str = ""
    close_open: bool = False
    _checked: dict[str, float] = {}  # when Check completions ran (resubmit: a double click)

    async def _fetch(self) -> None:
        got = await self._try(_load, self.cohort_id, self.page)
        if not got:
            self.error = got.error
            return
        tz = await self._time_zone()
        found = got.value.completions
        self.closed_on = when(got.value.closed_at, tz, "date")
        self.rows = [completion_row(c) for c in found.items]
        self.page, self.pages, self.total = found.page, found.pages, found.total

    @rx.event
    async def load(self) -> None:
        self.error, self.notice, self.rows, self.closed_on = "", "", [], ""
        self.revoke_open = self.close_open = False
        self.page, self.total = 1, 0
        await fetch_panel(self)

    @rx.event
    def ask_revoke(self, cert_id: int, name: str) -> None:
        self.revoke_id, self.revoke_name, self.reason = int(cert_id), str(name), ""
        self.error, self.revoke_open = "", True

    # Cancel: a refusal of the dialog goes with it, not onto the panel
    set_revoke_open = open_setter("revoke_open", cleared_on_close="error")

    set_reason = value_setter("reason", str)

    @rx.event
    async def revoke(self) -> None:
        if not self.revoke_open:
            # A second click of the dialog's Revoke its first one closed (a double click): the
            # first's notice stands, not "already revoked" beside it.
            return
        done = await self._call(_revoke, self.revoke_id, self.reason, self._meta())
        if not done:
            return  # the dialog stays open with the message and the typed reason
        self.revoke_open, self.notice = False, f"Revoked the certificate of {done.value}."
        self.error = ""  # the refusal of a try before, shown on the panel once the dialog closes
        await self._fetch()

    @rx.event
    async def check(self) -> None:
        if resubmit.sent_again(self._checked, "check"):
            # A double click: the first click's "3 learners completed now" stands, not the
            # second's "No learner has met the rule yet".
            return
        self._checked = resubmit.made_now(self._checked, "check")
        self.notice = self.error = ""
        done = await self._call(_check, self.cohort_id, self._meta())
        if not done:
            return
        n = done.value
        self.notice = (
            "No learner has met the rule yet."
            if n == 0
            else f"{n} learner{'s' if n != 1 else ''} completed now, with a certificate."
        )
        await self._fetch()

    set_close_open = open_setter("close_open")

    @rx.event
    async def close_cohort(self) -> Any:
        if not self.close_open:
            return None  # the dialog's second click (a double click): the first's notice stands
        self.close_open, self.notice, self.error = False, "", ""
        done = await self._call(_close, self.cohort_id, self._meta())
        if not done:
            return None
        self.notice = f"{done.value} is closed: it takes no more enrolments or applications."
        await self._fetch()
        # The roster, and the applications and waitlist places the closing ended.
        return [DirectorCohortState.refresh, CohortEnrolmentState.load]


S = CohortCompletionState


def _row(r: rx.Var[dict[str, Any]]) -> rx.Component:
    return named_row(
        r["name"].to(str),
        r["email"].to(str),
        r["completed"].to(str),
        rx.cond(
            r["revoked"].to(bool),
            rx.text("Revoked on ", r["revoked_on"].to(str), " (", r["reason"].to(str), ")"),
            rx.link("Public page", href=r["url"].to(str)),
        ),
        rx.cond(
            r["revoked"].to(bool),
            rx.fragment(),
            danger_button(
                "Revoke",
                "Revoke the certificate of " + r["name"].to(str),
                S.ask_revoke(r["id"].to(int), r["name"].to(str)),
            ),
        ),
    )


def _revoke_dialog() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title("Revoke the certificate of ", S.revoke_name, "?"),
        rx.alert_dialog.description(
            "Its public page will say it is revoked, with your reason, and the learner is "
            "told. This cannot be undone."
        ),
        rx.vstack(
            rx.el.label("Reason (shown on the public page)", html_for="revoke-reason"),
            rx.text_area(
                id="revoke-reason",
                value=S.reason,
                on_change=S.set_reason,
                max_length=certificates.REASON_MAX,
                width="100%",
            ),
            error_callout(S.error),
            width="100%",
            padding_top="0.75em",
        ),
        confirm=rx.button("Revoke", color_scheme="red", on_click=S.revoke),
        is_open=S.revoke_open,
        on_open_change=S.set_revoke_open,
        spacing="3",
        padding_top="1em",
    )


def completion_panel() -> rx.Component:
    """Completions and certificates of the cohort, and closing it."""
    return section_card(
        heading_with_actions(
            "Completions and certificates",
            icon_button("refresh_cw", "Check completions", variant="soft", on_click=S.check),
            rx.cond(
                S.closed_on == "",
                icon_button(
                    "lock",
                    "Close the cohort",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.set_close_open(True),
                ),
            ),
        ),
        rx.cond(
            S.closed_on != "",
            wide_callout(
                rx.text(
                    "Closed on ",
                    S.closed_on,
                    ": this cohort takes no more enrolments or applications.",
                ),
                icon="lock",
                color_scheme="amber",
                testid="cohort-closed",
            ),
        ),
        muted(
            "A learner completes when every required mission of their track is approved "
            "(mark missions required under Missions → Missions your programme runs). It runs "
            "on each approval; Check completions runs it now for work approved earlier."
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        rx.cond(~S.revoke_open, error_callout(S.error)),
        table_or(
            S.rows,
            ["Learner", "Email", "Completed", "Certificate", ""],
            _row,
            grey_text("No learner has completed yet."),
            label="Completions",
        ),
        rx.cond(S.total > 0, muted(counted(S.total, "learner"), " completed in all.")),
        pager_if_many(S.page, S.pages, S.go_to, "the completions"),
        _revoke_dialog(),
        flag_confirm(
            S,
            "close_open",
            "Close this cohort?",
            "No one can enrol, apply or move up from the waitlist afterwards: pending "
            "applications and waitlist places end, and those learners are told. Enrolled "
            "learners keep their work and certificates, and reviews go on. This cannot be "
            "undone.",
            confirm="Close the cohort",
            on_confirm=S.close_cohort,
        ),
        data_testid="cohort-completions",
    )
