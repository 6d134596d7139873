"""Signed tokens between hub and nodes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from permed_atlas.federation.auth import (
    MAX_TOKEN_LIFETIME_S,
    canonical_query,
    check_request_hash,
    check_requester,
    hash_request,
    issue_token,
    verify_token,
)
from permed_atlas.federation.errors import AuthError, RequesterNotAllowedError

SECRETS = {"hub": "s" * 32}
REQUEST = hash_request("POST", "/api/biosamples", body=b'{"query":{}}')


def token(**args: object) -> str:
    values: dict[str, object] = {
        "issuer": "hub",
        "requester": "alice",
        "audience": "n1",
        "now": 1000,
        "request": REQUEST,
        **args,
    }
    return issue_token(str(values.pop("secret", SECRETS["hub"])), **values)  # type: ignore[arg-type]


def signed(claims: dict[str, object], secret: str = SECRETS["hub"]) -> str:
    """A token with exactly these claims, signed as the hub signs (an older hub's, say)."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_round_trip() -> None:
    claims = verify_token(token(), secrets=SECRETS, audience="n1", now=1100)
    assert (claims.issuer, claims.requester, claims.audience) == ("hub", "alice", "n1")
    assert claims.expires_at == 1300
    assert claims.request_hash == REQUEST
    check_request_hash(claims, REQUEST)


def test_every_token_has_its_own_random_nonce() -> None:
    nonces = {
        verify_token(token(), secrets=SECRETS, audience="n1", now=1000).nonce for _ in range(50)
    }
    assert len(nonces) == 50
    assert all(len(n) >= 22 for n in nonces)  # 16 random bytes


@pytest.mark.parametrize(
    ("token_args", "now", "message"),
    [
        ({"secret": "x" * 32}, 1000, "signature"),
        ({"issuer": "other"}, 1000, "unknown issuer"),
        ({"audience": "n2"}, 1000, "not 'n1'"),
        ({}, 1300, "expired"),
        ({}, 900, "future"),
    ],
)
def test_defects(token_args: dict[str, str], now: int, message: str) -> None:
    with pytest.raises(AuthError, match=message):
        verify_token(token(**token_args), secrets=SECRETS, audience="n1", now=now)


def test_a_token_living_longer_than_a_node_accepts_is_refused() -> None:
    at_most = token(ttl_s=MAX_TOKEN_LIFETIME_S)
    assert verify_token(at_most, secrets=SECRETS, audience="n1", now=1000).expires_at == 1600
    # Still refused near the end of its life, when it would otherwise be fresh enough.
    longer = token(ttl_s=MAX_TOKEN_LIFETIME_S + 1)
    for now in (1000, 1000 + MAX_TOKEN_LIFETIME_S):
        with pytest.raises(AuthError, match="lifetime of 601 s is longer than the 600 s"):
            verify_token(longer, secrets=SECRETS, audience="n1", now=now)


def test_tampered_claims_fail() -> None:
    payload, signature = token().split(".")
    forged = token(requester="admin").split(".")[0]
    with pytest.raises(AuthError):
        verify_token(f"{forged}.{signature}", secrets=SECRETS, audience="n1", now=1000)
    with pytest.raises(AuthError, match="malformed"):
        verify_token("garbage", secrets=SECRETS, audience="n1", now=1000)
    assert payload != forged
    # A header is read as Latin-1: a non-ASCII signature is refused, not a server error.
    with pytest.raises(AuthError, match="signature"):
        verify_token(f"{payload}.\u00e9", secrets=SECRETS, audience="n1", now=1000)


@pytest.mark.parametrize("missing", ["jti", "req"])
def test_an_older_hubs_token_is_refused_saying_the_hub_must_be_upgraded(missing: str) -> None:
    claims = {"iss": "hub", "sub": "alice", "aud": "n1", "iat": 1000, "exp": 1120}
    claims |= {"jti": "n" * 22, "req": REQUEST}
    del claims[missing]
    with pytest.raises(AuthError, match="hub 'hub' must be upgraded"):
        verify_token(signed(claims), secrets=SECRETS, audience="n1", now=1000)


@pytest.mark.parametrize(
    "extra", [{"jti": ""}, {"jti": "n" * 129}, {"jti": 7}, {"req": 7}, {"req": "\u00e9"}]
)
def test_a_malformed_nonce_or_request_hash_is_refused(extra: dict[str, object]) -> None:
    claims = {"iss": "hub", "sub": "alice", "aud": "n1", "iat": 1000, "exp": 1120}
    claims |= {"jti": "n" * 22, "req": REQUEST} | extra
    with pytest.raises(AuthError, match="malformed"):
        verify_token(signed(claims), secrets=SECRETS, audience="n1", now=1000)


@pytest.mark.parametrize(
    "other",
    [
        hash_request("GET", "/api/biosamples", body=b'{"query":{}}'),
        hash_request("POST", "/api/individuals", body=b'{"query":{}}'),
        hash_request("POST", "/api/biosamples", body=b'{"query": {}}'),  # one space more
        hash_request("POST", "/api/biosamples", query="x=1", body=b'{"query":{}}'),
    ],
)
def test_a_token_matches_only_its_own_request(other: str) -> None:
    claims = verify_token(token(), secrets=SECRETS, audience="n1", now=1000)
    with pytest.raises(AuthError, match="issued for another request"):
        check_request_hash(claims, other)


def test_a_query_string_is_hashed_in_one_spelling() -> None:
    # Re-encoded or reordered by a proxy, the node reads the same question.
    assert canonical_query("filters=ICD10%3AC50&filters=sex:female&datasetIds=a") == (
        canonical_query("datasetIds=a&filters=sex%3Afemale&filters=ICD10:C50")
    )
    assert hash_request("GET", "/api/biosamples", query="filters=ICD10:C50") == hash_request(
        "get", "/api/biosamples", query="filters=ICD10%3AC50"
    )
    assert hash_request("GET", "/api/biosamples", query="filters=ICD10:C50") != hash_request(
        "GET", "/api/biosamples", query="filters=ICD10:C18"
    )
    # A path holding a newline cannot pass for another path and query.
    assert hash_request("GET", "/a\nx=", query="") != hash_request("GET", "/a", query="x=")


def test_allow_list() -> None:
    claims = verify_token(token(requester="bob"), secrets=SECRETS, audience="n1", now=1000)
    check_requester(claims, allowed=["*"])
    check_requester(claims, allowed=["hub:bob"])
    check_requester(claims, allowed=["hub:*"])
    with pytest.raises(RequesterNotAllowedError):
        check_requester(claims, allowed=["alice", "other:bob"])
