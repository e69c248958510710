"""Encryption at rest for small secrets: the TOTP secrets in users.mfa_secret/mfa_pending_secret.

A database dump alone must not be enough to mint someone's sign-in codes, so these columns hold
a Fernet token (AES-128-CBC + HMAC-SHA256) whose key is derived from SECRET_KEY with HKDF-SHA256.
`EncryptedStr` does it transparently: Python code reads and writes the plain base32 string.

Rotating SECRET_KEY: list the old key(s) in SECRET_KEY_PREVIOUS (comma-separated). Values
encrypted with any listed key still decrypt (MultiFernet); new values use the current key.

A value that no configured key decrypts does not break loading the row (that would turn every
page showing the user into a 500): it loads as an `UndecryptableSecret`, a str that is still
truthy (MFA stays on) and writes back unchanged. `reveal` turns it into `SecretKeyChanged`, which
the MFA service reports to the user as a clear message.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from cyberhub.settings import DEFAULT_SECRET_KEY, get_settings

# Changing this (or the derivation) makes every stored secret unreadable: bump the version and
# migrate instead.
HKDF_INFO = b"cyberhub mfa secret v1"


class SecretKeyChanged(Exception):
    """A stored secret that none of SECRET_KEY / SECRET_KEY_PREVIOUS can decrypt."""


class UndecryptableSecret(str):
    """What an undecryptable column value loads as: the stored token, marked as unreadable.

    Being a non-empty str keeps `bool(user.mfa_secret)` true (the account still needs its second
    factor) and lets the row be saved again without destroying the token.
    """


def derive_key(secret_key: str) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) for one SECRET_KEY."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def configured_keys() -> tuple[str, ...]:
    """SECRET_KEY first (it encrypts), then each SECRET_KEY_PREVIOUS entry (decrypt only)."""
    settings = get_settings()
    previous = [k.strip() for k in settings.secret_key_previous.split(",") if k.strip()]
    if not settings.is_production:
        # Development databases made before the generated key used the published default:
        # their MFA secrets still decrypt (decrypt only; nothing new is written with it).
        previous.append(DEFAULT_SECRET_KEY)
    return (settings.secret_key, *dict.fromkeys(k for k in previous if k != settings.secret_key))


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # HKDF per key is cheap but not free; the key set changes only with the settings.
    return MultiFernet([Fernet(derive_key(k)) for k in keys])


def encrypt(plain: str) -> str:
    """A Fernet token (ASCII) of `plain` under the current SECRET_KEY."""
    return _fernet(configured_keys()).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text of `token`; SecretKeyChanged when no configured key decrypts it."""
    try:
        return _fernet(configured_keys()).decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SecretKeyChanged(
            "A stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_PREVIOUS."
        ) from exc


def is_encrypted(value: str) -> bool:
    """True when `value` is a token that a configured key decrypts (used by the migration)."""
    try:
        decrypt(value)
    except SecretKeyChanged:
        return False
    return True


def reveal(value: str) -> str:
    """The plain secret of a loaded value; SecretKeyChanged if it could not be decrypted."""
    if isinstance(value, UndecryptableSecret):
        raise SecretKeyChanged(
            "A stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_PREVIOUS."
        )
    return value


class EncryptedStr(TypeDecorator[str]):
    """A TEXT column holding a Fernet token; Python sees the plain string."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, UndecryptableSecret):
            return str(value)  # the original token, untouched: a later key fix can still read it
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return decrypt(value)
        except SecretKeyChanged:
            return UndecryptableSecret(value)
