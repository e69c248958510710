"""An event failing on the server is said at the top of the page (ServerErrorState), not in
Reflex's toast, which reaches the browser as code to eval and is refused by our
Content-Security-Policy (the person saw nothing). During a database restart it says to try
again; any other failure says something went wrong, and is logged with its traceback."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy.exc

from cyberhub.outages import UNAVAILABLE
from cyberhub.state.backend_errors import SOMETHING_WENT_WRONG, backend_error
from cyberhub.state.server_error import ServerErrorState


def _shown(spec: object) -> str:
    """The sentence an EventSpec for ServerErrorState.show carries."""
    handler = getattr(spec, "handler", None)
    assert handler is not None and handler.fn is ServerErrorState.show.fn  # type: ignore[attr-defined]
    [(_, value)] = spec.args  # type: ignore[attr-defined]
    return str(value)


def test_an_outage_says_try_again() -> None:
    gone = sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, Exception("server closed the connection")
    )
    assert UNAVAILABLE in _shown(backend_error(gone))


def test_any_other_error_says_something_went_wrong_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        said = _shown(backend_error(ValueError("a bug")))
    assert SOMETHING_WENT_WRONG in said and "a bug" not in said
    assert "ValueError: a bug" in caplog.text


def test_the_notice_is_shown_and_closed() -> None:
    state = ServerErrorState()
    ServerErrorState.show.fn(state, "x" * 1000)  # type: ignore[attr-defined]
    assert state.message == "x" * 300
    ServerErrorState.dismiss.fn(state)  # type: ignore[attr-defined]
    assert state.message == ""
