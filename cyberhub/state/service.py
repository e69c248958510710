"""The one way a page state calls a service.

A page state mixes in `ServiceState` and writes one line of intent per call:

    class NotificationsPageState(ServiceState, rx.State):
        error: str = ""

        @rx.event
        async def mark_all(self) -> None:
            done = await self._call(notifications.mark_read, "all")
            if done:
                self.notice = f"Marked {done.value} read."

`_call(fn, *args)` runs, in one worker thread and one `db.session_scope()` transaction, the
check of the tab's session cookie against the database (revoked or expired sessions and
deactivated accounts give no principal, on every event) and then `fn(session, principal, *args)`
— so the event loop never blocks, the transaction commits on success (and jobs enqueued in it are
sent after the commit), and rolls back on error. One thread hop and one transaction per call, not
two: an in-page event's own server time was mostly fixed costs like these (bench/ui_latency.py). A `DomainError` becomes the page's message: `_report`
writes it to the mixin's `error` var (override `_report` to show it elsewhere) and the returned
`Outcome` is falsy. `_try` is the same call without the message (e.g. a silent mark-as-read).
Any other exception propagates as before (a bug, not a message), except a database or Redis
outage (a restart), which becomes the "please try again" message of cyberhub/outages.py, and the
database refusing the second of two changes of one row at once (a unique constraint, a row
deleted meanwhile), which becomes CHANGED_AT_ONCE (services/errors.py).

Methods are underscore-prefixed: Reflex turns every public state method into an event handler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import reflex as rx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cyberhub import db
from cyberhub.outages import OUTAGE_ERRORS, UNAVAILABLE
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import CHANGED_AT_ONCE, DomainError, is_changed_at_once
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState, principal_of_token

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call gave: its value, or the domain error's message. Truthy when it worked;
    read `value` only then."""

    value: T
    error: str = ""
    code: str = ""  # the DomainError's class name when it failed ("NotFound", "Forbidden", ...)

    def __bool__(self) -> bool:
        return not self.error


def _failed(exc: DomainError) -> Outcome[Any]:
    return Outcome(value=None, error=exc.message, code=type(exc).__name__)


def run_in_session(
    fn: Callable[Concatenate[Session, Principal | None, P], T],
    principal: Principal | None,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`fn(session, principal, *args)` in one committed transaction (call it in a thread)."""
    with db.session_scope() as session:
        return fn(session, principal, *args, **kwargs)


def run_for_token(
    token: str,
    fn: Callable[Concatenate[Session, Principal | None, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> tuple[Principal | None, Outcome[T]]:
    """The session token's principal and `fn(session, principal, *args)`, in one committed
    transaction (rolled back when fn raises); a DomainError comes back in the Outcome. Call it in
    a thread."""
    principal = None
    try:
        with db.session_scope() as session:
            principal = principal_of_token(session, token)
            value = fn(session, principal, *args, **kwargs)
    except DomainError as exc:
        return principal, _failed(exc)
    except OUTAGE_ERRORS as exc:
        # The database (or Redis) is restarting: the transaction rolled back; the page says to
        # try again, and the next event reconnects (cyberhub/outages.py).
        log.warning("outage during %s: %s", getattr(fn, "__name__", fn), exc)
        return principal, Outcome(value=None, error=UNAVAILABLE, code="Unavailable")
    except (IntegrityError, StaleDataError) as exc:
        if not is_changed_at_once(exc):
            raise
        # Two changes of one row at once that no lock made take turns (services/errors.py).
        log.warning("changed at once during %s: %s", getattr(fn, "__name__", fn), exc)
        return principal, Outcome(value=None, error=CHANGED_AT_ONCE, code="Conflict")
    return principal, Outcome(value=value)


class ServiceState(rx.State, mixin=True):
    """Mix into a page state to call services through `_call` (see the module docstring)."""

    # The page's message when a service refused (shown by the page's error callout).
    error: str = ""

    async def _principal(self) -> Principal | None:
        """The signed-in user, re-read from the session cookie (None when signed out)."""
        return await (await self.get_state(SessionState)).principal()

    def _meta(self) -> RequestMeta:
        """Where this event comes from (IP, user agent), for services that audit."""
        return request_meta(self)

    async def _time_zone(self) -> str:
        """The signed-in user's IANA time zone, for `cyberhub.formatting.when`."""
        return (await self.get_state(SessionState)).time_zone

    def _report(self, message: str) -> None:
        """Show a service's refusal; pages with a differently named message var override this."""
        self.error = message

    async def _try(
        self,
        fn: Callable[Concatenate[Session, Principal | None, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome[T]:
        """Run a service for the signed-in user; a DomainError comes back in the Outcome only."""
        session_state = await self.get_state(SessionState)
        principal, outcome = await asyncio.to_thread(
            run_for_token, session_state._session_token(), fn, *args, **kwargs
        )
        session_state._apply(principal)
        return outcome

    async def _call(
        self,
        fn: Callable[Concatenate[Session, Principal | None, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome[T]:
        """Run a service for the signed-in user; a DomainError becomes the page's message."""
        outcome = await self._try(fn, *args, **kwargs)
        if not outcome:
            self._report(outcome.error)
        return outcome
