"""The small set of domain errors. The state turns them into a message, the API into a status."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(DomainError):
    """The input breaks a rule; the message says which."""

    status_code = 422


class Unauthenticated(DomainError):
    """No valid credentials were presented."""

    status_code = 401


MFA_CODE_PROMPT = "Enter the 6-digit code from your authenticator app."


class MfaRequired(Unauthenticated):
    """The password was right; the account has two-factor authentication and needs its code."""

    def __init__(self, message: str = MFA_CODE_PROMPT) -> None:
        super().__init__(message)


class AccountDeactivated(Unauthenticated):
    """The account is deactivated: what it holds doesn't work, and no new e-mailed link is sent
    to it (so a page doesn't offer to ask for one)."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status_code = 403


class ReauthRequired(Forbidden):
    """A sensitive change needs the current password (or a TOTP code) sent with it."""


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Locked(DomainError):
    """The account is locked after too many failed sign-ins."""

    status_code = 423

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Gone(DomainError):
    """It existed but no longer does (an expired download)."""

    status_code = 410


# What the loser of a race hears when the database, not a rule's own check, refused its change:
# two requests saved or deleted the same thing at the same moment (see is_changed_at_once).
CHANGED_AT_ONCE = (
    "Someone else saved or deleted the same thing at this very moment. "
    "Reload the page and check before trying again."
)


def is_changed_at_once(exc: BaseException) -> bool:
    """Two requests changed one row at once and the rule had no lock for it: a unique
    constraint refused the second's row (SQLSTATE 23505), or the row the second was updating
    had been deleted meanwhile (StaleDataError: 0 rows matched). The rules check before they
    write, under a lock where a race was found (every lock is listed in
    services/locks.py); for the others the API (409) and the pages answer with
    CHANGED_AT_ONCE rather than a server error."""
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, IntegrityError) and getattr(exc.orig, "sqlstate", None) == "23505"
