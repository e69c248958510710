"""The /admin/users/[user_id] page's state and the rows it shows (times already formatted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import plural, when
from cyberhub.models import Role
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.users import RoleGrantPublic, UserDetail
from cyberhub.services.identity import deactivation
from cyberhub.services.identity import roles as role_service
from cyberhub.services.identity.permissions import Principal
from cyberhub.state import resubmit
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.forms import parse_id, search_text, url_id
from cyberhub.state.org_picker import OrgPicker, OrgPickerState, org_picker
from cyberhub.state.reason_dialogs import open_reason_dialog, submit_reason
from cyberhub.state.service import ServiceState

GLOBAL = "global"


@dataclass(frozen=True)
class UserView:
    email: str = ""
    full_name: str = ""
    created_at: str = ""
    last_login_at: str = ""
    locked_until: str = ""
    failed_logins: int = 0
    mfa: str = ""
    status: str = ""
    active: bool = True


@dataclass(frozen=True)
class GrantRow:
    role: str
    organization_id: int
    organization: str
    reason: str
    granted_by: str
    created_at: str


@dataclass(frozen=True)
class AuditRow:
    created_at: str
    action: str
    actor: str
    target: str
    summary: str


@dataclass(frozen=True)
class AccountPage:
    user: UserView
    locked: bool
    grants: list[GrantRow]
    audit: list[AuditRow]
    organizations: OrgPicker
    # The organization the user already has a role in: granting there is the usual case, and
    # the alphabetically first organization rarely is theirs.
    default_org: str
    # The admin's own account: they can't deactivate it (deactivation.NOT_YOURSELF).
    own: bool


def _grant(g: RoleGrantPublic, tz: str | None) -> GrantRow:
    return from_row(
        GrantRow, g, organization_id=g.organization_id or 0, created_at=when(g.created_at, tz)
    )


def _page(
    detail: UserDetail, orgs: OrgPicker, default_org: str, tz: str | None, own: bool
) -> AccountPage:
    return AccountPage(
        user=UserView(
            email=detail.email,
            full_name=detail.full_name or detail.email,
            created_at=when(detail.created_at, tz),
            last_login_at=when(detail.last_login_at, tz, empty="never"),
            locked_until=when(detail.locked_until, tz),
            failed_logins=detail.failed_login_count,
            mfa="on" if detail.mfa_enabled else "off",
            status="active" if detail.is_active else "disabled",
            active=detail.is_active,
        ),
        locked=detail.locked,
        grants=[_grant(g, tz) for g in detail.roles],
        audit=[
            from_row(
                AuditRow,
                e,
                created_at=when(e.created_at, tz),
                actor=e.actor or "—",
                target=e.target or "—",
            )
            for e in detail.audit
        ],
        organizations=orgs,
        default_org=default_org,
        own=own,
    )


def _own_org(detail: UserDetail) -> int | None:
    """The first organisation the user holds a role in."""
    return next((g.organization_id for g in detail.roles if g.organization_id), None)


def _load(
    session: Session,
    principal: Principal | None,
    user_id: int,
    typed: str,
    keep: tuple[int | None, ...],
) -> AccountPage:
    """The page; the organisation list keeps `keep` (the one chosen, the usual one) and the
    user's own organisation listed, whatever was searched."""
    detail = role_service.user_detail(session, principal, user_id)
    own_org = _own_org(detail)
    orgs = org_picker(session, principal, typed, *keep, own_org)
    default_org = str(own_org) if own_org else (orgs.options[0].id if orgs.options else "")
    own = principal is not None and principal.user_id == user_id
    return _page(detail, orgs, default_org, principal.time_zone if principal else None, own)


