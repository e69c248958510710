"""ReviewState: the review screen as the service describes it, claim / release, the scores (with a
running total as they are typed) and a comment per criterion, the hints the learner revealed, the
decision and then the next submission in the mentor's queue; the service calls it runs in worker
threads."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.formatting import plural, when
from cyberhub.models import SubmissionStatus
from cyberhub.schemas.learning import AttemptRow
from cyberhub.schemas.reviews import MissionSummary, ReviewScreen
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import reviews
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import url_id
from cyberhub.state.notifications import NotificationState
from cyberhub.state.service import Outcome, ServiceState

ROUTE = "/review/[submission_id]"
DECISION_WORDS = {
    SubmissionStatus.changes_requested.value: "Request changes",
    SubmissionStatus.approved.value: "Approve",
}


def file_url(submission_id: int) -> str:
    """The download route (api/learning.py), which also accepts the browser's access cookie."""
    return f"/api/v1/submissions/{submission_id}/file"


def _claim(session: Session, principal: Principal | None, submission_id: int) -> ReviewScreen:
    """Claim, then the page as it is now: one transaction (and one thread hop) for the click."""
    reviews.claim(session, principal, submission_id)
    return reviews.review_screen(session, principal, submission_id)


def _release(session: Session, principal: Principal | None, submission_id: int) -> ReviewScreen:
    reviews.release(session, principal, submission_id)
    return reviews.review_screen(session, principal, submission_id)


class HintRow(BaseModel):
    """A hint the learner revealed, as the mentor sees it."""

    number: int  # 1-based, as the mission page numbers them
    hint: str
    at: str


@dataclass(frozen=True)
class CriterionRow:
    """A criterion of the mission's rubric with what the mentor typed for it (its score as typed
    and its comment), kept across a failed check."""

    key: str
    title: str
    description: str
    points: int
    typed: str = ""
    comment: str = ""

    def criterion(self) -> dict[str, Any]:
        """As reviews.check_review takes a rubric's criteria (the mission's stored JSON)."""
        return {"key": self.key, "title": self.title, "points": self.points}


def parse_comments(rubric: list[CriterionRow], form: dict[str, Any]) -> dict[str, str]:
    """The comment typed for each criterion (blanks left out)."""
    out: dict[str, str] = {}
    for c in rubric:
        text = str(form.get(f"comment-{c.key}", "") or "").strip()
        if text:
            out[c.key] = text[: reviews.COMMENT_MAX * 2]
    return out


def running_total(rubric: list[CriterionRow], typed: dict[str, str]) -> tuple[int, int]:
    """(total of the scores typed so far that are valid, how many criteria they cover)."""
    total = scored = 0
    for c in rubric:
        raw = (typed.get(c.key) or "").strip()
        if re.fullmatch(r"\d{1,9}", raw) and int(raw) <= c.points:
            total, scored = total + int(raw), scored + 1
    return total, scored


def parse_scores(rubric: list[dict[str, Any]], form: dict[str, Any]) -> dict[str, int | str]:
    """The typed scores by criterion key of the criteria as reviews.check_review takes them
    (CriterionRow.criterion): whole numbers as int, anything else as typed (the service's
    check_scores then says what is wrong), blanks left out (reported as missing)."""
    out: dict[str, int | str] = {}
    for c in rubric:
        key = str(c["key"])
        raw = str(form.get(f"score-{key}", "") or "").strip()[:20]
        if raw:
            out[key] = int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else raw
    return out


