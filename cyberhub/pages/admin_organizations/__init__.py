"""/admin/organizations and /admin/organizations/[org_id]: organizations and their members.

Admins see and manage every organization; a director the ones they run (the service filters and
checks every change). The list and its new organization form are in listing.py; one
organization's page in view.py (its members, add / remove, invitations: members.py). Both states
are in state.py, the service calls they run in worker threads in data.py.
"""

from __future__ import annotations

from cyberhub.models import Role
from cyberhub.pages.admin_organizations.data import DETAIL_ROUTE, LIST_ROUTE
from cyberhub.pages.admin_organizations.listing import organizations_content, organizations_page
from cyberhub.pages.admin_organizations.state import OrganizationsState, OrganizationState
from cyberhub.pages.admin_organizations.view import organization_content, organization_page
from cyberhub.routes import Page, register, roles

__all__ = [
    "DETAIL_ROUTE",
    "LIST_ROUTE",
    "OrganizationState",
    "OrganizationsState",
    "organization_content",
    "organization_page",
    "organizations_content",
    "organizations_page",
]

register(
    Page(
        route=LIST_ROUTE,
        title="Organizations · Admin · CyberHub",
        component=organizations_page,
        access=roles(Role.admin, Role.director),
        on_load=(OrganizationsState.load,),
        # Directors have no other way in; admins also reach it from the admin sub-navigation.
        nav_label="Organizations",
        nav_order=75,
    )
)
register(
    Page(
        route=DETAIL_ROUTE,
        title="Organization · Admin · CyberHub",
        component=organization_page,
        access=roles(Role.admin, Role.director),
        on_load=(OrganizationState.load,),
    )
)
