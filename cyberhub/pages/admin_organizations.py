"""/admin/organizations and /admin/organizations/[org_id]: organizations and their members.

Admins see and manage every organization; a director the ones they run (the service filters and
checks every change).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.admin_nav import admin_nav
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    loading_state,
    page_heading,
    pager,
    remove_button,
)
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import memberships, organizations
from cyberhub.services.audit import RequestMeta
from cyberhub.services.errors import DomainError, Forbidden
from cyberhub.services.permissions import Principal
from cyberhub.services.roles import DIRECTOR_ASSIGNABLE
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState

LIST_ROUTE = "/admin/organizations"
DETAIL_ROUTE = "/admin/organizations/[org_id]"


def _day(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %b %Y") if value else ""


# -- the list ----------------------------------------------------------------------------------


def _list(principal: Principal | None) -> list[dict[str, Any]]:
    with db.session_scope() as session:
        return organizations.list_organizations(session, principal)


def _create(
    principal: Principal | None, name: str, slug: str, description: str, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        org = organizations.create(
            session, principal, name=name, slug=slug, description=description, meta=meta
        )
        return organizations.as_json(org)


class OrganizationsState(rx.State):
    items: list[dict[str, Any]] = []
    loading: bool = True
    error: str = ""
    form: dict[str, str] = {"name": "", "slug": "", "description": ""}
    create_error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.create_error = True, "", ""
        principal = await (await self.get_state(SessionState)).principal()
        try:
            items = await asyncio.to_thread(_list, principal)
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        self.items = [{**o, "created_at": _day(o["created_at"])} for o in items]
        self.error, self.loading = "", False

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        self.form = {k: str(form.get(k, ""))[:2000] for k in ("name", "slug", "description")}
        self.notice = ""
        principal = await (await self.get_state(SessionState)).principal()
        try:
            org = await asyncio.to_thread(
                _create,
                principal,
                self.form["name"],
                self.form["slug"],
                self.form["description"],
                request_meta(self),
            )
        except DomainError as exc:
            self.create_error = exc.message
            return None
        self.create_error = ""
        self.form = {"name": "", "slug": "", "description": ""}
        await self.load()
        self.notice = f"Created {org['name']} ({org['slug']})."
        return [rx.set_value(f"org-{k}", "") for k in ("name", "slug", "description")]


def _org_row(o: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(o["name"], href="/admin/organizations/" + o["id"].to(str), weight="medium")
        ),
        rx.table.cell(rx.code(o["slug"])),
        rx.table.cell(o["members"]),
        rx.table.cell(o["created_at"]),
    )


def _field(label: str, id_: str, name: str, value: rx.Var[str], **props: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=id_, font_weight="500"),
        rx.input(id=id_, name=name, default_value=value, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _create_form() -> rx.Component:
    S = OrganizationsState
    return rx.card(
        rx.form(
            rx.vstack(
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
                rx.el.label("Description", html_for="org-description", font_weight="500"),
                rx.text_area(
                    id="org-description",
                    name="description",
                    default_value=S.form["description"],
                    max_length=2000,
                    width="100%",
                ),
                rx.button(rx.icon("plus", size=16), "Create organization", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.create,
            reset_on_submit=False,
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
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Organization"),
                                rx.table.column_header_cell("Slug"),
                                rx.table.column_header_cell("Members"),
                                rx.table.column_header_cell("Created"),
                            )
                        ),
                        rx.table.body(rx.foreach(S.items, _org_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
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


# -- one organization --------------------------------------------------------------------------


def _org_and_members(principal: Principal | None, org_id: int, page: int) -> dict[str, Any]:
    with db.session_scope() as session:
        org = organizations.get(session, principal, org_id)
        members = organizations.members(session, principal, org_id, page=page)
        invitations = [
            {
                "id": i.id,
                "email": i.email,
                "role": i.role,
                "status": i.status,
                "sent": i.created_at.date().isoformat(),
            }
            for i in memberships.list_for_organization(session, principal, org_id)
        ]
        return {"org": org, "members": members, "invitations": invitations}


def _revoke_invitation(
    principal: Principal | None, org_id: int, invitation_id: int, meta: RequestMeta
) -> str:
    with db.session_scope() as session:
        return memberships.revoke(session, principal, org_id, invitation_id, meta=meta).email


def _add(
    principal: Principal | None,
    org_id: int,
    email: str,
    role: str,
    reason: str,
    meta: RequestMeta,
) -> bool:
    """True if a role was granted; False if an invitation was sent (the person must accept)."""
    with db.session_scope() as session:
        done = organizations.add_member(
            session, principal, org_id, email=email, role=role, reason=reason, meta=meta
        )
        return not isinstance(done, memberships.InvitationSent)


def _remove(
    principal: Principal | None, org_id: int, user_id: int, reason: str, meta: RequestMeta
) -> None:
    with db.session_scope() as session:
        organizations.remove_member(session, principal, org_id, user_id, reason=reason, meta=meta)


class OrganizationState(rx.State):
    org_id: int = 0
    org: dict[str, str] = {}
    members: list[dict[str, Any]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    loading: bool = True
    error: str = ""
    notice: str = ""
    role_options: list[str] = []
    new_email: str = ""
    new_role: str = Role.student.value
    new_reason: str = ""
    add_error: str = ""
    remove_open: bool = False
    remove_user_id: int = 0
    remove_email: str = ""
    remove_reason: str = ""
    remove_error: str = ""
    invitations: list[dict[str, Any]] = []

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        principal = await self._principal()
        try:
            data = await asyncio.to_thread(_org_and_members, principal, self.org_id, self.page)
        except Forbidden:
            # A director opening another organisation: the 403 page.
            (await self.get_state(SessionState)).deny(DETAIL_ROUTE)
            self.loading = False
            return
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        org = data["org"]
        self.org = {
            "name": org["name"],
            "slug": org["slug"],
            "description": org["description"],
            "created_at": _day(org["created_at"]),
        }
        m = data["members"]
        self.members = [{**x, "member_since": _day(x["member_since"])} for x in m["items"]]
        self.total, self.pages = m["total"], m["pages"]
        self.invitations = data["invitations"]
        if principal is not None and principal.is_admin:
            self.role_options = [r.value for r in Role]
        else:
            self.role_options = [r.value for r in Role if r.value in DIRECTOR_ASSIGNABLE]
        self.error, self.loading = "", False

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.add_error, self.remove_open = True, "", "", False
        self.page = 1
        org_id = parse_id(self.router.page.params.get("org_id", ""))
        if org_id is None:
            self.error, self.loading = "That organization does not exist.", False
            return
        self.org_id = org_id
        await self._fetch()

    @rx.event
    async def go_to(self, page: int) -> None:
        self.page = max(1, min(page, self.pages))
        await self._fetch()

    @rx.event
    def set_new_role(self, value: str) -> None:
        self.new_role = value

    @rx.event
    async def add(self, form: dict[str, Any]) -> Any:
        self.new_email = str(form.get("email", "")).strip()[:320]
        self.new_reason = str(form.get("reason", ""))[:500]
        self.notice = ""
        try:
            granted = await asyncio.to_thread(
                _add,
                await self._principal(),
                self.org_id,
                self.new_email,
                self.new_role,
                self.new_reason,
                request_meta(self),
            )
        except DomainError as exc:
            self.add_error = exc.message
            return None
        self.notice = (
            f"Added {self.new_email} as {self.new_role}."
            if granted
            else f"Invited {self.new_email} as {self.new_role}: they join, with that role, "
            "once they accept the invitation sent to them."
        )
        self.add_error, self.new_email, self.new_reason = "", "", ""
        await self._fetch()
        return [rx.set_value("member-email", ""), rx.set_value("member-reason", "")]

    @rx.event
    async def revoke_invitation(self, invitation_id: int) -> None:
        self.notice = ""
        try:
            email = await asyncio.to_thread(
                _revoke_invitation,
                await self._principal(),
                self.org_id,
                int(invitation_id),
                request_meta(self),
            )
        except DomainError as exc:
            self.add_error = exc.message
            return
        self.notice = f"Revoked the invitation to {email}: its link no longer works."
        await self._fetch()

    @rx.event
    def ask_remove(self, member: dict[str, Any]) -> None:
        self.remove_user_id = int(member.get("id") or 0)
        self.remove_email = str(member.get("email", ""))
        self.remove_reason, self.remove_error, self.remove_open = "", "", True

    @rx.event
    def set_remove_open(self, value: bool) -> None:
        self.remove_open = value

    @rx.event
    async def remove(self, form: dict[str, Any]) -> None:
        self.remove_reason = str(form.get("reason", ""))[:500]
        try:
            await asyncio.to_thread(
                _remove,
                await self._principal(),
                self.org_id,
                self.remove_user_id,
                self.remove_reason,
                request_meta(self),
            )
        except DomainError as exc:
            self.remove_error = exc.message
            return
        self.notice = f"Removed {self.remove_email} from {self.org.get('name', '')}."
        self.remove_open, self.remove_error = False, ""
        await self._fetch()


def _member_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(m["full_name"], weight="medium"),
                rx.text(m["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.flex(
                rx.foreach(
                    m["roles"].to(list[str]), lambda r: rx.badge(r, variant="surface", size="2")
                ),
                gap="0.3em",
                wrap="wrap",
            )
        ),
        rx.table.cell(m["member_since"]),
        rx.table.cell(remove_button(m["email"].to(str), OrganizationState.ask_remove(m))),
    )


def _add_form() -> rx.Component:
    S = OrganizationState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add a member", size="4", as_="h2"),
                rx.text(
                    "A member gets the role at once. Anyone else (with or without an account) "
                    "is sent an invitation and gets the role only if they accept.",
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(S.add_error),
                rx.flex(
                    rx.vstack(
                        rx.el.label("Email", html_for="member-email", font_weight="500"),
                        rx.input(
                            id="member-email",
                            name="email",
                            type="email",
                            default_value=S.new_email,
                            max_length=320,
                            min_width="16em",
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label("Role", html_for="member-role", font_weight="500"),
                        rx.select.root(
                            rx.select.trigger(id="member-role", aria_label="Role"),
                            rx.select.content(
                                rx.foreach(
                                    S.role_options,
                                    lambda r: rx.select.item(r, value=r),
                                )
                            ),
                            value=S.new_role,
                            on_change=S.set_new_role,
                        ),
                        spacing="1",
                    ),
                    gap="1em",
                    wrap="wrap",
                ),
                rx.el.label("Reason (optional)", html_for="member-reason", font_weight="500"),
                rx.input(
                    id="member-reason",
                    name="reason",
                    default_value=S.new_reason,
                    max_length=500,
                    width="100%",
                ),
                rx.button(rx.icon("user_plus", size=16), "Add member", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.add,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _remove_dialog() -> rx.Component:
    S = OrganizationState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove ", S.remove_email, "?"),
            rx.alert_dialog.description(
                "Every role they hold in ",
                S.org["name"],
                " is removed at once, and they are told by email.",
            ),
            rx.form(
                rx.vstack(
                    error_callout(S.remove_error),
                    rx.el.label("Reason for removing", html_for="remove-reason", font_weight="500"),
                    rx.text_area(
                        id="remove-reason",
                        name="reason",
                        default_value=S.remove_reason,
                        max_length=500,
                        width="100%",
                        auto_focus=True,
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Remove member", color_scheme="red", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    margin_top="1em",
                ),
                on_submit=S.remove,
                reset_on_submit=False,
            ),
        ),
        open=S.remove_open,
        on_open_change=S.set_remove_open,
    )


def _invitation_row(i: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i["email"]),
        rx.table.cell(i["role"]),
        rx.table.cell(rx.badge(i["status"], variant="surface")),
        rx.table.cell(i["sent"]),
        rx.table.cell(
            rx.cond(
                i["status"] == "pending",
                rx.button(
                    "Revoke",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    on_click=OrganizationState.revoke_invitation(i["id"].to(int)),
                    aria_label="Revoke the invitation to " + i["email"].to(str),
                ),
            )
        ),
    )


def _invitations() -> rx.Component:
    S = OrganizationState
    return rx.vstack(
        rx.heading("Invitations", size="5", as_="h2"),
        rx.text(
            "People join only by accepting: adding someone who is not yet a member sends them "
            "an invitation, and they receive the role when they accept.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.invitations.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("E-mail"),
                            rx.table.column_header_cell("Role"),
                            rx.table.column_header_cell("Status"),
                            rx.table.column_header_cell("Sent"),
                            rx.table.column_header_cell(rx.el.span("Actions")),
                        )
                    ),
                    rx.table.body(rx.foreach(S.invitations, _invitation_row)),
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No invitations sent yet.", size="2"),
        ),
        spacing="2",
        width="100%",
    )


def organization_content() -> rx.Component:
    S = OrganizationState
    return rx.box(
        admin_nav(LIST_ROUTE),
        rx.link("← All organizations", href=LIST_ROUTE, size="2"),
        rx.cond(
            S.loading,
            loading_state("Loading the organization…"),
            rx.cond(
                S.error != "",
                empty_state(
                    "Organization not available",
                    S.error,
                    rx.link(rx.button("Back to organizations"), href=LIST_ROUTE),
                ),
                rx.vstack(
                    rx.vstack(
                        rx.heading(S.org["name"], size="7", as_="h1"),
                        rx.text(
                            rx.code(S.org["slug"]),
                            " · created ",
                            S.org["created_at"],
                            color_scheme="gray",
                        ),
                        rx.cond(S.org["description"] != "", rx.text(S.org["description"])),
                        spacing="1",
                    ),
                    rx.cond(
                        S.notice != "",
                        rx.callout(
                            S.notice, icon="circle_check", color_scheme="green", role="status"
                        ),
                    ),
                    rx.heading("Members", size="5", as_="h2"),
                    rx.cond(
                        S.total > 0,
                        rx.box(
                            rx.text(S.total, " members", size="2", color_scheme="gray"),
                            rx.box(
                                rx.table.root(
                                    rx.table.header(
                                        rx.table.row(
                                            rx.table.column_header_cell("Member"),
                                            rx.table.column_header_cell("Roles here"),
                                            rx.table.column_header_cell("Member since"),
                                            rx.table.column_header_cell(rx.el.span("Actions")),
                                        )
                                    ),
                                    rx.table.body(rx.foreach(S.members, _member_row)),
                                    variant="surface",
                                    width="100%",
                                ),
                                overflow_x="auto",
                                width="100%",
                                margin_top="0.5em",
                            ),
                            rx.cond(
                                S.pages > 1,
                                pager(S.page, S.pages, S.go_to),
                            ),
                            width="100%",
                        ),
                        empty_state("No members yet", "Add the first one below."),
                    ),
                    _add_form(),
                    _invitations(),
                    _remove_dialog(),
                    spacing="4",
                    width="100%",
                    margin_top="0.75em",
                ),
            ),
        ),
    )


def organization_page() -> rx.Component:
    return shell(guarded(DETAIL_ROUTE, organization_content()))


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
