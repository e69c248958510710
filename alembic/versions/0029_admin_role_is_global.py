"""An admin grant scoped to one organization becomes the global grant it always acted as

The admin role covers every organization: `Principal.is_admin` is true for any admin grant, so
"admin in Org A" could already manage every organization, account and the audit log. Since
roles.assign_role refuses the admin role with an organization, the data says so too.

Data: a user's organization-scoped admin grants are deleted when they also hold the global one;
otherwise their oldest becomes global (organization_id NULL, its reason and granter kept) and any
others are deleted. Nobody gains or loses a right (each of them was an admin already). The
membership an admin grant made stays. Nothing to undo: the downgrade keeps the global grants
(which organization a grant once named changed nothing).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # Scoped admin grants of a user who keeps another one: one who holds the global grant keeps
    # it, one who holds only scoped grants keeps the oldest (made global below).
    bind.execute(
        sa.text(
            "DELETE FROM role_assignments scoped "
            "WHERE scoped.role = 'admin' AND scoped.organization_id IS NOT NULL "
            "  AND EXISTS ("
            "    SELECT 1 FROM role_assignments kept "
            "    WHERE kept.user_id = scoped.user_id AND kept.role = 'admin' "
            "      AND (kept.organization_id IS NULL OR kept.id < scoped.id))"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE role_assignments SET organization_id = NULL "
            "WHERE role = 'admin' AND organization_id IS NOT NULL"
        )
    )


def downgrade() -> None:
    pass  # the grants stay global: the organization they named never limited them
