"""One function decides a request's client address: X-Forwarded-For only from TRUSTED_PROXIES."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cyberhub.services import network
from cyberhub.settings import get_settings

pytestmark = [pytest.mark.auth]


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch):
    def apply(value: str) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", value)

    return apply


class TestClientIp:
    def test_without_trusted_proxies_the_peer_is_the_client(self, trusted) -> None:
        trusted("")
        headers = {"x-forwarded-for": "192.0.2.1"}
        assert network.client_ip("198.51.100.7", headers) == "198.51.100.7"
        assert network.client_ip("127.0.0.1", headers) == "127.0.0.1"

    def test_a_trusted_proxy_forwards_the_client(self, trusted) -> None:
        trusted("10.0.0.0/8, 127.0.0.1")
        assert network.client_ip("10.1.2.3", {"x-forwarded-for": "203.0.113.5"}) == "203.0.113.5"
        # Chained proxies: the right-most address that is not a proxy of ours.
        chain = {"x-forwarded-for": "192.0.2.1, 203.0.113.5, 10.0.0.9"}
        assert network.client_ip("127.0.0.1", chain) == "203.0.113.5"

    def test_garbage_or_only_proxies_fall_back_sensibly(self, trusted) -> None:
        trusted("10.0.0.0/8")
        assert network.client_ip("10.0.0.1", {"x-forwarded-for": "not-an-ip"}) == "10.0.0.1"
        assert network.client_ip("10.0.0.1", {}) == "10.0.0.1"
        assert network.client_ip("10.0.0.1", {"x-forwarded-for": "10.0.0.2"}) == "10.0.0.2"

    def test_ipv6(self, trusted) -> None:
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


class TestReflexEvents:
    """Page events decide the address the same way, from the websocket's peer."""

    @staticmethod
    def state(headers: dict[str, str], client_ip: str = "") -> SimpleNamespace:
        from reflex import constants
        from reflex.istate.data import RouterData

        router = RouterData.from_router_data(
            {constants.RouteVar.HEADERS: headers, constants.RouteVar.CLIENT_IP: client_ip}
        )
        return SimpleNamespace(router=router)

    def test_the_peer_not_a_claimed_forwarded_address(self, trusted) -> None:
        from cyberhub.state.forms import request_meta

        trusted("")
        # Reflex itself may be configured to believe X-Forwarded-For (client_ip); we are not.
        event = self.state(
            {"asgi-scope-client": "198.51.100.1", "x-forwarded-for": "1.2.3.4", "user-agent": "UA"},
            client_ip="1.2.3.4",
        )
        meta = request_meta(event)  # type: ignore[arg-type]
        assert meta.ip == "198.51.100.1" and meta.user_agent == "UA" and not meta.local

    def test_behind_a_trusted_proxy(self, trusted) -> None:
        from cyberhub.state.forms import request_meta

        trusted("127.0.0.1")
        event = self.state({"asgi-scope-client": "127.0.0.1", "x-forwarded-for": "203.0.113.8"})
        meta = request_meta(event)  # type: ignore[arg-type]
        assert meta.ip == "203.0.113.8" and not meta.local

    def test_a_local_browser(self, trusted) -> None:
        from cyberhub.state.forms import request_meta

        trusted("")
        meta = request_meta(self.state({"asgi-scope-client": "127.0.0.1"}))  # type: ignore[arg-type]
        assert meta.ip == "127.0.0.1" and meta.local
