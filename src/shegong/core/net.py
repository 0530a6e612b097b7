"""The client's address, also behind a reverse proxy.

Behind nginx every request's REMOTE_ADDR is the proxy's. The address the proxy saw is in X-Forwarded-For, but any
client can send that header, so it is believed only when the request comes from a configured trusted proxy
(SHEGONG_TRUSTED_PROXIES), and then only its rightmost hop that is not itself a trusted proxy: everything to the
left of that was written by the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "SHEGONG_TRUSTED_PROXIES", ()) or ()))


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks()
    parsed = _parse(remote)
    if not networks or parsed is None or not _is_trusted(parsed, networks):
        return remote[:45]
    address = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop_address = _parse(hop)
        if hop_address is None:
            break  # a malformed hop: nothing to its left can be trusted either
        address = str(hop_address)
        if not _is_trusted(hop_address, networks):
            break
    return address[:45]
