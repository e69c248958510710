"""Engine and sessions. Without DATABASE_URL the embedded PostgreSQL under DATA_DIR is used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from psycopg.types.string import StrBinaryDumper, StrDumperUnknown
from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

from cyberhub import infra
from cyberhub.settings import get_settings


def database_url() -> str:
    settings = get_settings()
    if settings.database_url:
        return normalize_url(settings.database_url)

    return infra.start_postgres(settings.pg_data_dir)


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# PostgreSQL text can't hold NUL (0x00): a NUL typed or pasted into a page would make the query
# fail. The JSON API refuses such input with a 422 (api/input_guard.py); everything else that
# reaches the database has its NULs stripped here, in one place, for text and JSON values alike.


def strip_nul(value: Any) -> Any:
    """The value with every NUL character removed from its strings (nested in lists / dicts)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list | tuple):
        return type(value)(strip_nul(v) for v in value)
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    return value


class _NulFreeStrDumper(StrDumperUnknown):
    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", ""))  # type: ignore[return-value]


class _NulFreeStrBinaryDumper(StrBinaryDumper):
    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", ""))  # type: ignore[return-value]


def _json_dumps(value: Any) -> str:
    return json.dumps(strip_nul(value))


@lru_cache
def _engine_for(url: str) -> Engine:
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=_json_dumps
    )

    @event.listens_for(engine, "connect")
    def _nul_free_text(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.adapters.register_dumper(str, _NulFreeStrBinaryDumper)
        dbapi_connection.adapters.register_dumper(str, _NulFreeStrDumper)

    return engine


def get_engine() -> Engine:
    return _engine_for(database_url())


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def ping(engine: Engine | None = None) -> None:
    with (engine or get_engine()).connect() as conn:
        conn.execute(text("SELECT 1"))
