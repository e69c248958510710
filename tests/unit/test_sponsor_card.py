"""The sponsor dashboard's cohort card: counts in the right number ("1 seat", "of 1 mission")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cyberhub.pages.sponsor_home.state import card, intro
from cyberhub.schemas.sponsorships import ConsentingLearner, SponsoredCohort, SponsorshipPublic


def _cohort(seats: int, published: int) -> SponsoredCohort:
    return SponsoredCohort(
        cohort_id=1,
        cohort="Nairobi Spring Cohort",
        program="Accelerator",
        organization="Ongoza",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 1),
        sponsorship=SponsorshipPublic(
            id=1,
            organization_id=2,
            sponsor="Acme",
            cohort_id=1,
            cohort="Nairobi Spring Cohort",
            seats=seats,
            amount="1500.00",
            currency="USD",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 1),
            notes="",
            created_at=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        enrolled=1,
        seats_used=1,
        active_7d=0,
        active_30d=0,
        submissions_per_week=[],
        approvals=0,
        approvals_per_track=[],
        completions=0,
        certificates=0,
        learners=[
            ConsentingLearner(name="Ada", track="", approved=1, published=published, progress=100)
        ],
        withheld=0,
    )


def test_counts_read_in_the_right_number() -> None:
    one = card(_cohort(seats=1, published=1), "Africa/Nairobi")
    assert one.funding.startswith("1 seat · USD 1,500.00 · ")
    assert one.learners[0].progress == "1 of 1 mission (100%)"
    many = card(_cohort(seats=10, published=7), "Africa/Nairobi")
    assert many.funding.startswith("10 seats · ")
    assert many.learners[0].progress == "1 of 7 missions (100%)"


def test_a_sponsorship_not_begun_says_when_it_starts() -> None:
    later = _cohort(seats=1, published=1).model_copy(
        update={"learners": [], "starts_on_later": date(2026, 3, 1)}
    )
    assert card(later, "Africa/Nairobi").starts == "1 Mar 2026"
    assert card(_cohort(seats=1, published=1), "Africa/Nairobi").starts == ""


def test_the_heading_names_who_funds_in_the_right_number() -> None:
    """A sponsor of two organisations read "The cohorts Acme, Savannah Fund funds: ..."."""
    assert intro([]) == "The cohorts your organisation funds: seats, activity and results."
    assert intro(["All organisations (admin)"], every=True) == (
        "Every sponsored cohort, whichever organisation funds it: seats, activity and results."
    )
    assert intro(["Acme"]) == "The cohorts Acme funds: seats, activity and results."
    assert intro(["Acme", "Savannah Fund"]) == (
        "The cohorts Acme and Savannah Fund fund: seats, activity and results."
    )
    assert intro(["Acme", "Bantu Trust", "Savannah Fund"]) == (
        "The cohorts Acme, Bantu Trust and Savannah Fund fund: seats, activity and results."
    )
