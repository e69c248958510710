"""/review/{submission_id}: a mentor reviews one attempt — the work (answer, links, file), the
mission's rubric, earlier attempts with their reviews beside it (below on small screens), claim /
release, the scoring form with a confirmation, and the decision once sent.

Every rule is in services/reviews.py: the page shows what review_screen says the mentor may do,
and a refused action (another mentor's claim, an expired claim, bad scores) as its message.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.learning import attempt_card, review_block, status_badge
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state
from cyberhub.models import Role, SubmissionStatus
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import reviews
from cyberhub.services.errors import Conflict, DomainError, Forbidden, NotFound
from cyberhub.services.permissions import Principal
from cyberhub.state.forms import parse_id
from cyberhub.state.notifications import NotificationState
from cyberhub.state.session import SessionState

ROUTE = "/review/[submission_id]"
DECISION_WORDS = {
    SubmissionStatus.changes_requested.value: "Request changes",
    SubmissionStatus.approved.value: "Approve",
}


def file_url(submission_id: int) -> str:
    """The download route (api/learning.py), which also accepts the browser's access cookie."""
    return f"/api/v1/submissions/{submission_id}/file"


def _screen(principal: Principal | None, submission_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        return reviews.review_screen(session, principal, submission_id)


def _claim(principal: Principal | None, submission_id: int) -> None:
    with db.session_scope() as session:
        reviews.claim(session, principal, submission_id)


def _release(principal: Principal | None, submission_id: int) -> None:
    with db.session_scope() as session:
        reviews.release(session, principal, submission_id)


def _review(
    principal: Principal | None,
    submission_id: int,
    decision: str,
    scores: dict[str, Any],
    feedback: str,
) -> None:
    with db.session_scope() as session:
        reviews.review(
            session, principal, submission_id, decision=decision, scores=scores, feedback=feedback
        )


def parse_scores(rubric: list[dict[str, Any]], form: dict[str, Any]) -> dict[str, Any]:
    """The typed scores by criterion key: whole numbers as int, anything else as typed (the
    service's check_scores then says what is wrong), blanks left out (reported as missing)."""
    out: dict[str, Any] = {}
    for c in rubric:
        raw = str(form.get(f"score-{c['key']}", "") or "").strip()[:20]
        if raw:
            out[c["key"]] = int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else raw
    return out


def _with_file(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "file_url": file_url(view["id"]) if view.get("file_name") else ""}


class ReviewState(rx.State):
    submission_id: int = 0
    loaded: bool = False
    denied: str = ""  # the service's 403 message
    missing: str = ""  # the service's 404 message
    status: str = ""
    attempt: int = 0
    student: str = ""
    mission: dict[str, Any] = {}
    current: dict[str, Any] = {}
    earlier: list[dict[str, Any]] = []
    newer_attempt_id: int = 0
    # Rubric rows with "typed": what the mentor typed, kept across a failed check.
    rubric: list[dict[str, Any]] = []
    max_total: int = 0
    holder: str = ""
    claimed_by_me: bool = False
    claim_expires_at: str = ""
    claim_expired: bool = False
    can_claim: bool = False
    can_release: bool = False
    can_review: bool = False
    # actions
    busy: bool = False
    action_error: str = ""
    notice: str = ""
    # the form
    feedback: str = ""
    decision: str = ""
    form_error: str = ""
    confirm_open: bool = False
    pending_scores: dict[str, int] = {}
    pending_total: int = 0

    @rx.var
    def decided(self) -> bool:
        return self.status in (
            SubmissionStatus.approved.value,
            SubmissionStatus.changes_requested.value,
        )

    @rx.var
    def decision_words(self) -> str:
        return DECISION_WORDS.get(self.decision, "Send review")

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    async def _fetch(self) -> None:
        try:
            data = await asyncio.to_thread(_screen, await self._principal(), self.submission_id)
        except Forbidden as exc:
            self.denied, self.missing, self.loaded = exc.message, "", True
            return
        except NotFound as exc:
            self.missing, self.loaded = exc.message, True
            return
        except DomainError as exc:
            self.missing, self.loaded = exc.message, True
            return
        typed = {r["key"]: r.get("typed", "") for r in self.rubric}
        self.status, self.attempt = data["status"], data["attempt"]
        self.student, self.mission = data["student"], data["mission"]
        self.current = _with_file(data["current"])
        self.earlier = [_with_file(v) for v in data["earlier"]]
        self.newer_attempt_id = data["newer_attempt_id"] or 0
        self.rubric = [{**c, "typed": typed.get(c["key"], "")} for c in data["rubric"]]
        self.max_total = data["max_total"]
        claim = data["claim"]
        self.holder, self.claimed_by_me = claim["holder"], claim["mine"]
        self.claim_expires_at, self.claim_expired = claim["expires_at"], claim["expired"]
        self.can_claim, self.can_release = data["can_claim"], data["can_release"]
        self.can_review = data["can_review"]
        self.denied, self.missing, self.loaded = "", "", True

    @rx.event
    async def load(self) -> None:
        self.loaded, self.denied, self.missing = False, "", ""
        self.action_error = self.notice = self.form_error = ""
        self.feedback, self.decision, self.confirm_open = "", "", False
        self.rubric, self.busy = [], False
        submission_id = parse_id(self.router.page.params.get("submission_id", ""))
        if submission_id is None:
            self.missing, self.loaded = "That submission does not exist.", True
            return
        self.submission_id = submission_id
        await self._fetch()

    # claim / release ------------------------------------------------------------------------
    @rx.event
    async def claim(self) -> Any:
        self.action_error, self.notice, self.busy = "", "", True
        yield
        try:
            await asyncio.to_thread(_claim, await self._principal(), self.submission_id)
        except Conflict as exc:
            await self._fetch()
            self.busy = False
            if self.holder and not self.claimed_by_me:
                until = f" until {self.claim_expires_at}" if self.claim_expires_at else ""
                self.action_error = f"Already claimed by {self.holder}{until}."
            else:
                self.action_error = exc.message
            return
        except DomainError as exc:
            self.action_error, self.busy = exc.message, False
            return
        await self._fetch()
        self.busy = False
        self.notice = f"You claimed this submission until {self.claim_expires_at}."

    @rx.event
    async def release(self) -> Any:
        self.action_error, self.notice, self.busy = "", "", True
        yield
        try:
            await asyncio.to_thread(_release, await self._principal(), self.submission_id)
        except DomainError as exc:
            await self._fetch()
            self.action_error, self.busy = exc.message, False
            return
        await self._fetch()
        self.busy = False
        self.notice = "Released: the submission is back in the review queue."

    @rx.event
    async def download_file(self, submission_id: int) -> Any:
        """An earlier attempt's file, from the download route (the access cookie, refreshed
        first, authenticates the browser there; the route checks who may see it)."""
        await self._principal()
        names = {int(a["id"]): a.get("file_name", "") for a in [self.current, *self.earlier]}
        sid = int(submission_id)
        if sid not in names:
            return None
        return rx.download(url=file_url(sid), filename=names[sid] or "attachment")

    # the review -----------------------------------------------------------------------------
    @rx.event
    def choose(self, decision: str) -> None:
        """The clicked button's decision (its click is handled before the form's submit)."""
        self.decision = decision if decision in DECISION_WORDS else ""

    @rx.event
    def check(self, form: dict[str, Any]) -> None:
        """Keep what was typed, check it with the service's rules, then ask to confirm."""
        self.feedback = str(form.get("feedback", ""))[: reviews.FEEDBACK_MAX * 2]
        self.rubric = [
            {**c, "typed": str(form.get(f"score-{c['key']}", "") or "")[:20]} for c in self.rubric
        ]
        scores = parse_scores(self.rubric, form)
        criteria = [{k: c[k] for k in ("key", "title", "points")} for c in self.rubric]
        total, problems = reviews.check_review(criteria, self.decision, scores, self.feedback)
        self.notice = self.action_error = ""
        if problems:
            self.form_error, self.confirm_open = " ".join(problems), False
            return
        self.form_error = ""
        self.pending_scores = {k: int(v) for k, v in scores.items()}
        self.pending_total, self.confirm_open = total, True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @rx.event
    async def send(self) -> Any:
        self.confirm_open, self.busy = False, True
        yield
        try:
            await asyncio.to_thread(
                _review,
                await self._principal(),
                self.submission_id,
                self.decision,
                dict(self.pending_scores),
                self.feedback,
            )
        except Conflict as exc:
            await self._fetch()
            self.busy = False
            if self.status == SubmissionStatus.submitted.value:
                self.form_error = (
                    "Your claim expired and the submission went back to the queue. Claim it "
                    "again to send your review (what you typed is kept)."
                )
            elif self.holder and not self.claimed_by_me:
                self.form_error = f"Already claimed by {self.holder}: your claim expired."
            else:
                self.form_error = exc.message
            return
        except DomainError as exc:
            self.form_error, self.busy = exc.message, False
            return
        await self._fetch()
        self.busy = False
        words = "Changes requested" if self.decision != "approved" else "Approved"
        self.notice = f"Review sent: {words}. {self.student} has been notified."
        yield NotificationState.refresh


# -- view ---------------------------------------------------------------------------------------


def _callout(*children: Any, icon: str, color: str, **props: Any) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon)),
        rx.callout.text(*children),
        color_scheme=color,
        width="100%",
        **props,
    )


