"""Password hashing (bcrypt) and the password rules."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import bcrypt

from cyberhub.services.errors import Invalid
from cyberhub.settings import get_settings

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


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


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5zvHfzSg7nq8rQqAE5Yv7wJ7Yc8qv3a"


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), (password_hash or _DUMMY_HASH).encode()) and bool(
            password_hash
        )
    except ValueError:
        return False
