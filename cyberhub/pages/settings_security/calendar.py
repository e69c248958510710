"""The "Calendar feed" card of /settings/security (issue 15, item 3): make a secret address that
calendar apps subscribe to (the due dates of your cohorts), copy it, make a new one (the old one
stops working) or turn it off — the last two after a confirmation. Only a hash of the secret is
kept, so the address is shown once, when made. A feed turned off (here, or by a password reset or
"sign out everywhere") says since when, and offers a new address."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import copy_button, copyable_input, field_label
from cyberhub.components.layout import flag_confirm, full_column
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import icon_button
from cyberhub.components.sections import card_stack
from cyberhub.components.ui import error_callout, muted
from cyberhub.formatting import when
from cyberhub.services.learning import calendar_feed
from cyberhub.state.dialogs import open_setter
from cyberhub.state.service import ServiceState


class CalendarFeedState(ServiceState, rx.State):
    active: bool = False
    since: str = ""
    off_since: str = ""  # when the last feed was turned off ("" if there never was one)
    url: str = ""  # the address just made (shown until the page is left)
    notice: str = ""
    regenerate_open: bool = False
    revoke_open: bool = False

    @rx.event
    async def load(self) -> None:
        self.url, self.notice, self.error = "", "", ""
        self.regenerate_open = self.revoke_open = False
        await self._read()

    @rx.event
    async def refresh(self) -> None:
        """Read the feed's status again (its dates in the user's zone, after they chose another
        one), keeping an address just made on screen."""
        await self._read()

    async def _read(self) -> None:
        got = await self._try(calendar_feed.feed_status)
        if got:
            tz = await self._time_zone()
            self.active = got.value.active
            self.since = when(got.value.created_at, tz)
            self.off_since = when(got.value.revoked_at, tz)

    async def _make(self) -> None:
        done = await self._call(calendar_feed.create_feed, meta=self._meta())
        if not done:
            return
        self.active, self.url = True, done.value.url
        self.since = when(done.value.created_at, await self._time_zone())
        self.notice = "Your calendar address is ready. Copy it now: it is shown only this once."

    @rx.event
    async def create(self) -> None:
        await self._make()

    @rx.event
    async def regenerate(self) -> None:
        self.regenerate_open = False
        await self._make()

    @rx.event
    async def revoke(self) -> None:
        self.revoke_open = False
        done = await self._call(calendar_feed.revoke_feed, meta=self._meta())
        if done:
            self.active, self.url, self.since = False, "", ""
            self.off_since = when(done.value.revoked_at, await self._time_zone())
            self.notice = "Your calendar feed is off: its address no longer works."

    set_regenerate_open = open_setter("regenerate_open")

    set_revoke_open = open_setter("revoke_open")


S = CalendarFeedState


def _address() -> rx.Component:
    return full_column(
        field_label("Your calendar address", "calendar-url"),
        copyable_input("calendar-url", S.url, "calendar-url"),
        copy_button(
            "Copy the address", S.url, "Copied. Add it to your calendar app as a subscription."
        ),
        spacing="2",
    )


def calendar_card() -> rx.Component:
    """Make, copy, regenerate or revoke the secret calendar-feed address."""
    actions: list[Any] = [
        icon_button(
            "refresh_cw", "Make a new address", variant="soft", on_click=S.set_regenerate_open(True)
        ),
        rx.button(
            "Turn the feed off",
            variant="soft",
            color_scheme="red",
            on_click=S.set_revoke_open(True),
        ),
    ]
    return card_stack(
        rx.hstack(
            rx.heading("Calendar feed", size="5", as_="h2"),
            rx.cond(
                S.active,
                rx.badge("Active", color_scheme="green"),
                rx.cond(
                    S.off_since != "",
                    rx.badge("Off", color_scheme="orange"),
                    rx.badge("Not set up", color_scheme="gray"),
                ),
            ),
            align="center",
        ),
        muted(
            "Subscribe to your cohorts' due dates in your calendar app (Google Calendar, "
            "Outlook, Apple Calendar). Anyone with the address can read your due dates, so "
            "keep it to yourself; make a new one if it leaks. A password reset or signing out "
            "everywhere turns it off."
        ),
        notice_callout(S.notice, full_width=False),
        error_callout(S.error),
        rx.cond(S.url != "", _address()),
        rx.cond(
            S.active,
            full_column(
                rx.cond(
                    S.url == "",
                    rx.text(
                        "Active since ",
                        S.since,
                        ". The address was shown when it was made; make a new one to see "
                        "an address again (the old one stops working).",
                        size="2",
                    ),
                ),
                rx.hstack(*actions, spacing="2", wrap="wrap"),
                spacing="2",
            ),
            full_column(
                rx.cond(
                    S.off_since != "",
                    rx.text(
                        "Your feed has been off since ",
                        S.off_since,
                        ": its old address no longer works and calendars subscribed to it "
                        "have stopped updating. Make a new address below and give it to your "
                        "calendar app.",
                        size="2",
                        data_testid="calendar-feed-off",
                    ),
                ),
                icon_button("calendar_plus", "Make my calendar address", on_click=S.create),
                spacing="2",
            ),
        ),
        flag_confirm(
            S,
            "regenerate_open",
            "Make a new calendar address?",
            "The current address stops working at once: calendars subscribed to it stop "
            "updating until you give them the new one.",
            confirm="Make a new address",
            on_confirm=S.regenerate,
        ),
        flag_confirm(
            S,
            "revoke_open",
            "Turn your calendar feed off?",
            "The address stops working at once; calendars subscribed to it stop updating. "
            "You can make a new address later.",
            confirm="Turn the feed off",
            on_confirm=S.revoke,
        ),
        spacing="3",
        data_testid="calendar-feed",
    )
