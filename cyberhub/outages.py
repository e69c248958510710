"""PostgreSQL or Redis away for a moment (a restart, a failover): what the app says meanwhile.

Nothing here reconnects: the engine checks each pooled connection before use
(`pool_pre_ping`, cyberhub/db.py) and redis-py opens a new connection on the next command, so
the first request after the server is back simply works. What a request that lands *during* the
outage gets is decided here, once: the JSON API answers 503 `{"detail": UNAVAILABLE}` with
Retry-After (api/errors.py), a page shows the same sentence as its message
(state/service.py), and the worker retries the job with backoff (worker/broker.py).
"""

from __future__ import annotations

import psycopg
import redis.exceptions
import sqlalchemy.exc

# The errors of a database or Redis that cannot be reached (or dropped the connection). A lock
# or statement timeout is an OperationalError too: "try again" is the right answer to it as well.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection came free in time
    psycopg.OperationalError,
    psycopg.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

UNAVAILABLE = (
    "CyberHub can't reach its database right now (it is probably restarting). "
    "Please try again in a moment."
)

# Seconds a client should wait before trying again (the API's Retry-After).
RETRY_AFTER_S = 5


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)
