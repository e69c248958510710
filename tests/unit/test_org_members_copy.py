"""What an organisation's page shows of a member with no roles (/admin/organizations/[org_id],
admins and the organisation's directors)."""

from __future__ import annotations

from typing import Any

from cyberhub.pages.admin_organizations import organization_content


def _texts(node: Any) -> list[str]:
    """The text contents of a rendered component tree, both branches of a condition included
    (a cell's text for one member or another; the page's layout, with its tables and
    dialogs, sits behind the load's condition)."""
    if isinstance(node, dict):
        own = [str(node["contents"])] if "contents" in node else []
        return own + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def test_a_member_with_no_roles_reads_no_roles() -> None:
    """A member whose roles were all revoked is still a member (listed and counted): their roles
    cell was blank, as if the page had failed to load it."""
    page = " ".join(_texts(organization_content().render()))
    assert "No roles" in page
