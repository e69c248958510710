"""A type-ahead (the WAI-ARIA combobox pattern with a list popup): a labelled text box whose
typing narrows a list of options shown under it.

The state owns the behaviour (see pages/missions.py: `skill_*`): `text` (what is typed),
`matches` (the options that fit it), `open`, `active` (the highlighted option, -1 for none) and
four events — `on_type(text)`, `on_key(key)` (ArrowDown / ArrowUp move the highlight, Enter
picks it, Escape closes), `on_pick(option)` and `on_close()` (the box lost focus). Focus stays
in the box: the highlighted option is announced through `aria-activedescendant`, and a pointer
pick keeps the focus where it was.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import small_label
from cyberhub.components.ui import muted, thin_rule


def combobox(
    label: str,
    id_: str,
    *,
    text: rx.Var[str],
    matches: rx.Var[list[str]],
    open_: rx.Var[bool],
    active: rx.Var[int],
    on_type: Any,
    on_key: Any,
    on_pick: Any,
    on_close: Any,
    list_label: str,
    no_match: str,
    placeholder: str = "",
) -> rx.Component:
    """`label`led text box whose typing narrows `matches`, listed under it (`no_match` “…” when
    none fits)."""
    listbox_id = f"{id_}-options"

    def option(value: rx.Var[str], i: rx.Var[int]) -> rx.Component:
        selected = i == active
        return rx.el.li(
            value,
            id=f"{id_}-option-" + i.to(str),
            role="option",
            aria_selected=rx.cond(selected, "true", "false"),
            # mousedown, not click: the pick happens before the box would lose focus
            on_mouse_down=[rx.prevent_default, on_pick(value)],
            padding="0.35em 0.75em",
            min_height="28px",
            cursor="pointer",
            border_radius="var(--radius-2)",
            background=rx.cond(selected, rx.color("accent", 4), "transparent"),
            _hover={"background": rx.color("accent", 3)},
            list_style="none",
        )

    return rx.vstack(
        small_label(label, id_),
        rx.box(
            rx.input(
                id=id_,
                value=text,
                on_change=on_type,
                debounce_timeout=120,
                on_key_down=on_key,
                on_blur=on_close,
                placeholder=placeholder,
                role="combobox",
                aria_autocomplete="list",
                aria_expanded=rx.cond(open_, "true", "false"),
                aria_controls=listbox_id,
                aria_activedescendant=rx.cond(
                    open_ & (active >= 0), f"{id_}-option-" + active.to(str), None
                ),
                auto_complete="off",
                max_length=100,
                min_width="12rem",
            ),
            rx.box(
                rx.el.ul(
                    rx.foreach(matches, option),
                    id=listbox_id,
                    role="listbox",
                    aria_label=list_label,
                    margin="0",
                    padding="0",
                ),
                rx.cond(
                    matches.length() == 0,
                    muted(no_match, " “", text, "”", padding="0.5em"),
                ),
                hidden=~open_,
                position="absolute",
                top="calc(100% + 4px)",
                left="0",
                z_index="20",
                min_width="100%",
                max_height="16rem",
                overflow_y="auto",
                padding="0.25em",
                background=rx.color("gray", 1),
                border=thin_rule(7),
                border_radius="var(--radius-3)",
                box_shadow="var(--shadow-4)",
            ),
            position="relative",
        ),
        spacing="1",
    )
