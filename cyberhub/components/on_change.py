"""A hidden element that runs a piece of JavaScript each time a state counter changes while the
page is shown (not for the value the counter had when the page mounted): what the server wants
done in the browser after an event (scroll to a form, put a new address in the bar).

The hook is compiled into the page bundle (no eval, which rx.call_script and its kin need), so
the strict CSP allows it.
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportDict, ImportVar, merge_imports
from reflex.vars import Var, VarData

_REACT: ImportDict = {"react": [ImportVar(tag="useEffect"), ImportVar(tag="useRef")]}


def on_each_change(
    seq: Var[int],
    name: str,
    body: str,
    *,
    setup: str = "",
    reads: VarData | None = None,
    imports: ImportDict | None = None,
) -> rx.Component:
    """Run `body` (JavaScript statements, each line indented by two spaces) each time `seq`
    changes. `name` names the hook's ref (`<name>Seen`): one per page. `setup` is JavaScript
    put before it (the React hooks `body` uses, each line ending in a newline); `reads` is what
    `body` reads of the state besides `seq`, `imports` what `setup` needs."""
    n = str(seq)
    seen = f"{name}Seen"
    hook = f"""{setup}const {seen} = useRef({n});
useEffect(() => {{
  if ({n} === {seen}.current) return;
  {seen}.current = {n};
{body}
}}, [{n}]);"""
    read = VarData.merge(seq._get_all_var_data(), reads)
    wanted = merge_imports(_REACT, imports or {})
    sync: Var[None] = Var(
        _js_expr="null",
        _var_type=type(None),
        _var_data=VarData.merge(read, VarData(imports=wanted, hooks={hook: read})),
    )
    return rx.fragment(sync)
