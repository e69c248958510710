"""Two writes at the same moment, as a double click or two people make them.

`second_while_first_holds(first, second)` runs `first` in its own committed transaction and,
once it has written but before it commits, `second` in another; the first holds its
transaction open for a moment, so the second's checks run against uncommitted work, which is
the window a check-then-write rule loses. Each answers "ok", the domain error's message (what
the person would read), or the class name of any other exception (what would have been a 500).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session

from cyberhub import db
from cyberhub.services.errors import DomainError

HOLD_SECONDS = 0.5


def _answer(write: Callable[[Session], object], written: threading.Event | None = None) -> str:
    try:
        with db.session_scope() as s:
            write(s)
            if written is not None:
                written.set()
                threading.Event().wait(HOLD_SECONDS)  # hold the transaction open
    except DomainError as exc:
        return exc.message
    except Exception as exc:
        return type(exc).__name__
    finally:
        if written is not None:
            written.set()  # a first that failed must not keep the second waiting
    return "ok"


def second_while_first_holds(
    first: Callable[[Session], object], second: Callable[[Session], object]
) -> tuple[str, str]:
    """The answers of `first` and of `second`, the second run while the first's transaction
    holds what it wrote, uncommitted."""
    written = threading.Event()
    answers: dict[str, str] = {}

    def run_first() -> None:
        answers["first"] = _answer(first, written)

    def run_second() -> None:
        written.wait(10)
        answers["second"] = _answer(second)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers.get("first", "no answer"), answers.get("second", "no answer")


def pause_at(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> threading.Event:
    """Make `module.name` (a function a write calls midway) set the returned event, then wait
    HOLD_SECONDS before it runs: the write holds what it locked before that call while another
    runs (second_when_first_reaches)."""
    original = getattr(module, name)
    reached = threading.Event()

    def paused(*args: object, **kwargs: object) -> object:
        reached.set()
        threading.Event().wait(HOLD_SECONDS)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, paused)
    return reached


def second_when_first_reaches(
    first: Callable[[Session], object],
    second: Callable[[Session], object],
    reached: threading.Event,
) -> tuple[str, str]:
    """The answers of `first` and of `second`, the second started once the first has reached
    the point `pause_at` marks (and pauses there, holding what it locked before it)."""
    answers: dict[str, str] = {}

    def run_first() -> None:
        try:
            answers["first"] = _answer(first)
        finally:
            reached.set()  # a first that failed before the point must not keep the second waiting

    def run_second() -> None:
        reached.wait(10)
        answers["second"] = _answer(second)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers.get("first", "no answer"), answers.get("second", "no answer")
