"""The director's sponsorship form when the sponsor being edited can no longer be picked: it is
still offered (as the current sponsor) with a note, so the other fields can be saved."""

from __future__ import annotations

from cyberhub.pages.director_cohort.sponsors import (
    SponsorshipRow,
    kept_sponsor_note,
    seats_summary,
)
from cyberhub.schemas.sponsorships import CohortSeats

PICKABLE = [{"id": "3", "name": "Rival Fund"}]


def _row(org_id: str) -> SponsorshipRow:
    return SponsorshipRow(
        id=1,
        sponsor="Savannah Fund",
        organization_id=org_id,
        seats=10,
        used="0 of 10",
        amount="USD 1,500.00",
        period="",
        notes="",
        raw={},
    )


def test_a_sponsor_no_longer_pickable_is_kept_with_a_note() -> None:
    note = kept_sponsor_note(PICKABLE, _row("7"))
    assert note.startswith("Savannah Fund can no longer be picked as a sponsor.")
    assert "keep it and change the other fields" in note


def test_a_pickable_sponsor_needs_no_note() -> None:
    assert kept_sponsor_note(PICKABLE, _row("3")) == ""


def test_the_director_reads_the_learners_on_no_sponsors_seat() -> None:
    """Under the cohort's sponsors: the enrolled learners on sponsors' seats and on none (seats
    lowered below those used leave learners unfunded, never a negative count)."""
    short = CohortSeats(enrolled=10, funded=8, unfunded=2)
    assert seats_summary(short, True) == (
        "10 learners enrolled: 8 on sponsors' seats, 2 on no sponsor's seat (not funded)."
    )
    full = CohortSeats(enrolled=1, funded=1, unfunded=0)
    assert seats_summary(full, True) == (
        "1 learner enrolled: 1 on sponsors' seats, every one on a sponsor's seat."
    )
    assert seats_summary(full, False) == ""
