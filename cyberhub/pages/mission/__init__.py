"""/missions/[mission_id]: one mission's brief, rubric, prerequisites and hints, and for a
student "Your work": the lock / enrolment state, the draft and submit form (answer, links, a
file), the attempt history with the mentors' reviews and the status timeline.

`data.py` loads (one transaction per event), `state.py` holds `MissionState`, `view.py` draws."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.pages.mission.due import MissionDueState
from cyberhub.pages.mission.state import MissionState
from cyberhub.pages.mission.view import UPLOAD_ID, mission_content
from cyberhub.routes import SIGNED_IN
from cyberhub.services.messaging import live

ROUTE = "/missions/[mission_id]"

__all__ = ["ROUTE", "UPLOAD_ID", "MissionState", "mission_content", "page"]


page = register_guarded_page(
    ROUTE,
    "Mission · CyberHub",
    mission_content,
    SIGNED_IN,
    MissionState.load,
    MissionDueState.load,
    live={live.SUBMISSION: MissionState.refresh_work},
)
