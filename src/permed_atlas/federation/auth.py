"""Signed tokens shared by the hub and the nodes (pure).

A token is ``base64url(claims JSON) "." base64url(HMAC-SHA256(secret, claims part))``
with claims ``iss`` (the hub), ``sub`` (the requester), ``aud`` (the node),
``iat`` and ``exp`` (Unix seconds). Each node knows one secret per issuer it
trusts; the hub keeps one secret per node. Anything wrong with the token is an
:class:`AuthError` (HTTP 401); a valid token of a requester the node does not
answer is a :class:`RequesterNotAllowedError` (HTTP 403).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from permed_atlas.federation.errors import AuthError, RequesterNotAllowedError
from permed_atlas.i18n import Message

MAX_CLOCK_SKEW_S = 30


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    issuer: str
    requester: str
    audience: str
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest())


def issue_token(
    secret: str, *, issuer: str, requester: str, audience: str, now: int, ttl_s: int = 300
) -> str:
    """A token for ``requester`` to ask node ``audience``, signed with the shared secret.

    :param secret: the secret shared by the issuer and the node.
    :param issuer: the hub's name.
    :param requester: the person or service on whose behalf the hub asks.
    :param audience: the node's id.
    :param now: the current Unix time in seconds.
    :param ttl_s: seconds until the token expires.
    """
    claims = {"iss": issuer, "sub": requester, "aud": audience, "iat": now, "exp": now + ttl_s}
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_sign(secret, payload)}"


def verify_token(token: str, *, secrets: Mapping[str, str], audience: str, now: int) -> TokenClaims:
    """Check a token's signature, issuer, audience and expiry.

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
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(Message("malformed token")) from exc
    secret = secrets.get(issuer)
    if secret is None:
        raise AuthError(Message("unknown issuer %(issuer)s", issuer=repr(issuer)))
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise AuthError(Message("bad token signature"))
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
    return TokenClaims(issuer, requester, token_audience, issued, expires)


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
