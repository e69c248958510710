"""/dashboard/student: the learner's home — the context of their track, the next best action,
progress per track, missions in progress, latest feedback and their cohorts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.learning import decision_badge, status_badge
from cyberhub.components.recommendations import recommendations_card
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import difficulty_badge, error_callout, loading_state, page_heading
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import rendering
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import dashboards, student_home
from cyberhub.services.learning.submissions import display_time
from cyberhub.state.session import SessionState

ROUTE = "/dashboard/student"
EXCERPT = 160


def _board(raw: dict[str, Any]) -> dict[str, Any]:
    """The dashboard service's data, shaped for display (track names, dates, excerpts)."""
    names = {t["key"]: t["name"] for t in raw.get("tracks", [])}
    return {
        "cohorts": raw.get("cohorts", []),
        "tracks": raw.get("tracks", []),
        "scope": raw.get("scope") or {},
        "in_progress": [
            {**m, "track_name": names.get(m["track"], m["track"])}
            for m in raw.get("in_progress", [])
        ],
        "feedback": [
            {
                **f,
                "excerpt": rendering.markdown_excerpt(f["feedback"], EXCERPT),
                "when": display_time(datetime.fromisoformat(f["created_at"])),
            }
            for f in raw.get("latest_feedback", [])
        ],
        "next_action": raw.get("next_action") or {},
    }


def _load(principal: Principal | None, hint: str) -> dict[str, Any]:
    with db.session_scope() as session:
        data = student_home.student_home(session, principal, hint)
        data["board"] = _board(dashboards.student_dashboard(session, principal))
        return data


class StudentDashboardState(rx.State):
    data: dict[str, Any] = {}
    loading: bool = True
    error: str = ""

    @rx.var
    def welcome(self) -> bool:
        return self.router.url.query_parameters.get("welcome") == "true"

    @rx.var
    def has_track(self) -> bool:
        return bool(self.data.get("track"))

    @rx.var
    def profiler_done(self) -> bool:
        return bool(self.data.get("profiler_done"))

    @rx.var
    def track(self) -> dict[str, Any]:
        return dict(self.data.get("track") or {})

    @rx.var
    def starters(self) -> list[dict[str, Any]]:
        return list(self.data.get("starters", []))

    @rx.var
    def confidence(self) -> str:
        return str((self.data.get("result") or {}).get("confidence", ""))

    @rx.var
    def cohorts(self) -> list[dict[str, Any]]:
        return list((self.data.get("board") or {}).get("cohorts", []))

    @rx.var
    def tracks(self) -> list[dict[str, Any]]:
        return list((self.data.get("board") or {}).get("tracks", []))

    @rx.var
    def scope(self) -> dict[str, Any]:
        """The headline against the learner's scope ({} while in no programme)."""
        return dict((self.data.get("board") or {}).get("scope") or {})

    @rx.var
    def in_progress(self) -> list[dict[str, Any]]:
        return list((self.data.get("board") or {}).get("in_progress", []))

    @rx.var
    def feedback(self) -> list[dict[str, Any]]:
        return list((self.data.get("board") or {}).get("feedback", []))

    @rx.var
    def next_action(self) -> dict[str, Any]:
        return dict((self.data.get("board") or {}).get("next_action") or {})

    @rx.event
    async def load(self) -> None:
        self.loading = True
        principal = await (await self.get_state(SessionState)).principal()
        hint = self.router.url.query_parameters.get("track", "")
        try:
            self.data = await asyncio.to_thread(_load, principal, hint)
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
        self.loading = False


def _starter(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.card(
        rx.link(
            rx.vstack(
                difficulty_badge(m["difficulty"].to(int)),
                rx.text(m["title"], weight="medium"),
                rx.text(m["minutes"], " min", size="1", color_scheme="gray"),
                spacing="1",
                align="start",
            ),
            href="/missions/" + m["id"].to(str),
            underline="none",
            color="inherit",
        )
    )


def _next_action() -> rx.Component:
    a = StudentDashboardState.next_action
    return rx.card(
        rx.vstack(
            rx.heading("Next best action", size="5", as_="h2"),
            rx.text(a["label"].to(str), size="4", weight="medium"),
            rx.link(
                rx.button(
                    rx.match(
                        a["kind"].to(str),
                        ("resubmit", "Resubmit your work"),
                        ("continue_draft", "Continue your draft"),
                        ("start", "Start the mission"),
                        ("profiler", "Take the profiler"),
                        ("enroll", "Find a cohort"),
                        "Browse missions",
                    ),
                    rx.icon("arrow_right", size=18),
                    size="3",
                ),
                href=a["link"].to(str),
            ),
            spacing="3",
            align="start",
        ),
        width="100%",
        size="3",
        data_testid="next-action",
        style={"borderLeft": f"4px solid {rx.color('accent', 9)}"},
    )


def _track_row(t: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(t["name"].to(str), weight="medium"),
            rx.spacer(),
            rx.text(
                t["approved"].to(str),
                " of ",
                t["published"].to(str),
                " approved · ",
                rx.text.strong(t["percent"].to(str), "%"),
                size="2",
            ),
            width="100%",
            align="center",
        ),
        rx.progress(
            value=t["percent"].to(int),
            max=100,
            width="100%",
            aria_label=t["name"].to(str) + " progress",
        ),
        spacing="1",
        width="100%",
        data_testid="track-progress",
    )


