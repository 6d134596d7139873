"""Errors of the landscape capability.

::

    PermedError
    └── LandscapeError
        ├── IngestError            a whole file cannot be read (missing, empty, wrong format)
        │   ├── RecordError        one record is malformed; carries file and line, is skipped
        │   └── TruncatedFileError the file ends inside a record; the records before are kept
        ├── CorpusBusyError        another process holds the corpus's write lock
        ├── RegionError            unknown region set or country code
        │   └── RegionFileError    a region file is malformed (names file, region, field)
        └── TaggingRuleError       a topic rule file is malformed
            └── TopicRuleFileError a topic rule file's field is wrong (names file, rule, field)

    KeyboardInterrupt
    └── IngestInterruptedError     Ctrl-C during an ingest; carries what the file's ingest
                                   stored before it (a KeyboardInterrupt still, so that code
                                   which does not know it stops as it did)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from permed_atlas.datafiles import DataFileError
from permed_atlas.errors import PermedError
from permed_atlas.i18n import Message, lazy_gettext

if TYPE_CHECKING:
    from permed_atlas.landscape.ingest.pipeline import IngestSummary


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
        super().__init__(Message("%(where)s: %(message)s", where=where, message=message))
        self.path = path
        self.line = line
        self.reason = message


class TruncatedFileError(IngestError):
    """A file ends inside a record (a cut download, a full disk); the records before it are whole.

    :param path: the file.
    :param line: the line where the incomplete record starts, when known.
    :param detail: what showed the cut, e.g. the gzip stream has no end marker.
    :param record: the 1-based number of the incomplete record, once the reader's caller knows it.
    """

    def __init__(
        self, path: str, *, line: int | None, detail: str, record: int | None = None
    ) -> None:
        where = f" (line {line})" if line is not None else ""
        at = f" at record {record}" if record is not None else ""
        super().__init__(f"{path}: file truncated{at}{where}: {detail}")
        self.path = path
        self.line = line
        self.detail = detail
        self.record = record

    def at_record(self, record: int) -> TruncatedFileError:
        """The same error, numbering the incomplete record (readers count lines, not records).

        :param record: 1-based number of the first record not read.
        """
        return TruncatedFileError(self.path, line=self.line, detail=self.detail, record=record)


class CorpusBusyError(LandscapeError):
    """Another process holds the corpus's lock (an ingest writing, the app finishing tags)."""


class CorpusUnavailableError(LandscapeError):
    """The corpus cannot be opened for reading (e.g. an ingest holds its lock)."""


class RegionError(LandscapeError):
    """An unknown region set or country code."""


class RegionFileError(RegionError, DataFileError):
    """A region file is malformed (path, region code, field: see DataFileError)."""

    entry_label = lazy_gettext("region")


class TaggingRuleError(LandscapeError):
    """A tagging rule file is malformed."""


class TopicRuleFileError(TaggingRuleError, DataFileError):
    """A topic rule file is malformed (path, rule id, field: see DataFileError)."""

    entry_label = lazy_gettext("rule")


class IngestInterruptedError(KeyboardInterrupt):
    """Ctrl-C stopped the ingest of a file; ``summary`` counts the batches stored before it.

    Every batch is one transaction, so the corpus holds those batches whole and nothing of
    the one being written; running the ingest again stores the rest.

    :param summary: the file's counts up to the interruption (``problems`` says where).
    """

    def __init__(self, summary: IngestSummary) -> None:
        super().__init__(summary.problems[-1] if summary.problems else "interrupted")
        self.summary = summary
