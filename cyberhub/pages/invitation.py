"""/invitations/[token]: the invited person sees which organisation invites them, with which
role, and accepts or declines. Signed-out visitors sign in (or sign up) first and come back."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from cyberhub.components.layout import full_column, invitation_line
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import page_column, register_guarded_page
from cyberhub.components.ui import error_callout, loading_state, muted, page_heading
from cyberhub.routes import SIGNED_IN
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import memberships
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import url_param
from cyberhub.state.service import ServiceState

ROUTE = "/invitations/[token]"


def _answer(
    session: Session, principal: Principal | None, token: str, accept: bool, meta: RequestMeta
) -> memberships.InvitationPublic:
    act = memberships.accept if accept else memberships.decline
    return act(session, principal, token, meta=meta)


class InvitationState(ServiceState, rx.State):
    organization: str = ""
    role: str = ""
    status: str = ""
    loaded: bool = False
    notice: str = ""

    def _token(self) -> str:
        return url_param(self, "token")[:200]

    @rx.event
    async def load(self) -> None:
        self.loaded, self.error, self.notice = False, "", ""
        found = await self._call(memberships.peek, self._token())
        self.loaded = True
        if found:
            inv = found.value
            self.organization, self.role, self.status = inv.organization_name, inv.role, inv.status

    async def _answer(self, accept: bool) -> None:
        answered = await self._call(_answer, self._token(), accept, self._meta())
        if not answered:
            return
        inv = answered.value
        self.status, self.error = inv.status, ""
        self.notice = (
            f"You joined {inv.organization_name} as {inv.role}."
            if accept
            else f"You declined: nothing is shared with {inv.organization_name}."
        )

    @rx.event
    async def accept(self) -> None:
        await self._answer(True)

    @rx.event
    async def decline(self) -> None:
        await self._answer(False)


def invitation_content() -> rx.Component:
    S = InvitationState
    return page_column(
        page_heading("Invitation", "Join an organisation only if you want to."),
        error_callout(S.error),
        notice_callout(S.notice),
        rx.cond(
            S.loaded,
            rx.cond(
                S.organization != "",
                full_column(
                    invitation_line(
                        S.organization,
                        " invites you to join as ",
                        S.role,
                        ". If you accept, its directors and mentors can follow your learning in "
                        "its programmes; you can leave at any time.",
                    ),
                    muted("Status: ", S.status),
                    rx.cond(
                        S.status == "pending",
                        rx.hstack(
                            rx.button("Accept", on_click=S.accept),
                            rx.button(
                                "Decline", variant="soft", color_scheme="gray", on_click=S.decline
                            ),
                            spacing="3",
                        ),
                    ),
                    spacing="3",
                    align="start",
                ),
            ),
            loading_state(),
        ),
    )


page = register_guarded_page(
    ROUTE, "Invitation · CyberHub", invitation_content, SIGNED_IN, InvitationState.load
)
