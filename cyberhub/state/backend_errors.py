"""What a page shows when one of its events fails on the server.

Service calls made through `ServiceState._call` already turn a database or Redis outage into the
page's own message (state/service.py). Anything else an event does during an outage — the page
guard reading the session, a page that opens a session itself — ends here: instead of Reflex's
"An error occurred. Contact the website administrator.", the person reads that the server is
restarting and to try again (cyberhub/outages.py). Every other error keeps Reflex's handling.
"""

from __future__ import annotations

import logging

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from cyberhub.outages import UNAVAILABLE, is_outage

log = logging.getLogger(__name__)


def backend_error(exception: Exception) -> EventSpec:
    if is_outage(exception):
        log.warning("outage during an event: %s", exception)
        return rx.toast.warning(UNAVAILABLE, id="outage", position="top-center")
    return default_backend_exception_handler(exception)
