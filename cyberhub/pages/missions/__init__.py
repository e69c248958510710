"""/missions: the mission catalog with filters, search and pages.

state.py holds the state (filters in the address, typed cards); view.py the components. The rules
are in services/learning/catalog.py."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.pages.missions.state import ROUTE, MissionCatalogState
from cyberhub.pages.missions.view import catalog_content
from cyberhub.routes import SIGNED_IN

__all__ = ["ROUTE", "MissionCatalogState", "catalog_content", "page"]

page = register_guarded_page(
    ROUTE,
    "Missions · CyberHub",
    catalog_content,
    SIGNED_IN,
    MissionCatalogState.load,
    nav_label="Missions",
    nav_order=20,
)
