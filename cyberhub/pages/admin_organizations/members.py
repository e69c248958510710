"""One organization's member rows, the add-member form, the remove dialog and the invitations."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.dialogs import reason_dialog
from cyberhub.components.labelled import (
    email_field,
    form_card,
    labelled_form_input,
    labelled_select_of,
)
from cyberhub.components.layout import flag_confirm, flow
from cyberhub.components.sections import titled_stack
from cyberhub.components.tables import table_or
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import (
    badge_row,
    danger_button,
    error_callout,
    icon_button,
    muted,
    remove_button,
)
from cyberhub.pages.admin_organizations.data import InvitationRow, MemberRow
from cyberhub.pages.admin_organizations.state import OrganizationState

S = OrganizationState


def _member_row(m: rx.Var[MemberRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(two_line(m.full_name, m.email)),
        rx.table.cell(
            rx.cond(
                m.roles.length() > 0,
                badge_row(m.roles, lambda r: rx.badge(r, variant="surface", size="2"), gap="0.3em"),
                muted("No roles"),  # a member whose roles were all revoked: still a member
            )
        ),
        rx.table.cell(m.member_since),
        rx.table.cell(remove_button(m.email, OrganizationState.ask_remove(m.id))),
    )


def _add_form() -> rx.Component:
    return form_card(
        rx.heading("Add a member", size="4", as_="h2"),
        muted(
            "A member gets the role at once. Anyone else (with or without an account) "
            "is sent an invitation and gets the role only if they accept."
        ),
        error_callout(S.add_error),
        flow(
            email_field("Email", "member-email", S.new_email),
            labelled_select_of(
                "Role",
                "member-role",
                rx.foreach(S.role_options, lambda r: rx.select.item(r, value=r)),
                value=S.new_role,
                on_change=S.set_new_role,
            ),
        ),
        labelled_form_input(
            "Reason (optional)",
            "member-reason",
            name="reason",
            default_value=S.new_reason,
            max_length=500,
        ),
        icon_button("user_plus", "Add member", type="submit"),
        on_submit=S.add,
    )


def _remove_dialog() -> rx.Component:
    return reason_dialog(
        title=rx.alert_dialog.title("Remove ", S.remove_email, "?"),
        description=rx.alert_dialog.description(
            "Every role they hold in ",
            S.org.name,
            " is removed at once, and they are told by email.",
        ),
        field_id="remove-reason",
        label="Reason for removing",
        reason=S.remove_reason,
        error=S.remove_error,
        confirm="Remove member",
        on_submit=S.remove,
        is_open=S.remove_open,
        on_open_change=S.set_remove_open,
    )


def _invitation_row(i: rx.Var[InvitationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i.email),
        rx.table.cell(i.role),
        rx.table.cell(rx.badge(i.status, variant="surface")),
        rx.table.cell(i.sent),
        rx.table.cell(
            rx.cond(
                i.status == "pending",
                danger_button(
                    "Revoke",
                    "Revoke the invitation to " + i.email,
                    OrganizationState.ask_revoke(i),
                    size="2",
                ),
            )
        ),
    )


def _revoke_dialog() -> rx.Component:
    return flag_confirm(
        S,
        "revoke_open",
        "Revoke the invitation to " + S.revoke_email + "?",
        "Its link stops working and they do not join. You can invite them again later.",
        confirm="Revoke invitation",
        on_confirm=S.revoke_invitation,
        cancel="Keep it",
    )


def _invitations() -> rx.Component:
    return titled_stack(
        "Invitations",
        muted(
            "People join only by accepting: adding someone who is not yet a member sends them "
            "an invitation, and they receive the role when they accept."
        ),
        error_callout(S.invitations_error),
        table_or(
            S.invitations,
            ["E-mail", "Role", "Status", "Sent", "Actions"],
            _invitation_row,
            rx.text("No invitations sent yet.", size="2"),
        ),
        rx.cond(
            S.invitations_total > S.invitations.length(),
            muted(
                "The pending invitations, then the latest others: ",
                S.invitations.length(),
                " of ",
                S.invitations_total,
                ".",
            ),
        ),
        _revoke_dialog(),
    )
