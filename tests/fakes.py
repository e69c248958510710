"""Stand-ins for what tests should not run for real: the embedding model, an SMTP relay, and the
type of the `secret_keys` fixture (an operator rotating SECRET_KEY mid-test). The TOTP clock lives in
tests/totp.py with the other TOTP helpers."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

__all__ = ["FakeEmbedder", "FakeSmtp", "SecretKeys"]


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


class FakeSmtp:
    """Stands in for smtplib.SMTP (monkeypatch `smtplib.SMTP` with `FakeSmtp.relay(...)`): the
    subjects it accepted go to `sent`; `refuse` raises on sending, `on_connect` on connecting
    and `on_quit` on saying goodbye, as a relay or the network would."""

    def __init__(
        self,
        sent: list[str],
        *,
        refuse: Exception | None = None,
        on_connect: Exception | None = None,
        on_quit: Exception | None = None,
    ) -> None:
        if on_connect is not None:
            raise on_connect
        self.sent, self.refuse, self.on_quit = sent, refuse, on_quit

    @classmethod
    def relay(
        cls,
        sent: list[str],
        *,
        refuse: Exception | None = None,
        on_connect: Exception | None = None,
        on_quit: Exception | None = None,
    ) -> Callable[..., FakeSmtp]:
        """What to put in place of smtplib.SMTP (which takes host, port, timeout)."""
        return lambda *_, **__: cls(sent, refuse=refuse, on_connect=on_connect, on_quit=on_quit)

    def starttls(self) -> None: ...

    def login(self, user: str, password: str) -> None: ...

    def send_message(self, msg: Any) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.sent.append(str(msg["Subject"]))

    def quit(self) -> None:
        if self.on_quit is not None:
            raise self.on_quit

    def close(self) -> None: ...
