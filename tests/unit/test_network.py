"""One function decides a request's client address: X-Forwarded-For only from TRUSTED_PROXIES."""

from __future__ import annotations

import pytest

from cyberhub.services import network
from cyberhub.settings import get_settings

pytestmark = [pytest.mark.auth]


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def apply(value: str) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", value)

    return apply


class TestClientIp:
    def test_without_trusted_proxies_the_peer_is_the_client(self, trusted) -> None:  # type: ignore[no-untyped-def]
        trusted("")
        headers = {"x-forwarded-for": "192.0.2.1"}
        assert network.client_ip("198.51.100.7", headers) == "198.51.100.7"
        assert network.client_ip("127.0.0.1", headers) == "127.0.0.1"

    def test_a_trusted_proxy_forwards_the_client(self, trusted) -> None:  # type: ignore[no-untyped-def]
        trusted("10.0.0.0/8, 127.0.0.1")
        assert network.client_ip("10.1.2.3", {"x-forwarded-for": "203.0.113.5"}) == "203.0.113.5"
        # Chained proxies: the right-most address that is not a proxy of ours.
        chain = {"x-forwarded-for": "192.0.2.1, 203.0.113.5, 10.0.0.9"}
        assert network.client_ip("127.0.0.1", chain) == "203.0.113.5"

    def test_garbage_or_only_proxies_fall_back_sensibly(self, trusted) -> None:  # type: ignore[no-untyped-def]
        trusted("10.0.0.0/8")
        assert network.client_ip("10.0.0.1", {"x-forwarded-for": "not-an-ip"}) == "10.0.0.1"
        assert network.client_ip("10.0.0.1", {}) == "10.0.0.1"
        assert network.client_ip("10.0.0.1", {"x-forwarded-for": "10.0.0.2"}) == "10.0.0.2"

    def test_ipv6(self, trusted) -> None:  # type: ignore[no-untyped-def]
        trusted("::1")
        assert network.client_ip("::1", {"x-forwarded-for": "2001:db8::5"}) == "2001:db8::5"


class TestIsLocal:
    @pytest.mark.parametrize(
        ("peer", "headers", "local"),
        [
            ("127.0.0.1", {}, True),
            ("::1", {}, True),
            ("127.0.0.1", {"x-forwarded-for": "203.0.113.5"}, False),
            ("127.0.0.1", {"forwarded": "for=203.0.113.5"}, False),
            ("192.168.1.10", {}, False),
            ("testclient", {}, False),
            (None, {}, False),
        ],
    )
    def test_only_this_machine_directly(
        self, peer: str | None, headers: dict[str, str], local: bool
    ) -> None:
        assert network.is_local(peer, headers) is local
        assert network.request_meta(peer, headers).local is local
