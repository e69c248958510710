"""/onboarding/ai-profiler/results: tracks, scores (chart + table), confidence, reasoning, persona."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.layout import full_column, wide_callout
from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import (
    once_loaded,
    page_column,
    register_guarded_page,
    stack_card,
    two_columns,
)
from cyberhub.components.tables import data_table
from cyberhub.components.ui import badge_row, empty_state, error_callout, muted
from cyberhub.formatting import when
from cyberhub.routes import SIGNED_IN
from cyberhub.schemas.profiler import AnswerReview
from cyberhub.services.ai import profiler
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES
from cyberhub.state.service import ServiceState

ROUTE = "/onboarding/ai-profiler/results"


def _named(result: dict[str, Any]) -> dict[str, Any]:
    """A past result with its track's name, as the attempts list shows it ("Builders", not
    its key)."""
    track = str(result.get("primary_track", ""))
    return {**result, "track_name": TRACK_NAMES.get(track, track)}


def _shown(result: dict[str, Any], tz: str | None) -> dict[str, Any]:
    """`_named`, with when it was taken in the reader's zone."""
    return {**_named(result), "when": when(result["completed_at"], tz)}


class ProfilerResultsState(ServiceState, rx.State):
    # The learner's results (services.ai.profiler.history) and `when` they were completed, in
    # the reader's time zone: mappings, as their persona and reasoning are free-form JSON.
    results: list[dict[str, Any]] = []
    selected: int = 0  # index into results (0 = newest)
    review: list[AnswerReview] = []
    loading: bool = True
    chosen_notice: str = ""  # said (role=status) after the learner picks a tied track

    @rx.var
    def result(self) -> dict[str, Any]:
        return self.results[self.selected] if 0 <= self.selected < len(self.results) else {}

    @rx.var
    def chart_data(self) -> list[dict[str, Any]]:
        scores = self.result.get("scores", {})
        return [{"track": TRACK_NAMES.get(k, k), "score": v} for k, v in scores.items()]

    @rx.var
    def reasoning(self) -> list[dict[str, str]]:
        r = self.result.get("reasoning", {})
        return [{"track": TRACK_NAMES.get(k, k), "text": v} for k, v in r.items()]

    @rx.var
    def primary_name(self) -> str:
        return TRACK_NAMES.get(str(self.result.get("primary_track", "")), "")

    @rx.var
    def secondary_name(self) -> str:
        return TRACK_NAMES.get(str(self.result.get("secondary_track", "")), "")

    @rx.var
    def tie_names(self) -> str:
        return " and ".join(TRACK_NAMES.get(t, t) for t in self.result.get("tie", []))

    @rx.var
    def tie_choices(self) -> list[dict[str, str]]:
        """The tied tracks the learner can follow ("chosen": "true" for the current one)."""
        primary = str(self.result.get("primary_track", ""))
        return [
            {"key": t, "name": TRACK_NAMES.get(t, t), "chosen": "true" if t == primary else "false"}
            for t in self.result.get("tie", [])
        ]

    @rx.var
    def dashboard_href(self) -> str:
        return f"/dashboard/student?track={self.result.get('primary_track', '')}&welcome=true"

    @rx.var
    def persona(self) -> dict[str, Any]:
        return dict(self.result.get("persona", {}))

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.review, self.chosen_notice = True, "", [], ""
        if found := await self._call(profiler.history):
            tz = await self._time_zone()
            self.results = [_shown(r, tz) for r in found.value]
        wanted = self.router.url.query_parameters.get("session", "")
        self.selected = next(
            (i for i, r in enumerate(self.results) if str(r["session_id"]) == wanted), 0
        )
        self.loading = False

    @rx.event
    def select(self, index: int) -> None:
        self.selected, self.review, self.chosen_notice = index, [], ""

    @rx.event
    async def choose_track(self, track: str) -> None:
        """After a tie: follow one of the tied tracks (the service accepts only those)."""
        self.chosen_notice = self.error = ""  # a refusal of an earlier click is not this one's
        sid = int(self.result["session_id"])
        if chosen := await self._call(profiler.choose_track, sid, track, self._meta()):
            self.results = [
                {**_named(chosen.value), "when": r["when"]} if i == self.selected else r
                for i, r in enumerate(self.results)
            ]
            self.chosen_notice = (
                f"You now follow {self.primary_name}. Your recommendations follow it shortly."
            )

    @rx.event
    async def show_answers(self) -> None:
        self.error = ""
        if answers := await self._call(profiler.review_answers, int(self.result["session_id"])):
            self.review = answers.value

    @rx.event
    async def delete_selected(self) -> Any:
        sid = int(self.result["session_id"])
        self.error = ""
        if await self._call(profiler.delete_session, sid, self._meta()):
            return ProfilerResultsState.load
        return None


def _score_row(row: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(rx.table.cell(row["track"]), rx.table.cell(row["score"]))


def _chart() -> rx.Component:
    S = ProfilerResultsState
    return full_column(
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="score", fill=rx.color("teal", 9), name="Score"),
                rx.recharts.x_axis(data_key="track"),
                rx.recharts.y_axis(domain=[0, 100]),
                rx.recharts.graphing_tooltip(),
                data=S.chart_data,
                height=260,
                width="100%",
                # The table below is the accessible version: no tab stop inside a hidden chart.
                custom_attrs={"accessibilityLayer": False},
            ),
            width="100%",
            aria_hidden="true",
        ),
        data_table(
            ["Track", "Score (0–100)"],
            rx.foreach(S.chart_data, _score_row),
            label="Scores per track",
        ),
    )


