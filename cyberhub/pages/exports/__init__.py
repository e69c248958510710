"""/exports: "My exports" — request the exports the user may (their own data; a director's
roster, gradebook and mentor workload; an admin's audit log), follow their progress, download
them until they expire. `?cohort=12` (or `?program=3`) preselects that scope in the pickers (the
cohort page links so)."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.pages.exports.state import ExportsState
from cyberhub.pages.exports.view import exports_content
from cyberhub.routes import SIGNED_IN

ROUTE = "/exports"

page = register_guarded_page(
    ROUTE, "Exports · CyberHub", exports_content, SIGNED_IN, ExportsState.load
)

__all__ = ["ROUTE", "ExportsState", "page"]
