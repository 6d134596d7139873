"""Errors of getting data from public sources, each naming what failed and where::

    PermedError
    └── SourceError            any failure of ``permed fetch ...`` or ``permed sync ...``
        ├── FetchError         a request failed for good (after its retries, or refused)
        ├── FetchStateError    a resume state file cannot be read or belongs to another query
        ├── SnapshotError      the OpenAlex snapshot (manifest, a part, the sync state) is
        │                      not as expected
        └── DownloadError      a file could not be downloaded whole, after every retry

A fetch or sync that fails keeps what it has written: running the same command again resumes.
"""

from __future__ import annotations

from permed_atlas.errors import PermedError


class SourceError(PermedError):
    """Getting data from a public source failed."""


class FetchError(SourceError):
    """A request failed for good: refused (4xx), or still failing after every retry.

    :param message: what failed, with the URL's path but never a key.
    :param status: the last HTTP status, None when the connection itself failed.
    :param body: the start of the last response body (keys removed).
    """

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class FetchStateError(SourceError):
    """A fetch's resume state file is unreadable or was written for another query."""


class SnapshotError(SourceError):
    """The OpenAlex snapshot (its manifest, a part, the sync state) is not as expected."""


class DownloadError(SourceError):
    """A file could not be downloaded whole, after every retry."""
