"""from_row: the analytics tables' rows copy the service's fields by name and take the shown ones."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberhub.pages.director_analytics.roster import RosterLine
from cyberhub.schemas.analytics import RosterEntry
from cyberhub.schemas.rows import from_row


def test_a_roster_line_keeps_the_entry_fields_and_shows_the_formatted_ones() -> None:
    entry = RosterEntry(
        student_id=3,
        name="Ann Lee",
        email="ann@example.org",
        status="active",
        enrolled_at=datetime(2026, 1, 5, tzinfo=UTC),
        withdrawn_at=None,
        mentor_id=None,
        mentor="",
        approved=1,
        published=4,
        progress=25,
        last_activity=None,
    )
    line = from_row(
        RosterLine,
        entry,
        mentor="—",
        progress="1 of 4 (25 %)",
        last_activity="never",
        enrolled="5 Jan 2026",
        withdrawn="",
    )
    assert (line.student_id, line.name, line.email, line.status) == (
        3,
        "Ann Lee",
        "ann@example.org",
        "active",
    )
    assert (line.mentor, line.progress, line.last_activity) == ("—", "1 of 4 (25 %)", "never")
