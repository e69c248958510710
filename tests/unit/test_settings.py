"""Settings: production refuses unsafe secrets; development runs with the defaults."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from cyberhub.settings import DEFAULT_SECRET_KEY, ProductionConfigError, Settings

pytestmark = [pytest.mark.auth]


def make(**kwargs: object) -> Settings:
    """Settings from keyword arguments only: no `.env` file is read."""
    return Settings(_env_file=None, **kwargs)  # type: ignore[call-arg]


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

    def test_production_with_a_short_secret_key_is_refused(self) -> None:
        settings = make(cyberhub_env="production", secret_key="too-short-but-custom")
        with pytest.raises(
            ProductionConfigError, match="SECRET_KEY must be at least 32 characters"
        ):
            settings.check_production_ready()

    def test_a_key_of_exactly_32_characters_is_enough(self) -> None:
        make(cyberhub_env="production", secret_key="k" * 32).check_production_ready()

    def test_production_with_a_long_random_key_passes(self) -> None:
        settings = make(cyberhub_env="production", secret_key=secrets.token_urlsafe(48))
        settings.check_production_ready()  # does not raise

    @pytest.mark.parametrize("env", ["development", "test"])
    def test_development_and_test_accept_the_default_key(self, env: str) -> None:
        settings = make(cyberhub_env=env, secret_key=DEFAULT_SECRET_KEY)
        assert not settings.is_production
        settings.check_production_ready()  # does not raise

    def test_default_environment_is_development(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CYBERHUB_ENV", raising=False)
        monkeypatch.delenv("SECRET_KEY", raising=False)
        settings = make()
        assert settings.cyberhub_env == "development"
        assert settings.secret_key == DEFAULT_SECRET_KEY
        settings.check_production_ready()

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
