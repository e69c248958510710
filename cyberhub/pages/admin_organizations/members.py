"""One organization's member rows, the add-member form, the remove dialog and the invitations."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.ui import error_callout, remove_button
from cyberhub.pages.admin_organizations.data import InvitationRow, MemberRow
from cyberhub.pages.admin_organizations.state import OrganizationState


def _member_row(m: rx.Var[MemberRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(m.full_name, weight="medium"),
                rx.text(m.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.flex(
                rx.foreach(m.roles, lambda r: rx.badge(r, variant="surface", size="2")),
                gap="0.3em",
                wrap="wrap",
            )
        ),
        rx.table.cell(m.member_since),
        rx.table.cell(remove_button(m.email, OrganizationState.ask_remove(m.id))),
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
                        field_label("Email", "member-email"),
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
                        field_label("Role", "member-role"),
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
                field_label("Reason (optional)", "member-reason"),
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
                S.org.name,
                " is removed at once, and they are told by email.",
            ),
            rx.form(
                rx.vstack(
                    error_callout(S.remove_error),
                    field_label("Reason for removing", "remove-reason"),
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


def _invitation_row(i: rx.Var[InvitationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i.email),
        rx.table.cell(i.role),
        rx.table.cell(rx.badge(i.status, variant="surface")),
        rx.table.cell(i.sent),
        rx.table.cell(
            rx.cond(
                i.status == "pending",
                rx.button(
                    "Revoke",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    on_click=OrganizationState.revoke_invitation(i.id),
                    aria_label="Revoke the invitation to " + i.email,
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
