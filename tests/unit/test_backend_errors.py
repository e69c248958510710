"""An event failing during a database restart tells the person to try again, not "contact the
administrator"; any other failure keeps Reflex's own message."""

from __future__ import annotations

import sqlalchemy.exc

from cyberhub.outages import UNAVAILABLE
from cyberhub.state.backend_errors import backend_error


def test_an_outage_says_try_again() -> None:
    gone = sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, Exception("server closed the connection")
    )
    spec = str(backend_error(gone))
    assert UNAVAILABLE in spec


def test_any_other_error_keeps_reflex_message() -> None:
    spec = str(backend_error(ValueError("a bug")))
    assert UNAVAILABLE not in spec
    assert "An error occurred." in spec
