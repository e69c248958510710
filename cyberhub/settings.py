"""One settings object for the whole product, read from the environment and `.env`.

Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# The placeholder older versions shipped in `.env.example`: published, so never a secret. It is
# treated as "not set" (development generates a key; production refuses to start).
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me-in-production"
# Where development keeps its generated SECRET_KEY, inside DATA_DIR (mode 0600).
SECRET_KEY_FILE = "secret_key"
VERSION = "0.1.0"

log = logging.getLogger(__name__)


# An amount of memory as PostgreSQL writes it, or "" (sized from the machine).
PG_MEMORY = r"^(\d{1,7}(kB|MB|GB))?$"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore", env_ignore_empty=True)

    cyberhub_env: Literal["development", "test", "production"] = "development"
    # Unset outside production: a random key is generated once and kept in DATA_DIR/secret_key.
    secret_key: str = ""
    # Earlier SECRET_KEYs, comma-separated: MFA secrets encrypted with them still decrypt after
    # a rotation (new writes always use SECRET_KEY).
    secret_key_previous: str = ""
    # A bearer token that lets a Prometheus scraper on another machine read /api/v1/metrics.
    # Unset: only requests made on this machine (loopback, not through a proxy) and admins.
    metrics_token: str = ""

    # Unset -> embedded PostgreSQL (pgvector) and embedded Redis under data_dir.
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = ROOT / ".data"
    # Memory of the embedded PostgreSQL only (never a DATABASE_URL server), in PostgreSQL's
    # units ("512MB", "2GB"). Empty: sized from the machine's RAM when `make run` starts it
    # (infra.pg_memory_settings: shared_buffers 25 % capped at 2GB, effective_cache_size 50 %,
    # work_mem RAM/512 within 4-16MB), so a laptop's first dashboards are near the warm ones.
    pg_shared_buffers: str = Field(default="", pattern=PG_MEMORY)
    pg_effective_cache_size: str = Field(default="", pattern=PG_MEMORY)
    pg_work_mem: str = Field(default="", pattern=PG_MEMORY)

    app_host: str = "127.0.0.1"
    app_port: int = 3000
    # Base URL used in e-mailed links; defaults to http://app_host:app_port. Its origin is the
    # only one allowed for CORS and the websocket, and https here turns on HSTS in production
    # (security_headers.py).
    public_url: str | None = None
    web_workers: int = Field(default=1, ge=1)
    worker_processes: int = Field(default=1, ge=1)
    worker_threads: int = Field(default=2, ge=1)
    # A job that runs longer than this is interrupted and retried (milliseconds).
    job_time_limit_ms: int = 10 * 60 * 1000

    # bcrypt work factor; 12 or more outside tests.
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    access_token_minutes: int = 60
    refresh_token_days: int = 7
    magic_link_minutes: int = 15
    password_reset_minutes: int = 60
    # Wrong passwords (or codes) from one address for one account within the window lock that
    # account for that address only: the owner still signs in from elsewhere or by e-mail link.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_window_minutes: int = Field(default=15, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Failures for one account from all addresses together that pause password sign-in for
    # everyone (a spread-out attack); the e-mailed sign-in link still works.
    lockout_account_threshold: int = Field(default=50, ge=1)
    # Auth requests per minute from one address (a classroom behind one NAT shares it) ...
    auth_rate_limit_per_minute: int = Field(default=120, ge=1)
    # ... and sign-in attempts per minute for one account from one address.
    auth_rate_limit_per_account_per_minute: int = Field(default=10, ge=1)
    # Public certificate verifications (page data and PDF, /api/v1/certificates/<code>) per
    # minute from one address: codes are unguessable; this keeps a scraper from hammering.
    certificate_rate_limit_per_minute: int = Field(default=60, ge=1)
    # How long a finished export (roster, gradebook, own data, ...) can be downloaded; the
    # periodic sweep then deletes its file (DATA_DIR/exports) and its row.
    export_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    # Requests per minute from one address to the public calendar feeds
    # (/api/v1/calendar/<token>.ics): calendar apps poll every few hours; this stops a scraper.
    calendar_rate_limit_per_minute: int = Field(default=60, ge=1)
    # Learners who have not handed in a mission are reminded (bell + e-mail) this many days
    # before its cohort due date, once per due date (the reminder sweep runs hourly).
    reminder_days_before: int = Field(default=2, ge=1, le=30)
    # The AI coach recomputes a learner's plan this many seconds after the first of a burst of
    # changes (check-ins, goals, reflections, submissions, reviews): one job for the burst.
    coach_debounce_seconds: int = Field(default=30, ge=0, le=3600)
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks,
    # e.g. "127.0.0.1, 10.0.0.0/8"). Empty: the TCP peer is the client.
    trusted_proxies: str = ""

    # Director analytics (services/learning/analytics.py): a learner is "at risk" after this
    # many calendar days (in their own time zone) without any activity ...
    at_risk_inactive_days: int = Field(default=7, ge=1)
    # ... when a mentor's "changes requested" has waited this many calendar days (theirs too)
    # without a resubmission ...
    at_risk_changes_days: int = Field(default=5, ge=1)
    # ... or when their profiler confidence is low and nothing is approved this many calendar
    # days (theirs) after they enrolled.
    at_risk_no_progress_days: int = Field(default=14, ge=1)
    # A programme with at least this many cohorts gets its whole-programme analytics (no filter)
    # from a snapshot the worker refreshes every few minutes (refresh_program_analytics) instead
    # of computing them on each page load (seconds at 400 cohorts); smaller ones stay live.
    analytics_snapshot_min_cohorts: int = Field(default=50, ge=1)
    # A snapshot older than this many seconds is not shown (the figures are computed live).
    analytics_snapshot_max_age_seconds: int = Field(default=900, ge=60)

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "CyberHub <no-reply@cyberhub.local>"
    smtp_starttls: bool = True

    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    # Unset: on in development and test, off in production (where an explicit on is refused).
    load_demo_data: bool | None = None
    # The /dev/mailbox page (every e-mail, for loopback clients only). Unset: on outside
    # production; production refuses to start with it on.
    dev_mailbox: bool | None = None

    @model_validator(mode="after")
    def _environment_defaults(self) -> Settings:
        if self.load_demo_data is None:
            self.load_demo_data = not self.is_production
        if self.dev_mailbox is None:
            self.dev_mailbox = not self.is_production
        if self.secret_key == DEFAULT_SECRET_KEY and not self.is_production:
            log.warning("SECRET_KEY is the published placeholder: using a generated key instead")
            self.secret_key = ""
        if not self.secret_key and not self.is_production:
            self.secret_key = _development_secret_key(self.data_dir)
        return self

    @property
    def demo_data_enabled(self) -> bool:
        return bool(self.load_demo_data)

    @property
    def dev_mailbox_enabled(self) -> bool:
        return bool(self.dev_mailbox)

    @property
    def is_production(self) -> bool:
        return self.cyberhub_env == "production"

    @property
    def embedded_database(self) -> bool:
        return not self.database_url

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def pg_data_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def redis_data_dir(self) -> Path:
        return self.data_dir / "redis"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.app_host}:{self.app_port}"

    def check_production_ready(self) -> None:
        """Refuse to run production with settings that are only safe for development."""
        if not self.is_production:
            return
        problems = []
        how = (
            'Set SECRET_KEY to a long random value (e.g. `python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"`).'
        )
        if not self.secret_key:
            problems.append(f"SECRET_KEY is not set; it signs every session. {how}")
        elif self.secret_key == DEFAULT_SECRET_KEY:
            problems.append(
                "SECRET_KEY is the published development placeholder; anyone could forge "
                f"sessions. {how}"
            )
        elif len(self.secret_key) < 32:
            problems.append(f"SECRET_KEY must be at least 32 characters in production. {how}")
        if self.load_demo_data:
            problems.append(
                "LOAD_DEMO_DATA is on: the demo accounts (a global admin among them) have a "
                "published password. Set LOAD_DEMO_DATA=false (the default in production) and "
                "create your first admin with `make admin`."
            )
        if self.dev_mailbox:
            problems.append(
                "DEV_MAILBOX is on: /dev/mailbox shows every sign-in and password-reset link. "
                "Set DEV_MAILBOX=false (the default in production) and configure SMTP_HOST."
            )
        if problems:
            raise ProductionConfigError(
                "CyberHub refuses to start in production mode (CYBERHUB_ENV=production):\n- "
                + "\n- ".join(problems)
            )


def _development_secret_key(data_dir: Path) -> str:
    """The key development signs with: made once, at random, kept in DATA_DIR (mode 0600).

    Every process of one checkout (web, worker, scheduler, tests) reads the same file; the first
    to need it creates it atomically (write a private temp file, then hard-link it into place).
    """
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(tmp, path)
        finally:
            Path(tmp).unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ProductionConfigError(
            f"{path} does not hold a usable key; delete it (a new one is made) or set SECRET_KEY."
        )
    return key


class ProductionConfigError(RuntimeError):
    """Raised when CYBERHUB_ENV=production is combined with unsafe settings."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