def _label(text: Any, html_for: str, *extra: Any) -> rx.Component:
    return rx.el.label(
        rx.text(text, *extra, size="2", weight="medium"), html_for=html_for, width="100%"
    )


def _link_item(url: rx.Var[str]) -> rx.Component:
    return rx.el.li(rx.link(url, href=url, is_external=True, size="2", word_break="break-all"))


def _submission() -> rx.Component:
    S = ReviewState
    c = S.current
    links = c["links"].to(list[str])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Attempt ", S.attempt, size="5", as_="h2"),
                status_badge(S.status, testid="review-status"),
                rx.text("submitted ", c["submitted_at"], size="2", color_scheme="gray"),
                wrap="wrap",
                align="center",
                spacing="3",
            ),
            rx.heading("Answer", size="3", as_="h3"),
            rx.box(
                safe_markdown(c["answer"].to(str)),
                width="100%",
                padding="0.5em 0.75em",
                border_left=f"3px solid {rx.color('teal', 7)}",
                class_name="attempt-answer",
                data_testid="submission-answer",
            ),
            rx.cond(
                links.length() > 0,
                rx.vstack(
                    rx.heading("Links", size="3", as_="h3"),
                    rx.el.ul(rx.foreach(links, _link_item), style={"margin": "0"}),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.cond(
                c["file_name"].to(str) != "",
                rx.hstack(
                    rx.icon("paperclip", size=16),
                    rx.el.a(
                        "Download ",
                        c["file_name"].to(str),
                        href=c["file_url"].to(str),
                        download=c["file_name"].to(str),
                        data_testid="file-download",
                        style={"textDecoration": "underline"},
                    ),
                    rx.text(c["file_size"], size="1", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        width="100%",
        data_testid="submission",
    )


def _criterion(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(c["title"], weight="medium", size="2"),
            rx.badge(c["points"].to(str), " pts", variant="soft"),
            align="center",
            spacing="2",
        ),
        rx.text(c["description"], size="2", color_scheme="gray"),
        style={"marginBottom": "0.5em"},
    )


def _rubric() -> rx.Component:
    S = ReviewState
    return rx.card(
        rx.vstack(
            rx.heading("Rubric", size="4", as_="h2"),
            rx.cond(
                S.rubric.length() > 0,
                rx.el.ul(rx.foreach(S.rubric, _criterion), style={"paddingLeft": "1.1em"}),
                rx.text("This mission has no rubric: only a decision.", size="2"),
            ),
            rx.text("Total: ", S.max_total, " points", size="2", color_scheme="gray"),
            spacing="2",
            width="100%",
            align="start",
        ),
        width="100%",
        data_testid="rubric",
    )


def _score_field(c: rx.Var[dict[str, Any]]) -> rx.Component:
    field_id = "score-" + c["key"].to(str)
    return rx.vstack(
        _label(c["title"], field_id, " (max ", c["points"].to(str), ")"),
        rx.input(
            id=field_id,
            name=field_id,
            type="number",
            min=0,
            max=c["points"].to(int),
            step=1,
            default_value=c["typed"].to(str),
            input_mode="numeric",
            width="8em",
        ),
        spacing="1",
        width="100%",
    )


def _confirm_dialog() -> rx.Component:
    S = ReviewState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.decision_words, "?"),
            rx.alert_dialog.description(
                "Attempt ",
                S.attempt,
                " by ",
                S.student,
                ": ",
                rx.cond(S.decision == "approved", "approved", "changes requested"),
                rx.cond(
                    S.max_total > 0, rx.fragment(", score ", S.pending_total, " / ", S.max_total)
                ),
                ". The student is told in the app and by e-mail; a review can't be changed.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                rx.button(
                    "Send review",
                    color_scheme=rx.cond(S.decision == "approved", "green", "orange"),
                    on_click=S.send,
                ),
                justify="end",
                margin_top="1em",
                spacing="3",
            ),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def _review_form() -> rx.Component:
    S = ReviewState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your review", size="4", as_="h2"),
                rx.cond(
                    S.claim_expired,
                    _callout(
                        "Your claim expired at ",
                        S.claim_expires_at,
                        ". You can still send this review until another mentor claims the "
                        "submission; claim it again to be sure.",
                        icon="clock",
                        color="amber",
                        data_testid="claim-expired",
                    ),
                ),
                error_callout(S.form_error),
                rx.foreach(S.rubric, _score_field),
                _label("Feedback", "feedback"),
                rx.text_area(
                    id="feedback",
                    name="feedback",
                    default_value=S.feedback,
                    rows="8",
                    width="100%",
                    max_length=reviews.FEEDBACK_MAX,
                    placeholder="What is good, what to change and why (markdown).",
                ),
                rx.text(
                    "Markdown is supported. Feedback is required to request changes.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.hstack(
                    rx.button(
                        "Request changes",
                        type="submit",
                        color_scheme="orange",
                        variant="soft",
                        disabled=S.busy,
                        on_click=S.choose("changes_requested"),
                    ),
                    rx.button(
                        "Approve",
                        type="submit",
                        color_scheme="green",
                        disabled=S.busy,
                        on_click=S.choose("approved"),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=S.check,
            reset_on_submit=False,
            # The service's check says what is wrong with a score, not the browser's tooltip.
            no_validate=True,
            width="100%",
        ),
        _confirm_dialog(),
        width="100%",
        data_testid="review-form",
    )


def _claim_bar() -> rx.Component:
    S = ReviewState
    return rx.vstack(
        error_callout(S.action_error),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
        rx.cond(
            S.decided,
            rx.fragment(),
            rx.cond(
                S.claimed_by_me,
                rx.hstack(
                    rx.text(
                        "You are reviewing this submission until ",
                        S.claim_expires_at,
                        ".",
                        size="2",
                    ),
                    rx.cond(
                        S.can_claim,
                        rx.button(
                            "Claim again",
                            on_click=S.claim,
                            disabled=S.busy,
                            data_testid="claim-button",
                        ),
                    ),
                    rx.button("Release", variant="soft", on_click=S.release, disabled=S.busy),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.cond(
                    S.holder != "",
                    _callout(
                        rx.cond(
                            S.claim_expired,
                            rx.fragment(
                                S.holder,
                                "'s claim expired at ",
                                S.claim_expires_at,
                                ": you may take the submission over.",
                            ),
                            rx.fragment(
                                S.holder,
                                " is reviewing this submission (claimed until ",
                                S.claim_expires_at,
                                ").",
                            ),
                        ),
                        icon="lock",
                        color="amber",
                        data_testid="claimed-by-other",
                    ),
                ),
            ),
        ),
        rx.cond(
            S.can_claim & ~S.claimed_by_me,
            rx.hstack(
                rx.button(
                    rx.icon("hand", size=16),
                    "Claim",
                    on_click=S.claim,
                    disabled=S.busy,
                    data_testid="claim-button",
                ),
                rx.text(
                    "Claiming reserves it for you for 24 hours, so no one else reviews it.",
                    size="2",
                    color_scheme="gray",
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _result() -> rx.Component:
    S = ReviewState
    return rx.card(
        rx.vstack(
            rx.heading("Decision", size="4", as_="h2"),
            review_block(S.current),
            rx.cond(
                S.status == "changes_requested",
                rx.text(
                    "The student can resubmit; the new attempt will come back to the queue.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.link("Back to the review queue", href="/dashboard/mentor", size="2"),
            spacing="3",
            width="100%",
            align="start",
        ),
        width="100%",
        data_testid="review-result",
    )


def _earlier() -> rx.Component:
    S = ReviewState
    return rx.vstack(
        rx.heading("Earlier attempts", size="4", as_="h2"),
        rx.cond(
            S.earlier.length() > 0,
            rx.vstack(
                rx.foreach(S.earlier, lambda a: attempt_card(a, download=S.download_file)),
                spacing="3",
                width="100%",
            ),
            rx.text("This is the first attempt.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        align="start",
        data_testid="earlier-attempts",
    )


def _denied() -> rx.Component:
    return rx.vstack(
        rx.heading("403 — You can't review this submission", size="7", as_="h1"),
        rx.text(ReviewState.denied, color_scheme="gray"),
        rx.text(
            "Mentors review the work of the students in the cohorts they serve.",
            color_scheme="gray",
        ),
        rx.link(rx.button("Back to the review queue"), href="/dashboard/mentor"),
        spacing="4",
        padding_y="3em",
        data_testid="forbidden",
    )


def review_content() -> rx.Component:
    S = ReviewState
    m = S.mission
    body = rx.vstack(
        rx.vstack(
            rx.link("← Review queue", href="/dashboard/mentor", size="2"),
            rx.heading("Review: ", m["title"].to(str), size="7", as_="h1"),
            rx.text(
                S.student,
                " · attempt ",
                S.attempt,
                " · ",
                rx.link("mission brief", href="/missions/" + m["id"].to(str), size="3"),
                color_scheme="gray",
                size="3",
            ),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            S.newer_attempt_id > 0,
            _callout(
                "The student has submitted a newer attempt. ",
                rx.link("Open it", href="/review/" + S.newer_attempt_id.to(str)),
                icon="info",
                color="blue",
            ),
        ),
        _claim_bar(),
        rx.grid(
            rx.vstack(
                _submission(),
                rx.cond(
                    S.decided,
                    _result(),
                    rx.cond(S.can_review, _review_form()),
                ),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            rx.vstack(
                _rubric(),
                _earlier(),
                rx.card(
                    rx.heading("Timeline", size="3", as_="h2"),
                    rx.box(
                        rx.foreach(
                            S.current["events"].to(list[dict[str, Any]]),
                            lambda e: rx.text(
                                rx.text.strong(e["label"]),
                                rx.cond(e["actor"].to(str) != "", rx.fragment(" by ", e["actor"])),
                                " · ",
                                e["at"],
                                size="2",
                            ),
                        ),
                        data_testid="review-timeline",
                    ),
                    width="100%",
                ),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            # Side by side on wide screens, stacked on mobile.
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    return rx.cond(
        S.loaded,
        rx.cond(
            S.denied != "",
            _denied(),
            rx.cond(
                S.missing != "",
                empty_state(
                    "Submission not found",
                    S.missing,
                    rx.link(rx.button("Back to the review queue"), href="/dashboard/mentor"),
                ),
                body,
            ),
        ),
        loading_state(),
    )


def review_page() -> rx.Component:
    return shell(guarded(ROUTE, review_content()))


page = register(
    Page(
        route=ROUTE,
        title="Review · CyberHub",
        component=review_page,
        access=roles(Role.mentor),
        on_load=(ReviewState.load,),
    )
)
