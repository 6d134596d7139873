"""Errors of the landscape capability.

::

    PermedError
    └── LandscapeError
        ├── IngestError            a whole file cannot be read (missing, wrong format)
        │   └── RecordError        one record is malformed; carries file and line, is skipped
        ├── RegionError            unknown region set or country code
        └── TaggingRuleError       a topic rule file is malformed
"""

from __future__ import annotations

from permed_atlas.errors import PermedError


class LandscapeError(PermedError):
    """Base of the landscape's errors."""


class IngestError(LandscapeError):
    """A file cannot be ingested at all."""


class RecordError(IngestError):
    """One record in a file is malformed; the ingest reports it and goes on.

    :param path: the file.
    :param line: 1-based line (JSON Lines) or record index (XML), when known.
    """

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.reason = message


class RegionError(LandscapeError):
    """An unknown region set or country code."""


class TaggingRuleError(LandscapeError):
    """A tagging rule file is malformed."""
