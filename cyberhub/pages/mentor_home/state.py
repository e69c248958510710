"""The mentor home's state: one load (the queue figures, home and the first queue page in one
transaction), then queue tabs and pages; rows arrive formatted in the mentor's time zone."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.reviews import (
    MenteeProgress,
    MentorCohort,
    MentorFigures,
    MentorHome,
    MentorLearner,
    MentorLearnersPage,
    QueueCounts,
    QueueItem,
    Workload,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import mentoring, reviews
from cyberhub.state import url_query
from cyberhub.state.forms import search_text
from cyberhub.state.service import ServiceState

# The page's address (as its package's ROUTE): the queue's tab and page are in its query.
HOME = "/dashboard/mentor"
QUEUE_PAGE_SIZE = 10
BUCKET_LABELS = {
    "pending": "Pending",
    "claimed_by_me": "Claimed by me",
    "waiting_for_student": "Waiting for student",
    "reviewed": "Reviewed (all time)",
}


def waited(at: datetime | str | None, now: datetime | None = None) -> str:
    """How long ago, short ("45 min", "5 h", "3 d 4 h"); "" without a time."""
    if not at:
        return ""
    start = datetime.fromisoformat(at) if isinstance(at, str) else at
    seconds = max(0, int(((now or utcnow()) - start).total_seconds()))
    minutes, hours, days = max(1, seconds // 60), seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h"
    rest = hours - days * 24
    return f"{days} d {rest} h" if rest else f"{days} d"


@dataclass
class QueueRow:
    """A queue item as the table shows it."""

    id: int
    student: str
    mission: str
    attempt: int
    status: str
    submitted: str
    waiting: str
    since: str
    claim: str
    decision: str
    decided: str
    assigned: bool
    link: str

    @classmethod
    def of(cls, item: QueueItem, now: datetime, tz: str) -> QueueRow:
        mine = item.claimed_by_me and item.status == "in_review"
        return from_row(
            cls,
            item,
            student=item.student.name,
            mission=item.mission.title,
            submitted=when(item.submitted_at, tz),
            waiting=waited(item.submitted_at, now),
            since=waited(item.decided_at or item.submitted_at, now),
            claim=f"You, until {when(item.claim_expires_at, tz)}" if mine else "",
            decision=item.decision or "",
            decided=when(item.decided_at, tz),
            assigned=item.assigned_to_me,
            link=f"/review/{item.id}",
        )


@dataclass
class MenteeRow:
    id: int  # their page: /mentees/{id}
    name: str
    email: str
    cohort_name: str
    approved: int
    published: int
    percent: int
    last: str
    ago: str


@dataclass
class LearnerRow:
    name: str
    email: str
    organization: str
    joined: str
    # The attempt the mentor can act on: "claim" it, "continue" the review they hold, or "".
    action: str = ""
    submission_id: int = 0
    mission: str = ""
    link: str = ""

    @classmethod
    def of(cls, x: MentorLearner, tz: str) -> LearnerRow:
        w = x.waiting
        return from_row(
            cls,
            x,
            joined=when(x.joined, tz, "date"),
            action=("continue" if w.claimed_by_me else "claim") if w else "",
            submission_id=w.submission_id if w else 0,
            mission=w.mission if w else "",
            link=f"/review/{w.submission_id}" if w else "",
        )


@dataclass
class WorkloadView:
    """The workload figures as text."""

    mentees: str = ""
    pending: str = ""
    claimed: str = ""
    waiting_for_student: str = ""
    reviewed_last_7_days: str = ""
    median: str = ""

    @classmethod
    def of(cls, w: Workload) -> WorkloadView:
        median = w.median_turnaround_hours
        return cls(
            mentees=str(w.mentees),
            pending=str(w.pending),
            claimed=str(w.claimed),
            waiting_for_student=str(w.waiting_for_student),
            reviewed_last_7_days=str(w.reviewed_last_7_days),
            median=f"{median:g} h" if median is not None else "—",
        )


@dataclass
class QueueView:
    items: list[QueueRow]
    page: int
    pages: int
    counts: QueueCounts


@dataclass
class LearnersView:
    """A page of the learners list as the table shows it."""

    items: list[LearnerRow]
    total: int
    page: int
    pages: int


def _learners(session: Session, principal: Principal | None, q: str, page: int) -> LearnersView:
    found: MentorLearnersPage = mentoring.mentor_learners(session, principal, q=q, page=page)
    assert principal is not None  # mentor_learners refused anyone else
    return LearnersView(
        items=[LearnerRow.of(x, principal.time_zone) for x in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


def _mentees(
    session: Session, principal: Principal | None, page: int
) -> tuple[PageOf[MenteeProgress], str]:
    found = mentoring.mentee_page(session, principal, page, page_size=mentoring.MENTEES_PAGE_SIZE)
    assert principal is not None  # mentee_page refused anyone else
    return found, principal.time_zone


@dataclass
class HomeView:
    figures: MentorFigures
    mentees: PageOf[MenteeProgress]
    home: MentorHome
    queue: QueueView
    time_zone: str


def _queue(
    session: Session,
    principal: Principal | None,
    bucket: str,
    page: int,
    counts: QueueCounts | None = None,
) -> QueueView:
    result = reviews.queue(session, principal, bucket=bucket, page=page, page_size=QUEUE_PAGE_SIZE)
    if not result.items and page > 1:  # the last page emptied meanwhile
        result = reviews.queue(
            session, principal, bucket=bucket, page=result.pages, page_size=QUEUE_PAGE_SIZE
        )
    assert principal is not None  # queue() refused anyone else
    if counts is None:
        counts = reviews.queue_counts(session, principal.user_id)
    now = utcnow()
    return QueueView(
        items=[QueueRow.of(x, now, principal.time_zone) for x in result.items],
        page=result.page,
        pages=result.pages,
        counts=counts,
    )


def _home(session: Session, principal: Principal | None, bucket: str, page: int) -> HomeView:
    # One transaction, and the queue figures' counts reused for the tabs (each count walks the
    # mentor's cohorts' submissions: bench/dashboards.py).
    figures = mentoring.mentor_figures(session, principal, preview=False)
    mentees, _ = _mentees(session, principal, 1)
    home = mentoring.mentor_home(session, principal)
    queue = _queue(session, principal, bucket, page, counts=figures.queue)
    assert principal is not None  # mentor_figures refused anyone else
    return HomeView(figures, mentees, home, queue, principal.time_zone)


class MentorHomeState(ServiceState, url_query.AddressedList, rx.State):
    """The queue's tab and page live in the address (?tab=reviewed&page=2), as other lists'
    filters do (state/url_query.AddressedList): a reload, a shared link and Back show the tab
    that was chosen. Choosing a tab or a page fetches it, then the page's address_sync puts the
    address in the bar; the on_load that follows has nothing to fetch."""

    # queue (paged: PagedList's page and pages)
    bucket: str = "pending"
    queue: list[QueueRow] = []
    counts: dict[str, int] = {}
    queue_loading: bool = False
    # mentees and figures
    mentees: list[MenteeRow] = []
    # the mentees table's own page (mentoring.mentee_page; not in the address, as the learners')
    mentees_page: int = 1
    mentees_pages: int = 1
    workload: WorkloadView = WorkloadView()
    # organizations
    organizations: list[str] = []
    cohorts: list[MentorCohort] = []
    learners: list[LearnerRow] = []
    learners_total: int = 0
    # the learners list's own page and search (mentoring.mentor_learners; not in the address,
    # which holds the queue's)
    learners_page: int = 1
    learners_pages: int = 1
    learners_query: str = ""
    # Why a "Claim and review" in the learners list was refused, said beside the list.
    learners_error: str = ""
    loaded: bool = False

    def _apply_queue(self, q: QueueView) -> None:
        """The queue's page and its tabs' counts, which the Workload card shows too (a live
        update or a tab re-reads only the queue: the card kept the old figures)."""
        self.queue, self.page, self.pages = q.items, q.page, q.pages
        c = q.counts
        self.counts = c.model_dump()
        self.workload = dataclasses.replace(
            self.workload,
            pending=str(c.pending),
            claimed=str(c.claimed_by_me),
            waiting_for_student=str(c.waiting_for_student),
        )

    def _url(self) -> str:
        """The home's address for the tab and page shown (Pending, page 1: the bare address)."""
        tab = "" if self.bucket == "pending" else self.bucket
        return url_query.list_url(HOME, {"tab": tab}, "", self.page)

    @rx.event
    async def load(self) -> None:
        params = self.router.url.query_parameters
        tab = url_query.choice(params, "tab", BUCKET_LABELS)
        self.bucket = tab if tab in BUCKET_LABELS else "pending"
        self.page = url_query.page(params)
        if self._fresh(self._url()) and self.loaded:  # a tab or page just chosen: shown already
            return
        self.loaded = False
        found = await self._call(_home, self.bucket, self.page)
        self.loaded = True
        if not found:
            return
        data = found.value
        home, tz = data.home, data.time_zone
        self._show_mentees(data.mentees, tz)
        self.workload = WorkloadView.of(data.figures.workload)
        self._apply_queue(data.queue)
        self.organizations = home.organizations
        self.cohorts = home.cohorts
        self.learners = [LearnerRow.of(x, tz) for x in home.learners]
        self.learners_total = home.learners_total
        self.learners_page, self.learners_query, self.learners_error = 1, "", ""
        self.learners_pages = home.learners_pages
        self.error = ""
        self._correct_address()  # a tab that means nothing, a page past the last

    def _show_mentees(self, found: PageOf[MenteeProgress], tz: str) -> None:
        """A page of the mentees table: its rows, which page it is and how many there are."""
        self.mentees = [
            from_row(
                MenteeRow,
                m,
                cohort_name=m.cohort.name,
                last=when(m.last_activity, tz, empty="No activity yet"),
                ago=waited(m.last_activity),
            )
            for m in found.items
        ]
        self.mentees_page, self.mentees_pages = found.page, found.pages

    async def _fetch(self) -> None:
        """The queue's tab `bucket` at page `page` (the paged list of this page)."""
        self.queue_loading = True
        found = await self._call(_queue, self.bucket, self.page)
        self.queue_loading = False
        if found:
            self._apply_queue(found.value)
            self.error = ""

    @rx.event
    async def queue_changed(self) -> None:
        """A submission started waiting for this mentor (live update): the tab shown, re-read."""
        if self.loaded:
            await self._fetch()

    @rx.event
    async def select_bucket(self, bucket: str) -> None:
        if bucket not in BUCKET_LABELS:
            return
        if bucket == self.bucket and self.loaded:
            # Radix tabs ask twice for one click (mouse-down, then the focus it gives the
            # trigger, because the selected tab is this state's and not yet changed): the
            # second ask would re-read the same page of the same queue.
            return
        self.bucket, self.page = bucket, 1
        await self._show()

    async def _fetch_learners(self, page: int) -> None:
        found = await self._call(_learners, self.learners_query, max(1, int(page)))
        if found:
            v = found.value
            self.learners, self.learners_total = v.items, v.total
            self.learners_page, self.learners_pages = v.page, v.pages
            self.error = ""

    @rx.event
    async def search_learners(self, form: dict[str, Any]) -> None:
        """The learners list's search box: name or e-mail (trimmed, capped), from page 1."""
        self.learners_query, self.learners_error = search_text(form), ""
        await self._fetch_learners(1)

    @rx.event
    async def mentees_go_to(self, page: int) -> None:
        """The mentees table's Previous / Next."""
        found = await self._call(_mentees, max(1, int(page)))
        if found:
            self._show_mentees(*found.value)
            self.error = ""

    @rx.event
    async def learners_go_to(self, page: int) -> None:
        """The learners list's Previous / Next."""
        await self._fetch_learners(page)

    @rx.event
    async def claim_from_list(self, submission_id: int) -> Any:
        """Claim a learner's waiting attempt from the learners list, then open its review page;
        if someone was faster, say so beside the list (the page's own error is at its top, out
        of sight) and read the list again, so the row shows the work as it is now."""
        self.learners_error = ""
        claimed = await self._try(reviews.claim, int(submission_id))
        if claimed:
            return rx.redirect(f"/review/{int(submission_id)}")
        await self._fetch_learners(self.learners_page)
        self.learners_error = claimed.error
        return None
