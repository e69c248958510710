"""/mentees/[user_id]: one learner as their mentor or programme director sees them (issue 16,
item 9) — career profile, progress per track, attempts with their reviews (links to the review
page while one waits), cohorts and mentors, recommendations. The service
(services/learning/mentees.py) decides who may see whom.

state.py loads it, view.py draws it."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.coaching.coach_state import CoachPlanState
from cyberhub.pages.mentee.state import ROUTE, MenteeState
from cyberhub.pages.mentee.view import mentee_content
from cyberhub.routes import roles
from cyberhub.services.messaging import live

__all__ = ["ROUTE", "MenteeState", "mentee_content", "page"]


page = register_guarded_page(
    ROUTE,
    "Learner · CyberHub",
    mentee_content,
    roles(Role.mentor, Role.director, Role.admin),
    MenteeState.load,
    CoachPlanState.load_mentee,
    live={live.QUEUE: MenteeState.refresh},
)
