"""OrganizationsState (the list and the new organization form) and OrganizationState (one
organization: its members, adding and removing them, its invitations)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub.models import Role
from cyberhub.pages.admin_organizations.data import (
    DETAIL_ROUTE,
    _add,
    _create,
    _day,
    _list,
    _org_and_members,
    _remove,
    _revoke_invitation,
)
from cyberhub.services.errors import DomainError, Forbidden
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.identity.roles import DIRECTOR_ASSIGNABLE
from cyberhub.state.forms import parse_id, request_meta
from cyberhub.state.session import SessionState


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