def _scope_card() -> rx.Component:
    """ "3 of 7": the approved missions among those the learner's programmes expect of them."""
    s = StudentDashboardState.scope
    return rx.cond(
        s.contains("label"),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(
                        rx.cond(
                            s["track_name"].to(str) != "",
                            "Your " + s["track_name"].to(str) + " track in your programme",
                            "Your programme",
                        ),
                        weight="medium",
                    ),
                    rx.spacer(),
                    rx.text(
                        rx.text.strong(s["label"].to(str)),
                        " missions approved · ",
                        s["percent"].to(str),
                        "%",
                        size="2",
                    ),
                    width="100%",
                    align="center",
                ),
                rx.progress(
                    value=s["percent"].to(int),
                    max=100,
                    width="100%",
                    aria_label="Progress in your programme",
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
            data_testid="scope-progress",
        ),
        rx.callout(
            "You are not in a programme yet, so there is no progress to count. Browse the "
            "public mission library; once a cohort enrols you, your progress shows here.",
            icon="info",
            width="100%",
            data_testid="scope-empty",
        ),
    )


def _progress_block() -> rx.Component:
    S = StudentDashboardState
    return rx.vstack(
        rx.heading("Progress", size="5", as_="h2"),
        _scope_card(),
        rx.cond(
            S.tracks.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(S.tracks, _track_row), spacing="3", width="100%"),
                width="100%",
            ),
            rx.cond(
                S.scope.contains("label"),
                rx.text("Your programme has no published missions yet.", color_scheme="gray"),
                rx.fragment(),
            ),
        ),
        width="100%",
        align="start",
    )


def _in_progress_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.hstack(
        rx.link(m["title"].to(str), href="/missions/" + m["mission_id"].to(str), weight="medium"),
        rx.badge(m["track_name"].to(str), variant="outline"),
        status_badge(m["status"]),
        rx.text("attempt ", m["attempt"].to(str), size="1", color_scheme="gray"),
        wrap="wrap",
        align="center",
        spacing="2",
        data_testid="in-progress-item",
    )


def _in_progress_block() -> rx.Component:
    S = StudentDashboardState
    return rx.vstack(
        rx.heading("In progress", size="5", as_="h2"),
        rx.cond(
            S.in_progress.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(S.in_progress, _in_progress_row), spacing="2"),
                width="100%",
            ),
            rx.text(
                "Nothing in progress. Drafts and submitted work show up here.",
                color_scheme="gray",
            ),
        ),
        width="100%",
        align="start",
        data_testid="in-progress",
    )


