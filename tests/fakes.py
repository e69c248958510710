"""Stand-ins for what tests should not run for real: the embedding model, and the type of the
`secret_keys` fixture (an operator rotating SECRET_KEY mid-test). The TOTP clock lives in
tests/totp.py with the other TOTP helpers."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

__all__ = ["FakeEmbedder", "SecretKeys"]


class FakeEmbedder:
    """Deterministic 384-d unit vectors from a hash of the text (no model needed)."""

    name = "fake-hash-embedder"
    dimensions = 384

    def __init__(self) -> None:
        self.calls: list[str] = []

    def encode(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            self.calls.append(text)
            seed = hashlib.sha256(text.encode()).digest()
            raw = [((seed[i % 32] + i * 37) % 251) / 251 - 0.5 for i in range(self.dimensions)]
            norm = math.sqrt(sum(x * x for x in raw))
            out.append([x / norm for x in raw])
        return out


# secret_keys(current, previous="") sets SECRET_KEY / SECRET_KEY_PREVIOUS and re-reads settings.
SecretKeys = Callable[..., None]
