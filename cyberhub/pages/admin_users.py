"""/admin/users: find accounts by email or name, filter by role and organization (admins only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.address_sync import address_sync
from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.counts import counted
from cyberhub.components.layout import flow
from cyberhub.components.org_picker import organization_notes
from cyberhub.components.page_kit import once_listed, register_guarded_page
from cyberhub.components.tables import data_table
from cyberhub.components.ui import (
    badge_row,
    empty_state,
    error_callout,
    icon_button,
    muted,
    page_heading,
    pager,
)
from cyberhub.models import Role
from cyberhub.routes import roles
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.users import RoleHeld
from cyberhub.services.identity import users
from cyberhub.services.identity.permissions import Principal
from cyberhub.state import url_query
from cyberhub.state.forms import parse_id, search_text
from cyberhub.state.org_picker import OrgPicker, OrgPickerState, org_picker
from cyberhub.state.paging import filter_setter
from cyberhub.state.service import ServiceState
from cyberhub.state.url_query import ALL

ROUTE = "/admin/users"
ROLE_VALUES = {r.value for r in Role}


@dataclass(frozen=True)
class UserRow:
    """A found account; `last_login_at` stays ISO text for the browser's relative time."""

    id: int
    email: str
    full_name: str
    is_active: bool
    locked: bool
    # "active", "locked" or "disabled" (users.account_status: deactivation wins).
    status: str
    last_login_at: str
    roles: list[RoleHeld] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    items: list[UserRow]
    total: int
    pages: int
    organizations: OrgPicker
    # the filter named an organisation that does not exist (a stale link): listed for all
    organization_gone: bool = False


def _search(
    session: Session, principal: Principal | None, q: users.UserQuery, org_typed: str = ""
) -> Found:
    picker = org_picker(session, principal, org_typed, q.organization_id)
    gone = q.organization_id is not None and str(q.organization_id) not in {
        o.id for o in picker.options
    }
    if gone:
        q = replace(q, organization_id=None)
    result = users.search_users(session, principal, q)
    return Found(
        items=[
            from_row(
                UserRow, u, last_login_at=u.last_login_at.isoformat() if u.last_login_at else ""
            )
            for u in result.items
        ],
        total=result.total,
        pages=result.pages,
        organizations=picker,
        organization_gone=gone,
    )


class AdminUsersState(ServiceState, url_query.AddressedList, OrgPickerState, rx.State):
    """The list's search, role, organisation and page are in the address (a reload, Back and a
    shared link show the same list: state/url_query.py)."""

    items: list[UserRow] = []
    total: int = 0
    role: str = ALL
    organization: str = ALL
    loading: bool = True
    error: str = ""

    @rx.event
    async def load(self) -> None:
        await self._load_from_address()

    async def _read_filters(self, params: Mapping[str, str]) -> None:
        self.role = url_query.choice(params, "role", ROLE_VALUES)
        self.organization = url_query.text(params, "organization", 20) or ALL

    def _url(self) -> str:
        filters = {"role": self.role, "organization": self.organization}
        return url_query.list_url(ROUTE, filters, self.query, self.page)

    async def _fetch(self) -> None:
        self.loading = True
        organization_id = parse_id(self.organization)
        if organization_id is None:  # "all", or a (tampered) value that names no organisation
            self.organization = ALL
        q = users.UserQuery(
            q=self.query,
            role="" if self.role == ALL else self.role,
            organization_id=organization_id,
            page=self.page,
        )
        found = await self._call(_search, q, self.org_query)
        self.loading = False
        if found:
            data = found.value
            self.items, self.total, self.pages = data.items, data.total, data.pages
            self._show_organizations(data.organizations)
            if data.organization_gone:
                self.organization = ALL
            self.error = ""

    @rx.event
    async def find_organization(self, form: dict[str, Any]) -> None:
        """The organisation search: the filter then offers the organisations it matches."""
        self.org_query = search_text(form, "org_q")
        found = await self._call(org_picker, self.org_query, parse_id(self.organization))
        if found:
            self._show_organizations(found.value)

    set_role = filter_setter("role")
    set_organization = filter_setter("organization")


S = AdminUsersState


def _row(u: rx.Var[UserRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                # Each account opens its page: roles, lockout, recent activity.
                rx.link(
                    rx.cond(u.full_name != "", u.full_name, u.email),
                    href="/admin/users/" + u.id.to(str),
                    weight="medium",
                ),
                muted(u.email, size="1"),
                spacing="0",
            )
        ),
        rx.table.cell(
            badge_row(
                u.roles,
                lambda g: rx.badge(g.role, " · ", g.organization, variant="surface"),
                gap="0.3em",
            )
        ),
        rx.table.cell(
            rx.match(
                u.status,
                ("locked", rx.badge("locked", color_scheme="red")),
                ("disabled", rx.badge("disabled", color_scheme="gray")),
                rx.badge("active", color_scheme="green"),
            )
        ),
        rx.table.cell(
            rx.cond(
                u.last_login_at != "",
                rx.moment(u.last_login_at, from_now=True),
                "never",
            )
        ),
    )


def _search_box(
    name: str, placeholder: str, label: str, button: str, typed: rx.Var[str], on_submit: Any
) -> rx.Component:
    """A search box sending `name` to `on_submit`, its Search button named `button`."""
    return rx.form(
        rx.hstack(
            rx.input(
                name=name,
                placeholder=placeholder,
                default_value=typed,
                type="search",
                aria_label=label,
                max_length=200,
            ),
            icon_button("search", button, type="submit"),
        ),
        on_submit=on_submit,
    )


def admin_users_content() -> rx.Component:
    return rx.box(
        admin_nav(ROUTE),
        page_heading("Users", "Every account, its roles and state. Open one to change its roles."),
        address_sync(S),  # the search, filters and page in the address (AddressedList)
        flow(
            _search_box("q", "Search email or name", "Search users", "Search", S.query, S.search),
            rx.select.root(
                rx.select.trigger(aria_label="Filter by role"),
                rx.select.content(
                    rx.select.item("All roles", value=ALL),
                    *[rx.select.item(r.value.title(), value=r.value) for r in Role],
                ),
                value=S.role,
                on_change=S.set_role,
            ),
            _search_box(
                "org_q",
                "Find an organization",
                "Find an organization for the filter",
                "Find organization",
                S.org_query,
                S.find_organization,
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Filter by organization"),
                rx.select.content(
                    rx.select.item("All organizations", value=ALL),
                    rx.foreach(S.organizations, lambda o: rx.select.item(o.name, value=o.id)),
                ),
                value=S.organization,
                on_change=S.set_organization,
            ),
            gap="0.75em",
            margin_bottom="1em",
        ),
        organization_notes(
            "The organization filter lists",
            "the one the list is filtered by",
            S,
            "org-filter-capped",
            margin_bottom="0.5em",
        ),
        error_callout(S.error),
        once_listed(
            S.loading,
            S.items,
            "Loading users…",
            rx.cond(
                S.total > 0,
                rx.box(
                    muted(counted(S.total, "user"), margin_bottom="0.5em"),
                    data_table(
                        ["User", "Roles", "State", "Last sign-in"],
                        rx.foreach(S.items, _row),
                        label="Users",
                        data_testid="users-table",
                    ),
                    pager(S.page, S.pages, S.go_to),
                ),
                empty_state("No users match", "Try a different search or filter."),
            ),
        ),
    )


page = register_guarded_page(
    ROUTE,
    "Users · Admin · CyberHub",
    admin_users_content,
    roles(Role.admin),
    AdminUsersState.load,
    nav_label="Admin",
    nav_order=80,
)
