"""ReviewState: the review screen as the service describes it, claim / release, the scores and the
decision; the service calls it runs in worker threads."""

from __future__ import annotations

import re
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models import SubmissionStatus
from cyberhub.schemas.reviews import MissionSummary
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import reviews
from cyberhub.state.forms import parse_id
from cyberhub.state.notifications import NotificationState
from cyberhub.state.service import ServiceState

ROUTE = "/review/[submission_id]"
DECISION_WORDS = {
    SubmissionStatus.changes_requested.value: "Request changes",
    SubmissionStatus.approved.value: "Approve",
}


def file_url(submission_id: int) -> str:
    """The download route (api/learning.py), which also accepts the browser's access cookie."""
    return f"/api/v1/submissions/{submission_id}/file"


def _review(
    session: Session,
    principal: Principal | None,
    submission_id: int,
    decision: str,
    scores: dict[str, Any],
    feedback: str,
) -> None:
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


class ReviewState(ServiceState, rx.State):
    submission_id: int = 0
    loaded: bool = False
    denied: str = ""  # the service's 403 message
    missing: str = ""  # the service's 404 message
    status: str = ""
    attempt: int = 0
    student: str = ""
    mission: MissionSummary = MissionSummary(id=0, title="", summary="")
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

    async def _fetch(self) -> None:
        found = await self._try(reviews.review_screen, self.submission_id)
        if not found:
            if found.code == "Forbidden":
                self.denied, self.missing = found.error, ""
            else:  # NotFound, or anything else the service refused: nothing to show
                self.missing = found.error
            self.loaded = True
            return
        data = found.value
        typed = {r["key"]: r.get("typed", "") for r in self.rubric}
        self.status, self.attempt = data.status, data.attempt
        self.student, self.mission = data.student, data.mission
        self.current = _with_file(data.current)
        self.earlier = [_with_file(v) for v in data.earlier]
        self.newer_attempt_id = data.newer_attempt_id or 0
        self.rubric = [{**c.model_dump(), "typed": typed.get(c.key, "")} for c in data.rubric]
        self.max_total = data.max_total
        claim = data.claim
        self.holder, self.claimed_by_me = claim.holder, claim.mine
        self.claim_expires_at = when(claim.expires_at, await self._time_zone())
        self.claim_expired = claim.expired
        self.can_claim, self.can_release = data.can_claim, data.can_release
        self.can_review = data.can_review
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
        done = await self._try(reviews.claim, self.submission_id)
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
        await self._fetch()
        self.busy = False
        self.notice = f"You claimed this submission until {self.claim_expires_at}."

    @rx.event
    async def release(self) -> Any:
        self.action_error, self.notice, self.busy = "", "", True
        yield
        done = await self._try(reviews.release, self.submission_id)
        if not done:
            await self._fetch()
            self.action_error, self.busy = done.error, False
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
        done = await self._try(
            _review, self.submission_id, self.decision, dict(self.pending_scores), self.feedback
        )
        if not done and done.code == "Conflict":
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
                self.form_error = done.error
            return
        if not done:
            self.form_error, self.busy = done.error, False
            return
        await self._fetch()
        self.busy = False
        words = "Changes requested" if self.decision != "approved" else "Approved"
        self.notice = f"Review sent: {words}. {self.student} has been notified."
        yield NotificationState.refresh
