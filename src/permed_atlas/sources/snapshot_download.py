"""Downloading snapshot files whole: resume with HTTP Range, retry with backoff, verify, rename.

A file is written to ``<name>.part`` beside its final path and renamed only once
its size is the manifest's: a reader (the ingest, a second sync) never sees a
half file under the real name. A ``.part`` left by a killed run is resumed from
its end with a Range request. 429 and 5xx answers, dropped connections and
short files are retried with exponential backoff (honouring ``Retry-After``);
a file still short after the last try raises :class:`DownloadError`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from permed_atlas.i18n import Message
from permed_atlas.sources.errors import DownloadError

CHUNK = 1 << 16
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry.

    :param attempts: tries per file, the first included.
    :param base_delay: seconds before the first retry; doubled each time.
    :param max_delay: the longest wait between tries (also caps ``Retry-After``).
    """

    attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            try:
                wait: float = min(max(float(retry_after), 0.0), self.max_delay)
                return wait
            except ValueError:
                pass  # an HTTP date: fall back to backoff
        backoff: float = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return backoff


def partial_path(target: Path) -> Path:
    """Where ``target`` is written until it is whole."""
    return target.with_name(target.name + ".part")


class _Retry(Exception):
    """One try failed in a way worth another (the reason is the message)."""

    def __init__(self, reason: str, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _try_once(
    client: httpx.Client,
    url: str,
    part: Path,
    size: int | None,
    progress: Callable[[int], None] | None,
) -> None:
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have > size:
        part.unlink()  # longer than the file: not a prefix of it
        have = 0
    if size is not None and have == size:
        return
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status}", response.headers.get("Retry-After"))
        if status == 416:  # nothing past what we have: the .part is not this file
            part.unlink(missing_ok=True)
            raise _Retry("HTTP 416 on resume; starting again")
        if status not in (200, 206):
            raise DownloadError(Message("%(url)s: HTTP %(status)s", url=url, status=status))
        mode = "ab" if status == 206 else "wb"
        if status == 200 and have and progress is not None:
            progress(-have)  # the server ignored the Range: the bytes come again
        with part.open(mode) as out:
            for chunk in response.iter_bytes(CHUNK):
                out.write(chunk)
                if progress is not None:
                    progress(len(chunk))


def download_file(
    client: httpx.Client,
    url: str,
    target: Path,
    *,
    size: int | None,
    progress: Callable[[int], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Download ``url`` to ``target`` unless it is there whole already; returns ``target``.

    :param client: the HTTP client (timeouts, headers).
    :param url: the file's address.
    :param target: the final path; its folder is created.
    :param size: the size the manifest gives; a file of another size is never kept.
    :param progress: called with the bytes received (negative when they are discarded).
    :param policy: retries and backoff.
    :param sleep: waits between tries (tests pass a recorder).
    """
    if target.exists() and (size is None or target.stat().st_size == size):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = partial_path(target)
    reason = "no try made"
    for attempt in range(1, policy.attempts + 1):
        retry_after = None
        try:
            _try_once(client, url, part, size, progress)
            got = part.stat().st_size if part.exists() else 0
            if size is None or got == size:
                os.replace(part, target)
                return target
            # The server closed a whole-looking answer early (or sent too much): a cut copy
            # must not be ingested, so it is dropped and fetched again from the start.
            reason = f"got {got:,} bytes, the manifest says {size:,}"
            part.unlink()
            if progress is not None:
                progress(-got)
        except _Retry as exc:
            reason, retry_after = str(exc), exc.retry_after
        except httpx.TransportError as exc:  # dropped connection, timeout, refused
            reason = f"{type(exc).__name__}: {exc}"
        if attempt < policy.attempts:
            sleep(policy.delay(attempt, retry_after))
    raise DownloadError(
        f"{url}: not downloaded whole after {policy.attempts} tries (last: {reason}); "
        f"a later sync resumes from {part.name}"
        if part.exists()
        else f"{url}: not downloaded whole after {policy.attempts} tries (last: {reason})"
    )
