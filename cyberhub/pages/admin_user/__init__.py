"""/admin/users/[user_id]: one account — profile, roles (assign / revoke with a reason), lockout
(unlock), its status (deactivate with a reason / reactivate) and its latest audit entries (admins
only).

The state and its rows are in state.py, the components in view.py.
"""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.admin_user.state import AdminUserState
from cyberhub.pages.admin_user.view import ROUTE, admin_user_content
from cyberhub.routes import roles

__all__ = ["ROUTE", "AdminUserState", "admin_user_content"]

page = register_guarded_page(
    ROUTE, "User · Admin · CyberHub", admin_user_content, roles(Role.admin), AdminUserState.load
)
