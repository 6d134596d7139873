"""The shared client's parts: backoff with jitter, Retry-After, the rate limit, redaction."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from permed_atlas.sources import RateLimiter, RetryingClient, RetryPolicy, parse_retry_after


def test_backoff_doubles_with_jitter_and_stops_at_the_cap() -> None:
    policy = RetryPolicy(max_retries=10, backoff=1.0, backoff_max=30.0)
    for retry, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (4, 16.0), (9, 30.0)]:
        waits = {policy.wait_before(retry) for _ in range(200)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 100  # jittered: clients that failed together spread out


def test_retry_after_is_a_floor_under_the_cap() -> None:
    policy = RetryPolicy(backoff=0.01, backoff_max=30.0)
    assert policy.wait_before(0, retry_after=7.0) == 7.0
    assert policy.wait_before(0, retry_after=3600.0) == 30.0


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 12, 6, 5, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sun, 06 Dec 2026 05:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Sun, 06 Dec 2026 04:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_rate_limiter_spaces_requests() -> None:
    limiter = RateLimiter(20.0)
    started = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - started >= 5 / 20


def test_every_secret_is_redacted() -> None:
    with RetryingClient(policy=RetryPolicy(), secrets=["s3cret", None, "k2"]) as client:
        assert client.redact("api_key=s3cret&x=k2&y=s3cret") == "api_key=***&x=***&y=***"


def test_settings_never_show_the_keys() -> None:
    from pydantic import SecretStr

    from permed_atlas.settings import Settings

    settings = Settings(
        openalex_api_key=SecretStr("oa-secret-1234"), ncbi_api_key=SecretStr("ncbi-secret-5678")
    )
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "oa-secret-1234" not in shown and "ncbi-secret-5678" not in shown
    assert settings.openalex_api_key is not None
    assert settings.openalex_api_key.get_secret_value() == "oa-secret-1234"
