"""/dashboard/director/analytics: one programme's analytics for its directors (and admins) —
the at-risk learners with nudge and mentor actions, the funnel, weekly activity, approvals,
the profiler track mix, the review backlog and turnaround, mentor load and the chosen
cohort's roster (roster.py) — filtered by
cohort, track and dates kept in the address. The state is in state.py, the service calls in
data.py, the blocks in blocks.py."""

from __future__ import annotations

from cyberhub.components.panels import register_director_page
from cyberhub.pages.director_analytics.data import ROUTE
from cyberhub.pages.director_analytics.roster import AnalyticsRosterState
from cyberhub.pages.director_analytics.state import DirectorAnalyticsState
from cyberhub.pages.director_analytics.view import director_analytics_content

__all__ = [
    "ROUTE",
    "AnalyticsRosterState",
    "DirectorAnalyticsState",
    "director_analytics_content",
    "page",
]

page = register_director_page(
    ROUTE,
    "Analytics · Programme · CyberHub",
    director_analytics_content,
    DirectorAnalyticsState.load,
    AnalyticsRosterState.load,
)
