"""The catalog's components: cards, the filter bar (with the skill type-ahead) and the list."""

from typing import Any

import reflex as rx

from cyberhub.components.address_sync import address_sync
from cyberhub.components.combobox import combobox
from cyberhub.components.counts import counted
from cyberhub.components.fields import search_form, small_label
from cyberhub.components.layout import flow
from cyberhub.components.learning import status_badge
from cyberhub.components.page_kit import once_listed
from cyberhub.components.ui import (
    badge_row,
    difficulty_badge,
    empty_state,
    error_callout,
    muted,
    page_heading,
    pager,
    track_badge,
)
from cyberhub.formatting import difficulty_label
from cyberhub.pages.missions.state import (
    ALL,
    STATUS_LABELS,
    CatalogCard,
    MissionCatalogState,
)


def _mission_card(m: rx.Var[CatalogCard]) -> rx.Component:
    return rx.card(
        rx.link(
            rx.vstack(
                rx.hstack(
                    track_badge(m.track),
                    difficulty_badge(m.difficulty),
                    rx.cond(
                        m.my_status != "",
                        status_badge(m.my_status, testid="mission-status"),
                    ),
                    rx.cond(
                        m.recommended > 0,
                        rx.badge(
                            rx.icon("sparkles", size=12),
                            "Recommended #",
                            m.recommended.to(str),
                            color_scheme="iris",
                            variant="soft",
                            data_testid="mission-recommended",
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.heading(m.title, size="4", as_="h2"),
                muted(m.summary),
                rx.hstack(
                    rx.icon("clock", size=14),
                    rx.text(m.minutes, " min", size="1"),
                    align="center",
                    color=rx.color("gray", 10),
                ),
                badge_row(
                    m.skills,
                    lambda s: rx.badge(s, variant="soft", color_scheme="gray"),
                    gap="0.3em",
                ),
                spacing="2",
                align="start",
            ),
            href="/missions/" + m.id.to(str),
            underline="none",
            color="inherit",
        ),
        height="100%",
    )


def _select(label: str, value: rx.Var[str], on_change: Any, options: Any, id_: str) -> rx.Component:
    return rx.vstack(
        small_label(label, id_),
        rx.select.root(
            rx.select.trigger(id=id_, aria_label=label, min_width="10rem"),
            rx.select.content(options),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    S = MissionCatalogState
    return flow(
        address_sync(S),
        search_form(
            "Search",
            "mission-search",
            "e.g. phishing, YARA, risk",
            S.query,
            S.search,
        ),
        _select(
            "Track",
            S.track,
            S.set_track,
            rx.fragment(
                rx.select.item("All tracks", value=ALL),
                rx.foreach(S.track_options, lambda t: rx.select.item(t.name, value=t.key)),
            ),
            "filter-track",
        ),
        _select(
            "Difficulty",
            S.difficulty,
            S.set_difficulty,
            rx.fragment(
                rx.select.item("Any difficulty", value=ALL),
                *[rx.select.item(difficulty_label(d), value=str(d)) for d in range(1, 6)],
            ),
            "filter-difficulty",
        ),
        combobox(
            "Skill",
            "filter-skill",
            text=S.skill_text,
            matches=S.skill_matches,
            open_=S.skill_open,
            active=S.skill_active,
            on_type=S.type_skill,
            on_key=S.skill_key,
            on_pick=S.pick_skill,
            on_close=S.close_skill,
            list_label="Skills",
            no_match="No skill matches",
            placeholder="Any skill: type to find one",
        ),
        rx.cond(
            S.is_student,
            _select(
                "My status",
                S.status,
                S.set_status,
                rx.fragment(
                    rx.select.item("Any status", value=ALL),
                    *[rx.select.item(label, value=value) for value, label in STATUS_LABELS],
                ),
                "filter-status",
            ),
        ),
        rx.cond(
            S.query == "",
            _select(
                "Order",
                rx.cond(S.sort == "recommended", "recommended", "track"),
                S.set_sort,
                rx.fragment(
                    rx.select.item("Track, then level", value="track"),
                    rx.select.item("Recommended for you first", value="recommended"),
                ),
                "sort-order",
            ),
        ),
        gap="1em",
        align="end",
        margin_bottom="1.25em",
    )


def catalog_content() -> rx.Component:
    S = MissionCatalogState
    return rx.box(
        page_heading(
            "Missions", "Hands-on briefs from real security work. Pick one that stretches you."
        ),
        _filters(),
        error_callout(S.error),
        once_listed(
            S.loading,
            S.items,
            "Loading missions…",
            rx.cond(
                S.total > 0,
                rx.box(
                    muted(counted(S.total, "mission"), margin_bottom="0.75em", aria_live="polite"),
                    rx.grid(
                        rx.foreach(S.items, _mission_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4",
                        width="100%",
                    ),
                    pager(S.page, S.pages, S.go_to),
                ),
                empty_state(
                    "No missions match",
                    "Try another track or skill, or clear the search.",
                    rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                ),
            ),
        ),
        width="100%",
    )
