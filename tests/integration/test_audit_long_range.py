"""/admin/audit with a From/To range longer than the statistics chart: the entries still load
(as GET /api/v1/audit-logs does for any range); only the statistics say why they can't chart it.
Tests audit_log.overview, the one service call the page makes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from cyberhub.models import AuditLog, User
from cyberhub.services.admin import audit_log
from cyberhub.services.errors import Invalid
from tests.factories import principal

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def _entry(session: Session, action: str, day: date) -> None:
    when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    session.add(AuditLog(action=action, created_at=when))


def test_a_range_over_366_days_lists_the_entries_and_explains_the_statistics(
    session: Session, admin_user: User
) -> None:
    _entry(session, "t.long.first", date(2021, 2, 1))
    _entry(session, "t.long.last", date(2023, 6, 1))
    session.flush()
    view = audit_log.overview(
        session,
        principal(session, admin_user),
        date_from=date(2021, 1, 1),
        date_to=date(2023, 12, 31),
    )
    assert [e.action for e in view.page.items] == ["t.long.last", "t.long.first"]
    assert view.page.total == 2
    assert view.stats is None
    assert view.stats_note == "Statistics cover at most 366 days: narrow the dates."
    assert {"t.long.first", "t.long.last"} <= set(view.actions)


def test_a_range_the_chart_covers_has_statistics_and_no_note(
    session: Session, admin_user: User
) -> None:
    _entry(session, "t.short", date(2024, 3, 2))
    session.flush()
    view = audit_log.overview(
        session,
        principal(session, admin_user),
        date_from=date(2024, 3, 1),
        date_to=date(2024, 3, 31),
    )
    assert view.page.total == 1 and view.stats_note == ""
    assert view.stats is not None and view.stats.total == 1 and len(view.stats.days) == 31


def test_dates_in_the_wrong_order_still_refuse_the_whole_load(
    session: Session, admin_user: User
) -> None:
    with pytest.raises(Invalid, match="start date"):
        audit_log.overview(
            session,
            principal(session, admin_user),
            date_from=date(2024, 3, 5),
            date_to=date(2024, 3, 1),
        )
