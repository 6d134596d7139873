"""Signed tokens between hub and nodes."""

from __future__ import annotations

import pytest

from permed_atlas.federation.auth import check_requester, issue_token, verify_token
from permed_atlas.federation.errors import AuthError, RequesterNotAllowedError

SECRETS = {"hub": "s" * 32}


def test_round_trip() -> None:
    token = issue_token(SECRETS["hub"], issuer="hub", requester="alice", audience="n1", now=1000)
    claims = verify_token(token, secrets=SECRETS, audience="n1", now=1100)
    assert (claims.issuer, claims.requester, claims.audience) == ("hub", "alice", "n1")
    assert claims.expires_at == 1300


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
    args = {"secret": SECRETS["hub"], "issuer": "hub", "audience": "n1", **token_args}
    token = issue_token(args.pop("secret"), requester="alice", now=1000, **args)
    with pytest.raises(AuthError, match=message):
        verify_token(token, secrets=SECRETS, audience="n1", now=now)


def test_tampered_claims_fail() -> None:
    token = issue_token(SECRETS["hub"], issuer="hub", requester="alice", audience="n1", now=1000)
    payload, signature = token.split(".")
    forged = issue_token(
        SECRETS["hub"], issuer="hub", requester="admin", audience="n1", now=1000
    ).split(".")[0]
    with pytest.raises(AuthError):
        verify_token(f"{forged}.{signature}", secrets=SECRETS, audience="n1", now=1000)
    with pytest.raises(AuthError, match="malformed"):
        verify_token("garbage", secrets=SECRETS, audience="n1", now=1000)
    assert payload != forged


def test_allow_list() -> None:
    token = issue_token(SECRETS["hub"], issuer="hub", requester="bob", audience="n1", now=1000)
    claims = verify_token(token, secrets=SECRETS, audience="n1", now=1000)
    check_requester(claims, allowed=["*"])
    check_requester(claims, allowed=["hub:bob"])
    check_requester(claims, allowed=["hub:*"])
    with pytest.raises(RequesterNotAllowedError):
        check_requester(claims, allowed=["alice", "other:bob"])
