"""TOTP helpers for tests: codes for a given step, and a controllable clock for the MFA service."""

from __future__ import annotations

import time

import pyotp

STEP = 30


def code(secret: str, steps_from_now: int = 0, at: float | None = None) -> str:
    """The code of the step `steps_from_now` away from now (or from `at`)."""
    now = time.time() if at is None else at
    return pyotp.TOTP(secret).at(now + steps_from_now * STEP)


def wait_clear_of_step_boundary(margin: float = 3.0) -> None:
    """Sleep past the next step boundary if it is less than `margin` seconds away.

    Used by browser tests (real clock): a code computed just before a boundary would move one
    step further from the server's window by the time it is checked.
    """
    left = STEP - (time.time() % STEP)
    if left < margin:
        time.sleep(left + 0.2)


class Clock:
    """A fake `time` module for cyberhub.services.identity.mfa: `now` is what time.time() returns."""

    def __init__(self, now: float | None = None) -> None:
        # Middle of a step: tests move by whole steps and never straddle a boundary.
        base = time.time() if now is None else now
        self.now = base - (base % STEP) + STEP / 2

    def time(self) -> float:
        return self.now

    def advance(self, steps: int = 1) -> None:
        self.now += steps * STEP
