"""/admin/organizations: every organization (or the ones a director runs) and the new
organization form."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.address_sync import address_sync
from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.fields import search_form
from cyberhub.components.labelled import form_card, labelled_input, labelled_textarea
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_loaded, two_columns
from cyberhub.components.rows import pager_if_many
from cyberhub.components.tables import table_or
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    icon_button,
    page_heading,
)
from cyberhub.pages.admin_organizations.data import LIST_ROUTE, OrgRow
from cyberhub.pages.admin_organizations.state import OrganizationsState
from cyberhub.state.session import SessionState

S = OrganizationsState


def _org_row(o: rx.Var[OrgRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(o.name, href="/admin/organizations/" + o.id.to(str), weight="medium")
        ),
        rx.table.cell(rx.code(o.slug)),
        rx.table.cell(o.members),
        rx.table.cell(o.created_at),
    )


def _field(label: str, id_: str, name: str, value: rx.Var[str], **props: Any) -> rx.Component:
    return labelled_input(label, id_, name=name, default_value=value, **props)


def _create_form() -> rx.Component:
    return form_card(
        rx.heading("New organization", size="4", as_="h2"),
        error_callout(S.create_error),
        two_columns(
            _field("Name", "org-name", "name", S.form["name"], max_length=200),
            _field(
                "Slug (optional)",
                "org-slug",
                "slug",
                S.form["slug"],
                max_length=100,
                placeholder="made from the name",
            ),
            wide_from="sm",
        ),
        labelled_textarea(
            "Description",
            "org-description",
            name="description",
            default_value=S.form["description"],
            max_length=2000,
        ),
        icon_button("plus", "Create organization", type="submit"),
        on_submit=S.create,
    )


def organizations_content() -> rx.Component:
    return rx.box(
        admin_nav(LIST_ROUTE),
        page_heading(
            "Organizations",
            rx.cond(
                SessionState.is_admin,
                "Every organization and its members.",
                "The organizations you direct and their members.",
            ),
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        address_sync(S),
        search_form("Search organizations", "org-search", "Organization name", S.query, S.search),
        once_loaded(
            S.loading,
            "Loading organizations…",
            rx.box(
                table_or(
                    S.items,
                    ["Organization", "Slug", "Members", "Created"],
                    _org_row,
                    rx.cond(
                        S.error == "",
                        rx.cond(
                            S.query != "",
                            empty_state(
                                "No organization matches", "Try another name, or clear the search."
                            ),
                            empty_state(
                                "No organizations yet",
                                rx.cond(
                                    SessionState.is_admin,
                                    "Create the first one below.",
                                    "You don't direct an organization yet.",
                                ),
                            ),
                        ),
                    ),
                ),
                pager_if_many(S.page, S.pages, S.go_to),
                width="100%",
            ),
        ),
        rx.cond(SessionState.is_admin, rx.box(_create_form(), margin_top="1.5em")),
    )
