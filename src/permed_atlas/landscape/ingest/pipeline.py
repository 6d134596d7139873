"""Ingest files into the corpus: parse, batch, store, count.

Parsing (gunzip, JSON or XML decoding, building Works) is the bulk of the
work; with ``workers`` > 1 it runs in a process pool over slices of the file,
while this process merges and writes batches in file order.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

import permed_atlas.landscape.store.corpus as corpus_store
import permed_atlas.landscape.store.work_rows as work_rows
from permed_atlas.i18n import require_one_of
from permed_atlas.landscape.errors import (
    IngestError,
    IngestInterruptedError,
    LandscapeError,
    RecordError,
    TruncatedFileError,
)
from permed_atlas.landscape.ingest.files import check_file, expand_paths
from permed_atlas.landscape.ingest.openalex import is_document_file, parse_openalex
from permed_atlas.landscape.ingest.patents import parse_patents
from permed_atlas.landscape.ingest.pubmed import parse_pubmed
from permed_atlas.landscape.models import Deletion, Work
from permed_atlas.landscape.store.pm_slice import PmSlice
from permed_atlas.landscape.store.withdrawals import withdraw_records
from permed_atlas.landscape.topics import RuleSet

Source = Literal["openalex", "pubmed", "patents"]
SOURCES: tuple[str, ...] = ("openalex", "pubmed", "patents")
BATCH_SIZE = 5_000
MAX_KEPT_ERRORS = 1_000
PROGRESS_EVERY = 2_000
PARALLEL_BATCH_SIZE = 5_000

Record = Work | Deletion | RecordError
_PARSERS: dict[str, Callable[[Path | str], Iterator[Record]]] = {
    "openalex": parse_openalex,
    "pubmed": parse_pubmed,
    "patents": parse_patents,
}


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """Counts of one ingest (one file, or the total of several).

    ``read`` = ``stored`` + ``duplicates`` + ``rejected`` + ``skipped``. ``stored``
    records added a work or new information to one (``merged`` of them into a work
    already there); ``duplicates`` changed nothing; ``rejected`` were
    malformed and skipped; ``skipped`` were well formed and left out on purpose
    (not PM-relevant under ``pm_rules``, or merged by OpenAlex into another work).
    ``deleted`` works were withdrawn by the file (PubMed ``DeleteCitation``).
    ``unresolved_affiliations`` counts contributors whose affiliation text named no
    country we could read. ``errors`` keeps the first
    1,000 rejections. ``problems`` says why a file was not read to its end (cut,
    unreadable); the counts are then those of the records before the break,
    which are stored: the counts always say what the corpus gained.
    """

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    merged: int = 0
    deleted: int = 0
    skipped: int = 0
    unresolved_affiliations: int = 0
    errors: tuple[RecordError, ...] = ()
    problems: tuple[str, ...] = ()
    path: str | None = None
    seconds: float = 0.0
    files: tuple[IngestSummary, ...] = field(default=(), repr=False)

    def line(self) -> str:
        """The summary line every ingest ends with."""
        line = (
            f"read {self.read}, stored {self.stored}, "
            f"duplicates {self.duplicates}, rejected {self.rejected}"
        )
        if self.skipped:
            line += f", skipped {self.skipped}"
        if self.deleted:
            line += f", deleted {self.deleted}"
        if self.problems and self.path is not None:
            line += " (" + "; ".join(p.removeprefix(f"{self.path}: ") for p in self.problems) + ")"
        return line


# The counts of IngestSummary, added up over the records of a file and over files.
SUMMED_COUNTS = (
    "read",
    "stored",
    "duplicates",
    "rejected",
    "merged",
    "deleted",
    "skipped",
    "unresolved_affiliations",
)


def _check_source(source: str) -> None:
    require_one_of(
        "unknown source %(value)s: use one of %(options)s",
        value=source,
        options=SOURCES,
        error=IngestError,
    )


def parse_file(path: Path | str, *, source: Source) -> Iterator[Record]:
    """The records of one file, parsed and not stored.

    :param path: the file, plain or gzipped.
    :param source: "openalex", "pubmed" or "patents".
    """
    _check_source(source)
    return _PARSERS[source](path)


def count_unresolved(work: Work) -> int:
    """Contributors with affiliation text but no country from it or their institutions.

    :param work: a parsed record.
    """
    return sum(
        1
        for person in work.contributors
        if person.raw_affiliation
        and not person.countries
        and not any(inst.country_code for inst in person.institutions)
    )


class _Tally:
    """Counts of one file, fed by either the serial or the parallel loop."""

    def __init__(
        self,
        corpus: duckdb.DuckDBPyConnection,
        progress: Callable[[int], None] | None,
        on_error: Callable[[RecordError], None] | None,
        pm: PmSlice | None = None,
    ) -> None:
        self.corpus = corpus
        self.progress = progress
        self.on_error = on_error
        self.pm = pm
        self.read = self.stored = self.duplicates = self.rejected = 0
        self.merged = self.unresolved_affiliations = self.pending = self.deleted = self.skipped = 0
        # Records read whose batch is not stored yet: not counted as read if Ctrl-C comes first.
        self.unstored = 0
        self.errors: list[RecordError] = []

    def reject(self, error: RecordError) -> None:
        self.read += 1
        self.pending += 1
        self.rejected += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def accept(self, count: int, unresolved: int) -> None:
        self.read += count
        self.unstored += count
        self.pending += count
        self.unresolved_affiliations += unresolved

    def report(self) -> None:
        if self.progress is not None and self.pending:
            self.progress(self.pending)
        self.pending = 0

    def held(self, count: int, batch_size: int, flush: Callable[[], None]) -> None:
        """After a record joins the batch: store the batch once it is full, else report
        progress every :data:`PROGRESS_EVERY` records."""
        if count >= batch_size:
            flush()
        elif self.pending >= PROGRESS_EVERY:
            self.report()

    def store(self, batch: work_rows.RowBatch, record: Callable[[int], Work]) -> None:
        """Store a batch, less the records the PM slice leaves out, and count it."""
        count = batch.count
        with ctrl_c_held():  # a batch committed is a batch counted
            if self.pm is not None:
                kept = self.pm.indexes(batch.tables)
                if len(kept) < batch.count:
                    self.skipped += batch.count - len(kept)
                    batch, of_batch = work_rows.select_records(batch, kept), record
                    record = lambda index: of_batch(kept[index])  # noqa: E731
            result = corpus_store.store_row_batch(self.corpus, batch=batch, record=record)
            self.stored += result.stored
            self.duplicates += result.duplicates
            self.merged += result.merged
            self.skipped += result.superseded
            self.unstored -= count
        self.report()

    def interrupted(self, path: Path) -> str:
        """Count only what was stored, and say where Ctrl-C stopped the file."""
        self.read -= self.unstored
        self.unstored = 0
        return f"{path}: interrupted (Ctrl-C) after record {self.read}"


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise it: a batch is committed and counted, or
    neither. A second Ctrl-C stops at once (the batch's transaction is rolled back).

    Only in the main thread with Python's own handler in place; elsewhere the block runs as
    it is (signals reach only the main thread).
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    pressed: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if pressed:
            raise KeyboardInterrupt
        pressed.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


@contextmanager
def _stored_at_end(flush: Callable[[], None]) -> Iterator[None]:
    """Store the batch still held when the file ends, or when it breaks: the records read
    before a break are whole, so they are kept, and the break is raised after."""
    try:
        yield
    except IngestError:
        flush()
        raise
    flush()


def _ingest_serial(file: Path, source: str, tally: _Tally, batch_size: int) -> None:
    batch: list[Work] = []

    def flush() -> None:
        if batch:
            works = list(batch)
            tally.store(work_rows.row_batch(works), works.__getitem__)
            batch.clear()

    with _stored_at_end(flush):
        for record in _PARSERS[source](file):
            if isinstance(record, RecordError):
                tally.reject(record)
                continue
            if isinstance(record, Deletion):
                flush()  # a withdrawal applies to the records before it, this file's included
                with ctrl_c_held():
                    tally.deleted += withdraw_records(
                        tally.corpus, source=record.source, id_type=record.id_type, ids=record.ids
                    )
                continue
            tally.accept(1, count_unresolved(record))
            batch.append(record)
            tally.held(len(batch), batch_size, flush)


def _ingest_lines(file: Path, tally: _Tally, batch_size: int) -> None:
    """OpenAlex JSON Lines in this process, batched as :func:`_ingest_serial` does, with rows
    built straight from the JSON (as the parsing processes do): only a record that must be
    merged into a stored work is made a Work, from its line kept for that."""
    from permed_atlas.landscape.ingest._common import iter_lines
    from permed_atlas.landscape.ingest._parallel import LineRows, reparse

    name = str(file)
    rows = LineRows(name)
    raw: list[tuple[int, bytes]] = []

    def flush() -> None:
        nonlocal rows, raw
        if raw:
            batch, lines = rows.batch(), raw
            rows, raw = LineRows(name), []
            tally.store(batch, lambda i: reparse(lines[i], path=name))

    with _stored_at_end(flush):
        for number, line in iter_lines(file):
            result = rows.add(number, line)
            if isinstance(result, RecordError):
                tally.reject(result)
                continue
            tally.accept(1, result)
            raw.append((number, line))
            tally.held(len(raw), batch_size, flush)


def _ingest_parallel(file: Path, tally: _Tally, batch_size: int, workers: int) -> None:
    from permed_atlas.landscape.ingest._parallel import iter_parsed_chunks, reparse

    parts: list[work_rows.RowBatch] = []
    # This process keeps the raw lines of a batch (for records that must be merged),
    # so batches are smaller here than when parsing in-process.
    batch_size = min(batch_size, PARALLEL_BATCH_SIZE)
    raw: list[tuple[int, bytes]] = []

    def flush() -> None:
        if not parts:
            return
        batch = work_rows.concat_row_batches(parts)
        lines = list(raw)
        tally.store(batch, lambda i: reparse(lines[i], path=str(file)))
        parts.clear()
        raw.clear()

    with _stored_at_end(flush):
        for chunk in iter_parsed_chunks(file, workers=workers):
            for error in chunk.errors:
                tally.reject(error)
            tally.accept(chunk.batch.count, chunk.unresolved)
            parts.append(chunk.batch)
            raw.extend(chunk.lines)
            if len(raw) >= batch_size:
                flush()
            else:
                tally.report()  # a chunk holds a thousand lines: worth a report each


def ingest_file(
    path: Path | str,
    *,
    source: Source,
    corpus: duckdb.DuckDBPyConnection,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[RecordError], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    pm_rules: RuleSet | None = None,
) -> IngestSummary:
    """Ingest one file; malformed records are reported through ``on_error`` and skipped.

    Each batch is written in one transaction: a failure leaves the batches
    before it stored and nothing of its own. A file that breaks off (cut,
    unreadable part way) keeps every whole record before the break; the summary
    counts them and names the break in ``problems`` (not raised). A file that
    cannot be read at all (missing, directory, empty, not the format) raises
    :class:`IngestError` before anything is stored.

    :param path: the file, plain or gzipped.
    :param source: "openalex", "pubmed" or "patents" (format told from the content).
    :param corpus: a writable corpus connection.
    :param progress: called with the number of records read since the last call.
    :param on_error: called with each malformed record's error.
    :param batch_size: records per transaction.
    :param workers: parsing processes for OpenAlex JSON Lines; 1 parses in this process.
    :param pm_rules: store only the records these rules' ``pm`` topic marks PM-relevant
        (judged as tagging judges them; the others count as ``skipped``).
    """
    _check_source(source)
    file = Path(path)
    check_file(file, source=source)
    started = time.perf_counter()
    tally = _Tally(corpus, progress, on_error, PmSlice(pm_rules) if pm_rules else None)
    problems: list[str] = []
    # Parsed records hold no reference cycles, yet the cyclic collector would scan
    # every live object again and again while a batch builds up; it is paused
    # while the file is read (bench_ingest_memory.py shows memory stays flat).
    paused = gc.isenabled()
    gc.disable()
    interrupted: KeyboardInterrupt | None = None
    try:
        try:
            if source != "openalex" or is_document_file(file):
                _ingest_serial(file, source, tally, batch_size)
            elif workers > 1:
                _ingest_parallel(file, tally, batch_size, workers)
            else:
                _ingest_lines(file, tally, batch_size)
        except TruncatedFileError as exc:
            problems.append(str(exc.at_record(tally.read + 1)))
        except RecordError:
            raise
        except LandscapeError as exc:  # unreadable part way, or the corpus refused a batch
            problems.append(str(exc))
        tally.report()
    except KeyboardInterrupt as exc:  # also from a callback: the batches stored stay stored
        interrupted = exc
        problems.append(tally.interrupted(file))
    finally:
        if paused:
            gc.enable()
        if tally.pm is not None:
            tally.pm.close()
    summary = IngestSummary(
        **{name: getattr(tally, name) for name in SUMMED_COUNTS},
        errors=tuple(tally.errors),
        problems=tuple(problems),
        path=str(file),
        seconds=time.perf_counter() - started,
    )
    if interrupted is not None:
        raise IngestInterruptedError(summary) from interrupted
    return summary


def combine(summaries: Sequence[IngestSummary]) -> IngestSummary:
    """The total of several per-file summaries, keeping them in ``files``.

    :param summaries: one summary per file.
    """
    errors: list[RecordError] = []
    for summary in summaries:
        errors.extend(summary.errors[: MAX_KEPT_ERRORS - len(errors)])
    return IngestSummary(
        **{name: sum(getattr(s, name) for s in summaries) for name in SUMMED_COUNTS},
        errors=tuple(errors),
        problems=tuple(p for s in summaries for p in s.problems),
        seconds=sum(s.seconds for s in summaries),
        files=tuple(summaries),
    )


def ingest_files(
    paths: Iterable[Path | str],
    *,
    source: Source,
    corpus: duckdb.DuckDBPyConnection,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[RecordError], None] | None = None,
    workers: int = 1,
) -> IngestSummary:
    """Ingest several files of one source; the total summary keeps each file's in ``files``.

    Every path is checked before anything is read, so a missing, empty or
    unreadable file stops the run before it starts; a directory stands for the
    files inside it (:func:`expand_paths`).

    :param paths: the files or directories.
    :param source: "openalex", "pubmed" or "patents".
    :param corpus: a writable corpus connection.
    :param progress: called with the number of records read since the last call.
    :param on_error: called with each malformed record's error.
    :param workers: parsing processes for OpenAlex JSON Lines.
    """
    files = expand_paths(paths, source=source)
    summaries = [
        ingest_file(
            file,
            source=source,
            corpus=corpus,
            progress=progress,
            on_error=on_error,
            workers=workers,
        )
        for file in files
    ]
    return combine(summaries)
