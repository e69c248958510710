"""Confirmation dialogs shared by pages: the Cancel / confirm row, and a dialog that asks for a
reason (kept in the audit log) before a change takes effect (also bound to a state's vars by
their names: flag_reason_dialog)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.labelled import labelled_textarea
from cyberhub.components.ui import error_callout


def dialog_actions(confirm: rx.Component, *, in_form: bool = True, **props: Any) -> rx.Component:
    """Cancel (closes the dialog) and the confirming button, at the dialog's end; `in_form`
    makes Cancel a type="button" so it never submits the dialog's form."""
    typed: dict[str, str] = {"type": "button"} if in_form else {}
    return rx.hstack(
        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", **typed)),
        confirm,
        justify="end",
        **props,
    )


def _alert(*content: rx.Component, is_open: rx.Var[bool], on_open_change: Any) -> rx.Component:
    """An alert dialog of `content`, opened and closed through a state var."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(*content), open=is_open, on_open_change=on_open_change
    )


def action_dialog(
    title: rx.Component,
    description: rx.Component,
    *body: rx.Component,
    confirm: rx.Component,
    is_open: rx.Var[bool],
    on_open_change: Any,
    in_form: bool = False,
    **actions_props: Any,
) -> rx.Component:
    """An alert dialog: `title`, `description`, any `body`, then Cancel and `confirm` (a button
    that acts by itself; `in_form` as for dialog_actions); `actions_props` go to that row (e.g.
    margin_top)."""
    return _alert(
        title,
        description,
        *body,
        dialog_actions(confirm, in_form=in_form, **actions_props),
        is_open=is_open,
        on_open_change=on_open_change,
    )


def _fields_then_actions(*fields: rx.Component, confirm: rx.Component) -> rx.Component:
    """A dialog's `fields` (the first usually the error callout) over Cancel and `confirm`."""
    return rx.vstack(*fields, dialog_actions(confirm, width="100%"), spacing="2", margin_top="1em")


def fields_dialog(
    title: rx.Component,
    description: rx.Component,
    *fields: rx.Component,
    confirm: rx.Component,
    is_open: rx.Var[bool],
    on_open_change: Any,
) -> rx.Component:
    """An alert dialog of `fields` (no form: each sends its own change), then Cancel and
    `confirm` (a button that acts by itself)."""
    return _alert(
        title,
        description,
        _fields_then_actions(*fields, confirm=confirm),
        is_open=is_open,
        on_open_change=on_open_change,
    )


def form_dialog(
    title: rx.Component,
    description: rx.Component,
    *fields: rx.Component,
    save: rx.Component,
    on_submit: Any,
    is_open: rx.Var[bool],
    on_open_change: Any,
) -> rx.Component:
    """An alert dialog holding a form: its `fields` (the first usually the error callout), then
    Cancel and `save` (a submit button); what was typed stays when the submit is refused."""
    form = rx.form(
        _fields_then_actions(*fields, confirm=save), on_submit=on_submit, reset_on_submit=False
    )
    return _alert(title, description, form, is_open=is_open, on_open_change=on_open_change)


def reason_dialog(
    *,
    title: rx.Component,
    description: rx.Component,
    field_id: str,
    label: str,
    reason: rx.Var[str],
    error: rx.Var[str],
    confirm: str,
    on_submit: Any,
    is_open: rx.Var[bool],
    on_open_change: Any,
) -> rx.Component:
    """An alert dialog whose form asks why (a `reason` field, focused) before `on_submit`; the
    red `confirm` button submits, the error shows above the field."""
    return form_dialog(
        title,
        description,
        error_callout(error),
        labelled_textarea(
            label,
            field_id,
            name="reason",
            default_value=reason,
            max_length=500,
            auto_focus=True,
        ),
        save=rx.button(confirm, color_scheme="red", type="submit"),
        on_submit=on_submit,
        is_open=is_open,
        on_open_change=on_open_change,
    )


def flag_reason_dialog(
    state: type[rx.State],
    name: str,
    *,
    title: rx.Component,
    description: rx.Component,
    label: str,
    confirm: str,
    on_submit: Any,
) -> rx.Component:
    """A reason_dialog bound to `state`'s vars named after `name`: open while `<name>_open`
    (closed through `set_<name>_open`), the reason typed kept in `<name>_reason`, the refusal in
    `<name>_error`; its field's id is `<name>-reason`."""
    return reason_dialog(
        title=title,
        description=description,
        field_id=f"{name}-reason",
        label=label,
        reason=getattr(state, f"{name}_reason"),
        error=getattr(state, f"{name}_error"),
        confirm=confirm,
        on_submit=on_submit,
        is_open=getattr(state, f"{name}_open"),
        on_open_change=getattr(state, f"set_{name}_open"),
    )
