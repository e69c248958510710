"""/cohorts: cohorts a learner may apply to or join (enrolment mode application or open), with
seats left and waitlist length; apply, join or withdraw (after a confirmation), and their own
status and place ("3rd on the waitlist")."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.components.address_sync import address_sync
from cyberhub.components.counts import counted
from cyberhub.components.dialogs import action_dialog
from cyberhub.components.fields import search_form
from cyberhub.components.layout import flow, full_column
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import register_guarded_page, two_columns
from cyberhub.components.panels import grey_text
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import card_stack
from cyberhub.components.ui import (
    danger_button,
    empty_state,
    error_callout,
    loading_state,
    muted,
    page_heading,
)
from cyberhub.formatting import when
from cyberhub.routes import SIGNED_IN
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import applications
from cyberhub.state import url_query
from cyberhub.state.dialogs import open_setter
from cyberhub.state.service import ServiceState

ROUTE = "/cohorts"
STATUS_LABELS = {
    "applied": "Applied: waiting for the director",
    "enrolled": "Enrolled",
    "completed": "Completed",
    "waitlisted": "On the waitlist",
    "rejected": "Not accepted",
    "withdrawn": "Withdrawn",
    "expired": "Closed: the cohort ended before your application was decided",
}


class OfferRow(BaseModel):
    """A cohort on offer as its card shows it: dates in words, the learner's state, what they
    may do."""

    id: int
    name: str
    program: str
    organization: str
    dates: str
    mode_label: str
    capacity: int
    seats_left: int
    waitlist: int
    my_status: str
    my_position_text: str
    my_certificate_url: str
    status_label: str
    can_apply: bool
    can_withdraw: bool
    action: str  # "Join" (open mode) or "Apply"


def _offer_view(o: applications.CohortOffer) -> OfferRow:
    return from_row(
        OfferRow,
        o,
        dates=f"{when(o.starts_on, style='date')} – {when(o.ends_on, style='date')}",
        mode_label=(
            "Open: join while seats are left" if o.mode == "open" else "Apply: a director approves"
        ),
        status_label=STATUS_LABELS.get(o.my_status, ""),
        can_apply=o.my_status in ("", "withdrawn", "expired"),
        can_withdraw=o.my_status in ("applied", "waitlisted", "enrolled"),
        action="Join" if o.mode == "open" else "Apply",
    )


class ClosedRow(BaseModel):
    """An application closed without a decision (the cohort ended), with the reason."""

    cohort_name: str
    reason: str


class CohortsView(BaseModel):
    offers: list[OfferRow]
    total: int
    page: int
    pages: int
    closed: list[ClosedRow]


def cohorts_view(
    session: Session, principal: Principal | None, q: str = "", page: int = 1
) -> CohortsView:
    """The page's lists: one page of the cohorts on offer (searched), and the learner's
    applications the end of a cohort closed (a cohort on offer again shows its own card, on
    some page, instead). A page past the last shows the last."""
    found = applications.open_cohorts(session, principal, q=q, page=page, last_if_past=True)
    expired = [a for a in applications.my_applications(session, principal) if a.status == "expired"]
    offered = applications.on_offer_ids(session, [a.cohort_id for a in expired])
    closed = [
        ClosedRow(cohort_name=a.cohort_name, reason=a.reason)
        for a in expired
        if a.cohort_id not in offered
    ]
    return CohortsView(
        offers=[_offer_view(o) for o in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
        closed=closed,
    )


class CohortsState(ServiceState, url_query.AddressedList, rx.State):
    offers: list[OfferRow] = []
    total: int = 0
    closed: list[ClosedRow] = []
    loaded: bool = False
    notice: str = ""
    busy: bool = False
    # the cohort awaiting confirmation of a withdrawal (dialog open while set)
    withdraw_open: bool = False
    withdraw_id: int = 0
    withdraw_name: str = ""
    withdraw_status: str = ""

    async def _fetch(self) -> None:
        if found := await self._call(cohorts_view, self.query, self.page):
            v = found.value
            self.offers, self.closed, self.total = v.offers, v.closed, v.total
            self.page, self.pages = v.page, v.pages
        self.loaded = True

    def _url(self) -> str:
        return url_query.list_url(ROUTE, {}, self.query, self.page)

    @rx.event
    async def load(self) -> None:
        """Restores the search and page from the address (a shared link, a reload and Back
        show the same list)."""
        await self._load_from_address()

    def _new_visit(self) -> None:
        # Not after a search, whose refusal stays said (it flashed and went, over the old list).
        self.error, self.notice = "", ""
        # A confirmation left open (Back, then here again) is not the question of this visit.
        self.withdraw_open = False

    @rx.event
    async def apply(self, cohort_id: int) -> None:
        if self.busy:
            return
        if not any(o.id == int(cohort_id) and o.can_apply for o in self.offers):
            # A second click on a card this page has already settled (a double click): the
            # first one's notice stands, not "You have already applied".
            return
        self.busy, self.notice, self.error = True, "", ""
        done = await self._call(applications.apply, int(cohort_id), meta=self._meta())
        if not done:
            self.busy = False
            return
        out = done.value
        await self._fetch()
        self.busy = False
        self.notice = {
            "applied": f"You applied to {out.cohort_name}. The director will decide.",
            "enrolled": f"You are enrolled in {out.cohort_name}.",
            "waitlisted": f"{out.cohort_name} is full: you are {out.position_text}.",
        }.get(out.status, f"{out.cohort_name}: {out.status}.")

    @rx.event
    def ask_withdraw(self, cohort_id: int) -> None:
        row = next((o for o in self.offers if o.id == int(cohort_id)), None)
        if row is None:
            return
        self.withdraw_id, self.withdraw_name, self.withdraw_status = row.id, row.name, row.my_status
        self.withdraw_open = True

    set_withdraw_open = open_setter("withdraw_open")

    @rx.event
    async def withdraw(self) -> None:
        self.withdraw_open, self.notice, self.error = False, "", ""
        if not await self._call(applications.withdraw, self.withdraw_id, meta=self._meta()):
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


S = CohortsState


def _offer_card(o: rx.Var[OfferRow]) -> rx.Component:
    S = CohortsState
    return card_stack(
        rx.heading(o.name, size="4", as_="h2"),
        grey_text(o.program, " · ", o.organization),
        rx.text(o.dates, size="2"),
        flow(
            rx.badge(o.mode_label, variant="soft"),
            rx.badge(o.seats_left, " of ", counted(o.capacity, "seat"), " left"),
            rx.badge(o.waitlist, " on the waitlist", variant="outline"),
            gap="0.4em",
        ),
        rx.cond(
            o.my_status != "",
            rx.text(
                rx.text.strong(o.status_label),
                rx.cond(
                    o.my_position_text != "",
                    rx.text.span(": ", o.my_position_text),
                ),
                data_testid="my-status",
            ),
        ),
        rx.cond(
            o.my_certificate_url != "",
            rx.link("See your certificate", href=o.my_certificate_url, size="2"),
        ),
        rx.hstack(
            rx.cond(
                o.can_apply,
                rx.button(
                    o.action,
                    on_click=S.apply(o.id),
                    disabled=S.busy,
                    aria_label=o.action + " " + o.name,
                ),
            ),
            rx.cond(
                o.can_withdraw,
                danger_button("Withdraw", "Withdraw from " + o.name, S.ask_withdraw(o.id)),
            ),
            spacing="2",
        ),
        spacing="2",
        align="start",
        data_testid="cohort-offer",
    )


def _confirm_withdraw() -> rx.Component:
    return action_dialog(
        rx.alert_dialog.title(rx.text("Withdraw from ", S.withdraw_name, "?")),
        rx.alert_dialog.description(S.withdraw_warning),
        confirm=rx.button("Withdraw", color_scheme="red", on_click=S.withdraw),
        is_open=S.withdraw_open,
        on_open_change=S.set_withdraw_open,
        margin_top="1em",
    )


def cohorts_content() -> rx.Component:
    return full_column(
        page_heading(
            "Join a cohort",
            "Cohorts that take applications or let you join yourself. When a cohort is full you "
            "join its waitlist and get a seat, in order, as soon as one frees.",
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        address_sync(S),
        search_form(
            "Search cohorts",
            "cohort-search",
            "Cohort, programme or organisation",
            S.query,
            S.search,
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.offers.length() > 0,
                rx.box(
                    muted(counted(S.total, "cohort"), margin_bottom="0.5em"),
                    two_columns(rx.foreach(S.offers, _offer_card)),
                    pager_if_many(S.page, S.pages, S.go_to),
                    width="100%",
                ),
                rx.cond(
                    S.query != "",
                    empty_state("No cohort matches", "Try another name, or clear the search."),
                    empty_state(
                        "No cohort is open right now",
                        "No cohort takes applications at the moment. You can still read every "
                        "mission in the catalog.",
                        link_button("Open the catalog", href="/missions"),
                    ),
                ),
            ),
            loading_state("Loading cohorts…"),
        ),
        rx.cond(
            S.closed.length() > 0,
            rx.vstack(
                rx.heading("Closed applications", size="4", as_="h2"),
                rx.foreach(
                    S.closed,
                    lambda c: rx.text(
                        rx.text.strong(c.cohort_name),
                        ": ",
                        c.reason,
                        data_testid="closed-application",
                    ),
                ),
                spacing="2",
            ),
        ),
        _confirm_withdraw(),
        spacing="4",
    )


page = register_guarded_page(
    ROUTE,
    "Join a cohort · CyberHub",
    cohorts_content,
    SIGNED_IN,
    CohortsState.load,
    description="Cohorts open to applications, with seats and waitlists.",
)
