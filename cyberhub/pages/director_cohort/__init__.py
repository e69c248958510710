"""/director/cohorts/[cohort_id]: one cohort for its director — the roster with progress and
mentor, enrolment by email and by CSV import (all or nothing, per-row errors), mentors with
their capacity (panels.py), matching by hand or balanced by load, and the cohort's settings
(view.py); its sponsors (sponsors.py); applications, the waitlist and the enrolment mode come from enrolment.py. The state
is in state.py, the service calls it runs in worker threads in data.py."""

from __future__ import annotations

from cyberhub.components.panels import register_director_page
from cyberhub.pages.director_cohort.completion import CohortCompletionState, completion_panel
from cyberhub.pages.director_cohort.data import ROUTE
from cyberhub.pages.director_cohort.enrolment import CohortEnrolmentState, enrolment_panel
from cyberhub.pages.director_cohort.schedule import CohortScheduleState, schedule_panel
from cyberhub.pages.director_cohort.sponsors import CohortSponsorsState, sponsors_panel
from cyberhub.pages.director_cohort.state import DirectorCohortState
from cyberhub.pages.director_cohort.view import director_cohort_content

__all__ = [
    "ROUTE",
    "CohortCompletionState",
    "completion_panel",
    "CohortEnrolmentState",
    "CohortSponsorsState",
    "CohortScheduleState",
    "DirectorCohortState",
    "director_cohort_content",
    "enrolment_panel",
    "page",
    "sponsors_panel",
    "schedule_panel",
]

page = register_director_page(
    ROUTE,
    "Cohort · CyberHub",
    director_cohort_content,
    DirectorCohortState.load,
    CohortEnrolmentState.load,
    CohortCompletionState.load,
    CohortSponsorsState.load,
    CohortScheduleState.load,
)
