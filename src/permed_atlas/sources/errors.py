"""Errors of the data sources, each naming what failed and where."""

from __future__ import annotations

from permed_atlas.errors import PermedError


class SourceError(PermedError):
    """A data source could not be read."""


class SnapshotError(SourceError):
    """The OpenAlex snapshot (its manifest, a part, the sync state) is not as expected."""


class DownloadError(SourceError):
    """A file could not be downloaded whole, after every retry."""
