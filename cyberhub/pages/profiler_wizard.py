"""/onboarding/ai-profiler: one question per screen, saved as answered, resumable anywhere."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import FunctionStringVar
from sqlmodel import Session

from cyberhub.components.layout import full_column, full_row
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import once_loaded, page_column, register_guarded_page
from cyberhub.components.ui import error_callout, muted, thin_rule
from cyberhub.routes import SIGNED_IN
from cyberhub.schemas.profiler import (
    OptionPublic,
    ProfilerProgress,
    ProfilerStarted,
    QuestionPublic,
)
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.ai import profiler
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import ServiceState

ROUTE = "/onboarding/ai-profiler"
RESULTS = "/onboarding/ai-profiler/results"


def _start(
    session: Session, principal: Principal | None, meta: RequestMeta
) -> tuple[ProfilerStarted, list[QuestionPublic]]:
    return profiler.start(session, principal, meta), profiler.questions()


def _grant_ai(session: Session, principal: Principal | None, meta: RequestMeta) -> None:
    consents.set_consent(session, principal, consents.AI_PROFILING, True, meta)


NO_QUESTION = QuestionPublic(id="", category="", text="", options=[])
QUESTION_ID = "question-text"
# After a move (a pick, Back or Next) the question's heading takes focus, so keyboard and screen
# reader users start at the new question, not at the top of the page. A function compiled into
# the page, not rx.call_script (a string to eval, which the Content-Security-Policy forbids).
_FOCUS_QUESTION: FunctionStringVar[Any] = FunctionStringVar.create(
    f"(() => {{ const el = document.getElementById('{QUESTION_ID}'); "
    "if (el) { el.focus({preventScroll: true}); el.scrollIntoView({block: 'nearest'}); } })"
)


class ProfilerWizardState(ServiceState, rx.State):
    session_id: int = 0
    questions: list[QuestionPublic] = []
    answers: dict[str, str] = {}
    index: int = 0
    loading: bool = True
    saving: bool = False
    needs_consent: bool = False
    # A pick by mouse or touch (which fires mousedown too) moves on to the next question; one by keyboard does not,
    # as arrow keys choose while moving between answers (then Next or Enter moves on).
    pointer_pick: bool = False
    moves: int = 0  # counts moves between questions: each one puts focus on the new question

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
    def question(self) -> QuestionPublic:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else NO_QUESTION

    @rx.var
    def current_answer(self) -> str:
        return self.answers.get(self.question.id, "")

    @rx.var
    def is_last(self) -> bool:
        return self.index >= len(self.questions) - 1

    @rx.var
    def all_answered(self) -> bool:
        return bool(self.questions) and len(self.answers) >= len(self.questions)

    @rx.var
    def category_label(self) -> str:
        return self.question.category.replace("_", " ").title()

    def _apply(self, data: ProfilerProgress) -> None:
        self.session_id, self.answers, self.index = data.id, dict(data.answers), data.current_index

    @rx.event
    async def load(self) -> Any:
        self.loading, self.error, self.needs_consent = True, "", False
        started = await self._try(_start, self._meta())
        self.loading = False
        if not started:
            # Forbidden: the learner has not agreed to AI profiling yet (the consent card).
            self.needs_consent = started.code == "Forbidden"
            self.error = "" if self.needs_consent else started.error
            return None
        progress, questions = started.value
        if progress.status == "completed":
            self.loading = True
            return rx.redirect(RESULTS)
        self.questions = questions
        self._apply(progress)
        return None

    @rx.event
    async def grant_consent(self) -> Any:
        if await self._call(_grant_ai, self._meta()):
            return ProfilerWizardState.load
        return None

    @rx.event
    def arm_pointer_pick(self) -> None:
        self.pointer_pick = True

    @rx.event
    async def choose(self, question_id: str, option_id: str) -> None:
        qid, advance = self.question.id, self.pointer_pick
        self.pointer_pick = False
        # A pick of a question no longer shown (the second click of a double click, sent before
        # the page moved on) is no answer to the one shown now (nor one of its options).
        if not qid or qid != question_id or self.saving:
            return
        self.saving, self.error = True, ""
        before = self.answers
        self.answers = {**before, qid: option_id}  # shown at once; saved just below
        saved = await self._call(
            profiler.respond, self.session_id, question_id=qid, option_id=option_id
        )
        if saved:
            self.answers = dict(saved.value.answers)
            if advance and not self.is_last:
                await self._move(self.index + 1)
        else:
            self.answers = before  # not saved: not shown (nor counted) as answered
        self.saving = False

    async def _move(self, index: int) -> None:
        self.pointer_pick = False
        if moved := await self._call(profiler.go_to, self.session_id, index):
            self._apply(moved.value)
            self.moves += 1

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
        self.saving = True
        done = await self._call(profiler.complete, self.session_id, self._meta())
        self.saving = False
        return rx.redirect(RESULTS) if done else None


def _option(o: rx.Var[OptionPublic]) -> rx.Component:
    S = ProfilerWizardState
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=o.id, id="opt-" + o.id),
            rx.text(o.text, size="3"),
            align="center",
            spacing="3",
        ),
        html_for="opt-" + o.id,
        on_mouse_down=S.arm_pointer_pick,
        padding="0.9em 1em",
        border=rx.cond(
            S.current_answer == o.id,
            f"2px solid {rx.color('teal', 9)}",
            thin_rule(6),
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
            error_callout(ProfilerWizardState.error),  # why the consent was not recorded
            rx.hstack(
                rx.button("Give consent and start", on_click=ProfilerWizardState.grant_consent),
                link_button("Not now", variant="soft", href="/dashboard/student"),
                wrap="wrap",
            ),
            spacing="3",
        ),
        max_width="40rem",
    )


def _wizard() -> rx.Component:
    S = ProfilerWizardState
    return page_column(
        full_row(
            rx.text("Question ", S.index + 1, " of ", S.total, weight="medium"),
            rx.badge(S.category_label, variant="soft"),
            rx.spacer(),
            muted(S.answered, " answered"),
        ),
        rx.progress(value=S.percent, width="100%", aria_label="Profiler progress"),
        rx.heading(S.question.text, size="5", as_="h2", id=QUESTION_ID, tab_index=-1),
        # Mounted anew after each move (two element types in turn), so focus goes to the question.
        rx.cond(
            S.moves > 0,
            rx.cond(
                S.moves % 2 == 1,
                rx.box(on_mount=_FOCUS_QUESTION, display="none"),
                rx.el.span(on_mount=_FOCUS_QUESTION, hidden=True),
            ),
        ),
        error_callout(S.error),
        rx.radio_group.root(
            full_column(
                rx.foreach(S.question.options, _option),
                spacing="2",
            ),
            value=S.current_answer,
            # With the question it answers: a late second click must not answer the next one.
            on_change=lambda option_id: S.choose(S.question.id, option_id),
            aria_labelledby=QUESTION_ID,
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
        max_width="44rem",
    )


def wizard_content() -> rx.Component:
    S = ProfilerWizardState
    return page_column(
        rx.heading("Find your cybersecurity track", size="7", as_="h1"),
        rx.text(
            "Twenty short scenarios, about ten minutes. There are no wrong answers: pick what you "
            "would most likely do. Your answers are saved as you go.",
            color_scheme="gray",
        ),
        once_loaded(
            S.loading,
            "Loading your profiler…",
            rx.cond(S.needs_consent, _consent_card(), _wizard()),
        ),
    )


page = register_guarded_page(
    ROUTE, "Career profiler · CyberHub", wizard_content, SIGNED_IN, ProfilerWizardState.load
)
