"""/dashboard/sponsor: a sponsor's home — the cohorts their organisation funds, each with seats
used, activity, approvals per track, completions and certificates, and the learners who chose
to share their progress (services/learning/sponsorships.py); the report as CSV (API) and as a
printable page, /dashboard/sponsor/report. State in state.py, components in view.py."""

from __future__ import annotations

from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import guarded_page
from cyberhub.models import Role
from cyberhub.pages.sponsor_home.state import REPORT_ROUTE, SponsorHomeState
from cyberhub.pages.sponsor_home.view import sponsor_home_content, sponsor_report_content
from cyberhub.routes import roles

ROUTE = "/dashboard/sponsor"

__all__ = ["REPORT_ROUTE", "ROUTE", "SponsorHomeState", "page", "report_page"]


sponsor_home_page = guarded_page(ROUTE, sponsor_home_content)
sponsor_report_page = guarded_page(REPORT_ROUTE, sponsor_report_content)


page = register_page(
    ROUTE,
    "Sponsorship · CyberHub",
    sponsor_home_page,
    roles(Role.sponsor),
    SponsorHomeState.load,
    nav_label="Sponsorship",
    nav_order=12,
)

report_page = register_page(
    REPORT_ROUTE,
    "Sponsor report · CyberHub",
    sponsor_report_page,
    roles(Role.sponsor),
    SponsorHomeState.load,
)
