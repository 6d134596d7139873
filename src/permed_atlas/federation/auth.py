"""Signed tokens shared by the hub and the nodes (pure).

A token is ``base64url(claims JSON) "." base64url(HMAC-SHA256(secret, claims part))``
with claims ``iss`` (the hub), ``sub`` (the requester), ``aud`` (the node),
``iat`` and ``exp`` (Unix seconds), ``jti`` (a random nonce) and ``req`` (the hash of
the one request the token was issued for, see :func:`hash_request`). Each node knows
one secret per issuer it trusts; the hub keeps one secret per node. Anything wrong
with the token is an :class:`AuthError` (HTTP 401); a valid token of a requester the
node does not answer is a :class:`RequesterNotAllowedError` (HTTP 403).

A token is good for one request: the node checks ``req`` against the request it got
(:func:`check_request_hash`) and accepts each ``jti`` once (it remembers them until
they expire, see query_log.py). Without both, a token read from a log or a proxy could
be replayed, with any body, for its whole lifetime, on the requester's budget.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from secrets import token_urlsafe
from urllib.parse import parse_qsl, quote, urlencode

from permed_atlas.federation.errors import AuthError, RequesterNotAllowedError
from permed_atlas.i18n import Message

MAX_CLOCK_SKEW_S = 30
# A hub issues tokens for 2 minutes; a node accepts no longer lifetime, so a token read
# before its one use (a proxy's log, a dropped request) is worthless soon, and the spent
# nonces a node must remember stay about one lifetime's worth.
MAX_TOKEN_LIFETIME_S = 600
_MAX_NONCE_LENGTH = 128


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    issuer: str
    requester: str
    audience: str
    issued_at: int
    expires_at: int
    nonce: str
    """``jti``: random, accepted once."""
    request_hash: str
    """``req``: :func:`hash_request` of the one request the token is for."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest())


def canonical_query(query: str) -> str:
    """A query string in one spelling: its parameters decoded, sorted and encoded again.

    Sorted as AWS SigV4 sorts them: a proxy may re-encode (``%3A`` for ``:``) or reorder
    parameters, and the node reads ``filters`` and ``datasetIds`` as sets and refuses any
    other parameter given twice, so two queries with the same sorted pairs ask the same.

    :param query: the raw query string, without the ``?``.
    """
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return urlencode(pairs, quote_via=quote, safe="")


def hash_request(method: str, path: str, *, query: str = "", body: bytes = b"") -> str:
    """The hash a token binds its request by: method, path, query and the body's exact bytes.

    :param method: the HTTP method.
    :param path: the endpoint's path under the node's base URL (``/api/biosamples``).
    :param query: the raw query string (made canonical here).
    :param body: the body as sent.
    """
    # A JSON list, not lines joined: a path holding a newline cannot pass for the query.
    parts = [method.upper(), path, canonical_query(query), hashlib.sha256(body).hexdigest()]
    return _b64(hashlib.sha256(json.dumps(parts).encode("utf-8")).digest())


def issue_token(
    secret: str,
    *,
    issuer: str,
    requester: str,
    audience: str,
    now: int,
    request: str,
    ttl_s: int = 300,
) -> str:
    """A token for ``requester`` to send one request to node ``audience``, signed.

    :param secret: the secret shared by the issuer and the node.
    :param issuer: the hub's name.
    :param requester: the person or service on whose behalf the hub asks.
    :param audience: the node's id.
    :param now: the current Unix time in seconds.
    :param request: :func:`hash_request` of the request the token goes with.
    :param ttl_s: seconds until the token expires (a node refuses more than
        MAX_TOKEN_LIFETIME_S).
    """
    claims = {
        "iss": issuer,
        "sub": requester,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_s,
        "jti": token_urlsafe(16),
        "req": request,
    }
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_sign(secret, payload)}"


def verify_token(token: str, *, secrets: Mapping[str, str], audience: str, now: int) -> TokenClaims:
    """Check a token's signature, issuer, format, audience and expiry.

    Whether it was issued for the request it came with is :func:`check_request_hash`;
    whether its nonce was seen before is the node's log's to say.

    :param token: the bearer token.
    :param secrets: issuer -> shared secret, for the issuers this node trusts.
    :param audience: this node's id.
    :param now: the current Unix time in seconds.
    :raises AuthError: for any defect.
    """
    try:
        payload, signature = token.split(".")
        claims = json.loads(_unb64(payload))
        issuer, requester = str(claims["iss"]), str(claims["sub"])
        token_audience, issued, expires = str(claims["aud"]), int(claims["iat"]), int(claims["exp"])
        nonce, request = claims.get("jti"), claims.get("req")
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(Message("malformed token")) from exc
    secret = secrets.get(issuer)
    if secret is None:
        raise AuthError(Message("unknown issuer %(issuer)s", issuer=repr(issuer)))
    # Compared as bytes: compare_digest raises on a str with non-ASCII characters (a 500).
    if not hmac.compare_digest(signature.encode("utf-8"), _sign(secret, payload).encode("ascii")):
        raise AuthError(Message("bad token signature"))
    if nonce is None or request is None:
        # No fallback: accepted, such a token could be replayed for its whole lifetime.
        raise AuthError(
            Message(
                "token has no nonce or request hash (an older hub's token): the hub "
                "%(issuer)s must be upgraded",
                issuer=repr(issuer),
            )
        )
    if not (isinstance(nonce, str) and 0 < len(nonce) <= _MAX_NONCE_LENGTH):
        raise AuthError(Message("malformed token"))
    if not (isinstance(request, str) and request.isascii()):
        raise AuthError(Message("malformed token"))
    if token_audience != audience:
        raise AuthError(
            Message(
                "token is for node %(token_audience)s, not %(audience)s",
                token_audience=repr(token_audience),
                audience=repr(audience),
            )
        )
    if expires <= now:
        raise AuthError(Message("token expired"))
    if issued > now + MAX_CLOCK_SKEW_S:
        raise AuthError(Message("token issued in the future"))
    if expires - issued > MAX_TOKEN_LIFETIME_S:
        raise AuthError(
            Message(
                "token lifetime of %(lifetime)s s is longer than the %(maximum)s s a node accepts",
                lifetime=expires - issued,
                maximum=MAX_TOKEN_LIFETIME_S,
            )
        )
    return TokenClaims(issuer, requester, token_audience, issued, expires, nonce, request)


def check_request_hash(claims: TokenClaims, request_hash: str) -> None:
    """Refuse a token that was issued for another request than the one it came with.

    :param claims: a verified token's claims.
    :param request_hash: :func:`hash_request` of the request as the node received it.
    :raises AuthError: when they differ.
    """
    if not hmac.compare_digest(claims.request_hash, request_hash):
        raise AuthError(
            Message(
                "token was issued for another request: the method, path, query or body "
                "differ from the ones it was signed for"
            )
        )


def check_requester(claims: TokenClaims, *, allowed: Collection[str]) -> None:
    """Refuse a requester not on the node's allow list ("*" allows every requester).

    :param claims: a verified token's claims.
    :param allowed: requester ids, or ``issuer:requester``, or "*".
    """
    if "*" in allowed or claims.requester in allowed:
        return
    if f"{claims.issuer}:{claims.requester}" in allowed or f"{claims.issuer}:*" in allowed:
        return
    raise RequesterNotAllowedError(
        Message(
            "node does not answer requester %(requester)s of %(issuer)s",
            requester=repr(claims.requester),
            issuer=repr(claims.issuer),
        )
    )