class ReviewState(ServiceState, rx.State):
    submission_id: int = 0
    loaded: bool = False
    denied: str = ""  # the service's 403 message
    missing: str = ""  # the service's 404 message
    status: str = ""
    attempt: int = 0
    student: str = ""
    student_id: int = 0
    mission: MissionSummary = MissionSummary(id=0, title="", summary="")
    current: AttemptRow = AttemptRow()
    earlier: list[AttemptRow] = []
    newer_attempt_id: int = 0
    rubric: list[CriterionRow] = []
    # The scores as they are typed, by criterion key (the running total reads them).
    typed_scores: dict[str, str] = {}
    # The comment on each criterion as it is typed (a snippet can be inserted into one).
    typed_comments: dict[str, str] = {}
    hints_total: int = 0
    hints_revealed: list[HintRow] = []
    # Said on the next submission's page after a review was sent from this one.
    carry_notice: str = ""
    queue_empty: bool = False
    max_total: int = 0
    holder: str = ""
    claimed_by_me: bool = False
    claim_expires_at: str = ""
    claim_expired: bool = False
    can_claim: bool = False
    claim_refusal: str = ""  # why Claim is not offered on work waiting for review
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
    pending_comments: dict[str, str] = {}
    pending_total: int = 0

    @rx.var
    def total_so_far(self) -> int:
        return running_total(self.rubric, self.typed_scores)[0]

    @rx.var
    def scored_count(self) -> int:
        return running_total(self.rubric, self.typed_scores)[1]

    @rx.var
    def current_file_url(self) -> str:
        """The download route of the attempt's file ("" when it has none)."""
        return file_url(self.current.id) if self.current.file_name else ""

    @rx.var
    def decided(self) -> bool:
        return self.status in (
            SubmissionStatus.approved.value,
            SubmissionStatus.changes_requested.value,
        )

    @rx.var
    def decision_words(self) -> str:
        return DECISION_WORDS.get(self.decision, "Send review")

    async def _fetch(self) -> None:
        await self._show(await self._try(reviews.review_screen, self.submission_id))

    async def _show(self, found: Outcome[ReviewScreen]) -> None:
        """Fills the page from a review screen (or says why there is none)."""
        if not found:
            if found.code == "Forbidden":
                self.denied, self.missing = found.error, ""
            else:  # NotFound, or anything else the service refused: nothing to show
                self.missing = found.error
            self.loaded = True
            return
        data = found.value
        typed = {r.key: r.typed for r in self.rubric}
        comments = {r.key: r.comment for r in self.rubric}
        self.status, self.attempt = data.status, data.attempt
        self.student, self.mission = data.student, data.mission
        self.student_id = data.student_id
        self.current = AttemptRow.model_validate(data.current)
        self.earlier = [AttemptRow.model_validate(v) for v in data.earlier]
        self.newer_attempt_id = data.newer_attempt_id or 0
        self.rubric = [
            from_row(CriterionRow, c, typed=typed.get(c.key, ""), comment=comments.get(c.key, ""))
            for c in data.rubric
        ]
        self.typed_comments = {c.key: self.typed_comments.get(c.key, "") for c in data.rubric}
        self.typed_scores = {c.key: self.typed_scores.get(c.key, "") for c in data.rubric}
        self.max_total = data.max_total
        claim = data.claim
        self.holder, self.claimed_by_me = claim.holder, claim.mine
        self.claim_expires_at = when(claim.expires_at, await self._time_zone())
        self.claim_expired = claim.expired
        self.can_claim, self.can_release = data.can_claim, data.can_release
        self.claim_refusal = data.claim_refusal
        self.can_review = data.can_review
        tz = await self._time_zone()
        self.hints_total = data.hints.total
        self.hints_revealed = [
            HintRow(number=h.index + 1, hint=h.hint, at=when(h.revealed_at, tz))
            for h in data.hints.revealed
        ]
        self.denied, self.missing, self.loaded = "", "", True

    @rx.event
    async def load(self) -> Any:
        self.loaded, self.denied, self.missing = False, "", ""
        self.action_error = self.notice = self.form_error = ""
        self.feedback, self.decision, self.confirm_open = "", "", False
        self.rubric, self.typed_scores, self.typed_comments, self.busy = [], {}, {}, False
        self.hints_total, self.hints_revealed = 0, []
        # A review just sent from the previous submission's page says so here.
        self.notice, self.carry_notice, self.queue_empty = self.carry_notice, "", False
        yield  # the spinner at once, not the last submission (and its buttons) while this loads
        submission_id = url_id(self, "submission_id")
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
        done = await self._try(_claim, self.submission_id)
        if not done and done.code == "Conflict":
            await self._fetch()
            self.busy = False
            if self.holder and not self.claimed_by_me:
                until = f" until {self.claim_expires_at}" if self.claim_expires_at else ""
                self.action_error = f"Already claimed by {self.holder}{until}."
            else:
                self.action_error = done.error
            return
        if not done:
            self.action_error, self.busy = done.error, False
            return
        await self._show(done)
        self.busy = False
        self.notice = f"You claimed this submission until {self.claim_expires_at}."

    @rx.event
    async def release(self) -> Any:
        self.action_error, self.notice, self.busy = "", "", True
        yield
        done = await self._try(_release, self.submission_id)
        if not done:
            await self._fetch()
            self.action_error, self.busy = done.error, False
            return
        await self._show(done)
        self.busy = False
        self.notice = "Released: the submission is back in the review queue."

    @rx.event
    async def download_file(self, submission_id: int) -> Any:
        """An earlier attempt's file, from the download route (the access cookie, refreshed
        first, authenticates the browser there; the route checks who may see it)."""
        await self._principal()
        names = {a.id: a.file_name for a in [self.current, *self.earlier]}
        sid = int(submission_id)
        if sid not in names:
            return None
        return rx.download(url=file_url(sid), filename=names[sid] or "attachment")

    # the review -----------------------------------------------------------------------------
    @rx.event
    def type_score(self, key: str, value: str) -> None:
        """A score as it is typed: the running total follows."""
        if any(c.key == key for c in self.rubric):
            self.typed_scores = {**self.typed_scores, key: str(value)[:20]}

    @rx.event
    def type_comment(self, key: str, value: str) -> None:
        if key in self.typed_comments:
            self.typed_comments = {
                **self.typed_comments,
                key: str(value)[: reviews.COMMENT_MAX * 2],
            }

    @rx.event
    def set_feedback(self, value: str) -> None:
        self.feedback = str(value)[: reviews.FEEDBACK_MAX * 2]

    @rx.event
    def choose(self, decision: str) -> None:
        """The clicked button's decision (its click is handled before the form's submit)."""
        self.decision = decision if decision in DECISION_WORDS else ""

    @rx.event
    def check(self, form: dict[str, Any]) -> None:
        """Keep what was typed, check it with the service's rules, then ask to confirm."""
        self.feedback = str(form.get("feedback", ""))[: reviews.FEEDBACK_MAX * 2]
        comments = parse_comments(self.rubric, form)
        self.rubric = [
            replace(
                c,
                typed=str(form.get(f"score-{c.key}", "") or "")[:20],
                comment=comments.get(c.key, ""),
            )
            for c in self.rubric
        ]
        self.typed_scores = {c.key: c.typed for c in self.rubric}
        criteria = [c.criterion() for c in self.rubric]
        scores = parse_scores(criteria, form)
        total, problems = reviews.check_review(
            criteria, self.decision, scores, self.feedback, comments
        )
        self.notice = self.action_error = ""
        if problems:
            self.form_error, self.confirm_open = " ".join(problems), False
            return
        self.form_error = ""
        self.pending_scores = {k: int(v) for k, v in scores.items()}
        self.pending_comments = comments
        self.pending_total, self.confirm_open = total, True

    set_confirm_open = open_setter("confirm_open")

    @rx.event
    async def send(self) -> Any:
        if self.busy or not self.can_review:
            # The second click of a double click on "Send review": the first one is sending it,
            # or sent it (the page shows the decided submission); sending again said "already
            # reviewed" in red under the first one's notice.
            return
        self.confirm_open, self.busy = False, True
        yield
        done = await self._try(
            reviews.review,
            self.submission_id,
            decision=self.decision,
            scores=dict(self.pending_scores),
            feedback=self.feedback,
            comments=dict(self.pending_comments),
            rubric_seen=[c.criterion() for c in self.rubric],
        )
        if not done and done.code == reviews.RubricChanged.__name__:
            # Edited since the page showed it, and the review no longer fits it: the current
            # rubric, keeping the feedback, the decision and what was typed for the criteria
            # still in it (_show), with what changed.
            await self._fetch()
            self.form_error, self.busy = done.error, False
            return
        # Conflict: the claim went back to the queue; Forbidden: another mentor claimed it since
        # (reviews.review). Either way the page reads it again and says which.
        if not done and done.code in ("Conflict", "Forbidden"):
            await self._fetch()
            self.busy = False
            if self.status == SubmissionStatus.submitted.value:
                refusal = (
                    "Your claim expired and the submission went back to the queue. Claim it "
                    "again to send your review (what you typed is kept)."
                )
            elif self.holder and not self.claimed_by_me:
                refusal = f"Already claimed by {self.holder}: your claim expired."
            else:
                refusal = done.error
            # Where it is seen: the form shows only to the claim's holder; otherwise beside
            # Claim, whose next success clears it.
            if self.can_review:
                self.form_error = refusal
            else:
                self.action_error = refusal
            return
        if not done:
            self.form_error, self.busy = done.error, False
            return
        words = "Changes requested" if self.decision != "approved" else "Approved"
        sent = f"Review sent: {words}. {self.student} has been notified."
        following = await self._try(reviews.after_review)
        if following and following.value.submission_id is not None:
            nxt = following.value
            if nxt.from_queue:
                self.carry_notice = f"{sent} This is the next submission in your queue."
            else:  # nothing waits unclaimed, but the mentor still holds claims: those are next
                n = nxt.held
                which = "this is it" if n == 1 else "this is the one whose claim ends first"
                self.carry_notice = (
                    f"{sent} Nothing else is waiting for review, but you still hold "
                    f"{plural(n, 'claimed submission')}: {which}."
                )
            yield NotificationState.refresh
            yield rx.redirect(f"/review/{nxt.submission_id}")
            return
        await self._fetch()
        self.busy, self.queue_empty = False, bool(following)
        self.notice = (
            f"{sent} Your review queue is empty: nothing else is waiting for you."
            if following
            else sent  # what comes next could not be read: not "your queue is empty"
        )
        yield NotificationState.refresh
