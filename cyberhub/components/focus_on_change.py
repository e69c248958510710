"""Puts the keyboard focus back on a field each time a state counter changes (e.g. a refused
sign-in): a submit button in its loading state is disabled, which sends the focus to the page's
body, where a keyboard or screen-reader user loses their place in the form.

The hook is compiled into the page bundle (no eval, which `rx.set_focus` needs), so the strict
CSP allows it.
"""

from __future__ import annotations

import json
import re

import reflex as rx
from reflex.vars import Var

from cyberhub.components.on_change import on_each_change


def focus_on_change(seq: Var[int], *element_ids: str) -> rx.Component:
    """A hidden element that focuses (and selects the text of) the first of `element_ids` on
    the page each time `seq` changes while the page is shown (not for its value at mount)."""
    return on_each_change(
        seq,
        "focus_" + re.sub(r"\W", "_", "_".join(element_ids)),
        f"""  const field = {json.dumps(list(element_ids))}
    .map((id) => document.getElementById(id))
    .find((el) => el !== null);
  if (!field) return;
  field.focus();
  if (typeof field.select === "function") field.select();""",
    )
