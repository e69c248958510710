"""/insights: a learner's work-style analysis — a bar and score per dimension with the evidence
behind it, computed by the worker ("Analyse again" queues it; the page shows that it is being
prepared) — and a link to /coaching, where their goals and reflections are kept (issue 16: the
old goal and reflection notes were migrated there, and the analysis reads them there).

state.py holds the state and the view rows (dates written in the reader's time zone); view.py
the components. Every rule is in services/ai/personality.py.
"""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.insights.state import ROUTE, InsightsState
from cyberhub.pages.insights.view import insights_content
from cyberhub.routes import roles
from cyberhub.services.messaging import live

__all__ = ["ROUTE", "InsightsState", "insights_content", "page"]

page = register_guarded_page(
    ROUTE,
    "Insights · CyberHub",
    insights_content,
    roles(Role.student),
    InsightsState.load,
    live={live.INSIGHTS: InsightsState.analysis_written},
    nav_label="Insights",
    nav_order=35,
)
