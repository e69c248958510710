"""What a page says when one of its events failed on the server (state/backend_errors.py).

Reflex's own answer to a failed event is a toast sent from the server, which its client runs
through eval(): our Content-Security-Policy has no 'unsafe-eval', so the browser refused it and
the person saw nothing happen. This state holds the sentence instead; the shell shows it at the
top of every page, with a button to close it.
"""

from __future__ import annotations

import reflex as rx

MESSAGE_MAX = 300


class ServerErrorState(rx.State):
    message: str = ""

    @rx.event
    def show(self, message: str) -> None:
        self.message = str(message)[:MESSAGE_MAX]

    @rx.event
    def dismiss(self) -> None:
        self.message = ""
