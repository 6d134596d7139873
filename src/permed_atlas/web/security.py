"""Security headers, HTTPS-only cookies and forwarded headers from trusted proxies only.

One pure ASGI middleware, outermost, so that everything inside sees the real
client address and scheme:

- ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are applied only when the peer is
  one of ``PERMED_TRUSTED_PROXIES``; from anyone else they are ignored (a rotated
  ``X-Forwarded-For`` must not reset the login limits). ``permed serve`` turns
  uvicorn's own proxy-header handling off, which trusts loopback by default.
- Every response gets a Content-Security-Policy (no inline or foreign script,
  no framing), ``X-Content-Type-Options``, ``Referrer-Policy`` and
  ``X-Frame-Options``, unless the route set its own.
- A request that arrived over HTTPS gets HSTS and every cookie it sets is marked
  ``Secure``, in any environment, not only in production.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Styles may be inline (templates carry small <style> blocks and style attributes);
# scripts only from our own static files: every script of the app is a file there.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSP_ALLOWING_EVAL = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-eval'"
)
"""For the one page drawing Vega charts (the landscape dashboard): Vega compiles its
chart expressions with ``Function()``. Scripts still come only from our own files."""
SECURITY_HEADERS = {
    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
}
HSTS = b"max-age=31536000; includeSubDomains"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_network(address: str) -> str:
    """What names one anonymous client: its IPv4 address, or its IPv6 address's /64.

    An IPv6 subscriber is given a whole /64 and may pick any address in it; named by
    the full address, one client would get a fresh requester, with a fresh budget and
    guard history, for every question. An IPv4-mapped address is that IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """The trusted proxies as networks (a single address is a /32 or /128)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _is_in(host: str, networks: list[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client address behind trusted proxies: the right-most untrusted hop.

    Hops are appended by each proxy, so only the entries our own proxies added
    (from the right) can be believed; the left part is whatever the client sent.

    :param peer: the address of the TCP peer.
    :param forwarded_for: the ``X-Forwarded-For`` header ("" when absent).
    :param networks: the trusted proxies.
    """
    if not _is_in(peer, networks) or not forwarded_for.strip():
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return client  # a malformed hop: stop believing at the last good one
        client = hop
        if not _is_in(hop, networks):
            return hop
    return client


class SecurityMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str] = ()) -> None:
        self.app = app
        self.networks = parse_networks(trusted_proxies)

    def _apply_forwarded(self, scope: Scope) -> None:
        client = scope.get("client")
        peer = client[0] if client else ""
        if not self.networks or not _is_in(peer, self.networks):
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        real = forwarded_client(peer, headers.get(b"x-forwarded-for", ""), self.networks)
        scope["client"] = (real, client[1] if client else 0)
        proto = headers.get(b"x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in {"http", "https"}:
            scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws"}.get(proto, "wss")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        self._apply_forwarded(scope)
        https = scope.get("scheme") in {"https", "wss"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(list(message.get("headers", [])), https=https)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secured(headers: list[tuple[bytes, bytes]], *, https: bool) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    result = []
    for name, value in headers:
        if https and name.lower() == b"set-cookie" and b"secure" not in value.lower():
            value = value + b"; Secure"
        result.append((name, value))
    result.extend((name, value) for name, value in SECURITY_HEADERS.items() if name not in present)
    if https and b"strict-transport-security" not in present:
        result.append((b"strict-transport-security", HSTS))
    return result
