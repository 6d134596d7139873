"""Parsing OpenAlex JSON Lines in a pool of processes.

This process gunzips and splits lines and hands slices of ~1,000 lines to the
workers; each worker decodes them, builds their table rows straight from the
decoded objects (``openalex_rows``; only unusual records go through a Work), and
sends back Arrow tables, which cross the process boundary as buffers rather
than as millions of pickled objects. A bounded number of slices is in flight,
so memory does not grow with the file. The serial ingest builds its rows with the same
:class:`LineRows`.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest._common import iter_line_blocks
from permed_atlas.landscape.ingest.merge import IdKey, stored_from_record
from permed_atlas.landscape.ingest.openalex import openalex_rows, parse_openalex_record
from permed_atlas.landscape.ingest.pipeline import count_unresolved
from permed_atlas.landscape.models import Work
from permed_atlas.landscape.store.work_rows import RowBatch, append_rows, new_rows, tables_of

CHUNK_LINES = 1_000


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """One slice of a file, parsed: its errors, its rows, and the raw lines of its records."""

    errors: list[RecordError]
    unresolved: int
    batch: RowBatch
    lines: list[tuple[int, bytes]]


# Errors travel as (line, reason): RecordError's keyword-only constructor does not unpickle.
_SliceResult = tuple[list[tuple[int | None, str]], list[int], int, RowBatch]


class LineRows:
    """OpenAlex JSON lines turned into the rows of one batch, one line at a time.

    Workers fill one per slice; the serial ingest one per batch, so that it stores the
    same rows without building a Work for every record.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows = new_rows()
        self.ids: list[frozenset[IdKey]] = []

    def add(self, number: int, line: bytes) -> int | RecordError:
        """Append one line's rows; its unresolved affiliations, or why it is rejected.

        :param number: the 1-based line, for the error message.
        :param line: the raw JSON.
        """
        index = len(self.ids)
        try:
            # The fast path: rows straight from the decoded object, no Work built.
            keys, count = openalex_rows(orjson.loads(line), index, self.rows)
        except Exception:
            # Anything unusual takes the Work path, which decides and words the error.
            result = parse_openalex_record(line, path=self.path, number=number)
            if isinstance(result, RecordError):
                return result
            stored = stored_from_record(result)
            append_rows(self.rows, index, stored)
            keys, count = stored.ids, count_unresolved(result)
        self.ids.append(keys)
        return count

    def batch(self) -> RowBatch:
        """The rows added so far, as a batch."""
        return RowBatch(count=len(self.ids), ids=self.ids, tables=tables_of(self.rows))


def _parse_slice(path: str, lines: list[tuple[int, bytes]]) -> _SliceResult:
    gc.disable()  # see pipeline.ingest_file: parsed records hold no cycles
    errors: list[tuple[int | None, str]] = []
    kept: list[int] = []
    unresolved = 0
    rows = LineRows(path)
    for position, (number, line) in enumerate(lines):
        result = rows.add(number, line)
        if isinstance(result, RecordError):
            errors.append((result.line, result.reason))
            continue
        kept.append(position)
        unresolved += result
    return errors, kept, unresolved, rows.batch()


def reparse(line: tuple[int, bytes], *, path: str) -> Work:
    """The Work of one raw line again (for the rare record that must be merged).

    :param line: (line number, raw JSON).
    :param path: the file, for messages.
    """
    result = parse_openalex_record(line[1], path=path, number=line[0])
    if isinstance(result, RecordError):
        raise result
    return result


def iter_parsed_chunks(path: Path | str, *, workers: int) -> Iterator[ParsedChunk]:
    """Yield the parsed slices of an OpenAlex JSON Lines file, in file order.

    :param path: the file, plain or gzipped.
    :param workers: parsing processes.
    """
    name = str(path)
    # fork: spawn would re-run the caller's __main__ (scripts without a main guard
    # break). The children run only this module's pure parsing; they never touch
    # the parent's DuckDB connection or its threads.
    context = multiprocessing.get_context("fork")
    pending: deque[tuple[list[tuple[int, bytes]], Future[_SliceResult]]] = deque()

    def collect() -> ParsedChunk:
        lines, future = pending.popleft()
        errors, kept, unresolved, batch = future.result()
        return ParsedChunk(
            [RecordError(reason, path=name, line=line) for line, reason in errors],
            unresolved,
            batch,
            [lines[i] for i in kept],
        )

    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        lines: list[tuple[int, bytes]] = []
        broken: IngestError | None = None
        try:
            for block in iter_line_blocks(path):
                lines.extend(block)
                while len(lines) >= CHUNK_LINES:
                    part, lines = lines[:CHUNK_LINES], lines[CHUNK_LINES:]
                    pending.append((part, pool.submit(_parse_slice, name, part)))
                    if len(pending) > 2 * workers:
                        yield collect()
        except IngestError as exc:
            broken = exc  # the whole lines before a break are still parsed and handed over
        if lines:
            pending.append((lines, pool.submit(_parse_slice, name, lines)))
        while pending:
            yield collect()
        if broken is not None:
            raise broken
