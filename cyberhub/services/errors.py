"""The small set of domain errors. The state turns them into a message, the API into a status."""

from __future__ import annotations


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


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status_code = 403


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
