"""/cohorts: cohorts a learner may apply to or join (enrolment mode application or open), with
seats left and waitlist length; apply, join or withdraw (after a confirmation), and their own
status and place ("3rd on the waitlist")."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.pages.registry import SIGNED_IN, Page, register
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import applications
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/cohorts"
STATUS_LABELS = {
    "applied": "Applied: waiting for the director",
    "enrolled": "Enrolled",
    "waitlisted": "On the waitlist",
    "rejected": "Not accepted",
    "withdrawn": "Withdrawn",
}


def _offer_view(o: applications.CohortOffer) -> dict[str, Any]:
    row = asdict(o)
    row["dates"] = f"{o.starts_on:%d %b %Y} – {o.ends_on:%d %b %Y}"
    row["starts_on"], row["ends_on"] = o.starts_on.isoformat(), o.ends_on.isoformat()
    row["status_label"] = STATUS_LABELS.get(o.my_status, "")
    row["can_apply"] = o.my_status in ("", "withdrawn")
    row["can_withdraw"] = o.my_status in ("applied", "waitlisted", "enrolled")
    row["action"] = "Join" if o.mode == "open" else "Apply"
    row["mode_label"] = (
        "Open: join while seats are left" if o.mode == "open" else "Apply: a director approves"
    )
    return row


def _offers(principal: Principal | None) -> list[dict[str, Any]]:
    with db.session_scope() as session:
        return [_offer_view(o) for o in applications.open_cohorts(session, principal)]


def _apply(
    principal: Principal | None, cohort_id: int, meta: RequestMeta
) -> applications.ApplicationPublic:
    with db.session_scope() as session:
        return applications.apply(session, principal, cohort_id, meta=meta)


def _withdraw(
    principal: Principal | None, cohort_id: int, meta: RequestMeta
) -> applications.ApplicationPublic:
    with db.session_scope() as session:
        return applications.withdraw(session, principal, cohort_id, meta=meta)


class CohortsState(rx.State):
    offers: list[dict[str, Any]] = []
    loaded: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False
    # the cohort awaiting confirmation of a withdrawal (dialog open while set)
    withdraw_open: bool = False
    withdraw_id: int = 0
    withdraw_name: str = ""
    withdraw_status: str = ""

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        try:
            self.offers = await asyncio.to_thread(_offers, await self._principal())
        except DomainError as exc:
            self.error = exc.message
        self.loaded = True

    @rx.event
    async def load(self) -> None:
        self.loaded, self.error, self.notice = False, "", ""
        await self._fetch()

    @rx.event
    async def apply(self, cohort_id: int) -> None:
        if self.busy:
            return
        self.busy, self.notice, self.error = True, "", ""
        try:
            out = await asyncio.to_thread(
                _apply, await self._principal(), int(cohort_id), request_meta(self)
            )
        except DomainError as exc:
            self.error, self.busy = exc.message, False
            return
        await self._fetch()
        self.busy = False
        self.notice = {
            "applied": f"You applied to {out.cohort_name}. The director will decide.",
            "enrolled": f"You are enrolled in {out.cohort_name}.",
            "waitlisted": f"{out.cohort_name} is full: you are {out.position_text}.",
        }.get(out.status, f"{out.cohort_name}: {out.status}.")

    @rx.event
    def ask_withdraw(self, row: dict[str, Any]) -> None:
        self.withdraw_id = int(row.get("id") or 0)
        self.withdraw_name = str(row.get("name", ""))
        self.withdraw_status = str(row.get("my_status", ""))
        self.withdraw_open = True

    @rx.event
    def set_withdraw_open(self, value: bool) -> None:
        self.withdraw_open = value

    @rx.event
    async def withdraw(self) -> None:
        self.withdraw_open, self.notice, self.error = False, "", ""
        try:
            await asyncio.to_thread(
                _withdraw, await self._principal(), self.withdraw_id, request_meta(self)
            )
        except DomainError as exc:
            self.error = exc.message
            return
        await self._fetch()
        self.notice = f"You withdrew from {self.withdraw_name}."

    @rx.var
    def withdraw_warning(self) -> str:
        return {
            "enrolled": "You give up your seat; the next person on the waitlist gets it. Your "
            "submissions are kept.",
            "waitlisted": "You lose your place on the waitlist; applying again puts you at the "
            "back.",
        }.get(self.withdraw_status, "Your application is withdrawn; you can apply again later.")


def _offer_card(o: rx.Var[dict[str, Any]]) -> rx.Component:
    S = CohortsState
    return rx.card(
        rx.vstack(
            rx.heading(o["name"].to(str), size="4", as_="h2"),
            rx.text(o["program"].to(str), " · ", o["organization"].to(str), color_scheme="gray"),
            rx.text(o["dates"].to(str), size="2"),
            rx.flex(
                rx.badge(o["mode_label"].to(str), variant="soft"),
                rx.badge(o["seats_left"].to(int), " of ", o["capacity"].to(int), " seats left"),
                rx.badge(o["waitlist"].to(int), " on the waitlist", variant="outline"),
                gap="0.4em",
                wrap="wrap",
            ),
            rx.cond(
                o["my_status"].to(str) != "",
                rx.text(
                    rx.text.strong(o["status_label"].to(str)),
                    rx.cond(
                        o["my_position_text"].to(str) != "",
                        rx.text.span(": ", o["my_position_text"].to(str)),
                    ),
                    data_testid="my-status",
                ),
            ),
            rx.hstack(
                rx.cond(
                    o["can_apply"].to(bool),
                    rx.button(
                        o["action"].to(str),
                        on_click=S.apply(o["id"].to(int)),
                        disabled=S.busy,
                        aria_label=o["action"].to(str) + " " + o["name"].to(str),
                    ),
                ),
                rx.cond(
                    o["can_withdraw"].to(bool),
                    rx.button(
                        "Withdraw",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.ask_withdraw(o),
                        aria_label="Withdraw from " + o["name"].to(str),
                    ),
                ),
                spacing="2",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        data_testid="cohort-offer",
    )


def _confirm_withdraw() -> rx.Component:
    S = CohortsState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.text("Withdraw from ", S.withdraw_name, "?")),
            rx.alert_dialog.description(S.withdraw_warning),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button("Withdraw", color_scheme="red", on_click=S.withdraw),
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.withdraw_open,
        on_open_change=S.set_withdraw_open,
    )


def cohorts_content() -> rx.Component:
    S = CohortsState
    return rx.vstack(
        page_heading(
            "Join a cohort",
            "Cohorts that take applications or let you join yourself. When a cohort is full you "
            "join its waitlist and get a seat, in order, as soon as one frees.",
        ),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        error_callout(S.error),
        rx.cond(
            S.loaded,
            rx.cond(
                S.offers.length() > 0,
                rx.grid(
                    rx.foreach(S.offers, _offer_card),
                    columns=rx.breakpoints(initial="1", md="2"),
                    gap="1em",
                    width="100%",
                ),
                empty_state(
                    "No cohort is open right now",
                    "No cohort takes applications at the moment. You can still read every "
                    "mission in the catalog.",
                    rx.link(rx.button("Open the catalog"), href="/missions"),
                ),
            ),
            loading_state("Loading cohorts…"),
        ),
        _confirm_withdraw(),
        spacing="4",
        width="100%",
    )


def cohorts_page() -> rx.Component:
    return shell(guarded(ROUTE, cohorts_content()))


page = register(
    Page(
        route=ROUTE,
        title="Join a cohort · CyberHub",
        component=cohorts_page,
        access=SIGNED_IN,
        on_load=(CohortsState.load,),
        description="Cohorts open to applications, with seats and waitlists.",
    )
)
