"""A page that hits Reflex's "TypeError … of null" race reloads once, without eval.

Reflex's FrontendEventExceptionState answers that error (a render error its error boundary caught,
or an uncaught one) with `rx.call_script("…window.location.reload()")`, which its state.js runs
through eval(): our Content-Security-Policy has no 'unsafe-eval', so the browser refused it and
the user stayed on "An error occurred while rendering this page." with no way on.

`use_static_reload()` empties Reflex's list of errors to answer (the error is still logged), and
assets/reload_on_error.js does the same reload in the page instead (same error texts, same
sessionStorage key and 10 s cooldown, shared with Reflex's reload for a new version of the app).
React reports an error its boundary caught to no window event, so `error_boundary` (app wrap 55,
in place of Reflex's) hands the boundary's error text to that script as well as to the server,
in code compiled into the bundle.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.state import FrontendEventExceptionState
from reflex.vars.function import FunctionStringVar
from reflex_components_core.base.error_boundary import ErrorBoundary

# Reflex's own app wrap key for its error boundary: ours takes its place.
ERROR_BOUNDARY_WRAP = (55, "ErrorBoundary")


def use_static_reload() -> None:
    """Reflex answers no frontend error with a script for eval (it still logs each one)."""
    if not hasattr(FrontendEventExceptionState, "auto_reload_on_errors"):  # a Reflex upgrade
        raise RuntimeError("FrontendEventExceptionState.auto_reload_on_errors is gone: see here")
    FrontendEventExceptionState.auto_reload_on_errors = []


# Called with the boundary's error text ("TypeError: …\n<stack>") right away, not queued behind
# the server's events; a page without the script (it failed to load) just shows the error.
_RELOAD_ON_ERROR: FunctionStringVar[Callable[[str], None]] = FunctionStringVar.create(
    "((text) => window.cyberhubReloadOnError?.(text))"
)


def error_boundary(stateful: bool) -> rx.Component:
    """Reflex's error boundary: the error goes to the server (logged) and to the reload script."""
    return ErrorBoundary.create(
        on_error=[FrontendEventExceptionState.handle_frontend_exception, _RELOAD_ON_ERROR]
    )
