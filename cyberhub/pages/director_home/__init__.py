"""/dashboard/director: a director's programmes with their tracks and cohorts (seats, mentors,
learners without a mentor; programs.py), and forms to create and edit programmes, tracks and
cohorts (forms.py). The state is in state.py, the service calls it runs in worker threads in
data.py.

Admins see every programme; the services decide what each user may see and change.
"""

from __future__ import annotations

from cyberhub.models import Role
from cyberhub.pages.director_home.data import ROUTE
from cyberhub.pages.director_home.state import DirectorHomeState
from cyberhub.pages.director_home.view import director_home_content, director_home_page
from cyberhub.routes import Page, register, roles

__all__ = [
    "ROUTE",
    "DirectorHomeState",
    "director_home_content",
    "director_home_page",
    "page",
]

page = register(
    Page(
        route=ROUTE,
        title="Programme · CyberHub",
        component=director_home_page,
        access=roles(Role.director, Role.admin),
        on_load=(DirectorHomeState.load,),
        nav_label="Programme",
        nav_order=15,
    )
)
