"""The /insights page's components: goals & reflections (add, edit in place, delete after
confirming) beside the work-style analysis (a bar and score per dimension, with its evidence)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.confirm import confirm_dialog
from cyberhub.components.fields import field_label
from cyberhub.components.notice import notice_callout
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.pages.insights.state import (
    ROUTE,
    DimensionView,
    EvidenceView,
    InsightsState,
    NoteView,
)
from cyberhub.services.learning import learner_notes


def _hint(text: Any, size: str = "2", **props: Any) -> rx.Component:
    """Grey secondary text (an introduction, a caption, a pole's name)."""
    return rx.text(text, size=size, color_scheme="gray", **props)


def _note_fields(
    prefix: str,
    kind: rx.Var[str],
    on_kind: Any,
    body_label: str,
    body: rx.Var[str],
    **area: Any,
) -> rx.Component:
    """The kind picker and the text of a note (ids `<prefix>-kind`, `<prefix>-body`)."""
    return rx.fragment(
        rx.hstack(
            field_label("Kind", f"{prefix}-kind"),
            rx.select.root(
                rx.select.trigger(id=f"{prefix}-kind", aria_label="Kind"),
                rx.select.content(
                    rx.select.item("Reflection", value="reflection"),
                    rx.select.item("Goal", value="goal"),
                ),
                value=kind,
                on_change=on_kind,
            ),
            align="center",
            spacing="2",
        ),
        field_label(body_label, f"{prefix}-body"),
        rx.text_area(
            id=f"{prefix}-body",
            name="body",
            default_value=body,
            max_length=learner_notes.BODY_MAX,
            rows="4",
            width="100%",
            **area,
        ),
    )


def _note_form(on_submit: Any, *children: rx.Component, align: str = "stretch") -> rx.Component:
    return rx.form(
        rx.vstack(*children, spacing="2", width="100%", align=align),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def _add_form() -> rx.Component:
    S = InsightsState
    return rx.card(
        _note_form(
            S.add,
            rx.heading("Add a goal or a reflection", size="4", as_="h3"),
            error_callout(S.add_error),
            _note_fields(
                "note",
                S.new_kind,
                S.set_new_kind,
                "Your note",
                S.new_body,
                placeholder=(
                    "A goal (“Pass my first CTF by June”) or a reflection on how a mission "
                    "went and how you like to work."
                ),
            ),
            _hint(
                f"Up to {learner_notes.BODY_MAX} characters; "
                f"you can keep {learner_notes.MAX_NOTES} notes.",
                size="1",
            ),
            rx.button(rx.icon("plus", size=16), "Save note", type="submit", loading=S.saving),
            align="start",
        ),
        width="100%",
    )


def _edit_form() -> rx.Component:
    S = InsightsState
    return _note_form(
        S.save_edit,
        error_callout(S.edit_error),
        _note_fields("edit", S.edit_kind, S.set_edit_kind, "Edit your note", S.edit_body),
        rx.hstack(
            rx.button("Save changes", type="submit"),
            rx.button("Cancel", type="button", variant="soft", on_click=S.cancel_edit),
            spacing="2",
        ),
    )


def _note_button(
    icon: str, text: str, verb: str, n: rx.Var[NoteView], **props: Any
) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        text,
        size="2",
        variant="soft",
        aria_label=f"{verb} this " + n.kind,
        **props,
    )


def _note(n: rx.Var[NoteView]) -> rx.Component:
    S = InsightsState
    return rx.card(
        rx.cond(
            S.editing_id == n.id,
            _edit_form(),
            rx.vstack(
                rx.hstack(
                    rx.badge(
                        n.kind_label,
                        color_scheme=rx.cond(n.kind == "goal", "violet", "teal"),
                        variant="soft",
                    ),
                    _hint(n.when, size="1"),
                    spacing="2",
                    align="center",
                ),
                rx.text(n.body, white_space="pre-wrap", overflow_wrap="anywhere"),
                rx.hstack(
                    _note_button("pencil", "Edit", "Edit", n, on_click=S.start_edit(n.id)),
                    _note_button(
                        "trash_2",
                        "Delete",
                        "Delete",
                        n,
                        color_scheme="red",
                        on_click=S.ask_delete(n.id),
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
                align="start",
            ),
        ),
        width="100%",
        data_testid="note",
    )


def _delete_dialog() -> rx.Component:
    S = InsightsState
    return confirm_dialog(
        "Delete this note?",
        "It is gone for good, and your recommendations and work-style analysis are updated "
        "without it.",
        confirm="Delete",
        on_confirm=S.delete,
        open=S.delete_open,
        on_open_change=S.set_delete_open,
        cancel="Keep it",
    )


def _notes_section() -> rx.Component:
    S = InsightsState
    return rx.vstack(
        rx.heading("Goals & reflections", size="5", as_="h2"),
        _hint(
            "What you want to achieve and how your missions went. They shape your mission "
            "recommendations and your work-style analysis."
        ),
        _add_form(),
        rx.cond(
            S.notes.length() > 0,
            rx.vstack(rx.foreach(S.notes, _note), spacing="2", width="100%"),
            empty_state(
                "No goals or reflections yet",
                "Write your first one above: a goal you are working towards, or a few lines on "
                "how a mission went.",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _evidence(e: rx.Var[EvidenceView]) -> rx.Component:
    return rx.el.li(
        _hint(e.title, size="1"),
        rx.text("“", e.text, "”", size="2"),
        _hint(e.towards, size="1", font_style="italic"),
        margin_bottom="0.5em",
    )


def _dimension(d: rx.Var[DimensionView]) -> rx.Component:
    score = d.score
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(d.name, size="3", as_="h3"),
                rx.badge(d.label, variant="soft", size="2"),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.hstack(
                _hint(d.low, size="1", min_width="7em"),
                rx.progress(
                    value=score,
                    max=100,
                    width="100%",
                    aria_label=d.name + ": " + score.to_string() + " of 100",
                ),
                _hint(d.high, size="1", min_width="7em", align="right"),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.text(score, " / 100 · ", d.description, size="2"),
            rx.cond(
                d.count > 0,
                rx.el.details(
                    rx.el.summary(
                        "Evidence (",
                        d.count,
                        ")",
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
            width="100%",
        ),
        width="100%",
        data_testid="dimension",
    )


def _analysis_section() -> rx.Component:
    S = InsightsState
    prepared = rx.callout(
        rx.hstack(
            rx.text(S.message),
            rx.button(rx.icon("refresh_cw", size=14), "Refresh", size="1", on_click=S.refresh),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        icon="hourglass",
        color_scheme="blue",
        role="status",
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            rx.heading("Your work style", size="5", as_="h2"),
            rx.cond(
                (S.status != "off") & (S.status != "empty"),
                rx.button(
                    rx.icon("sparkles", size=16),
                    "Analyse again",
                    variant="soft",
                    on_click=S.analyse,
                    loading=S.queuing,
                ),
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        _hint(
            "An AI reading of your profiler answers and reflections: a few tendencies, each "
            "with what it is based on. It describes how you like to work, not how good you are."
        ),
        error_callout(S.analyse_error),
        rx.match(
            S.status,
            (
                "off",
                rx.callout(
                    rx.vstack(
                        rx.text(S.message),
                        rx.link("Open Privacy & consents", href="/settings/privacy"),
                        spacing="1",
                    ),
                    icon="shield_off",
                    color_scheme="amber",
                    width="100%",
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
            rx.vstack(
                rx.foreach(S.dims, _dimension),
                _hint(S.basis, size="1"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        data_testid="analysis",
    )


def insights_content() -> rx.Component:
    S = InsightsState
    return rx.vstack(
        page_heading("Insights", "Your goals, your reflections, and how you like to work."),
        error_callout(S.error),
        notice_callout(S.notice),
        rx.cond(
            S.loading,
            loading_state("Loading your insights…"),
            rx.grid(
                _notes_section(),
                _analysis_section(),
                columns=rx.breakpoints(initial="1", md="2"),
                gap="2em",
                width="100%",
            ),
        ),
        _delete_dialog(),
        spacing="4",
        width="100%",
    )


def insights_page() -> rx.Component:
    return shell(guarded(ROUTE, insights_content()))
