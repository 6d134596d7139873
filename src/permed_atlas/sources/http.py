"""One HTTP client for every public source: retries with backoff, a rate limit, no leaked keys.

A request is retried after a 429 or a 5xx (waiting at least the server's
``Retry-After``), after a connection that failed or dropped mid-body, and after a
body that arrived whole by HTTP's count but does not parse (the caller's ``check``
says so by raising :class:`IncompleteResponseError`). Waits grow exponentially with
"equal jitter" (half fixed, half random), so many clients that failed together do
not come back together. A 4xx other than 429 is not retried: asking again would not
help.

Keys travel as query parameters (both OpenAlex and NCBI want them there). They are
never logged: every message this module makes has each secret replaced by ``***``,
and it names a request by its path only; httpx's own log lines (``HTTP Request: GET
<full URL>`` at INFO, shown whenever an application turns logging on) pass a filter
that does the same while a client is open.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, TypeVar

import httpx

from permed_atlas import __version__
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.sources.errors import FetchError

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"permed-atlas/{__version__} (python-httpx)"


class IncompleteResponseError(Exception):
    """Raised by a response check: the body arrived but is cut or malformed; ask again."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before asking again.

    :param max_retries: retries after the first attempt.
    :param backoff: the first wait in seconds; the n-th retry waits about ``backoff * 2**n``.
    :param backoff_max: the longest wait, ``Retry-After`` included.
    """

    max_retries: int = 8
    backoff: float = 1.0
    backoff_max: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy the settings ask for.

        :param settings: ``fetch_max_retries``, ``fetch_backoff_seconds``,
            ``fetch_backoff_max_seconds``.
        """
        return cls(
            settings.fetch_max_retries,
            settings.fetch_backoff_seconds,
            settings.fetch_backoff_max_seconds,
        )

    def wait_before(self, retry: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first).

        :param retry: how many retries came before this one.
        :param retry_after: the server's ``Retry-After`` in seconds, if it sent one.
        """
        ceiling = min(self.backoff_max, self.backoff * 2.0**retry)
        wait = ceiling / 2 + random.uniform(0.0, ceiling / 2)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.backoff_max)


class RateLimiter:
    """Spaces requests at least ``1 / per_second`` apart (thread-safe).

    :param per_second: requests allowed per second.
    """

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        """Block until the next request may go."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date).

    :param value: the header, or None.
    :param now: the current time, for HTTP dates (defaults to the clock).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_HTTP_LOGGERS = ("httpx", "httpcore")


class _RedactingFilter(logging.Filter):
    """Replaces the secrets in every log record of the HTTP libraries."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


class RetryingClient:
    """GET with retries, a rate limit and redacted messages, over one ``httpx.Client``.

    :param policy: retries and backoff.
    :param rate: a rate limiter shared by every request, or None.
    :param timeout: seconds one request may wait for the server.
    :param secrets: values never to show in a message (API keys).
    :param on_retry: told each retry in words (already redacted), e.g. to print it.
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy,
        rate: RateLimiter | None = None,
        timeout: float = 60.0,
        secrets: Iterable[str | None] = (),
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.policy = policy
        self.rate = rate
        self.secrets = tuple(secret for secret in secrets if secret)
        self.on_retry = on_retry
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )
        self._log_filter = _RedactingFilter(self.secrets)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        key: str | None,
        rate: RateLimiter | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> RetryingClient:
        """A client with the settings' retry policy and timeout that never shows ``key``.

        :param settings: ``fetch_*`` retries, backoff and timeout.
        :param key: the source's API key, or None.
        :param rate: a rate limiter shared by every request, or None.
        :param on_retry: told each retry in words (already redacted).
        """
        return cls(
            policy=RetryPolicy.from_settings(settings),
            rate=rate,
            timeout=settings.fetch_timeout_seconds,
            secrets=[key],
            on_retry=on_retry,
        )

    def __enter__(self) -> RetryingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``.

        :param text: a message that may quote a URL or a body.
        """
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def get(self, url: str, *, params: Mapping[str, str | int]) -> bytes:
        """The whole body of a GET of ``url``, retried until it arrives.

        :param url: the endpoint (no query string).
        :param params: query parameters; secrets among them are sent, never shown.
        :raises FetchError: a 4xx, or failures beyond the retries.
        """
        return self.get_parsed(url, params=params, parse=_as_is)[0]

    def get_parsed(
        self, url: str, *, params: Mapping[str, str | int], parse: Callable[[bytes], T]
    ) -> tuple[bytes, T]:
        """The whole body of a GET of ``url`` and what ``parse`` made of it, retried until
        it arrives whole.

        :param url: the endpoint (no query string).
        :param params: query parameters; secrets among them are sent, never shown.
        :param parse: reads the body; raises :class:`IncompleteResponseError` for a body to
            ask for again (cut, malformed); any other exception it raises ends the call.
        :raises FetchError: a 4xx, or failures beyond the retries.
        """
        where = httpx.URL(url).path
        for retry in range(self.policy.max_retries + 1):
            outcome = self._attempt(url, params, parse)
            if not isinstance(outcome, _Failure):
                return outcome
            if retry == self.policy.max_retries:
                retries = "1 retry" if retry == 1 else f"{retry} retries"
                message = f"{where}: {outcome.reason}; gave up after {retries}"
                raise FetchError(self.redact(message), status=outcome.status)
            wait = self.policy.wait_before(retry, retry_after=outcome.retry_after)
            if self.on_retry is not None:
                message = f"{where}: {outcome.reason}; retry {retry + 1}/{self.policy.max_retries}"
                self.on_retry(self.redact(f"{message} in {wait:.1f} s"))
            time.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(
        self, url: str, params: Mapping[str, str | int], parse: Callable[[bytes], T]
    ) -> tuple[bytes, T] | _Failure:
        """One request: the good body parsed, or why it failed and how long to wait."""
        if self.rate is not None:
            self.rate.wait()
        try:
            response = self._client.get(url, params=dict(params))
        except httpx.TransportError as exc:  # refused, reset, timed out, dropped mid-body
            return _Failure(f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return _Failure(f"HTTP {status}", status, retry_after)
        if status >= 400:
            body = self.redact(response.text[:300])
            message = self.redact(f"{httpx.URL(url).path}: HTTP {status}: {body}")
            raise FetchError(message, status=status, body=body)
        try:
            return response.content, parse(response.content)
        except IncompleteResponseError as exc:
            return _Failure(f"incomplete response ({exc})", status)


def _as_is(body: bytes) -> bytes:
    return body


@dataclass(frozen=True)
class _Failure:
    """One failed attempt worth retrying."""

    reason: str
    status: int | None = None
    retry_after: float | None = None


def check_page_size(value: int, *, option: str, most: int) -> None:
    """Refuse a page or batch size the API does not serve, naming the option as typed.

    :param value: the size asked for.
    :param option: the command-line option (``--per-page``); its field is ``per_page``.
    :param most: the API's largest page.
    """
    if not 1 <= value <= most:
        raise InvalidInputError(
            Message(
                "%(option)s: %(value)s is not between 1 and %(most)s",
                option=option,
                value=value,
                most=most,
            ),
            field=option.removeprefix("--").replace("-", "_"),
        )
