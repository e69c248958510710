"""Server-side timers for bench/event_profile.py, loaded into the app's processes via PYTHONPATH.

Does nothing unless EVENT_PROFILE_OUT is set. Then, per in-page event the backend processes, it
appends one JSON line to $EVENT_PROFILE_OUT: the handler's total time (state lock, load, handler,
delta, save), SQL statements and their time, time in the service thread, Redis commands (ms,
bytes in and out) and the delta bytes sent; and it keeps a cProfile per event name (the event
loop's thread and the service thread) in $EVENT_PROFILE_OUT.<name>.{loop,thread}.prof.
"""

from __future__ import annotations

import os

OUT = os.environ.get("EVENT_PROFILE_OUT")


def _install(out: str) -> None:  # noqa: C901 - one place for every patch
    import contextlib
    import contextvars
    import cProfile
    import functools
    import json
    import time
    from pathlib import Path

    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    current: contextvars.ContextVar[dict | None] = contextvars.ContextVar("ev_stats", default=None)
    profiles: dict[str, cProfile.Profile] = {}

    def profile(key: str) -> cProfile.Profile:
        return profiles.setdefault(key, cProfile.Profile())

    @sa_event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        conn.info.setdefault("ev_t0", []).append(time.perf_counter())

    @sa_event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        t0 = conn.info["ev_t0"].pop()
        stats = current.get()
        if stats is not None:
            stats["sql_n"] += 1
            stats["sql_ms"] += (time.perf_counter() - t0) * 1000
            stats["sql"].append(" ".join(statement.split())[:90])

    def _size(value: object) -> int:
        if isinstance(value, bytes | bytearray | str):
            return len(value)
        if isinstance(value, list | tuple):
            return sum(_size(v) for v in value)
        if isinstance(value, dict):
            return sum(_size(k) + _size(v) for k, v in value.items())
        return 0

    import redis.asyncio.client as rc

    native_exec = rc.Redis.execute_command

    async def execute_command(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        stats = current.get()
        t0 = time.perf_counter()
        result = await native_exec(self, *args, **kwargs)
        if stats is not None:
            stats["redis_n"] += 1
            stats["redis_ms"] += (time.perf_counter() - t0) * 1000
            stats["redis_out"] += _size(list(args[1:]))
            stats["redis_in"] += _size(result)
        return result

    rc.Redis.execute_command = execute_command  # type: ignore[method-assign]

    native_pipe = rc.Pipeline.execute

    async def pipe_execute(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        stats = current.get()
        sent = sum(_size(list(c[0][1:])) for c in getattr(self, "command_stack", []))
        t0 = time.perf_counter()
        result = await native_pipe(self, *args, **kwargs)
        if stats is not None:
            stats["redis_n"] += 1
            stats["redis_ms"] += (time.perf_counter() - t0) * 1000
            stats["redis_out"] += sent
            stats["redis_in"] += _size(result)
        return result

    rc.Pipeline.execute = pipe_execute  # type: ignore[method-assign]

    from reflex.app import EventNamespace

    native_emit = EventNamespace.emit_update

    async def emit_update(self, update, token):  # noqa: ANN001
        stats = current.get()
        if stats is not None:
            with contextlib.suppress(Exception):  # a figure, never a failure
                stats["delta_bytes"] += len(json.dumps(update.delta, default=str))
            stats["frames"] += 1
        return await native_emit(self, update, token)

    EventNamespace.emit_update = emit_update  # type: ignore[method-assign]

    from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

    native_execute = BaseStateEventProcessor._execute_event
    patched_service: list[bool] = []

    def patch_service() -> None:
        from cyberhub.state import service

        for name in ("run_for_token", "run_in_session"):
            native = getattr(service, name)

            def timed(*args, __native=native, **kwargs):  # noqa: ANN002, ANN003
                stats = current.get()
                t0 = time.perf_counter()
                prof = profile(f"{stats['name']}.thread") if stats else None
                if prof:
                    prof.enable()
                try:
                    return __native(*args, **kwargs)
                finally:
                    if prof:
                        prof.disable()
                    if stats is not None:
                        stats["service_n"] += 1
                        stats["service_ms"] += (time.perf_counter() - t0) * 1000

            setattr(service, name, functools.wraps(native)(timed))
        patched_service.append(True)

    async def execute_event(self, *, entry, registered_handler):  # noqa: ANN001
        if not patched_service:
            patch_service()
        name = entry.event.name.rsplit(".", 2)
        name = ".".join(name[-2:]).replace("___", ".")
        stats = {
            "name": name,
            "sql_n": 0,
            "sql_ms": 0.0,
            "sql": [],
            "service_n": 0,
            "service_ms": 0.0,
            "redis_n": 0,
            "redis_ms": 0.0,
            "redis_in": 0,
            "redis_out": 0,
            "delta_bytes": 0,
            "frames": 0,
        }
        token = current.set(stats)
        prof = profile(f"{name}.loop")
        t0 = time.perf_counter()
        prof.enable()
        try:
            return await native_execute(self, entry=entry, registered_handler=registered_handler)
        finally:
            prof.disable()
            stats["total_ms"] = (time.perf_counter() - t0) * 1000
            current.reset(token)
            with Path(out).open("a") as fh:
                fh.write(json.dumps(stats) + "\n")
            for key, p in list(profiles.items()):
                if key.startswith(name + "."):
                    p.dump_stats(f"{out}.{key}.prof")

    BaseStateEventProcessor._execute_event = execute_event  # type: ignore[method-assign]


if OUT:
    _install(OUT)
