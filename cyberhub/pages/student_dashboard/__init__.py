"""/dashboard/student: the learner's home — the context of their track, the next best action,
progress per track, missions in progress, latest feedback and their cohorts.

`state.py` loads and holds it (`StudentDashboardState`), `view.py` draws it."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.components.recommendations import RecommendationsState
from cyberhub.models import Role
from cyberhub.pages.student_dashboard.certificates import MyCertificatesState
from cyberhub.pages.student_dashboard.coaching_block import CoachingBlockState
from cyberhub.pages.student_dashboard.due import DueThisWeekState
from cyberhub.pages.student_dashboard.state import EXCERPT, StudentDashboardState
from cyberhub.pages.student_dashboard.view import content
from cyberhub.routes import roles
from cyberhub.services.messaging import live

ROUTE = "/dashboard/student"

__all__ = ["EXCERPT", "ROUTE", "StudentDashboardState", "content", "page"]


page = register_guarded_page(
    ROUTE,
    "My learning · CyberHub",
    content,
    roles(Role.student),
    StudentDashboardState.load,
    MyCertificatesState.load,
    CoachingBlockState.load,
    DueThisWeekState.load,
    live={live.RECOMMENDATIONS: RecommendationsState.list_changed},
    nav_label="My learning",
    nav_order=5,
)
