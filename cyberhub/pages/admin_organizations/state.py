"""OrganizationsState (the list and the new organization form) and OrganizationState (one
organization: its members, adding and removing them, its invitations)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.models import Role
from cyberhub.pages.admin_organizations import data
from cyberhub.pages.admin_organizations.data import (
    DETAIL_ROUTE,
    LIST_ROUTE,
    InvitationRow,
    MemberRow,
    OrgRow,
)
from cyberhub.services.identity import organizations
from cyberhub.services.identity.permissions import UNKNOWN_ORGANIZATION
from cyberhub.state import url_query
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.forms import url_id
from cyberhub.state.paging import PagedList
from cyberhub.state.reason_dialogs import open_reason_dialog, submit_reason
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

_EMPTY_FORM = {"name": "", "slug": "", "description": ""}


class OrganizationsState(ServiceState, url_query.AddressedList, rx.State):
    items: list[OrgRow] = []
    total: int = 0
    loading: bool = True
    error: str = ""
    form: dict[str, str] = _EMPTY_FORM
    create_error: str = ""
    notice: str = ""

    async def _fetch(self) -> None:
        found = await self._call(data.list_rows, self.query, self.page)
        self.loading = False
        if found:
            p = found.value
            self.items, self.total, self.page, self.pages = p.rows, p.total, p.page, p.pages
            self.error = ""

    def _url(self) -> str:
        return url_query.list_url(LIST_ROUTE, {}, self.query, self.page)

    @rx.event
    async def load(self) -> None:
        """Restores the search and page from the address (a reload and Back show the same
        list)."""
        await self._load_from_address()

    def _new_visit(self) -> None:
        # Not when a creation put its list's address in the bar: "Created …" stays.
        self.notice, self.create_error = "", ""

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        self.form = {k: str(form.get(k, ""))[:2000] for k in _EMPTY_FORM}
        self.notice = ""
        f = self.form
        org = await self._try(data.create, f["name"], f["slug"], f["description"], self._meta())
        if not org:
            self.create_error = org.error
            return None
        self.create_error, self.form = "", dict(_EMPTY_FORM)
        # The list is paged: it shows the new organization found by its name, wherever it sorts.
        self.query, self.page = org.value.name, 1
        await self._show()
        self.notice = f"Created {org.value.name} ({org.value.slug})."
        return [rx.set_value(f"org-{k}", "") for k in _EMPTY_FORM]


class OrganizationState(ServiceState, PagedList, rx.State):
    org_id: int = 0
    org: OrgRow = OrgRow()
    members: list[MemberRow] = []
    total: int = 0
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
    invitations: list[InvitationRow] = []
    invitations_total: int = 0
    # the pending invitation awaiting confirmation of its revocation (dialog open while set)
    revoke_open: bool = False
    revoke_id: int = 0
    revoke_email: str = ""
    invitations_error: str = ""  # why a revocation was refused, said above the invitations

    set_revoke_open = open_setter("revoke_open")

    async def _fetch(self) -> None:
        found = await self._try(data.org_page, self.org_id, self.page)
        self.loading = False
        if found.code == "Forbidden":
            # A director opening another organisation: the 403 page.
            (await self.get_state(SessionState)).deny(DETAIL_ROUTE)
            return
        if not found:
            self.error = found.error
            return
        p = found.value
        self.org, self.members, self.total = p.org, p.members, p.total
        self.page, self.pages = p.page, p.pages
        self.invitations, self.role_options = p.invitations, p.role_options
        self.invitations_total = p.invitations_total
        self.error = ""

    @rx.event
    async def load(self) -> Any:
        self.loading, self.notice, self.add_error, self.remove_open = True, "", "", False
        self.revoke_open, self.invitations_error = False, ""
        self.page = 1
        # The add-a-member form starts afresh for this organisation.
        self.new_email, self.new_role, self.new_reason = "", Role.student.value, ""
        yield  # the spinner at once, not the last organisation's page while this one loads
        org_id = url_id(self, "org_id")
        if org_id is None:
            self.error, self.loading = UNKNOWN_ORGANIZATION, False
            return
        self.org_id = org_id
        await self._fetch()

    set_new_role = value_setter("new_role", str)

    @rx.event
    async def add(self, form: dict[str, Any]) -> Any:
        self.new_email = str(form.get("email", "")).strip()[:320]
        self.new_reason = str(form.get("reason", ""))[:500]
        self.notice = ""
        granted = await self._try(
            data.add, self.org_id, self.new_email, self.new_role, self.new_reason, self._meta()
        )
        if not granted:
            self.add_error = granted.error
            return None
        self.notice = (
            f"Added {self.new_email} as {self.new_role}."
            if granted.value
            else f"Invited {self.new_email} as {self.new_role}: they join, with that role, "
            "once they accept the invitation sent to them."
        )
        self.add_error, self.new_email, self.new_reason = "", "", ""
        await self._fetch()
        return [rx.set_value("member-email", ""), rx.set_value("member-reason", "")]

    @rx.event
    def ask_revoke(self, invitation: InvitationRow) -> None:
        self.revoke_id, self.revoke_email, self.revoke_open = invitation.id, invitation.email, True

    @rx.event
    async def revoke_invitation(self) -> None:
        self.revoke_open = False
        # The add form's last refusal is not this action's (it may have named this invitation).
        self.notice = self.add_error = self.invitations_error = ""
        email = await self._try(data.revoke_invitation, self.org_id, self.revoke_id, self._meta())
        if not email:
            await self._fetch()  # as it is now (accepted or revoked meanwhile)
            self.invitations_error = email.error
            return
        self.notice = f"Revoked the invitation to {email.value}: its link no longer works."
        await self._fetch()

    @rx.event
    def ask_remove(self, user_id: int) -> None:
        member = next((m for m in self.members if m.id == int(user_id)), None)
        self.remove_user_id = member.id if member else 0
        self.remove_email = member.email if member else ""
        open_reason_dialog(self, "remove")

    set_remove_open = open_setter("remove_open")

    @rx.event
    async def remove(self, form: dict[str, Any]) -> None:
        removed = await submit_reason(
            self, "remove", form, organizations.remove_member, self.org_id, self.remove_user_id
        )
        if not removed:
            return
        self.notice = f"Removed {self.remove_email} from {self.org.name}."
        self.add_error = ""
        await self._fetch()