def _tie_choice() -> rx.Component:
    S = ProfilerResultsState
    return rx.callout.root(
        rx.callout.icon(rx.icon("scale")),
        rx.vstack(
            rx.callout.text(
                "It's a tie between "
                + S.tie_names
                + ": your answers fit them about equally. Read why each fits under “Why” below, then "
                "choose the track to follow (you can change it here later), or retake the "
                "profiler."
            ),
            rx.hstack(
                rx.foreach(
                    S.tie_choices,
                    lambda c: rx.button(
                        "Follow " + c["name"],
                        variant=rx.cond(c["chosen"] == "true", "solid", "outline"),
                        aria_pressed=c["chosen"],
                        on_click=S.choose_track(c["key"]),
                    ),
                ),
                role="group",
                aria_label="Choose your track",
                wrap="wrap",
            ),
            rx.text(S.chosen_notice, role="status", size="2"),
            spacing="2",
            align="start",
        ),
        color_scheme="amber",
        width="100%",
    )


def _bullets(title: str, items: rx.Var[list[str]]) -> rx.Component:
    """A small h3 over the bulleted `items`."""
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        rx.foreach(items, lambda s: rx.text("• ", s)),
        align="start",
    )


def _persona() -> rx.Component:
    p = ProfilerResultsState.persona
    return stack_card(
        rx.heading(p["title"].to(str), size="5", as_="h2"),
        rx.text(p["narrative"].to(str)),
        two_columns(
            _bullets("Strengths", p["strengths"].to(list[str])),
            _bullets("Growth areas", p["growth_areas"].to(list[str])),
            wide_from="sm",
            spacing="4",
        ),
        rx.heading("Careers to aim for", size="3", as_="h3"),
        badge_row(p["careers"].to(list[str]), lambda c: rx.badge(c, size="2")),
        rx.heading("NICE Framework work roles", size="3", as_="h3"),
        rx.foreach(
            p["nice_work_roles"].to(list[dict[str, str]]),
            lambda r: rx.text(rx.text.strong(r["name"]), " — ", r["category"], " (", r["id"], ")"),
        ),
        spacing="3",
        align="start",
    )


def results_content() -> rx.Component:
    S = ProfilerResultsState
    r = S.result
    return once_loaded(
        S.loading,
        "Loading your results…",
        rx.cond(
            S.results.length() == 0,
            # A load that failed says why, not that there are no results.
            rx.cond(
                S.error != "",
                error_callout(S.error),
                empty_state(
                    "No results yet",
                    "Finish the career profiler to see which track fits you.",
                    link_button("Start the profiler", href="/onboarding/ai-profiler"),
                ),
            ),
            page_column(
                error_callout(S.error),
                rx.heading("Your track: ", S.primary_name, size="7", as_="h1"),
                rx.text("Runner-up: ", S.secondary_name, size="4", color_scheme="gray"),
                # Only the newest result decides the track followed (profiler.choose_track).
                rx.cond((S.tie_names != "") & (S.selected == 0), _tie_choice()),
                wide_callout(
                    rx.text(
                        rx.text.strong("Confidence: ", r["confidence"].to(str)),
                        " — ",
                        r["confidence_explanation"].to(str),
                    ),
                    icon="gauge",
                    color_scheme=rx.match(
                        r["confidence"].to(str), ("high", "green"), ("medium", "blue"), "amber"
                    ),
                ),
                rx.hstack(
                    link_button("Continue to my dashboard →", size="3", href=S.dashboard_href),
                    link_button(
                        "Retake the profiler",
                        variant="soft",
                        size="3",
                        href="/onboarding/ai-profiler",
                    ),
                    wrap="wrap",
                ),
                rx.heading("Scores", size="5", as_="h2"),
                _chart(),
                rx.heading("Why", size="5", as_="h2"),
                rx.foreach(
                    S.reasoning,
                    lambda x: rx.text(rx.text.strong(x["track"], ": "), x["text"]),
                ),
                _persona(),
                rx.heading("Your attempts", size="5", as_="h2"),
                rx.foreach(
                    S.results,
                    lambda h, i: rx.hstack(
                        rx.button(
                            h["when"].to(str),
                            " — ",
                            h["track_name"].to(str),
                            " (",
                            h["confidence"].to(str),
                            ")",
                            variant=rx.cond(S.selected == i, "solid", "soft"),
                            on_click=S.select(i),
                        ),
                    ),
                ),
                rx.hstack(
                    rx.button("Review my answers", variant="soft", on_click=S.show_answers),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button("Delete this attempt", color_scheme="red", variant="soft")
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this attempt?"),
                            rx.alert_dialog.description(
                                "Its answers and result are removed for good. Other attempts stay."
                            ),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                                rx.alert_dialog.action(
                                    rx.button(
                                        "Delete", color_scheme="red", on_click=S.delete_selected
                                    )
                                ),
                                justify="end",
                                spacing="3",
                            ),
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.foreach(
                    S.review,
                    lambda a: rx.box(
                        muted(a.category, size="1"),
                        rx.text(a.text, weight="medium"),
                        rx.text("→ ", a.answer),
                        padding_y="0.4em",
                    ),
                ),
                align="start",
            ),
        ),
    )


page = register_guarded_page(
    ROUTE, "Your profiler results · CyberHub", results_content, SIGNED_IN, ProfilerResultsState.load
)
