"""The device a signed-in session is shown as ("Firefox on Linux"), from its user agent."""

from __future__ import annotations

import pytest

from cyberhub.services.identity.devices import UNKNOWN_DEVICE, summary
from tests.xss_corpus import XSS_PAYLOADS


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
            "Opera on ChromeOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) SomeNewBrowser/1.0", "Unknown browser on Linux"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "Python (requests)"),
        ("", UNKNOWN_DEVICE),
        (None, UNKNOWN_DEVICE),
        ("   ", UNKNOWN_DEVICE),
        ("gibberish", UNKNOWN_DEVICE),
    ],
)
def test_a_user_agent_reads_as_browser_on_system(user_agent: str | None, shown: str) -> None:
    assert summary(user_agent) == shown


@pytest.mark.parametrize("payload", list(XSS_PAYLOADS.values()))
def test_a_hostile_user_agent_never_reaches_the_summary(payload: str) -> None:
    # The summary is made of fixed names only: nothing the visitor typed is echoed.
    shown = summary(payload + " Firefox/1.0 (X11; Linux)")
    assert shown == "Firefox on Linux"
    assert "<" not in summary(payload)
