"""/admin/organizations: every organization (or the ones a director runs) and the new
organization form."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.fields import field_label
from cyberhub.components.labelled import kept_form, labelled_textarea
from cyberhub.components.shell import guarded, shell
from cyberhub.components.tables import data_table
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.pages.admin_organizations.data import LIST_ROUTE, OrgRow
from cyberhub.pages.admin_organizations.state import OrganizationsState
from cyberhub.state.session import SessionState


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
    return rx.vstack(
        field_label(label, id_),
        rx.input(id=id_, name=name, default_value=value, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _create_form() -> rx.Component:
    S = OrganizationsState
    return rx.card(
        kept_form(
            rx.heading("New organization", size="4", as_="h2"),
            error_callout(S.create_error),
            rx.grid(
                _field("Name", "org-name", "name", S.form["name"], max_length=200),
                _field(
                    "Slug (optional)",
                    "org-slug",
                    "slug",
                    S.form["slug"],
                    max_length=100,
                    placeholder="made from the name",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="1em",
                width="100%",
            ),
            labelled_textarea(
                "Description",
                "org-description",
                name="description",
                default_value=S.form["description"],
                max_length=2000,
            ),
            rx.button(rx.icon("plus", size=16), "Create organization", type="submit"),
            on_submit=S.create,
        ),
        width="100%",
    )


def organizations_content() -> rx.Component:
    S = OrganizationsState
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
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        error_callout(S.error),
        rx.cond(
            S.loading,
            loading_state("Loading organizations…"),
            rx.cond(
                S.items.length() > 0,
                data_table(
                    ["Organization", "Slug", "Members", "Created"], rx.foreach(S.items, _org_row)
                ),
                rx.cond(
                    S.error == "",
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
        rx.cond(SessionState.is_admin, rx.box(_create_form(), margin_top="1.5em")),
    )


def organizations_page() -> rx.Component:
    return shell(guarded(LIST_ROUTE, organizations_content()))
