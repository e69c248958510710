"""Which reloads a live change queues on which page (state/live.py + each Page's `live`)."""

from __future__ import annotations

from typing import Any

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub.services.messaging import live
from cyberhub.state.live import reloads_for


def names(events: list[Any]) -> list[str]:
    return [e.fn.__qualname__ for e in events]


def test_the_mission_page_reloads_the_work_first_then_the_bell() -> None:
    route = "/missions/[mission_id]"
    assert names(reloads_for(route, frozenset({live.SUBMISSION}))) == ["MissionState.refresh_work"]
    assert names(reloads_for(route, frozenset({live.SUBMISSION, live.NOTIFICATIONS}))) == [
        "MissionState.refresh_work",
        "NotificationState.refresh",
    ]
    # The router may give the pattern with a trailing slash.
    assert names(reloads_for(route + "/", frozenset({live.SUBMISSION}))) == [
        "MissionState.refresh_work"
    ]


def test_a_page_reloads_only_for_its_own_topics() -> None:
    assert names(reloads_for("/insights", frozenset({live.SUBMISSION}))) == []
    assert names(reloads_for("/insights", frozenset({live.INSIGHTS}))) == [
        "InsightsState.analysis_written"
    ]
    assert names(reloads_for("/dashboard/mentor", frozenset({live.QUEUE}))) == [
        "MentorHomeState.queue_changed"
    ]
    # The dashboard's recommendations card reads the list the worker has just stored.
    assert names(reloads_for("/dashboard/student", frozenset({live.RECOMMENDATIONS}))) == [
        "RecommendationsState.list_changed"
    ]
    # Any page has the bell; an unknown route has nothing else.
    assert names(reloads_for("/nowhere", frozenset({live.NOTIFICATIONS}))) == [
        "NotificationState.refresh"
    ]


def test_after_a_lost_connection_the_page_reloads_everything_it_shows() -> None:
    assert names(reloads_for("/missions/[mission_id]", frozenset({live.EVERYTHING}))) == [
        "MissionState.refresh_work",
        "NotificationState.refresh",
    ]


def test_the_notifications_page_follows_its_list_as_the_bell_does() -> None:
    """A notification added, or read from the bell or another tab: /notifications reloads its
    own list and counts too, not only the bell's (they showed different unread counts)."""
    assert names(reloads_for("/notifications", frozenset({live.NOTIFICATIONS}))) == [
        "NotificationsPageState.refresh",
        "NotificationState.refresh",
    ]
