"""One settings object for the whole product, read from the environment and `.env`.

Every variable is documented in `.env.example`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me-in-production"
VERSION = "0.1.0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    cyberhub_env: Literal["development", "test", "production"] = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    # Earlier SECRET_KEYs, comma-separated: MFA secrets encrypted with them still decrypt after
    # a rotation (new writes always use SECRET_KEY).
    secret_key_previous: str = ""

    # Unset -> embedded PostgreSQL (pgvector) and embedded Redis under data_dir.
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = ROOT / ".data"

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
    lockout_threshold: int = 5
    lockout_window_minutes: int = 15
    lockout_minutes: int = 15
    auth_rate_limit_per_minute: int = 30

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "CyberHub <no-reply@cyberhub.local>"
    smtp_starttls: bool = True

    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    load_demo_data: bool = True

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
        if self.secret_key == DEFAULT_SECRET_KEY:
            problems.append(
                "SECRET_KEY is the built-in development key; anyone could forge sessions. "
                'Set SECRET_KEY to a long random value (e.g. `python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"`).'
            )
        elif len(self.secret_key) < 32:
            problems.append("SECRET_KEY must be at least 32 characters in production.")
        if problems:
            raise ProductionConfigError(
                "CyberHub refuses to start in production mode:\n- " + "\n- ".join(problems)
            )


class ProductionConfigError(RuntimeError):
    """Raised when CYBERHUB_ENV=production is combined with unsafe settings."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
