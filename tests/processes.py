"""Start and stop the real worker and web processes for integration and browser tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, overload

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
T = TypeVar("T")


@overload
def run_in_own_loop(coro: Coroutine[Any, Any, T]) -> T: ...
@overload
def run_in_own_loop(coro: AsyncIterator[Any]) -> list[Any]: ...
def run_in_own_loop(coro: Coroutine[Any, Any, T] | AsyncIterator[Any]) -> T | list[Any]:
    """asyncio.run on a thread of its own: in the full suite the browser tests' session-wide
    Playwright (sync API) keeps an event loop running on the main thread, and asyncio.run
    refuses to nest (a test run alone would not notice). A handler that yields (to show its
    spinner first) is run to its end; what it yielded (the events it asked for) comes back."""
    with ThreadPoolExecutor(1) as pool:
        if isinstance(coro, AsyncIterator):
            return pool.submit(asyncio.run, _to_the_end(coro)).result()
        return pool.submit(asyncio.run, coro).result()


async def _to_the_end(events: AsyncIterator[Any]) -> list[Any]:
    return [e async for e in events if e is not None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CYBERHUB_BROKER"}
    env.update(overrides)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A real Dramatiq worker process on the Redis broker (as command 1 starts it)."""
    return subprocess.Popen(
        [
            str(BIN / "dramatiq"),
            "worker.actors",
            "--processes",
            "1",
            "--threads",
            "2",
            "--queues",
            "default",
            "ai",
            "coach",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """The Reflex production build on one port (frontend, websocket and /api/v1)."""
    return subprocess.Popen(
        [
            str(BIN / "reflex"),
            "run",
            "--env",
            "prod",
            "--backend-host",
            "127.0.0.1",
            "--frontend-port",
            str(port),
            "--backend-port",
            str(port),
        ],
        cwd=ROOT,
        # unbuffered: a failed journey's report shows what the server logged during it
        env={**env, "APP_PORT": str(port), "GRANIAN_WORKERS": "1", "PYTHONUNBUFFERED": "1"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_for_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except Exception:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} not ready after {timeout} s:\n{log.read_text()[-4000:]}")
