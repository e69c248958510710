"""Sponsorships (issue 15, item 2): the sponsor's funded cohorts with their figures and the
report as CSV (`/sponsor/*`, sponsors and admins), and a cohort director's sponsorships
(`/director/...`: list, create, edit, remove; sponsor organisations to pick from).

A sponsor sees a learner by name only with that learner's `sponsor_sharing` consent (the
service filters in SQL) and only while the sponsorship is current (after its end date, the
figures of the funded period and `"ended": true`); another organisation's cohort is 404, as if
it did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from cyberhub.api.deps import CurrentUser, Id, MetaDep, QueryId, SessionDep, require_roles
from cyberhub.api.responses import file_or_text
from cyberhub.models import Role
from cyberhub.schemas.sponsorships import (
    SponsorDashboard,
    SponsoredCohort,
    SponsorOrganization,
    SponsorshipIn,
    SponsorshipPublic,
    SponsorshipRemoved,
)
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import sponsorships

router = APIRouter(tags=["sponsorships"])

SPONSOR = Depends(require_roles(Role.sponsor, Role.admin))


@router.get("/sponsor/cohorts", response_model=SponsorDashboard)
def sponsor_cohorts(session: SessionDep, principal: Principal = SPONSOR) -> SponsorDashboard:
    """The cohorts your organisation sponsors, each with its figures and consenting learners."""
    return sponsorships.dashboard(session, principal)


@router.get("/sponsor/cohorts/{cohort_id}", response_model=SponsoredCohort)
def sponsor_cohort(
    cohort_id: Id,
    session: SessionDep,
    principal: Principal = SPONSOR,
    organization_id: QueryId | None = None,
) -> SponsoredCohort:
    """One cohort your organisation sponsors (404 for any other cohort). When you read several
    sponsorships of it (an admin, or a sponsor of two organisations funding it), `organization_id`
    picks that organisation's (404 if it is not one you read); without it, the first the
    dashboard lists. `other_sponsors` names the other organisations you can ask for."""
    return sponsorships.sponsored_cohort(session, principal, cohort_id, organization_id)


@router.get(
    "/sponsor/report.csv",
    response_class=Response,
    responses=file_or_text(
        "The sponsor report: funded cohorts, then consenting learners", "text/csv", binary=False
    ),
)
def sponsor_report(session: SessionDep, principal: Principal = SPONSOR) -> Response:
    """The sponsor report as CSV (cells safe against spreadsheet formulas)."""
    body = sponsorships.report_csv(session, principal)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{sponsorships.report_filename(principal.time_zone)}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/director/sponsor-organizations", response_model=list[SponsorOrganization])
def sponsor_organizations(principal: CurrentUser, session: SessionDep) -> list[SponsorOrganization]:
    """Organisations that may sponsor a cohort (those with a sponsor account)."""
    return sponsorships.sponsor_organizations(session, principal)


@router.get("/director/cohorts/{cohort_id}/sponsorships", response_model=list[SponsorshipPublic])
def cohort_sponsorships(
    cohort_id: Id, principal: CurrentUser, session: SessionDep
) -> list[SponsorshipPublic]:
    """The cohort's sponsorships (its directors)."""
    return sponsorships.cohort_sponsorships(session, principal, cohort_id)


@router.post(
    "/director/cohorts/{cohort_id}/sponsorships",
    response_model=SponsorshipPublic,
    status_code=201,
)
def create_sponsorship(
    cohort_id: Id, body: SponsorshipIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> SponsorshipPublic:
    """A sponsor organisation funds seats in the cohort."""
    return sponsorships.create_sponsorship(session, principal, cohort_id, body, meta=meta)


@router.put("/director/sponsorships/{sponsorship_id}", response_model=SponsorshipPublic)
def update_sponsorship(
    sponsorship_id: Id,
    body: SponsorshipIn,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> SponsorshipPublic:
    """Change a sponsorship of a cohort you direct."""
    return sponsorships.update_sponsorship(session, principal, sponsorship_id, body, meta=meta)


@router.delete("/director/sponsorships/{sponsorship_id}", response_model=SponsorshipRemoved)
def remove_sponsorship(
    sponsorship_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> SponsorshipRemoved:
    """End a sponsorship of a cohort you direct."""
    return sponsorships.remove_sponsorship(session, principal, sponsorship_id, meta=meta)
