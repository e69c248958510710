"""Settings → Security: saving another time zone shows the page's other times in it at once
("On since" of two-step sign-in, the calendar feed's date, the sign-ins' times), not after a
reload; an address just made for the calendar stays on screen."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.settings_security import (
    CalendarFeedState,
    SecurityState,
    SignInsState,
    TimeZoneState,
)
from cyberhub.state.session import SessionState
from tests.factories import World, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def test_a_new_zone_re_reads_the_page_s_other_times(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = principal(session, world.student)
    feed = page_state(CalendarFeedState, session, me, monkeypatch)
    run_in_own_loop(CalendarFeedState.event_handlers["load"].fn(feed))
    run_in_own_loop(CalendarFeedState.event_handlers["create"].fn(feed))
    made, since = feed.url, feed.since
    assert made and since.endswith("UTC")

    zone = page_state(TimeZoneState, session, me, monkeypatch)
    asked = run_in_own_loop(
        TimeZoneState.event_handlers["save"].fn(zone, {"time_zone": "Africa/Nairobi"})
    )
    assert zone.notice == "Times are now shown in Africa/Nairobi."
    assert asked == [SecurityState.refresh, CalendarFeedState.refresh, SignInsState.refresh]

    async def same_session() -> None:  # (the page's states share one session in the app)
        (await feed.get_state(SessionState)).time_zone = "Africa/Nairobi"

    run_in_own_loop(same_session())
    run_in_own_loop(CalendarFeedState.event_handlers["refresh"].fn(feed))
    assert feed.since.endswith("EAT") and feed.url == made  # the new address stays shown
