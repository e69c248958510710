"""The embedded PostgreSQL's memory follows the machine (issue 18 item 5), within caps, and the
settings can override it with values PostgreSQL understands (nothing else reaches ALTER SYSTEM)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cyberhub.infra import pg_memory_settings
from cyberhub.settings import Settings

GB = 1024**3


@pytest.mark.parametrize(
    ("ram_gb", "shared", "cache", "work"),
    [
        (1, "256MB", "512MB", "4MB"),  # a small VM: a quarter, half, the floor
        (4, "1024MB", "2048MB", "8MB"),  # a laptop
        (24, "2048MB", "12288MB", "16MB"),  # this machine: shared buffers and work_mem capped
        (0.25, "128MB", "256MB", "4MB"),  # never under PostgreSQL's own default
    ],
)
def test_sized_from_ram_within_caps(ram_gb: float, shared: str, cache: str, work: str) -> None:
    assert pg_memory_settings(int(ram_gb * GB)) == {
        "shared_buffers": shared,
        "effective_cache_size": cache,
        "work_mem": work,
    }


def test_a_setting_overrides_only_its_own_value() -> None:
    sized = pg_memory_settings(24 * GB, shared_buffers="512MB", work_mem="64MB")
    assert sized == {
        "shared_buffers": "512MB",
        "effective_cache_size": "12288MB",
        "work_mem": "64MB",
    }


@pytest.mark.parametrize("value", ["512MB", "2GB", "65536kB", ""])
def test_settings_accept_postgres_amounts(value: str) -> None:
    assert Settings(pg_shared_buffers=value).pg_shared_buffers == value


@pytest.mark.parametrize("value", ["2 GB", "lots", "1GB'; DROP TABLE users; --", "-1MB", "1TB"])
def test_settings_refuse_anything_else(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(pg_work_mem=value)
