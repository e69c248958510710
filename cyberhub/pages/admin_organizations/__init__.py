"""/admin/organizations and /admin/organizations/[org_id]: organizations and their members.

Admins see and manage every organization; a director the ones they run (the service filters and
checks every change). The list and its new organization form are in listing.py; one
organization's page in view.py (its members, add / remove, invitations: members.py). Both states
are in state.py, the service calls they run in worker threads in data.py.
"""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.admin_organizations.data import DETAIL_ROUTE, LIST_ROUTE
from cyberhub.pages.admin_organizations.listing import organizations_content
from cyberhub.pages.admin_organizations.state import OrganizationsState, OrganizationState
from cyberhub.pages.admin_organizations.view import organization_content
from cyberhub.routes import roles

__all__ = [
    "DETAIL_ROUTE",
    "LIST_ROUTE",
    "OrganizationState",
    "OrganizationsState",
    "organization_content",
    "organizations_content",
]

register_guarded_page(
    LIST_ROUTE,
    "Organizations · Admin · CyberHub",
    organizations_content,
    roles(Role.admin, Role.director),
    OrganizationsState.load,
    # Directors have no other way in; admins also reach it from the admin sub-navigation.
    nav_label="Organizations",
    nav_order=75,
)
register_guarded_page(
    DETAIL_ROUTE,
    "Organization · Admin · CyberHub",
    organization_content,
    roles(Role.admin, Role.director),
    OrganizationState.load,
)
