"""What a page shows when one of its events fails on the server.

Service calls made through `ServiceState._call` already turn a database or Redis outage into the
page's own message (state/service.py). Anything else an event does during an outage — the page
guard reading the session, a page that opens a session itself — ends here: the person reads that
the server is restarting and to try again (cyberhub/outages.py); any other error is logged as
Reflex logs it and the page says something went wrong. Both show at the top of the page
(state/server_error.py), not in Reflex's toast, which our Content-Security-Policy blocks.
"""

from __future__ import annotations

import logging

from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from cyberhub.outages import UNAVAILABLE, is_outage
from cyberhub.state.server_error import ServerErrorState

log = logging.getLogger(__name__)


SOMETHING_WENT_WRONG = (
    "Something went wrong on our side and that was not done. Try again; if it keeps happening, "
    "tell your administrator."
)


def backend_error(exception: Exception) -> EventSpec:
    """The page's notice (ServerErrorState) for an event that failed on the server. Reflex's
    own answer, a toast, would reach the browser as code to eval, which the CSP refuses."""
    if is_outage(exception):
        log.warning("outage during an event: %s", exception)
        return ServerErrorState.show(UNAVAILABLE)
    default_backend_exception_handler(exception)  # logs the traceback, as Reflex does
    return ServerErrorState.show(SOMETHING_WENT_WRONG)