class AdminUserState(ServiceState, OrgPickerState, rx.State):
    user_id: int = 0
    user: UserView = UserView()
    locked: bool = False
    grants: list[GrantRow] = []
    audit_entries: list[AuditRow] = []
    loading: bool = True
    error: str = ""
    notice: str = ""
    # The assign form (kept so a failed submit keeps what was chosen and typed).
    new_role: str = Role.mentor.value
    new_org: str = ""
    default_org: str = ""  # the organization chosen first (and again after the admin role)
    new_reason: str = ""
    assign_error: str = ""
    # The revoke dialog.
    revoke_open: bool = False
    revoke_role: str = ""
    revoke_org_id: int = 0
    revoke_org_name: str = ""
    revoke_reason: str = ""
    revoke_error: str = ""
    unlock_error: str = ""
    # Deactivate (a dialog asking why) and reactivate (a confirmation); never the admin's own.
    own_account: bool = False
    deactivate_open: bool = False
    deactivate_reason: str = ""
    deactivate_error: str = ""
    reactivate_open: bool = False
    status_error: str = ""
    # The roles just given (a double click's second submit gives nothing: resubmit)
    _given_at: dict[str, float] = {}

    async def _refresh(self) -> None:
        found = await self._call(_load, self.user_id, self.org_query, self._kept_orgs())
        self.loading = False
        if not found:
            return
        page = found.value
        self.user, self.locked, self.grants = page.user, page.locked, page.grants
        self.audit_entries = page.audit
        self._show_organizations(page.organizations)
        self.default_org, self.own_account = page.default_org, page.own
        if not self.new_org:
            self.new_org = page.default_org
        self.error = ""

    def _kept_orgs(self) -> tuple[int | None, ...]:
        """Listed whatever is searched: the organisation chosen, and the one chosen first (the
        form goes back to it after the admin role, which is global)."""
        return parse_id(self.new_org), parse_id(self.default_org)

    @rx.event
    async def find_organization(self, form: dict[str, Any]) -> None:
        """The grant form's organisation search: the list then offers the organisations whose
        name contains it (and keeps the chosen ones)."""
        self.org_query = search_text(form)
        found = await self._call(org_picker, self.org_query, *self._kept_orgs())
        if found:
            self._show_organizations(found.value)

    @rx.event
    async def load(self) -> Any:
        self.loading, self.notice, self.assign_error, self.unlock_error = True, "", "", ""
        self.revoke_open, self.new_reason, self.new_org = False, "", ""
        # The form starts afresh for this person: no organisation kept from the last one's page.
        self.new_role, self.default_org, self.org_query = Role.mentor.value, "", ""
        self.deactivate_open, self.reactivate_open, self.status_error = False, False, ""
        yield  # the spinner at once, not the last person's page while this one loads
        user_id = url_id(self, "user_id")
        if user_id is None:
            self.error, self.loading = "That user does not exist.", False
            return
        self.user_id = user_id
        await self._refresh()

    @rx.event
    def set_new_role(self, value: str) -> None:
        self.new_role = value
        if value == Role.admin.value:  # the admin role is global only (roles.assign_role)
            self.new_org = GLOBAL
        elif self.new_org == GLOBAL:  # and only the admin role can be global
            self.new_org = self.default_org

    set_new_org = value_setter("new_org", str)

    @rx.event
    async def assign(self, form: dict[str, Any]) -> Any:
        grant = f"{self.user_id}:{self.new_role}:{self.new_org}"
        if resubmit.sent_again(self._given_at, grant):
            return None  # the second submit of a double click: "Gave …" stands
        self.new_reason = str(form.get("reason", ""))[:500]
        self.notice = ""
        done = await self._try(
            role_service.assign_role,
            user_id=self.user_id,
            role=self.new_role,
            organization_id=parse_id(self.new_org),  # GLOBAL: None
            reason=self.new_reason,
            meta=self._meta(),
        )
        if not done:
            self.assign_error = done.error
            return None
        self._given_at = resubmit.made_now(self._given_at, grant)
        where = "globally" if parse_id(self.new_org) is None else "in the organization"
        self.notice = f"Gave {self.user.email} the {self.new_role} role {where}."
        self.assign_error, self.new_reason = "", ""
        await self._refresh()
        return rx.set_value("assign-reason", "")

    @rx.event
    def ask_revoke(self, role: str, organization_id: int) -> None:
        grant = next(
            (
                g
                for g in self.grants
                if g.role == role and g.organization_id == int(organization_id or 0)
            ),
            None,
        )
        self.revoke_role = grant.role if grant else str(role)
        self.revoke_org_id = grant.organization_id if grant else 0
        self.revoke_org_name = grant.organization if grant else ""
        open_reason_dialog(self, "revoke")

    set_revoke_open = open_setter("revoke_open")

    @rx.event
    async def revoke(self, form: dict[str, Any]) -> None:
        done = await submit_reason(
            self,
            "revoke",
            form,
            role_service.revoke_role,
            user_id=self.user_id,
            role=self.revoke_role,
            organization_id=self.revoke_org_id or None,
        )
        if not done:
            return
        self.notice = f"Removed the {self.revoke_role} role ({self.revoke_org_name})."
        await self._refresh()

    @rx.event
    async def unlock(self) -> None:
        done = await self._try(role_service.unlock_user, self.user_id, self._meta())
        if not done:
            self.unlock_error = done.error
            return
        self.unlock_error, self.notice = "", done.value.message
        await self._refresh()

    @rx.event
    def ask_deactivate(self) -> None:
        open_reason_dialog(self, "deactivate")

    set_deactivate_open = open_setter("deactivate_open")

    @rx.event
    async def deactivate(self, form: dict[str, Any]) -> None:
        done = await submit_reason(
            self, "deactivate", form, deactivation.deactivate_user, self.user_id
        )
        if not done:
            return
        returned = done.value.claims_returned
        back = f" {plural(returned, 'claimed review')} went back to the queue." if returned else ""
        self.notice = (
            f"Deactivated {self.user.email}: they can't sign in, and their sessions and API keys "
            f"have ended.{back} They were told by email."
        )
        self.status_error = ""
        await self._refresh()

    set_reactivate_open = open_setter("reactivate_open")

    @rx.event
    async def reactivate(self) -> None:
        self.reactivate_open = False
        done = await self._try(deactivation.reactivate_user, self.user_id, meta=self._meta())
        if not done:
            self.status_error = done.error
            return
        self.notice = (
            f"Reactivated {self.user.email}: they can sign in again with their password (or a "
            "reset). Sessions and API keys that ended stay ended."
        )
        self.status_error = ""
        await self._refresh()
