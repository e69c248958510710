"""The notes under an admin page's organisation picker (cyberhub/state/org_picker.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.ui import muted
from cyberhub.state.org_picker import OrgPickerState


def organization_notes(
    lists: str, kept: str, picker: type[OrgPickerState], test_id: str, **props: Any
) -> rx.Component:
    """Under an organisation picker (cyberhub/state/org_picker.py), when more match than it
    lists: "<lists> the first N of M organizations by name (also listed: <kept>): find one by
    name to narrow it." (`lists`: "The organization filter lists"; `kept`: what the page keeps
    listed whatever is searched, said when the list holds any of them besides the matches);
    when a search matches none: "No organization's name contains “…”." """
    return rx.fragment(
        rx.cond(
            picker.more_organizations,
            muted(
                lists + " the first ",
                picker.organizations_shown,
                " of ",
                counted(picker.organizations_total, "organization"),
                " by name",
                rx.cond(picker.organizations_kept, f" (also listed: {kept})", ""),
                ": find one by name to narrow it.",
                size="1",
                data_testid=test_id,
                **props,
            ),
        ),
        rx.cond(
            picker.no_organization_found,
            muted(
                "No organization's name contains “",
                picker.org_query,
                "”.",
                size="1",
                data_testid=test_id + "-none",
                **props,
            ),
        ),
    )
