"""The director's sponsorship form when the sponsor being edited can no longer be picked: it is
still offered (as the current sponsor) with a note, so the other fields can be saved."""

from __future__ import annotations

from cyberhub.pages.director_cohort.sponsors import SponsorshipRow, kept_sponsor_note

PICKABLE = [{"id": "3", "name": "Rival Fund"}]


def _row(org_id: str) -> SponsorshipRow:
    return SponsorshipRow(
        id=1,
        sponsor="Savannah Fund",
        organization_id=org_id,
        seats=10,
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
