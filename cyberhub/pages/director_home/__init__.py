"""/dashboard/director: a director's programmes with their tracks and cohorts (seats, mentors,
learners without a mentor; programs.py), and forms to create and edit programmes, tracks and
cohorts (forms.py). The state is in state.py, the service calls it runs in worker threads in
data.py.

Admins see every programme; the services decide what each user may see and change.
"""

from __future__ import annotations

from cyberhub.components.panels import register_director_page
from cyberhub.pages.director_home.data import ROUTE
from cyberhub.pages.director_home.state import DirectorHomeState
from cyberhub.pages.director_home.view import director_home_content

__all__ = [
    "ROUTE",
    "DirectorHomeState",
    "director_home_content",
    "page",
]

page = register_director_page(
    ROUTE,
    "Programme · CyberHub",
    director_home_content,
    DirectorHomeState.load,
    nav_label="Programme",
    nav_order=15,
)
