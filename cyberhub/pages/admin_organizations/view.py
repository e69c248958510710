"""/admin/organizations/[org_id]: one organization, its members, the add form and invitations."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.admin_record import admin_record_page
from cyberhub.components.counts import counted
from cyberhub.components.panels import grey_text
from cyberhub.components.rows import pager_if_many
from cyberhub.components.tables import data_table
from cyberhub.components.ui import empty_state, muted
from cyberhub.pages.admin_organizations.data import LIST_ROUTE
from cyberhub.pages.admin_organizations.members import (
    _add_form,
    _invitations,
    _member_row,
    _remove_dialog,
)
from cyberhub.pages.admin_organizations.state import OrganizationState

S = OrganizationState


def organization_content() -> rx.Component:
    return admin_record_page(
        S,
        LIST_ROUTE,
        "organizations",
        loading="Loading the organization…",
        missing="Organization not available",
        name=S.org.name,
        about=[
            grey_text(rx.code(S.org.slug), " · created ", S.org.created_at),
            rx.cond(S.org.description != "", rx.text(S.org.description)),
        ],
        sections=[
            rx.heading("Members", size="5", as_="h2"),
            rx.cond(
                S.total > 0,
                rx.box(
                    muted(counted(S.total, "member")),
                    data_table(
                        ["Member", "Roles here", "Member since", "Actions"],
                        rx.foreach(S.members, _member_row),
                        margin_top="0.5em",
                    ),
                    pager_if_many(S.page, S.pages, S.go_to),
                    width="100%",
                ),
                empty_state("No members yet", "Add the first one below."),
            ),
            _add_form(),
            _invitations(),
            _remove_dialog(),
        ],
    )
