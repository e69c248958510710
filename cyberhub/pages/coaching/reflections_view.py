"""/coaching: reflections (prompts, mood, energy, private or shared) and the week's figures."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.labelled import form_card, labelled, labelled_textarea
from cyberhub.components.layout import wrap_row
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.page_kit import icon_button
from cyberhub.components.rows import pager_if_many
from cyberhub.components.sections import card_stack, titled_stack
from cyberhub.components.tables import list_or
from cyberhub.components.ui import error_callout, muted
from cyberhub.pages.coaching.parts import S
from cyberhub.pages.coaching.parts import native_select as _native_select
from cyberhub.pages.coaching.rows import CheckinView, FigureView, ReflectionView
from cyberhub.schemas.coaching import TEXT_MAX
from cyberhub.services.coaching import reflections

# -- reflections and the week ------------------------------------------------------------------


def _prompt_chip(p: rx.Var[str]) -> rx.Component:
    return rx.button(
        p,
        type="button",
        size="1",
        variant=rx.cond(S.prompt == p, "solid", "outline"),
        aria_pressed=rx.cond(S.prompt == p, "true", "false"),
        on_click=S.use_prompt(p),
    )


def _scale(label: str, id_: str, name: str) -> rx.Component:
    return labelled(
        label,
        id_,
        _native_select(
            id_,
            name,
            rx.el.option("—", value=""),
            *[rx.el.option(f"{n} of 5", value=str(n)) for n in range(1, 6)],
        ),
    )


def _reflection_form() -> rx.Component:
    return form_card(
        rx.heading("Reflect", size="3", as_="h3"),
        error_callout(S.reflection_error),
        muted("Pick a prompt if it helps:", size="1"),
        rx.hstack(rx.foreach(S.prompts, _prompt_chip), spacing="2", wrap="wrap"),
        labelled_textarea(
            rx.cond(S.prompt != "", S.prompt, "Your reflection"),
            "reflection-body",
            name="body",
            rows="4",
            max_length=TEXT_MAX,
        ),
        rx.hstack(
            _scale("Mood", "reflection-mood", "mood"),
            _scale("Energy", "reflection-energy", "energy"),
            spacing="3",
        ),
        rx.hstack(
            rx.switch(
                id="reflection-shared", name="shared", checked=S.shared, on_change=S.set_shared
            ),
            field_label("Share with my mentor", "reflection-shared"),
            align="center",
            spacing="2",
        ),
        muted(reflections.WHO_READS, size="1"),
        icon_button("pen_line", "Save reflection", type="submit"),
        on_submit=S.add_reflection,
    )


def _reflection(r: rx.Var[ReflectionView]) -> rx.Component:
    return card_stack(
        wrap_row(
            rx.badge(
                rx.cond(r.shared, "Shared with mentor", "Private"),
                color_scheme=rx.cond(r.shared, "teal", "gray"),
                variant="soft",
            ),
            muted(r.when, size="1"),
            spacing="2",
        ),
        rx.cond(r.prompt != "", rx.text(r.prompt, size="2", weight="bold")),
        rx.box(safe_markdown(r.body), width="100%", overflow_wrap="anywhere"),
        rx.cond(r.feeling != "", muted(r.feeling, size="1")),
        rx.button(
            rx.cond(r.shared, "Make private", "Share with mentor"),
            size="1",
            variant="soft",
            on_click=S.toggle_share(r.id, r.shared),
        ),
        spacing="2",
        align="start",
        data_testid="reflection",
    )


def _figure(f: rx.Var[FigureView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            muted(f.label, size="1"),
            rx.text(f.this_week, size="6", weight="bold"),
            muted(f.change, size="1"),
            spacing="0",
        ),
        data_testid="week-figure",
    )


def _week_note(n: rx.Var[CheckinView]) -> rx.Component:
    return rx.box(
        muted(n.habit + " · " + n.day, size="1", weight="medium"),
        rx.box(safe_markdown(n.note), font_size="0.9em", overflow_wrap="anywhere"),
        width="100%",
        data_testid="week-note",
    )


def week_section() -> rx.Component:
    return titled_stack(
        "This week",
        muted(S.week),
        rx.grid(
            rx.foreach(S.figures, _figure),
            columns=rx.breakpoints(initial="2", md="4"),
            gap="2",
            width="100%",
        ),
        rx.cond(
            S.week_notes.length() > 0,
            card_stack(
                rx.heading("Notes from your check-ins", size="3", as_="h3"),
                rx.foreach(S.week_notes, _week_note),
                spacing="2",
            ),
        ),
        id="week",  # the coach's "this week's summary" links
    )


def reflections_section() -> rx.Component:
    return titled_stack(
        "Reflections",
        _reflection_form(),
        list_or(
            S.reflections,
            _reflection,
            muted("Your reflections will show here. A few lines a week is plenty."),
            spacing="2",
        ),
        pager_if_many(S.reflection_page, S.reflection_pages, S.go_to_reflections),
        spacing="3",
    )
