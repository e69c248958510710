"""The cohort's sponsorships for its director (issue 15, item 2): which sponsor organisations
fund how many seats, for how much and when; add, edit, and remove after a confirmation (all
audited by services/learning/sponsorships.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.dialogs import form_dialog
from cyberhub.components.labelled import labelled_select, labelled_textarea
from cyberhub.components.layout import flag_confirm
from cyberhub.components.notice import notice_callout
from cyberhub.components.panels import field_grid, grey_text, kept_input, named_row
from cyberhub.components.sections import heading_with_actions, section_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import danger_button, error_callout, icon_button, info_callout
from cyberhub.formatting import plural, when
from cyberhub.pages.director_cohort.data import fetch_panel
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.sponsorships import (
    NOTES_MAX,
    CohortSeats,
    SponsorOrganization,
    SponsorshipIn,
    SponsorshipPublic,
)
from cyberhub.services import text as free_text
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import sponsorships
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import parse_id
from cyberhub.state.service import ServiceState

FIELDS = ("organization_id", "seats", "amount", "currency", "starts_on", "ends_on", "notes")


@dataclass
class SponsorshipRow:
    id: int
    sponsor: str
    organization_id: str
    seats: int
    used: str  # "8 of 10": the cohort's learners on its seats (sponsorships.seat_allocations)
    amount: str  # "USD 1,500.00"
    period: str
    notes: str
    # The raw values the edit form starts from.
    raw: dict[str, str]


@dataclass(frozen=True)
class _Loaded:
    rows: list[SponsorshipPublic]
    organizations: list[SponsorOrganization]
    seats: CohortSeats


def _load(session: Session, principal: Principal | None, cohort_id: int) -> _Loaded:
    found = sponsorships.cohort_sponsors(session, principal, cohort_id)
    return _Loaded(found.rows, sponsorships.sponsor_organizations(session, principal), found.seats)


def seats_summary(seats: CohortSeats, sponsored: bool) -> str:
    """Under the sponsors: how many enrolled learners are on a sponsor's seat and how many on
    none ("" while no sponsor funds the cohort)."""
    if not sponsored:
        return ""
    on_none = (
        "every one on a sponsor's seat."
        if seats.unfunded == 0
        else f"{seats.unfunded} on no sponsor's seat (not funded)."
    )
    enrolled = plural(seats.enrolled, "learner")
    return f"{enrolled} enrolled: {seats.funded} on sponsors' seats, {on_none}"


def parse_form(values: dict[str, str]) -> SponsorshipIn:
    """The form's text as a SponsorshipIn (Invalid, with what to fix, when it can't be)."""
    org = parse_id(values.get("organization_id"))
    if org is None:
        raise Invalid("Pick the sponsor organisation.")
    seats = values.get("seats", "").strip()
    if not free_text.digits(seats):
        raise Invalid("Seats must be a whole number, such as 10.")
    try:
        amount = Decimal(values.get("amount", "").strip().replace(",", ""))
    except InvalidOperation as exc:
        raise Invalid("The amount must be a number, such as 1500 or 1500.50.") from exc
    try:
        starts_on = date.fromisoformat(values.get("starts_on", ""))
        ends_on = date.fromisoformat(values.get("ends_on", ""))
    except ValueError as exc:
        raise Invalid("Give both the start and the end date.") from exc
    # The service checks the ranges, the currency and the notes' length (one message each).
    return SponsorshipIn.model_construct(
        organization_id=org,
        seats=int(seats),
        amount=amount,
        currency=values.get("currency", ""),
        starts_on=starts_on,
        ends_on=ends_on,
        notes=values.get("notes", ""),
    )


def _save(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    editing: int,
    values: dict[str, str],
    meta: RequestMeta,
) -> str:
    data = parse_form(values)
    if editing:
        return sponsorships.update_sponsorship(session, principal, editing, data, meta=meta).sponsor
    return sponsorships.create_sponsorship(session, principal, cohort_id, data, meta=meta).sponsor


def _row(s: SponsorshipPublic) -> SponsorshipRow:
    return from_row(
        SponsorshipRow,
        s,
        organization_id=str(s.organization_id),
        used=f"{s.seats_used or 0} of {s.seats}",
        amount=f"{s.currency} {Decimal(s.amount):,.2f}",
        period=f"{when(s.starts_on, style='date')} – {when(s.ends_on, style='date')}",
        raw={
            "organization_id": str(s.organization_id),
            "seats": str(s.seats),
            "amount": s.amount,
            "currency": s.currency,
            "starts_on": s.starts_on.isoformat(),
            "ends_on": s.ends_on.isoformat(),
            "notes": s.notes,
        },
    )


def _blank() -> dict[str, str]:
    return dict.fromkeys(FIELDS, "") | {"currency": "USD"}


def kept_sponsor_note(organizations: list[dict[str, str]], row: SponsorshipRow) -> str:
    """What the edit form says when `row`'s sponsor is no longer among the `organizations` a
    director may pick (it lost its sponsor account, or now runs programmes): it can be kept
    while the other fields change. "" when it is still pickable."""
    if any(o["id"] == row.organization_id for o in organizations):
        return ""
    return (
        f"{row.sponsor} can no longer be picked as a sponsor. You can keep it and change the "
        "other fields; to move this sponsorship, pick another organisation."
    )


class CohortSponsorsState(ServiceState, rx.State):
    cohort_id: int = 0
    rows: list[SponsorshipRow] = []
    organizations: list[dict[str, str]] = []
    form_open: bool = False
    editing: int = 0  # the sponsorship being edited; 0: a new one
    values: dict[str, str] = _blank()
    notice: str = ""
    kept_note: str = ""  # the sponsor being edited can't be picked any more: why it is listed
    kept_option: dict[str, str] = {}  # that sponsor, as the select's extra option
    seats_note: str = ""  # seats_summary: the enrolled learners funded and not funded
    remove_open: bool = False
    remove_id: int = 0
    remove_name: str = ""

    async def _fetch(self) -> None:
        got = await self._try(_load, self.cohort_id)
        if not got:
            self.error = got.error
            return
        self.rows = [_row(s) for s in got.value.rows]
        self.organizations = [{"id": str(o.id), "name": o.name} for o in got.value.organizations]
        self.seats_note = seats_summary(got.value.seats, bool(got.value.rows))

    @rx.event
    async def load(self) -> None:
        self.error, self.notice, self.rows = "", "", []
        self.form_open = self.remove_open = False
        await fetch_panel(self)

    @rx.event
    async def refresh(self) -> None:
        """Read the seats again in place after the roster changed in another panel (an
        enrolment, an import, a withdrawal, an approval, a new capacity): a form open here stays
        as typed."""
        await fetch_panel(self)

    @rx.var
    def choices(self) -> list[dict[str, str]]:
        """The organisations to pick from, and a sponsor kept though no longer pickable."""
        return self.organizations + ([self.kept_option] if self.kept_option else [])

    @rx.event
    def start_new(self) -> None:
        self.editing, self.values, self.error, self.form_open = 0, _blank(), "", True
        self.kept_note, self.kept_option = "", {}

    @rx.event
    def start_edit(self, sid: int) -> None:
        for r in self.rows:
            if r.id == int(sid):
                self.editing, self.values = r.id, dict(r.raw)
                self.error, self.form_open = "", True
                self.kept_note = kept_sponsor_note(self.organizations, r)
                self.kept_option = (
                    {"id": r.organization_id, "name": f"{r.sponsor} (current sponsor)"}
                    if self.kept_note
                    else {}
                )

    # Cancel: a refusal of the form goes with it, not onto the panel
    set_form_open = open_setter("form_open", cleared_on_close="error")

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.values = {**self.values, name: str(value)}

    @rx.event
    async def save(self, _form: dict[str, Any]) -> None:
        if not self.form_open:
            # A second submit of the dialog its first one closed (a double click): the first's
            # notice stands, not "already sponsors this cohort" beside it.
            return
        done = await self._call(
            _save, self.cohort_id, self.editing, dict(self.values), self._meta()
        )
        if not done:
            return  # the dialog stays open with the message and what was typed
        verb = "Updated" if self.editing else "Recorded"
        self.form_open, self.notice = False, f"{verb} the sponsorship by {done.value}."
        self.error = ""  # the refusal of a try before, shown on the panel once the dialog closes
        await self._fetch()

    @rx.event
    def ask_remove(self, sid: int, name: str) -> None:
        self.remove_id, self.remove_name, self.remove_open = int(sid), str(name), True

    set_remove_open = open_setter("remove_open")

    @rx.event
    async def remove(self) -> None:
        self.remove_open, self.notice, self.error = False, "", ""
        done = await self._call(sponsorships.remove_sponsorship, self.remove_id, meta=self._meta())
        if not done:
            return
        self.notice = f"Removed the sponsorship by {self.remove_name}."
        await self._fetch()


S = CohortSponsorsState


def _table_row(r: rx.Var[SponsorshipRow]) -> rx.Component:
    return named_row(
        r.sponsor,
        r.seats,
        r.used,
        r.amount,
        r.period,
        rx.text(r.notes, white_space="pre-wrap"),
        rx.hstack(
            rx.button(
                "Edit",
                variant="soft",
                on_click=S.start_edit(r.id),
                aria_label="Edit the sponsorship by " + r.sponsor,
            ),
            danger_button(
                "Remove",
                "Remove the sponsorship by " + r.sponsor,
                S.ask_remove(r.id, r.sponsor),
            ),
            spacing="2",
        ),
    )


def _field(label: str, name: str, **props: Any) -> rx.Component:
    return kept_input(label, "sponsorship", name, S.values, S.set_value, **props)


def _form_dialog() -> rx.Component:
    return form_dialog(
        rx.alert_dialog.title(rx.cond(S.editing > 0, "Edit the sponsorship", "Add a sponsor")),
        rx.alert_dialog.description(
            "The sponsor's members with the sponsor role will see this cohort's figures, "
            "and the learners who chose to share with its sponsors.",
            size="2",
        ),
        error_callout(S.error),
        rx.cond(S.kept_note != "", info_callout(S.kept_note)),
        labelled_select(
            "Sponsor organisation",
            "sponsorship-organization",
            S.choices,
            S.values["organization_id"],
            lambda v: S.set_value("organization_id", v),
            placeholder="Pick an organisation",
            full_width=True,
        ),
        field_grid(
            _field("Seats funded", "seats", type="number", min=1),
            _field("Amount", "amount", inputmode="decimal"),
            _field("Currency", "currency", max_length=3),
            _field("Starts on", "starts_on", type="date"),
            _field("Ends on", "ends_on", type="date"),
            sm="2",
            gap="0.5em",
        ),
        labelled_textarea(
            "Notes (optional)",
            "sponsorship-notes",
            name="notes",
            value=S.values["notes"],
            on_change=lambda v: S.set_value("notes", v),
            max_length=NOTES_MAX,
        ),
        save=rx.button(
            rx.cond(S.editing > 0, "Save the sponsorship", "Add the sponsor"),
            type="submit",
        ),
        on_submit=S.save,
        is_open=S.form_open,
        on_open_change=S.set_form_open,
    )


def sponsors_panel() -> rx.Component:
    """The cohort's sponsors, with add, edit and remove."""
    return section_card(
        heading_with_actions(
            "Sponsors",
            icon_button("plus", "Add a sponsor", variant="soft", on_click=S.start_new),
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        rx.cond(~S.form_open, error_callout(S.error)),
        table_or(
            S.rows,
            ["Sponsor", "Seats", "Seats used", "Amount", "Period", "Notes", ""],
            _table_row,
            grey_text(
                "No sponsor funds this cohort yet. A sponsor organisation's members see the "
                "cohort's figures once you add it here."
            ),
            label="Sponsors",
        ),
        rx.cond(S.seats_note != "", grey_text(S.seats_note)),
        _form_dialog(),
        flag_confirm(
            S,
            "remove_open",
            rx.text("Remove the sponsorship by ", S.remove_name, "?"),
            "Its sponsors stop seeing this cohort at once. Learners and their work are not "
            "affected.",
            confirm="Remove",
            on_confirm=S.remove,
        ),
        data_testid="cohort-sponsors",
    )
