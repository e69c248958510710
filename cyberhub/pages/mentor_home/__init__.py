"""/dashboard/mentor: a mentor's home — the review queue in four tabs (pending, claimed by me,
waiting for student, reviewed) with counts and pages, their mentees with progress and last
activity, workload figures, and the cohorts and learners of their organizations.

state.py loads through services/learning/{mentoring,reviews}.py; view.py draws it."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.mentor_home.state import MentorHomeState, waited
from cyberhub.pages.mentor_home.view import mentor_home_content
from cyberhub.routes import roles
from cyberhub.services.messaging import live

ROUTE = "/dashboard/mentor"

__all__ = ["ROUTE", "MentorHomeState", "mentor_home_content", "page", "waited"]


page = register_guarded_page(
    ROUTE,
    "Mentoring · CyberHub",
    mentor_home_content,
    roles(Role.mentor),
    MentorHomeState.load,
    live={live.QUEUE: MentorHomeState.queue_changed},
    nav_label="Mentoring",
    nav_order=20,
)
