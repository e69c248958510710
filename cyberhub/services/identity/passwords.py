"""Password hashing (bcrypt over a SHA-256 pre-hash) and the password rules.

bcrypt reads at most 72 bytes (bcrypt 5 refuses more), so a long or multi-byte password is
first reduced to base64(SHA-256(password)) — 44 ASCII bytes, no NUL — and bcrypt hashes that.
Such hashes are stored as PREHASH_PREFIX + the bcrypt hash; hashes without the prefix (made
before) are plain bcrypt of the password and still verify.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

import bcrypt

from cyberhub.services.errors import Invalid
from cyberhub.settings import get_settings

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON = Path(__file__).resolve().parents[2] / "data" / "common_passwords.txt"


@lru_cache
def _common_passwords() -> frozenset[str]:
    return frozenset(
        line.strip().lower() for line in _COMMON.read_text().splitlines() if line.strip()
    )


def password_problems(password: str, email: str = "") -> list[str]:
    """Every reason the password is not acceptable, in words a person understands."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        problems.append("This password is too common; choose something less guessable.")
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        problems.append("Don't use your e-mail name in your password.")
    return problems


def validate_password(password: str, email: str = "") -> None:
    problems = password_problems(password, email)
    if problems:
        raise Invalid(" ".join(problems))


# Version 1 of the pre-hash; a future scheme gets its own prefix and both keep verifying.
PREHASH_PREFIX = "bcrypt-sha256$"


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def hash_password(password: str) -> str:
    """A new hash of any length of password: PREHASH_PREFIX + bcrypt(base64(sha256(password)))."""
    rounds = get_settings().bcrypt_rounds
    return (
        PREHASH_PREFIX + bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=rounds)).decode()
    )


# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5zvHfzSg7nq8rQqAE5Yv7wJ7Yc8qv3a"


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether the password matches the hash (pre-hashed or, for older hashes, plain bcrypt)."""
    stored = password_hash or PREHASH_PREFIX + _DUMMY_HASH
    if stored.startswith(PREHASH_PREFIX):
        secret, stored = _prehash(password), stored.removeprefix(PREHASH_PREFIX)
    else:
        secret = password.encode()  # an older plain-bcrypt hash: at most 72 bytes ever matched
    try:
        return bcrypt.checkpw(secret, stored.encode()) and bool(password_hash)
    except ValueError:  # a malformed hash, or > 72 bytes against a plain-bcrypt hash
        return False
