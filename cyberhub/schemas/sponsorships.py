"""Sponsorships and the sponsor's figures (issue 15, item 2), typed: what the services return,
the API declares as `response_model` and the pages hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from cyberhub.schemas.datetimes import IsoDatetime

NOTES_MAX = 2000


class SponsorshipIn(BaseModel):
    """A director's sponsorship form: which sponsor organisation funds how many seats."""

    organization_id: int = Field(ge=1, le=2**31 - 1)
    seats: int = Field(ge=1, le=10_000)
    amount: Decimal = Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    starts_on: date
    ends_on: date
    notes: str = Field(default="", max_length=NOTES_MAX)


class SponsorshipPublic(BaseModel):
    """One sponsorship as the cohort's directors (and the sponsor) see it."""

    id: int
    organization_id: int
    sponsor: str  # the sponsor organisation's name
    cohort_id: int
    cohort: str
    seats: int
    amount: str  # "1500.00": exact, never a float
    currency: str
    starts_on: date
    ends_on: date
    notes: str
    created_at: IsoDatetime
    # The cohort's enrolled learners on this sponsorship's seats (sponsorships.seat_allocations:
    # of those running at once, the one created first fills first; none before it begins), at
    # most `seats`; None where not counted (the
    # answer to creating, editing or removing one).
    seats_used: int | None = None


class SponsorOrganization(BaseModel):
    """An organisation a director may pick as a sponsor (it has a member with the sponsor role)."""

    id: int
    name: str


class SponsorshipRemoved(BaseModel):
    id: int
    cohort_id: int


class TrackApprovals(BaseModel):
    track: str  # the track's name
    approvals: int


class WeekCount(BaseModel):
    week: date  # the Monday the week starts on (at midnight in the reader's time zone)
    submissions: int


class ConsentingLearner(BaseModel):
    """A learner who consented to share their profile and progress with their cohort's sponsors."""

    name: str
    track: str  # the track's name from their latest profiler result, "" when none
    approved: int
    published: int  # the missions expected of them: their track's in the programme
    progress: int  # percent of those approved (mission_scope.scopes, as every page shows)


class SponsoredCohort(BaseModel):
    """A funded cohort with its aggregates. Counts are of the whole cohort (never per person);
    `learners` lists only those who consented to share with its sponsors, while the
    sponsorship is current."""

    cohort_id: int
    cohort: str
    program: str
    organization: str  # the organisation running the cohort
    starts_on: date
    ends_on: date
    sponsorship: SponsorshipPublic
    enrolled: int  # active + completed enrolments
    # The enrolled learners on this sponsorship's seats: the cohort's enrolled learners are
    # shared among its sponsorships running at the same time, the one created first filling
    # first, so two sponsors of one cohort never count a learner twice; before it begins, none
    # (sponsorships.seat_allocations). At most its seats.
    seats_used: int
    active_7d: int  # learners who submitted work in the last 7 days
    active_30d: int
    # The last 8 weeks, oldest first; those before the cohort's first week only from the first
    # one with a submission.
    submissions_per_week: list[WeekCount]
    approvals: int
    approvals_per_track: list[TrackApprovals]
    completions: int
    certificates: int  # issued and not revoked
    learners: list[ConsentingLearner]
    withheld: int  # enrolled learners who have not consented (shown only as this count)
    # The sponsorship's end date has passed (its dates are days in the cohort's zone, its
    # director's: services/learning/sponsorships): the figures stop at its end, `learners` is
    # empty and `withheld` 0 (nobody is named any more, consent or not).
    ended: bool = False
    # The sponsorship has not begun: the day it starts. Until then `learners` is empty and
    # `withheld` 0, as after its end (it funds nobody yet); None once it has started.
    starts_on_later: date | None = None
    # The other organisations funding this cohort whose sponsorships the reader may read too
    # (theirs: `GET /sponsor/cohorts/{id}?organization_id=`), by name; empty when only one.
    other_sponsors: list[SponsorOrganization] = Field(default_factory=list)
    # For the cohort's directors and admins: its enrolled learners on no current sponsor's seat
    # (enrolled minus the seats used of the sponsorships running today). None for a sponsor: it would tell them how many
    # seats the other sponsors use.
    unfunded: int | None = None


class CohortSeats(BaseModel):
    """A cohort's enrolled learners against its sponsors' seats, for its directors."""

    enrolled: int
    funded: int  # on a sponsor's seat: the sum of its sponsorships' seats used
    unfunded: int  # enrolled - funded


class SponsorDashboard(BaseModel):
    organizations: list[str]  # the sponsor organisations the user acts for
    # An admin reads every sponsored cohort (`organizations` then says so in one entry).
    every_organization: bool = False
    cohorts: list[SponsoredCohort]