def _feedback_item(f: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    f["title"].to(str),
                    href="/missions/" + f["mission_id"].to(str),
                    weight="medium",
                ),
                rx.text("attempt ", f["attempt"].to(str), size="1", color_scheme="gray"),
                wrap="wrap",
                align="center",
            ),
            rx.hstack(
                decision_badge(f["decision"]),
                rx.text(
                    "Score ",
                    rx.text.strong(f["total"].to(str), " / ", f["max_total"].to(str)),
                    size="2",
                ),
                rx.text(
                    rx.cond(f["mentor"].to(str) != "", "by " + f["mentor"].to(str) + " · ", ""),
                    f["when"].to(str),
                    size="1",
                    color_scheme="gray",
                ),
                wrap="wrap",
                align="center",
                spacing="2",
            ),
            rx.cond(
                f["excerpt"].to(str) != "",
                rx.text("“", f["excerpt"].to(str), "”", size="2", color_scheme="gray"),
            ),
            rx.link(
                "Read the full review →",
                href="/missions/" + f["mission_id"].to(str),
                size="2",
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _feedback_block() -> rx.Component:
    S = StudentDashboardState
    return rx.vstack(
        rx.heading("Latest feedback", size="5", as_="h2"),
        rx.cond(
            S.feedback.length() > 0,
            rx.vstack(rx.foreach(S.feedback, _feedback_item), spacing="2", width="100%"),
            rx.text("No reviews yet. Your mentor's feedback appears here.", color_scheme="gray"),
        ),
        width="100%",
        align="start",
        data_testid="latest-feedback",
    )


def _cohorts_block() -> rx.Component:
    S = StudentDashboardState
    return rx.vstack(
        rx.heading("Your cohorts", size="5", as_="h2"),
        rx.cond(
            S.cohorts.length() > 0,
            rx.flex(
                rx.foreach(
                    S.cohorts,
                    lambda c: rx.badge(
                        c["name"].to(str), " · ", c["program"].to(str), variant="surface", size="2"
                    ),
                ),
                gap="0.4em",
                wrap="wrap",
            ),
            rx.vstack(
                rx.text(
                    "You are not in a cohort yet. What to do next:",
                    color_scheme="gray",
                ),
                rx.el.ol(
                    rx.el.li(
                        rx.link("Take the career profiler", href="/onboarding/ai-profiler"),
                        " to find your track.",
                    ),
                    rx.el.li(
                        rx.link("Browse the mission library", href="/missions"),
                        ": every mission is open to read.",
                    ),
                    rx.el.li(
                        rx.link("Apply to a cohort", href="/cohorts"),
                        " to submit work and get a mentor. An organisation can also invite you.",
                    ),
                    style={"paddingLeft": "1.25em", "margin": "0"},
                ),
                spacing="1",
                align="start",
            ),
        ),
        rx.link("Find a cohort to join →", href="/cohorts", size="2"),
        width="100%",
        align="start",
        data_testid="cohorts",
    )


def content() -> rx.Component:
    S = StudentDashboardState
    t = S.track
    return rx.vstack(
        page_heading(
            rx.cond(
                SessionState.display_name != "", "Hello, " + SessionState.display_name, "Hello"
            ),
            "Your learning home.",
        ),
        error_callout(S.error),
        rx.cond(
            S.loading,
            loading_state(),
            rx.vstack(
                rx.cond(
                    S.welcome & S.has_track,
                    rx.callout(
                        rx.text(
                            "Welcome to the ",
                            rx.text.strong(t["name"].to(str)),
                            " track — ",
                            t["tagline"].to(str),
                            ". Here is where to start.",
                        ),
                        icon="party_popper",
                        color_scheme="green",
                        width="100%",
                        data_testid="welcome-track",
                    ),
                ),
                rx.cond(
                    ~S.profiler_done,
                    rx.callout(
                        rx.vstack(
                            rx.text(
                                "You haven't taken the career profiler yet. Ten minutes of scenarios "
                                "tell you which of the five tracks fits how you think."
                            ),
                            rx.link(
                                rx.button("Take the career profiler"),
                                href="/onboarding/ai-profiler",
                            ),
                            align="start",
                        ),
                        icon="sparkles",
                        width="100%",
                        data_testid="profiler-reminder",
                    ),
                ),
                _next_action(),
                recommendations_card(),
                rx.grid(
                    _progress_block(),
                    _in_progress_block(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                _feedback_block(),
                _cohorts_block(),
                rx.cond(
                    S.has_track,
                    rx.card(
                        rx.vstack(
                            rx.text("Your track", size="1", color_scheme="gray"),
                            rx.heading(t["name"].to(str), size="6", as_="h2"),
                            rx.text(t["tagline"].to(str), weight="medium"),
                            rx.text(t["description"].to(str), color_scheme="gray"),
                            rx.flex(
                                rx.foreach(
                                    t["careers"].to(list[str]),
                                    lambda c: rx.badge(c, variant="surface"),
                                ),
                                gap="0.4em",
                                wrap="wrap",
                            ),
                            rx.cond(
                                S.confidence != "",
                                rx.link(
                                    "Profiler confidence: ",
                                    S.confidence,
                                    " — see your results",
                                    href="/onboarding/ai-profiler/results",
                                    size="2",
                                ),
                            ),
                            spacing="2",
                            align="start",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.starters.length() > 0,
                    rx.vstack(
                        rx.heading("Start here", size="5", as_="h2"),
                        rx.grid(
                            rx.foreach(S.starters, _starter),
                            columns=rx.breakpoints(initial="1", sm="3"),
                            spacing="3",
                            width="100%",
                        ),
                        rx.link(
                            "All missions in your track →",
                            href="/missions?track=" + t["key"].to(str),
                        ),
                        width="100%",
                        align="start",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        width="100%",
    )


def student_dashboard_page() -> rx.Component:
    return shell(guarded(ROUTE, content()))


page = register(
    Page(
        route=ROUTE,
        title="My learning · CyberHub",
        component=student_dashboard_page,
        access=roles(Role.student),
        on_load=(StudentDashboardState.load,),
        nav_label="My learning",
        nav_order=5,
    )
)
