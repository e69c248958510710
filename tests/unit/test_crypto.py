"""Encryption at rest of MFA secrets: key derivation, rotation, the column type, unreadable values."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.dialects import postgresql

from cyberhub.models import User, crypto
from cyberhub.services.errors import Conflict
from cyberhub.services.identity import mfa
from cyberhub.settings import DEFAULT_SECRET_KEY, get_settings
from tests.fakes import SecretKeys

pytestmark = [pytest.mark.auth]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DIALECT = postgresql.dialect()


class TestKeyDerivation:
    def test_a_fernet_key_derived_from_the_secret_key(self) -> None:
        key = crypto.derive_key("k" * 40)
        assert len(base64.urlsafe_b64decode(key)) == 32
        assert key == crypto.derive_key("k" * 40)  # deterministic
        assert key != crypto.derive_key("j" * 40)
        Fernet(key)  # a valid Fernet key

    def test_the_key_is_not_the_secret_key_itself(self) -> None:
        assert base64.urlsafe_b64decode(crypto.derive_key("k" * 32)) != b"k" * 32

    def test_current_key_first_then_previous_ones(self, secret_keys: SecretKeys) -> None:
        secret_keys("new-key", " old-1 , ,old-2,new-key")
        # Outside production the published development key of earlier versions follows, decrypt
        # only, so MFA secrets of an old development database still work.
        assert crypto.configured_keys() == ("new-key", "old-1", "old-2", DEFAULT_SECRET_KEY)

    def test_production_never_trusts_the_published_development_key(
        self, secret_keys: SecretKeys, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        secret_keys("k" * 40, "old-1")
        monkeypatch.setattr(get_settings(), "cyberhub_env", "production")
        assert crypto.configured_keys() == ("k" * 40, "old-1")

    def test_the_multifernet_is_cached_per_key_set(self, secret_keys: SecretKeys) -> None:
        secret_keys("a-key")
        first = crypto._fernet(crypto.configured_keys())
        assert crypto._fernet(crypto.configured_keys()) is first
        secret_keys("b-key")
        assert crypto._fernet(crypto.configured_keys()) is not first


class TestEncryptDecrypt:
    def test_round_trip_and_the_token_hides_the_secret(self) -> None:
        token = crypto.encrypt(SECRET)
        assert token != SECRET and SECRET not in token
        assert crypto.decrypt(token) == SECRET
        assert crypto.encrypt(SECRET) != token  # random IV: equal secrets are not visible

    def test_a_value_from_a_previous_key_still_decrypts(self, secret_keys: SecretKeys) -> None:
        secret_keys("old-secret-key")
        token = crypto.encrypt(SECRET)
        secret_keys("new-secret-key", "older-one,old-secret-key")
        assert crypto.decrypt(token) == SECRET
        # New values use the current key: they stay readable once the old key is dropped.
        fresh = crypto.encrypt(SECRET)
        secret_keys("new-secret-key")
        assert crypto.decrypt(fresh) == SECRET
        with pytest.raises(crypto.SecretKeyChanged):
            crypto.decrypt(token)

    @pytest.mark.parametrize("stored", [SECRET, "", "gAAAAAnot-a-token", "é"])
    def test_garbage_is_a_clear_error(self, stored: str) -> None:
        with pytest.raises(crypto.SecretKeyChanged, match="SECRET_KEY_PREVIOUS"):
            crypto.decrypt(stored)
        assert not crypto.is_encrypted(stored)

    def test_is_encrypted(self) -> None:
        assert crypto.is_encrypted(crypto.encrypt(SECRET))


class TestColumnType:
    def test_bind_encrypts_and_result_decrypts(self) -> None:
        column = crypto.EncryptedStr()
        stored = column.process_bind_param(SECRET, DIALECT)
        assert stored is not None and stored != SECRET
        assert column.process_result_value(stored, DIALECT) == SECRET

    def test_none_stays_none(self) -> None:
        column = crypto.EncryptedStr()
        assert column.process_bind_param(None, DIALECT) is None
        assert column.process_result_value(None, DIALECT) is None

    def test_an_unreadable_value_loads_marked_and_saves_back_unchanged(self) -> None:
        column = crypto.EncryptedStr()
        foreign = Fernet(crypto.derive_key("some-other-key")).encrypt(SECRET.encode()).decode()
        loaded = column.process_result_value(foreign, DIALECT)
        assert isinstance(loaded, crypto.UndecryptableSecret)
        assert loaded  # truthy: the account still counts as having MFA on
        assert column.process_bind_param(loaded, DIALECT) == foreign
        with pytest.raises(crypto.SecretKeyChanged):
            crypto.reveal(loaded)
        assert crypto.reveal(SECRET) == SECRET

    def test_the_user_columns_use_it_as_text(self) -> None:
        for name in ("mfa_secret", "mfa_pending_secret"):
            column = User.__table__.c[name]  # type: ignore[attr-defined]
            assert isinstance(column.type, crypto.EncryptedStr) and column.nullable
            assert column.type.compile(dialect=DIALECT) == "TEXT"


class TestSignInWithAnUnreadableSecret:
    def test_a_totp_code_gets_a_clear_conflict_not_a_crash(self) -> None:
        user = User(id=7, email="a@example.org", mfa_secret=crypto.UndecryptableSecret("gAAA"))
        with pytest.raises(Conflict) as info:
            mfa.verify_second_factor(None, user, "123456")  # type: ignore[arg-type]
        assert info.value.status_code == 409
        assert info.value.message == mfa.KEY_CHANGED
        assert "server's key changed" in mfa.KEY_CHANGED and "admin" in mfa.KEY_CHANGED
