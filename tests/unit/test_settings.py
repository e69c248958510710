"""Settings: production refuses unsafe defaults, saying what to change; development is safe too."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cyberhub.settings import DEFAULT_SECRET_KEY, ProductionConfigError, Settings

pytestmark = [pytest.mark.auth]

REAL_KEY = secrets.token_urlsafe(48)


def make(**kwargs: Any) -> Settings:
    """Settings from keyword arguments only: no `.env` file is read (values are raw, as from the env)."""
    return Settings(_env_file=None, **kwargs)


def production(**kwargs: Any) -> Settings:
    return make(cyberhub_env="production", **kwargs)


class TestProductionReadiness:
    def test_production_with_the_default_secret_key_refuses_to_start(self) -> None:
        settings = make(cyberhub_env="production", secret_key=DEFAULT_SECRET_KEY)
        assert settings.is_production
        with pytest.raises(ProductionConfigError) as info:
            settings.check_production_ready()
        message = str(info.value)
        assert "production" in message
        assert "SECRET_KEY" in message
        # The operator is told what to do about it, not only what is wrong.
        assert "long random value" in message
        assert "secrets.token_urlsafe" in message

    def test_production_without_a_secret_key_refuses_to_start(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
        settings = production(data_dir=tmp_path)
        with pytest.raises(ProductionConfigError, match="SECRET_KEY is not set") as info:
            settings.check_production_ready()
        assert "secrets.token_urlsafe" in str(info.value)
        # Production never invents a key of its own.
        assert not (tmp_path / "secret_key").exists()

    def test_production_with_the_defaults_names_every_problem(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("SECRET_KEY", "LOAD_DEMO_DATA", "DEV_MAILBOX"):
            monkeypatch.delenv(name, raising=False)
        settings = production()
        # Demo data and the dev mailbox are off by default in production.
        assert settings.load_demo_data is False and settings.dev_mailbox is False
        with pytest.raises(ProductionConfigError) as info:
            settings.check_production_ready()
        assert "LOAD_DEMO_DATA" not in str(info.value) and "DEV_MAILBOX" not in str(info.value)

    def test_production_with_demo_data_refuses_to_start(self) -> None:
        settings = production(secret_key=REAL_KEY, load_demo_data=True)
        with pytest.raises(ProductionConfigError) as info:
            settings.check_production_ready()
        message = str(info.value)
        assert "LOAD_DEMO_DATA" in message and "LOAD_DEMO_DATA=false" in message
        assert "make admin" in message  # how to get an admin instead

    def test_production_with_the_dev_mailbox_refuses_to_start(self) -> None:
        settings = production(secret_key=REAL_KEY, dev_mailbox=True)
        with pytest.raises(ProductionConfigError) as info:
            settings.check_production_ready()
        message = str(info.value)
        assert "DEV_MAILBOX" in message and "DEV_MAILBOX=false" in message
        assert "SMTP_HOST" in message

    def test_production_with_a_real_key_has_no_demo_data_and_no_mailbox(self) -> None:
        settings = production(secret_key=REAL_KEY)
        settings.check_production_ready()  # does not raise
        assert not settings.demo_data_enabled and not settings.dev_mailbox_enabled

    def test_production_with_a_short_secret_key_is_refused(self) -> None:
        settings = make(cyberhub_env="production", secret_key="too-short-but-custom")
        with pytest.raises(
            ProductionConfigError, match="SECRET_KEY must be at least 32 characters"
        ):
            settings.check_production_ready()

    def test_a_key_of_exactly_32_characters_is_enough(self) -> None:
        production(secret_key="k" * 32).check_production_ready()

    def test_production_with_a_long_random_key_passes(self) -> None:
        settings = make(cyberhub_env="production", secret_key=secrets.token_urlsafe(48))
        settings.check_production_ready()  # does not raise

    @pytest.mark.parametrize("env", ["development", "test"])
    def test_outside_production_the_published_key_is_never_used(
        self, env: str, tmp_path: Path
    ) -> None:
        settings = make(cyberhub_env=env, secret_key=DEFAULT_SECRET_KEY, data_dir=tmp_path)
        assert not settings.is_production
        assert settings.secret_key != DEFAULT_SECRET_KEY
        assert settings.secret_key == (tmp_path / "secret_key").read_text().strip()
        settings.check_production_ready()  # does not raise

    def test_default_environment_is_development(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        for name in ("CYBERHUB_ENV", "SECRET_KEY", "LOAD_DEMO_DATA", "DEV_MAILBOX"):
            monkeypatch.delenv(name, raising=False)
        settings = make(data_dir=tmp_path)
        assert settings.cyberhub_env == "development"
        assert settings.demo_data_enabled and settings.dev_mailbox_enabled
        settings.check_production_ready()

    def test_development_generates_a_private_key_once(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
        data = tmp_path / "data"
        first = make(cyberhub_env="development", data_dir=data)
        key_file = data / "secret_key"
        assert len(first.secret_key) >= 32 and first.secret_key != DEFAULT_SECRET_KEY
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        # Every later process (web, worker, a restart) signs with the same key.
        assert make(cyberhub_env="development", data_dir=data).secret_key == first.secret_key
        assert [p.name for p in data.iterdir()] == ["secret_key"]  # no temp file left
        # Another checkout's data folder gets its own key.
        assert make(data_dir=tmp_path / "other").secret_key != first.secret_key

    def test_an_explicit_key_is_used_as_given(self, tmp_path: Path) -> None:
        assert make(secret_key=REAL_KEY, data_dir=tmp_path).secret_key == REAL_KEY
        assert not (tmp_path / "secret_key").exists()

    def test_empty_values_in_env_mean_unset(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        # As `.env.example` has them: `LOAD_DEMO_DATA=` takes the environment's default.
        monkeypatch.setenv("LOAD_DEMO_DATA", "")
        monkeypatch.setenv("DEV_MAILBOX", "")
        monkeypatch.setenv("SECRET_KEY", "")
        assert make(cyberhub_env="development", data_dir=tmp_path).demo_data_enabled
        assert not production(secret_key=REAL_KEY).demo_data_enabled

    def test_unknown_environment_name_is_rejected(self) -> None:
        with pytest.raises(ValidationError):
            make(cyberhub_env="staging")


class TestBcryptRounds:
    def test_default_work_factor_is_12(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("BCRYPT_ROUNDS", raising=False)
        assert make().bcrypt_rounds == 12

    def test_environment_sets_the_work_factor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("BCRYPT_ROUNDS", "13")
        assert make().bcrypt_rounds == 13

    @pytest.mark.parametrize("rounds", [3, 17])
    def test_out_of_range_work_factor_is_rejected(self, rounds: int) -> None:
        with pytest.raises(ValidationError):
            make(bcrypt_rounds=rounds)


class TestDerivedSettings:
    def test_base_url_defaults_to_host_and_port(self) -> None:
        assert make(app_host="0.0.0.0", app_port=8080).base_url == "http://0.0.0.0:8080"
        assert make(public_url="https://hub.example.org").base_url == "https://hub.example.org"

    def test_embedded_services_without_urls(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.delenv("REDIS_URL", raising=False)
        settings = make()
        assert settings.embedded_database and settings.embedded_redis
        external = make(database_url="postgresql://db/cyberhub", redis_url="redis://cache:6379/0")
        assert not external.embedded_database and not external.embedded_redis
