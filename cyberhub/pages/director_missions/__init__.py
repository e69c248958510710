"""/director/missions: the missions of a director's organisation and programmes — a list
filtered by status (listing.py), an editor with the brief's markdown preview beside it (rubric
rows, hints, prerequisites, NICE work roles; editor.py), publish / unpublish / archive behind a
confirmation (view.py), and which missions each programme runs (pages/director_program_missions.py).
The state is in state.py, the service calls it runs in worker threads in data.py."""

from __future__ import annotations

from cyberhub.components.panels import register_director_page
from cyberhub.pages.director_missions.data import ROUTE
from cyberhub.pages.director_missions.state import DirectorMissionsState
from cyberhub.pages.director_missions.view import director_missions_content
from cyberhub.pages.director_program_missions import ProgramMissionsState

__all__ = [
    "ROUTE",
    "DirectorMissionsState",
    "director_missions_content",
    "page",
]

page = register_director_page(
    ROUTE,
    "Missions · Director · CyberHub",
    director_missions_content,
    DirectorMissionsState.load,
    ProgramMissionsState.load,
)
