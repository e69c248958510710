"""The /admin/users/[user_id] page's view: profile, lockout, account status (deactivate /
reactivate), roles (assign / revoke) and the account's latest audit entries."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.admin_record import admin_record_page
from cyberhub.components.dialogs import flag_reason_dialog
from cyberhub.components.fields import search_form
from cyberhub.components.labelled import kept_form, labelled_select_of, labelled_textarea
from cyberhub.components.layout import flag_confirm, flow, wrap_row
from cyberhub.components.org_picker import organization_notes
from cyberhub.components.page_kit import two_columns
from cyberhub.components.panels import grey_text
from cyberhub.components.rows import audit_details_cell, time_cell
from cyberhub.components.sections import heading_row, section_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import danger_button, error_callout, icon_button, muted
from cyberhub.models import Role
from cyberhub.pages.admin_user.state import GLOBAL, AdminUserState, AuditRow, GrantRow

S = AdminUserState


ROUTE = "/admin/users/[user_id]"


def _fact(label: str, value: rx.Var[str] | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label), rx.data_list.value(rx.text(value, word_break="break-all"))
    )


def _profile() -> rx.Component:
    u = AdminUserState.user
    return section_card(
        "Profile",
        rx.data_list.root(
            _fact("Email", u.email),
            rx.data_list.item(rx.data_list.label("Status"), rx.data_list.value(_status_badge())),
            _fact("Signed up", u.created_at),
            _fact("Last sign-in", u.last_login_at),
            _fact("Two-factor sign-in", u.mfa),
            orientation={"initial": "vertical", "sm": "horizontal"},
        ),
        size="4",
    )


def _status_badge() -> rx.Component:
    return rx.badge(
        S.user.status,
        color_scheme=rx.cond(S.user.active, "green", "red"),
        size="2",
        data_testid="account-status",
    )


def _status_card() -> rx.Component:
    return section_card(
        "Account status",
        error_callout(S.status_error),
        rx.cond(
            S.own_account,
            grey_text("This is your own account: only another admin can deactivate it."),
            rx.cond(
                S.user.active,
                rx.vstack(
                    grey_text(
                        "Deactivating ends every session and API key of this account at once, "
                        "sends the reviews they claimed back to the queue, takes them off the "
                        "cohorts they mentor or direct, ends their pending applications and "
                        "waitlist places and tells them by email. Their work and history stay."
                    ),
                    danger_button(
                        "Deactivate account",
                        "Deactivate account " + S.user.email,
                        S.ask_deactivate,
                        size="2",
                    ),
                    spacing="2",
                ),
                rx.vstack(
                    grey_text(
                        "This account is deactivated: it can't sign in. Reactivating lets them "
                        "sign in again with their password (or a password reset); sessions, API "
                        "keys, claimed reviews, mentees, the cohorts they mentored or directed, "
                        "applications and waitlist places are not restored."
                    ),
                    icon_button(
                        "user_check",
                        "Reactivate account",
                        on_click=S.set_reactivate_open(True),
                    ),
                    spacing="2",
                ),
            ),
        ),
        size="4",
    )


def _deactivate_dialog() -> rx.Component:
    return flag_reason_dialog(
        S,
        "deactivate",
        title=rx.alert_dialog.title("Deactivate ", S.user.email, "?"),
        description=rx.alert_dialog.description(
            "They can't sign in any more: every session and API key of the account ends now, "
            "reviews they claimed go back to the queue, they stop mentoring and directing their "
            "cohorts (their mentees are unassigned), their pending applications and waitlist "
            "places end (the learners behind them move up), and they are told by email, with "
            "your reason."
        ),
        label="Reason for deactivating",
        confirm="Deactivate account",
        on_submit=S.deactivate,
    )


def _reactivate_dialog() -> rx.Component:
    return flag_confirm(
        S,
        "reactivate_open",
        "Reactivate this account?",
        "They can sign in again with their password (or a password reset) and are told by "
        "email. Sessions, API keys, claimed reviews, mentees, the cohorts they mentored or "
        "directed, applications and waitlist places that ended when it was deactivated are not "
        "restored.",
        confirm="Reactivate account",
        on_confirm=S.reactivate,
    )


def _lock_state() -> rx.Component:
    return section_card(
        "Sign-in lockout",
        error_callout(S.unlock_error),
        rx.cond(
            S.locked,
            rx.vstack(
                wrap_row(
                    rx.badge("locked", color_scheme="red", size="2"),
                    rx.text(
                        "Locked until ",
                        S.user.locked_until,
                        " after ",
                        S.user.failed_logins,
                        " failed sign-ins.",
                    ),
                ),
                icon_button("lock_open", "Unlock account", on_click=S.unlock),
                spacing="2",
            ),
            rx.hstack(
                rx.badge("not locked", color_scheme="green", size="2"),
                grey_text("This account can sign in."),
                align="center",
            ),
        ),
        size="4",
    )


def _grant_row(g: rx.Var[GrantRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(g.role, variant="surface", size="2")),
        rx.table.cell(g.organization),
        rx.table.cell(rx.text(g.reason, size="2")),
        rx.table.cell(
            rx.text(g.granted_by, size="2"),
            muted(g.created_at, size="1"),
        ),
        rx.table.cell(
            danger_button(
                "Revoke",
                "Revoke " + g.role + " in " + g.organization,
                AdminUserState.ask_revoke(g.role, g.organization_id),
                size="2",
            )
        ),
    )


def _assign_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Give a role", size="3", as_="h3"),
        # Its own form, before the grant's: forms do not nest.
        search_form(
            "Find an organization",
            "assign-org-search",
            "Organization name",
            S.org_query,
            S.find_organization,
        ),
        organization_notes(
            "The organization list offers",
            "the one chosen and the one the form starts on",
            S,
            "assign-org-capped",
        ),
        _grant_form(),
        spacing="2",
        width="100%",
    )


def _grant_form() -> rx.Component:
    return kept_form(
        error_callout(S.assign_error),
        flow(
            labelled_select_of(
                "Role",
                "assign-role",
                *[rx.select.item(r.value.title(), value=r.value) for r in Role],
                value=S.new_role,
                on_change=S.set_new_role,
            ),
            labelled_select_of(
                "Organization",
                "assign-org",
                rx.foreach(S.organizations, lambda o: rx.select.item(o.name, value=o.id)),
                rx.select.item("Global (admin role only)", value=GLOBAL),
                value=S.new_org,
                on_change=S.set_new_org,
            ),
        ),
        labelled_textarea(
            "Reason",
            "assign-reason",
            name="reason",
            default_value=S.new_reason,
            placeholder="Why does this person need the role? (kept in the audit log)",
            max_length=500,
        ),
        icon_button("user_plus", "Assign role", type="submit"),
        on_submit=S.assign,
        width="100%",
    )


def _roles_card() -> rx.Component:
    return section_card(
        "Roles",
        table_or(
            S.grants,
            ["Role", "Organization", "Reason", "Granted", "Actions"],
            _grant_row,
            "This account holds no role: it can sign in but sees little.",
        ),
        rx.separator(size="4"),
        _assign_form(),
        size="4",
    )


def _revoke_dialog() -> rx.Component:
    return flag_reason_dialog(
        S,
        "revoke",
        title=rx.alert_dialog.title("Revoke the ", S.revoke_role, " role?"),
        description=rx.alert_dialog.description(
            S.user.email,
            " loses the ",
            S.revoke_role,
            " role (",
            S.revoke_org_name,
            ") at once and is told by email.",
        ),
        label="Reason for revoking",
        confirm="Revoke role",
        on_submit=S.revoke,
    )


def _audit_row(e: rx.Var[AuditRow]) -> rx.Component:
    return rx.table.row(
        time_cell(e.created_at),
        rx.table.cell(rx.code(e.action)),
        rx.table.cell(rx.text(e.actor, size="2")),
        rx.table.cell(rx.text(e.target, size="2")),
        audit_details_cell(e.summary, "2"),
    )


def _audit_card() -> rx.Component:
    return section_card(
        heading_row(
            rx.heading("Recent activity", size="4", as_="h2"),
            rx.link("Full audit log →", href="/admin/audit", size="2"),
        ),
        table_or(
            S.audit_entries,
            ["When", "Action", "By", "Target", "Details"],
            _audit_row,
            "No audit entries for this account yet.",
            size="1",
        ),
    )


def admin_user_content() -> rx.Component:
    return admin_record_page(
        S,
        "/admin/users",
        "users",
        loading="Loading the account…",
        missing="Account not found",
        name=S.user.full_name,
        about=[grey_text(S.user.email)],
        sections=[
            two_columns(_profile(), _lock_state()),
            _status_card(),
            _roles_card(),
            _audit_card(),
            _revoke_dialog(),
            _deactivate_dialog(),
            _reactivate_dialog(),
        ],
    )
