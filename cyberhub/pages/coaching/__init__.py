"""/coaching: the learner's Coaching OS (issue 16) — today's check-ins with streaks (and the
two days before, for a late check-in), goals with progress bars, reflections with prompts, mood
and energy (private or shared with the mentor), and this week beside the last.

state.py holds the state and the view rows; view.py the components. Every rule is in
services/coaching/."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.coaching.coach_state import CoachPlanState
from cyberhub.pages.coaching.state import ROUTE, CoachingState
from cyberhub.pages.coaching.view import coaching_content
from cyberhub.routes import roles
from cyberhub.services.messaging import live

__all__ = ["ROUTE", "CoachPlanState", "CoachingState", "coaching_content", "page"]

page = register_guarded_page(
    ROUTE,
    "Coaching · CyberHub",
    coaching_content,
    roles(Role.student),
    CoachingState.load,
    CoachPlanState.load_mine,
    # The worker rewrote the plan (it was being prepared, or something changed).
    live={live.COACH: CoachPlanState.load_mine},
    nav_label="Coaching",
    nav_order=33,
)
