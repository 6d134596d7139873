"""Signing requests to a node: each request its own token, bound to it (an httpx auth).

The node accepts a token once and only with the request it was issued for (see
auth.py), so a token is made for each request as the client is about to send it:
from the method, path, query and body bytes that go on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from permed_atlas.federation.auth import hash_request, issue_token


class NodeRequestAuth:
    """An httpx auth that gives every request to one node a fresh token for that request.

    Pass it as ``auth=`` to an httpx client's request (or to a client with httpx's
    interface, such as Starlette's TestClient). The body must be bytes, not a stream:
    it is hashed before it is sent.

    :param secret: the secret shared with the node.
    :param issuer: the hub's name.
    :param requester: on whose behalf the hub asks.
    :param audience: the node's id.
    :param base_url: the node's registered URL; the path is signed as under it
        (``/api/biosamples``), as the node sees it behind a proxy that strips a prefix.
    :param clock: the time source (seconds since the epoch).
    :param ttl_s: seconds until each token expires.
    """

    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        requester: str,
        audience: str,
        base_url: str = "",
        clock: Callable[[], float] = time.time,
        ttl_s: int = 120,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._requester = requester
        self._audience = audience
        self._base_path = urlsplit(base_url).path.rstrip("/")
        self._clock = clock
        self._ttl_s = ttl_s

    def __call__(self, request: httpx.Request) -> httpx.Request:
        """Sign ``request`` with a token for it (httpx calls this as it sends the request)."""
        path = request.url.path
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        request_hash = hash_request(
            request.method, path, query=request.url.query.decode("latin-1"), body=request.content
        )
        token = issue_token(
            self._secret,
            issuer=self._issuer,
            requester=self._requester,
            audience=self._audience,
            now=int(self._clock()),
            request=request_hash,
            ttl_s=self._ttl_s,
        )
        request.headers["Authorization"] = f"Bearer {token}"
        return request
