"""Which http(s) URLs the control plane may fetch on a caller's behalf (SSRF rule).

A URL is fetched only when every address its host resolves to is public: loopback,
private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where cloud
metadata lives), carrier-grade NAT, multicast, reserved and unspecified addresses are
refused. The one exception is the project's own S3 endpoint (host and port as configured),
so presigned URLs of the project's bucket work. Redirects are followed by hand, each hop
checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

import anyio.to_thread

from schemas.errors import InvalidInput

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(
            "dataUrl must be s3://bucket/key or an http(s) URL",
            {"field": "dataUrl", "dataUrl": url},
        )
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidInput(f"dataUrl has a bad port: {exc}", {"field": "dataUrl"}) from exc
    return parsed.hostname.lower(), port


def _same_endpoint(host: str, port: int, endpoint: str) -> bool:
    if not endpoint:
        return False
    own = urlparse(f"//{endpoint}")
    return (own.hostname or "").lower() == host and (own.port or 80) == port


async def check_fetchable(url: str, own_endpoint: str) -> None:
    """INVALID_INPUT unless `url` is http(s) to public addresses or the project's S3."""
    host, port = _host_port(url)
    if _same_endpoint(host, port, own_endpoint):
        return
    try:
        infos = await anyio.to_thread.run_sync(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        )
    except OSError as exc:
        raise InvalidInput(
            f"dataUrl's host {host!r} does not resolve", {"field": "dataUrl", "host": host}
        ) from exc
    private = sorted({str(i[4][0]) for i in infos if not is_public(str(i[4][0]))})
    if private:
        raise InvalidInput(
            f"dataUrl's host {host!r} is a private or local address ({', '.join(private)}); "
            "only public addresses and the project's own S3 may be fetched",
            {"field": "dataUrl", "host": host, "addresses": private},
        )
