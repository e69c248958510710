"""/dashboard/mentor: a mentor's home — the review queue in four tabs (pending, claimed by me,
waiting for student, reviewed) with counts and pages, their mentees with progress and last
activity, workload figures, and the cohorts and learners of their organizations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub import db
from cyberhub.components.learning import decision_badge, status_badge
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    loading_state,
    page_heading,
    pager,
)
from cyberhub.models import Role
from cyberhub.models.base import utcnow
from cyberhub.routes import Page, register, roles
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import dashboards, mentoring, reviews
from cyberhub.services.learning.submissions import display_time
from cyberhub.state.session import SessionState

ROUTE = "/dashboard/mentor"
QUEUE_PAGE_SIZE = 10
BUCKET_LABELS = {
    "pending": "Pending",
    "claimed_by_me": "Claimed by me",
    "waiting_for_student": "Waiting for student",
    "reviewed": "Reviewed",
}


def _when(iso: str | None) -> str:
    return display_time(datetime.fromisoformat(iso)) if iso else ""


def waited(iso: str | None, now: datetime | None = None) -> str:
    """How long ago, short ("45 min", "5 h", "3 d 4 h"); "" without a time."""
    if not iso:
        return ""
    seconds = max(0, int(((now or utcnow()) - datetime.fromisoformat(iso)).total_seconds()))
    minutes, hours, days = max(1, seconds // 60), seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h"
    rest = hours - days * 24
    return f"{days} d {rest} h" if rest else f"{days} d"


def _row_view(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    bucket_time = item.get("decided_at") or item.get("submitted_at")
    return {
        "id": item["id"],
        "student": item["student"]["name"],
        "mission": item["mission"]["title"],
        "attempt": item["attempt"],
        "status": item["status"],
        "submitted": _when(item.get("submitted_at")),
        "waiting": waited(item.get("submitted_at"), now),
        "since": waited(bucket_time, now),
        "claim": (
            f"You, until {_when(item['claim_expires_at'])}"
            if item.get("claimed_by_me") and item.get("status") == "in_review"
            else ""
        ),
        "decision": item.get("decision") or "",
        "decided": _when(item.get("decided_at")),
        "assigned": bool(item.get("assigned_to_me")),
        "link": f"/review/{item['id']}",
    }


def _queue_in(
    session: Session,
    principal: Principal | None,
    bucket: str,
    page: int,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    result = reviews.queue(session, principal, bucket=bucket, page=page, page_size=QUEUE_PAGE_SIZE)
    if not result.items and page > 1:  # the last page emptied meanwhile
        result = reviews.queue(
            session, principal, bucket=bucket, page=result.pages, page_size=QUEUE_PAGE_SIZE
        )
    assert principal is not None
    if counts is None:
        counts = reviews.queue_counts(session, principal.user_id)
    now = utcnow()
    return {
        "items": [_row_view(x, now) for x in result.items],
        "page": result.page,
        "pages": result.pages,
        "counts": counts,
    }


def _queue(principal: Principal | None, bucket: str, page: int) -> dict[str, Any]:
    with db.session_scope() as session:
        return _queue_in(session, principal, bucket, page)


def _home(principal: Principal | None, bucket: str, page: int) -> dict[str, Any]:
    # One session, and the dashboard's queue counts reused (each count walks the mentor's
    # cohorts' submissions: bench/dashboards.py).
    with db.session_scope() as session:
        dash = dashboards.mentor_dashboard(session, principal, preview=False)
        home = mentoring.mentor_home(session, principal)
        queue = _queue_in(session, principal, bucket, page, counts=dash["queue"])
    return {"dashboard": dash, "home": home, "queue": queue}


class MentorHomeState(rx.State):
    # queue
    bucket: str = "pending"
    queue: list[dict[str, Any]] = []
    page: int = 1
    pages: int = 1
    counts: dict[str, int] = {}
    queue_loading: bool = False
    # mentees and figures
    mentees: list[dict[str, Any]] = []
    workload: dict[str, Any] = {}
    # organizations
    organizations: list[str] = []
    cohorts: list[dict[str, Any]] = []
    learners: list[dict[str, Any]] = []
    learners_total: int = 0
    loaded: bool = False
    error: str = ""

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    def _apply_queue(self, q: dict[str, Any]) -> None:
        self.queue, self.page, self.pages = q["items"], q["page"], q["pages"]
        self.counts = q["counts"]

    @rx.event
    async def load(self) -> None:
        tab = str(self.router.url.query_parameters.get("tab", "") or "")
        self.bucket = tab if tab in BUCKET_LABELS else "pending"
        self.page, self.loaded = 1, False
        try:
            data = await asyncio.to_thread(_home, await self._principal(), self.bucket, self.page)
        except DomainError as exc:
            self.error, self.loaded = exc.message, True
            return
        dash, home = data["dashboard"], data["home"]
        self.mentees = [
            {
                **m,
                "cohort_name": m["cohort"]["name"],
                "last": _when(m["last_activity"]) or "No activity yet",
                "ago": waited(m["last_activity"]),
            }
            for m in dash["mentees"]
        ]
        w = dash["workload"]
        median = w.get("median_turnaround_hours")
        self.workload = {**w, "median": f"{median:g} h" if median is not None else "—"}
        self._apply_queue(data["queue"])
        self.organizations = home["organizations"]
        self.cohorts = home["cohorts"]
        self.learners = [
            {
                **x,
                "joined": datetime.fromisoformat(x["joined"]).astimezone(UTC).strftime("%d %b %Y"),
            }
            for x in home["learners"]
        ]
        self.learners_total = home["learners_total"]
        self.error, self.loaded = "", True

    async def _fetch_queue(self) -> None:
        self.queue_loading = True
        try:
            q = await asyncio.to_thread(_queue, await self._principal(), self.bucket, self.page)
        except DomainError as exc:
            self.error, self.queue_loading = exc.message, False
            return
        self._apply_queue(q)
        self.error, self.queue_loading = "", False

    @rx.event
    async def select_bucket(self, bucket: str) -> None:
        if bucket not in BUCKET_LABELS:
            return
        self.bucket, self.page = bucket, 1
        await self._fetch_queue()

    @rx.event
    async def go_to(self, page: int) -> None:
        self.page = max(1, min(int(page), self.pages))
        await self._fetch_queue()


# -- view ---------------------------------------------------------------------------------------


def _table(headers: list[str], rows: rx.Component, **props: Any) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rows),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )


def _queue_row(r: rx.Var[dict[str, Any]]) -> rx.Component:
    S = MentorHomeState
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r["student"], weight="medium"),
                rx.cond(
                    r["assigned"],
                    rx.badge("Your mentee", size="1", variant="soft", color_scheme="teal"),
                ),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(rx.text(r["mission"], size="2")),
        rx.table.cell(rx.text("Attempt ", r["attempt"].to(str), size="2")),
        rx.table.cell(
            rx.vstack(
                rx.text(r["submitted"], size="2"),
                rx.text(
                    rx.match(
                        S.bucket,
                        ("waiting_for_student", rx.fragment("sent back ", r["since"], " ago")),
                        ("reviewed", rx.fragment("reviewed ", r["since"], " ago")),
                        rx.fragment("waiting ", r["waiting"]),
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                r["decision"].to(str) != "",
                decision_badge(r["decision"]),
                rx.cond(
                    r["claim"].to(str) != "",
                    rx.text(r["claim"], size="2"),
                    status_badge(r["status"]),
                ),
            )
        ),
        rx.table.cell(
            rx.link(
                "Open",
                href=r["link"].to(str),
                weight="medium",
                display="inline-block",
                padding="0.3em 0.6em",
            )
        ),
        data_testid="queue-row",
    )


def _queue_panel() -> rx.Component:
    S = MentorHomeState
    return rx.cond(
        S.queue.length() > 0,
        rx.vstack(
            _table(
                ["Learner", "Mission", "Attempt", "Submitted", "Claim / decision", ""],
                rx.foreach(S.queue, _queue_row),
            ),
            rx.cond(S.pages > 1, pager(S.page, S.pages, S.go_to)),
            width="100%",
            spacing="2",
        ),
        rx.match(
            S.bucket,
            (
                "claimed_by_me",
                empty_state(
                    "Nothing claimed",
                    "Claim a pending submission to reserve it for 24 hours while you review it.",
                ),
            ),
            (
                "waiting_for_student",
                empty_state(
                    "No one to wait for",
                    "Attempts you send back with changes requested stay here until the student "
                    "resubmits.",
                ),
            ),
            (
                "reviewed",
                empty_state("No reviews yet", "The attempts you decide are listed here."),
            ),
            empty_state(
                "Nothing to review",
                "New submissions from your mentees and cohorts appear here.",
            ),
        ),
    )


def _tab(bucket: str) -> rx.Component:
    S = MentorHomeState
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(BUCKET_LABELS[bucket]),
            rx.badge(S.counts[bucket].to(str), variant="soft", radius="full", size="1"),
            align="center",
            spacing="2",
        ),
        value=bucket,
    )


def _queue_section() -> rx.Component:
    S = MentorHomeState
    return rx.vstack(
        rx.heading("Review queues", size="5", as_="h2"),
        rx.tabs.root(
            rx.tabs.list(*[_tab(b) for b in BUCKET_LABELS], wrap="wrap"),
            *[
                rx.tabs.content(
                    rx.box(
                        rx.cond(S.queue_loading, loading_state(), _queue_panel()),
                        padding_top="1em",
                    ),
                    value=b,
                )
                for b in BUCKET_LABELS
            ],
            value=S.bucket,
            on_change=S.select_bucket,
            width="100%",
        ),
        spacing="2",
        width="100%",
        data_testid="review-queue",
    )


def _figure(label: str, value: rx.Var[Any], hint: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold"),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
            spacing="1",
        ),
        min_width="9em",
        flex="1",
    )


def _workload() -> rx.Component:
    w = MentorHomeState.workload
    return rx.vstack(
        rx.heading("Workload", size="5", as_="h2"),
        rx.flex(
            _figure("Mentees", w["mentees"].to(str)),
            _figure("Pending", w["pending"].to(str)),
            _figure("Claimed by me", w["claimed"].to(str)),
            _figure("Waiting for student", w["waiting_for_student"].to(str)),
            _figure("Reviewed", w["reviewed_last_7_days"].to(str), "last 7 days"),
            _figure("Median turnaround", w["median"].to(str), "submission to decision, 30 days"),
            wrap="wrap",
            gap="3",
            width="100%",
        ),
        spacing="2",
        width="100%",
        data_testid="workload",
    )


def _mentee_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    percent = m["percent"].to(int)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(m["name"], weight="medium"),
                rx.text(m["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(m["cohort_name"], size="2")),
        rx.table.cell(
            rx.vstack(
                rx.progress(
                    value=percent, width="8em", aria_label="Progress of " + m["name"].to(str)
                ),
                rx.text(
                    percent.to(str),
                    "% · ",
                    m["approved"].to(str),
                    " of ",
                    m["published"].to(str),
                    " missions",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(m["last"], size="2"),
                rx.cond(
                    m["ago"].to(str) != "",
                    rx.text(m["ago"], " ago", size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        data_testid="mentee-row",
    )


def _mentees() -> rx.Component:
    S = MentorHomeState
    return rx.vstack(
        rx.heading("Your mentees", size="5", as_="h2"),
        rx.cond(
            S.mentees.length() > 0,
            _table(
                ["Mentee", "Cohort", "Progress", "Last activity"],
                rx.foreach(S.mentees, _mentee_row),
                data_testid="mentees",
            ),
            empty_state(
                "No mentees assigned yet",
                "A programme director assigns mentees to you in a cohort. Until then, work from "
                "the cohorts you serve still reaches your queue.",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _cohort_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(c["name"], weight="medium"),
                rx.text(c["program"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(c["dates"]),
        rx.table.cell(c["capacity"]),
        rx.table.cell(
            rx.badge(
                c["status"],
                color_scheme=rx.match(
                    c["status"], ("running", "green"), ("upcoming", "blue"), "gray"
                ),
            )
        ),
    )


def _learner_row(x: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(x["name"], weight="medium")),
        rx.table.cell(rx.text(x["email"], size="2")),
        rx.table.cell(rx.text(x["organization"], size="2")),
        rx.table.cell(rx.text(x["joined"], size="2")),
    )


def _organization() -> rx.Component:
    S = MentorHomeState
    return rx.vstack(
        rx.heading("Cohorts", size="5", as_="h2"),
        rx.cond(
            S.cohorts.length() > 0,
            _table(["Cohort", "Dates", "Capacity", "Status"], rx.foreach(S.cohorts, _cohort_row)),
            empty_state(
                "No cohorts yet", "Your organization has no cohorts yet; a director creates them."
            ),
        ),
        rx.heading("Learners you may be matched with", size="5", as_="h2"),
        rx.cond(
            S.learners.length() > 0,
            rx.vstack(
                rx.text(
                    S.learners_total,
                    rx.cond(S.learners_total == 1, " learner", " learners"),
                    " in your organizations",
                    size="2",
                    color_scheme="gray",
                ),
                _table(
                    ["Name", "Email", "Organization", "Joined"],
                    rx.foreach(S.learners, _learner_row),
                ),
                width="100%",
                spacing="2",
            ),
            empty_state(
                "No learners yet", "When students join your organization they appear here."
            ),
        ),
        spacing="4",
        width="100%",
    )


def mentor_home_content() -> rx.Component:
    S = MentorHomeState
    return rx.vstack(
        page_heading(
            "Mentoring",
            rx.cond(
                S.organizations.length() > 0,
                "You mentor in " + S.organizations.join(", ") + ".",
                "Your mentor home.",
            ),
        ),
        error_callout(S.error),
        rx.cond(
            S.loaded,
            rx.vstack(
                _queue_section(),
                _workload(),
                _mentees(),
                _organization(),
                spacing="6",
                width="100%",
            ),
            loading_state(),
        ),
        spacing="4",
        width="100%",
    )


def mentor_home_page() -> rx.Component:
    return shell(guarded(ROUTE, mentor_home_content()))


page = register(
    Page(
        route=ROUTE,
        title="Mentoring · CyberHub",
        component=mentor_home_page,
        access=roles(Role.mentor),
        on_load=(MentorHomeState.load,),
        nav_label="Mentoring",
        nav_order=20,
    )
)
