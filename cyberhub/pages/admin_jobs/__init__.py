"""/admin/jobs: the background jobs — queue depth, workers, last run per actor, jobs that failed
for good (retry or dismiss, after a confirmation) and "rebuild everything" with a progress bar
that refreshes every 2 s while the rebuild runs (admins only).

The state and its rows are in state.py, the components in view.py.
"""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.admin_jobs.state import AdminJobsState
from cyberhub.pages.admin_jobs.view import ROUTE, admin_jobs_content
from cyberhub.routes import roles

__all__ = ["ROUTE", "AdminJobsState", "admin_jobs_content"]

page = register_guarded_page(
    ROUTE,
    "Background jobs · Admin · CyberHub",
    admin_jobs_content,
    roles(Role.admin),
    AdminJobsState.load,
)
