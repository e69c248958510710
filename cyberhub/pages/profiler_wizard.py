"""/onboarding/ai-profiler: one question per screen, saved as answered, resumable anywhere."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import error_callout, loading_state
from cyberhub.pages.registry import SIGNED_IN, Page, register
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.ai import profiler
from cyberhub.services.errors import DomainError, Forbidden
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/onboarding/ai-profiler"
RESULTS = "/onboarding/ai-profiler/results"


def _start(principal: Principal | None, meta: RequestMeta) -> dict[str, Any]:
    with db.session_scope() as session:
        return {**profiler.start(session, principal, meta), "questions": profiler.questions()}


def _respond(principal: Principal | None, sid: int, qid: str, oid: str) -> dict[str, Any]:
    with db.session_scope() as session:
        return profiler.respond(session, principal, sid, question_id=qid, option_id=oid)


def _go_to(principal: Principal | None, sid: int, index: int) -> dict[str, Any]:
    with db.session_scope() as session:
        return profiler.go_to(session, principal, sid, index)


def _complete(principal: Principal | None, sid: int, meta: RequestMeta) -> dict[str, Any]:
    with db.session_scope() as session:
        return profiler.complete(session, principal, sid, meta)


def _grant_ai(principal: Principal | None, meta: RequestMeta) -> None:
    with db.session_scope() as session:
        consents.set_consent(session, principal, consents.AI_PROFILING, True, meta)


class ProfilerWizardState(rx.State):
    session_id: int = 0
    questions: list[dict[str, Any]] = []
    answers: dict[str, str] = {}
    index: int = 0
    loading: bool = True
    saving: bool = False
    needs_consent: bool = False
    error: str = ""

    @rx.var
    def total(self) -> int:
        return len(self.questions)

    @rx.var
    def answered(self) -> int:
        return len(self.answers)

    @rx.var
    def percent(self) -> int:
        return round(100 * len(self.answers) / len(self.questions)) if self.questions else 0

    @rx.var
    def question(self) -> dict[str, Any]:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else {}

    @rx.var
    def current_answer(self) -> str:
        q = self.question
        return self.answers.get(str(q.get("id", "")), "")

    @rx.var
    def is_last(self) -> bool:
        return self.index >= len(self.questions) - 1

    @rx.var
    def all_answered(self) -> bool:
        return bool(self.questions) and len(self.answers) >= len(self.questions)

    @rx.var
    def category_label(self) -> str:
        return str(self.question.get("category", "")).replace("_", " ").title()

    def _apply(self, data: dict[str, Any]) -> None:
        self.session_id = int(data["id"])
        self.answers = dict(data["answers"])
        self.index = int(data["current_index"])

    @rx.event
    async def load(self) -> Any:
        self.loading, self.error, self.needs_consent = True, "", False
        principal = await (await self.get_state(SessionState)).principal()
        try:
            data = await asyncio.to_thread(_start, principal, request_meta(self))
        except Forbidden:
            self.needs_consent, self.loading = True, False
            return None
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return None
        if data["status"] == "completed":
            return rx.redirect(RESULTS)
        self.questions = data["questions"]
        self._apply(data)
        self.loading = False
        return None

    @rx.event
    async def grant_consent(self) -> Any:
        principal = await (await self.get_state(SessionState)).principal()
        try:
            await asyncio.to_thread(_grant_ai, principal, request_meta(self))
        except DomainError as exc:
            self.error = exc.message
            return None
        return ProfilerWizardState.load

    @rx.event
    async def choose(self, option_id: str) -> None:
        qid = str(self.question.get("id", ""))
        if not qid or self.saving:
            return
        self.saving, self.error = True, ""
        self.answers = {**self.answers, qid: option_id}  # shown at once; saved just below
        principal = await (await self.get_state(SessionState)).principal()
        try:
            data = await asyncio.to_thread(_respond, principal, self.session_id, qid, option_id)
            self.answers = dict(data["answers"])
        except DomainError as exc:
            self.error = exc.message
        self.saving = False

    async def _move(self, index: int) -> None:
        principal = await (await self.get_state(SessionState)).principal()
        try:
            data = await asyncio.to_thread(_go_to, principal, self.session_id, index)
            self._apply(data)
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def back(self) -> None:
        if self.index > 0:
            await self._move(self.index - 1)

    @rx.event
    async def next(self) -> None:
        if not self.current_answer:
            self.error = "Choose an answer to continue (or use Back)."
            return
        if not self.is_last:
            self.error = ""
            await self._move(self.index + 1)

    @rx.event
    async def finish(self) -> Any:
        principal = await (await self.get_state(SessionState)).principal()
        self.saving = True
        try:
            await asyncio.to_thread(_complete, principal, self.session_id, request_meta(self))
        except DomainError as exc:
            self.error, self.saving = exc.message, False
            return None
        self.saving = False
        return rx.redirect(RESULTS)


def _option(o: rx.Var[dict[str, Any]]) -> rx.Component:
    S = ProfilerWizardState
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=o["id"].to(str), id="opt-" + o["id"].to(str)),
            rx.text(o["text"], size="3"),
            align="center",
            spacing="3",
        ),
        html_for="opt-" + o["id"].to(str),
        padding="0.9em 1em",
        border=rx.cond(
            S.current_answer == o["id"].to(str),
            f"2px solid {rx.color('teal', 9)}",
            f"1px solid {rx.color('gray', 6)}",
        ),
        border_radius="10px",
        cursor="pointer",
        width="100%",
        min_height="44px",
    )


def _consent_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your AI profiling consent is needed", size="5", as_="h2"),
            rx.text(
                "The career profiler scores your answers to suggest the track that fits you, and "
                "CyberHub uses the result to recommend missions. That is AI profiling, so it needs "
                "your consent. You can withdraw it at any time under Settings → Privacy & "
                "consents, which stops every AI feature for you."
            ),
            rx.hstack(
                rx.button("Give consent and start", on_click=ProfilerWizardState.grant_consent),
                rx.link(rx.button("Not now", variant="soft"), href="/dashboard/student"),
                wrap="wrap",
            ),
            spacing="3",
        ),
        max_width="40rem",
    )


def _wizard() -> rx.Component:
    S = ProfilerWizardState
    return rx.vstack(
        rx.hstack(
            rx.text("Question ", S.index + 1, " of ", S.total, weight="medium"),
            rx.badge(S.category_label, variant="soft"),
            rx.spacer(),
            rx.text(S.answered, " answered", size="2", color_scheme="gray"),
            width="100%",
            align="center",
        ),
        rx.progress(value=S.percent, width="100%", aria_label="Profiler progress"),
        rx.heading(S.question["text"].to(str), size="5", as_="h2", id="question-text"),
        error_callout(S.error),
        rx.radio_group.root(
            rx.vstack(
                rx.foreach(S.question["options"].to(list[dict[str, Any]]), _option),
                spacing="2",
                width="100%",
            ),
            value=S.current_answer,
            on_change=S.choose,
            aria_labelledby="question-text",
            width="100%",
        ),
        rx.hstack(
            rx.button("← Back", variant="soft", on_click=S.back, disabled=S.index == 0),
            rx.spacer(),
            rx.cond(
                S.is_last,
                rx.button(
                    "See my results", on_click=S.finish, disabled=~S.all_answered, loading=S.saving
                ),
                rx.button("Next →", on_click=S.next, disabled=S.current_answer == ""),
            ),
            width="100%",
        ),
        rx.cond(
            S.is_last & ~S.all_answered,
            rx.text(
                "Some earlier questions are still unanswered: use Back to reach them.",
                size="2",
                color_scheme="amber",
            ),
        ),
        rx.link("Skip for now — I'll do it later", href="/dashboard/student", size="2"),
        spacing="4",
        width="100%",
        max_width="44rem",
    )


def wizard_content() -> rx.Component:
    S = ProfilerWizardState
    return rx.vstack(
        rx.heading("Find your cybersecurity track", size="7", as_="h1"),
        rx.text(
            "Twenty short scenarios, about ten minutes. There are no wrong answers: pick what you "
            "would most likely do. Your answers are saved as you go.",
            color_scheme="gray",
        ),
        rx.cond(
            S.loading,
            loading_state("Loading your profiler…"),
            rx.cond(S.needs_consent, _consent_card(), _wizard()),
        ),
        spacing="4",
        width="100%",
    )


def wizard_page() -> rx.Component:
    return shell(guarded(ROUTE, wizard_content()))


page = register(
    Page(
        route=ROUTE,
        title="Career profiler · CyberHub",
        component=wizard_page,
        access=SIGNED_IN,
        on_load=(ProfilerWizardState.load,),
    )
)
