"""The /insights page's components: the work-style analysis (a bar and score per dimension, with
its evidence) beside a card that leads to /coaching, where goals and reflections are kept."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.layout import full_column, full_row, spread_row, wide_callout, wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import (
    icon_button,
    once_loaded,
    page_column,
    stack_card,
    two_columns,
)
from cyberhub.components.panels import icon_link
from cyberhub.components.sections import card_stack, titled_stack
from cyberhub.components.ui import empty_state, error_callout, muted, page_heading
from cyberhub.pages.insights.state import (
    COACHING,
    DimensionView,
    EvidenceView,
    InsightsState,
)


def _coaching_card() -> rx.Component:
    """Goals and reflections are kept on /coaching (issue 16): one place for them."""
    return titled_stack(
        "Goals & reflections",
        stack_card(
            rx.text(
                "Your goals and reflections are kept on Coaching, with your habits. "
                "Your active goals and your reflections — private ones too, for you alone "
                "— shape your mission recommendations and this work-style analysis."
            ),
            icon_link("target", "Open Coaching", href=COACHING, variant="soft"),
            spacing="3",
            align="start",
            testid="coaching-link",
        ),
        spacing="3",
    )


def _evidence(e: rx.Var[EvidenceView]) -> rx.Component:
    return rx.el.li(
        muted(e.title, size="1"),
        rx.text("“", e.text, "”", size="2"),
        muted(e.towards, size="1", font_style="italic"),
        margin_bottom="0.5em",
    )


def _scale(d: rx.Var[DimensionView]) -> rx.Component:
    """The dimension as a scale: its left end is the title's first pole, a marker shows the
    lean (none while there is not enough evidence), a tick marks the middle."""
    end = {"size": "1", "flex_shrink": "0", "max_width": "8em"}
    return full_row(
        muted(d.left, data_testid="left-end", **end),
        rx.box(
            rx.box(
                position="absolute",
                left="calc(50% - 1px)",
                top="-3px",
                bottom="-3px",
                width="2px",
                background="var(--gray-a8)",
            ),
            rx.cond(
                d.known,
                rx.box(
                    position="absolute",
                    left=d.position,
                    top="-3px",
                    width="14px",
                    height="14px",
                    border_radius="50%",
                    background="var(--accent-11)",
                    border="2px solid var(--color-background)",
                    data_testid="marker",
                ),
            ),
            position="relative",
            height="8px",
            flex="1",
            min_width="4em",
            border_radius="9999px",
            background="var(--gray-a5)",
            role="img",
            aria_label=d.scale_label,
            data_testid="scale",
        ),
        muted(d.right, text_align="right", data_testid="right-end", **end),
        spacing="3",
    )


def _dimension(d: rx.Var[DimensionView]) -> rx.Component:
    return card_stack(
        spread_row(
            rx.heading(d.name, size="3", as_="h3"),
            rx.badge(
                d.label,
                variant="soft",
                size="2",
                color_scheme=rx.cond(d.known, "teal", "gray"),
                data_testid="lean",
            ),
        ),
        _scale(d),
        rx.text(d.description, size="2"),
        rx.cond(d.confidence != "", muted(d.confidence, size="1", data_testid="confidence")),
        rx.cond(
            d.count > 0,
            rx.el.details(
                rx.el.summary(
                    # The strongest few (personality.MAX_EVIDENCE), not every piece counted in
                    # the confidence line above ("8 of 10 pieces of evidence …").
                    rx.cond(d.count == 1, "The strongest evidence", "The strongest evidence ("),
                    rx.cond(d.count == 1, "", d.count.to(str) + ")"),
                    cursor="pointer",
                    font_size="0.9em",
                    min_height="24px",
                ),
                rx.el.ul(
                    rx.foreach(d.evidence, _evidence),
                    padding_left="1.2em",
                    margin_top="0.5em",
                ),
                width="100%",
            ),
        ),
        spacing="2",
        data_testid="dimension",
    )


def _analysis_section() -> rx.Component:
    S = InsightsState
    prepared = wide_callout(
        wrap_row(
            rx.text(S.message),
            icon_button("refresh_cw", "Refresh", icon_size=14, size="1", on_click=S.refresh),
            spacing="3",
        ),
        icon="hourglass",
        color_scheme="blue",
        role="status",
    )
    return full_column(
        spread_row(
            rx.heading("Your work style", size="5", as_="h2"),
            rx.cond(
                (S.status != "off") & (S.status != "empty"),
                icon_button(
                    "sparkles",
                    "Analyse again",
                    variant="soft",
                    on_click=S.analyse,
                    loading=S.queuing,
                ),
            ),
        ),
        muted(
            "An AI reading of your profiler answers and reflections: a few tendencies, each "
            "with what it is based on. It describes how you like to work, not how good you are."
        ),
        error_callout(S.analyse_error),
        rx.match(
            S.status,
            (
                "off",
                wide_callout(
                    rx.vstack(
                        rx.text(S.message),
                        rx.link("Open Privacy & consents", href="/settings/privacy"),
                        spacing="1",
                    ),
                    icon="shield_off",
                    color_scheme="amber",
                ),
            ),
            (
                "empty",
                empty_state(
                    "Nothing to analyse yet",
                    S.message,
                    rx.link("Take the career profiler", href="/onboarding/ai-profiler"),
                ),
            ),
            ("none", prepared),
            ("queued", prepared),
            ("pending", prepared),
            rx.fragment(),
        ),
        rx.cond(
            S.dims.length() > 0,
            full_column(
                rx.foreach(S.dims, _dimension),
                muted(S.basis, size="1"),
                spacing="2",
            ),
        ),
        spacing="3",
        data_testid="analysis",
    )


def insights_content() -> rx.Component:
    S = InsightsState
    return page_column(
        page_heading(
            "Insights", "How you like to work, from your profiler answers and reflections."
        ),
        error_callout(S.error),
        notice_callout(S.notice),
        once_loaded(
            S.loading,
            "Loading your insights…",
            two_columns(_coaching_card(), _analysis_section(), gap="2em"),
        ),
    )
