"""/admin/audit with a From/To range longer than the statistics chart: the entries still load
(as GET /api/v1/audit-logs does for any range); only the statistics say why they can't chart it.
Tests the page's service calls: audit_log.search for the entries, audit_log.charted_stats."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from cyberhub.models import AuditLog, User
from cyberhub.services.admin import audit_log
from cyberhub.services.errors import Forbidden, Invalid
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
    admin = principal(session, admin_user)
    start, end = date(2021, 1, 1), date(2023, 12, 31)
    found = audit_log.search(session, admin, date_from=start, date_to=end)
    assert [e.action for e in found.items] == ["t.long.last", "t.long.first"]
    assert found.total == 2
    shown = audit_log.charted_stats(session, admin, date_from=start, date_to=end)
    assert shown.stats is None
    assert shown.note == "Statistics cover at most 366 days: narrow the dates."


def test_a_range_the_chart_covers_has_statistics_and_no_note(
    session: Session, admin_user: User
) -> None:
    _entry(session, "t.short", date(2024, 3, 2))
    session.flush()
    shown = audit_log.charted_stats(
        session,
        principal(session, admin_user),
        date_from=date(2024, 3, 1),
        date_to=date(2024, 3, 31),
    )
    assert shown.note == ""
    assert shown.stats is not None and shown.stats.total == 1 and len(shown.stats.days) == 31


def test_dates_in_the_wrong_order_are_still_refused(session: Session, admin_user: User) -> None:
    with pytest.raises(Invalid, match="start date"):
        audit_log.charted_stats(
            session,
            principal(session, admin_user),
            date_from=date(2024, 3, 5),
            date_to=date(2024, 3, 1),
        )


def test_only_admins_see_the_statistics_even_of_a_long_range(
    session: Session, student_user: User
) -> None:
    with pytest.raises(Forbidden):
        audit_log.charted_stats(
            session,
            principal(session, student_user),
            date_from=date(2021, 1, 1),
            date_to=date(2023, 12, 31),
        )
