"""Where a request comes from: the one place that decides a client's address.

API requests and Reflex events alike pass their TCP peer and headers here. `X-Forwarded-For` is
believed only when the peer is one of TRUSTED_PROXIES (and then only up to the first address that
is not a trusted proxy, reading from the right: the left part is whatever the client wrote).
Rate limits, the lockout, the audit log and security e-mails all use this address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache

from cyberhub.services.admin.audit import RequestMeta
from cyberhub.settings import get_settings

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Headers a reverse proxy adds: a request carrying one is not a local one, whatever its peer.
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@lru_cache(maxsize=8)
def _parse_networks(value: str) -> tuple[IpNetwork, ...]:
    networks = []
    for item in value.split(","):
        item = item.strip()
        if item:
            # A bad entry fails loudly at the first request rather than trusting nothing quietly.
            networks.append(ipaddress.ip_network(item, strict=False))
    return tuple(networks)


def trusted_proxies() -> tuple[IpNetwork, ...]:
    return _parse_networks(get_settings().trusted_proxies)


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _is_trusted(value: str | None) -> bool:
    address = _address(value)
    return address is not None and any(address in net for net in trusted_proxies())


def client_ip(peer: str | None, headers: Mapping[str, str]) -> str | None:
    """The client's address: the peer, or, behind trusted proxies, the forwarded one."""
    if not _is_trusted(peer):
        return peer or None
    hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            return hop if _address(hop) is not None else peer
    return hops[0] if hops and _address(hops[0]) is not None else peer


def is_local(peer: str | None, headers: Mapping[str, str]) -> bool:
    """True for a request made on this machine: a loopback peer, not relayed by a proxy."""
    address = _address(peer)
    if address is None or not address.is_loopback:
        return False
    return not any(headers.get(name) for name in FORWARDING_HEADERS)


def request_meta(peer: str | None, headers: Mapping[str, str]) -> RequestMeta:
    """What services record about a request (headers keyed in lower case)."""
    return RequestMeta(
        ip=client_ip(peer, headers),
        user_agent=headers.get("user-agent", ""),
        local=is_local(peer, headers),
    )
