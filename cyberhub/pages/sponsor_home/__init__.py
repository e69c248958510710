"""/dashboard/sponsor: a sponsor's home — the cohorts their organisation funds, each with seats
used, activity, approvals per track, completions and certificates, and the learners who chose
to share their progress (services/learning/sponsorships.py); the report as CSV (API) and as a
printable page, /dashboard/sponsor/report. State in state.py, components in view.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.sponsor_home.state import REPORT_ROUTE, SponsorHomeState
from cyberhub.pages.sponsor_home.view import sponsor_home_content, sponsor_report_content
from cyberhub.routes import Page, roles

ROUTE = "/dashboard/sponsor"

__all__ = ["REPORT_ROUTE", "ROUTE", "SponsorHomeState", "page", "report_page"]


def _sponsor_page(route: str, title: str, content: Callable[[], rx.Component], **more: Any) -> Page:
    """A sponsor's page: signed in as a sponsor, loading the cohorts their organisation funds."""
    return register_guarded_page(
        route, title, content, roles(Role.sponsor), SponsorHomeState.load, **more
    )


page = _sponsor_page(
    ROUTE,
    "Sponsorship · CyberHub",
    sponsor_home_content,
    nav_label="Sponsorship",
    nav_order=12,
)
report_page = _sponsor_page(REPORT_ROUTE, "Sponsor report · CyberHub", sponsor_report_content)
