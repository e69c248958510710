"""Password rules and bcrypt hashing."""

from __future__ import annotations

import bcrypt
import pytest

from cyberhub.services.errors import Invalid
from cyberhub.services.identity.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PREHASH_PREFIX,
    hash_password,
    password_problems,
    validate_password,
    verify_password,
)
from cyberhub.settings import get_settings

pytestmark = [pytest.mark.auth]

GOOD = "blue-kettle-sings-42"


class TestPasswordRules:
    def test_a_good_password_has_no_problems(self) -> None:
        assert password_problems(GOOD, "amina@example.org") == []
        validate_password(GOOD, "amina@example.org")  # does not raise

    def test_minimum_length_is_ten(self) -> None:
        assert MIN_LENGTH == 10
        assert any("at least 10 characters" in p for p in password_problems("Kx7#qpL2m"))  # 9
        assert not any("at least" in p for p in password_problems("Kx7#qpL2mZ"))  # 10

    def test_too_long_is_refused(self) -> None:
        assert any(f"at most {MAX_LENGTH}" in p for p in password_problems("aB3$" * 40))

    @pytest.mark.parametrize("password", ["password123", "1234567890", "1q2w3e4r5t", "PASSWORD123"])
    def test_common_passwords_are_refused(self, password: str) -> None:
        assert any("too common" in p for p in password_problems(password))

    def test_repeating_one_or_two_characters_is_too_common(self) -> None:
        assert any("too common" in p for p in password_problems("abababababab"))
        assert any("too common" in p for p in password_problems("zzzzzzzzzzzz"))

    def test_email_name_inside_the_password_is_refused(self) -> None:
        problems = password_problems("Amina.Njoroge-2026!", "amina.njoroge@example.org")
        assert any("e-mail name" in p for p in problems)

    def test_very_short_email_names_are_not_checked(self) -> None:
        # "bob" is too short to be a meaningful leak; don't punish every password containing it.
        assert password_problems("bobsleigh-ridge-77", "bob@example.org") == []

    def test_every_problem_is_reported_at_once(self) -> None:
        problems = password_problems("aaaa", "aaaa@example.org")
        assert len(problems) == 3

    def test_validate_password_raises_invalid_with_the_reasons(self) -> None:
        with pytest.raises(Invalid) as info:
            validate_password("short")
        assert "at least 10 characters" in info.value.message
        assert info.value.status_code == 422


class TestHashing:
    def test_hash_and_verify_round_trip(self) -> None:
        hashed = hash_password(GOOD)
        assert hashed != GOOD
        assert verify_password(GOOD, hashed)
        assert not verify_password(GOOD + "x", hashed)

    def test_same_password_gets_a_different_salt_each_time(self) -> None:
        assert hash_password(GOOD) != hash_password(GOOD)

    def test_no_hash_never_verifies(self) -> None:
        # Passwordless accounts (password_hash None) can't be signed into with any password.
        assert verify_password(GOOD, None) is False
        assert verify_password("", None) is False

    def test_garbage_hash_does_not_verify_or_crash(self) -> None:
        assert verify_password(GOOD, "not-a-bcrypt-hash") is False

    def test_hash_uses_the_configured_rounds(self) -> None:
        rounds = get_settings().bcrypt_rounds
        assert hash_password(GOOD).startswith(f"{PREHASH_PREFIX}$2b${rounds:02d}$")

    def test_changing_the_setting_changes_the_cost(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("BCRYPT_ROUNDS", "5")
        get_settings.cache_clear()
        try:
            hashed = hash_password(GOOD)
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
        assert hashed.startswith(f"{PREHASH_PREFIX}$2b$05$")
        # Old hashes with another cost still verify after the setting changes.
        assert verify_password(GOOD, hashed)


class TestLongPasswords:
    """bcrypt reads at most 72 bytes: longer passwords are pre-hashed, and every byte counts."""

    LONG = "correct-horse-battery-staple-" * 3 + "x" * 7  # 94 characters
    NON_ASCII = "ñandú-über-café-Привет-密码-🔐-" + "é" * 16  # 44 characters, ~80 bytes

    def test_a_94_character_password_hashes_and_verifies(self) -> None:
        assert len(self.LONG) == 94
        hashed = hash_password(self.LONG)
        assert verify_password(self.LONG, hashed)
        # The characters past bcrypt's 72 bytes still matter.
        assert not verify_password(self.LONG[:-1] + "y", hashed)
        assert not verify_password(self.LONG[:72], hashed)

    def test_a_44_character_non_ascii_password_hashes_and_verifies(self) -> None:
        assert len(self.NON_ASCII) == 44 and len(self.NON_ASCII.encode()) > 72
        hashed = hash_password(self.NON_ASCII)
        assert verify_password(self.NON_ASCII, hashed)
        assert not verify_password(self.NON_ASCII[:-1] + "è", hashed)

    def test_an_old_plain_bcrypt_hash_still_verifies(self) -> None:
        # As stored before the pre-hash: bcrypt of the password itself, no prefix.
        old = bcrypt.hashpw(GOOD.encode(), bcrypt.gensalt(rounds=4)).decode()
        assert old.startswith("$2b$04$")
        assert verify_password(GOOD, old)
        assert not verify_password(GOOD + "x", old)
        # A long password against an old hash is simply wrong, never an error.
        assert verify_password(self.LONG, old) is False

    def test_a_prefixed_garbage_hash_does_not_verify_or_crash(self) -> None:
        assert verify_password(GOOD, PREHASH_PREFIX + "nonsense") is False
