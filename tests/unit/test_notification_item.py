"""The bell and /notifications show a notification's fields as stored, its time in the reader's
zone."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberhub.formatting import when
from cyberhub.schemas.notifications import NotificationPublic
from cyberhub.state.notifications import NotificationItem, item_view


def test_a_notification_keeps_its_fields_and_shows_its_time_in_the_readers_zone() -> None:
    at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    n = NotificationPublic(
        id=7,
        kind="review",
        title="Reviewed",
        body="**Well done**",
        link="/missions/3",
        created_at=at,
        read=True,
    )
    assert item_view(n, "Africa/Nairobi") == NotificationItem(
        id=7,
        kind="review",
        title="Reviewed",
        body="**Well done**",
        link="/missions/3",
        at=when(at, "Africa/Nairobi"),
        read=True,
    )
