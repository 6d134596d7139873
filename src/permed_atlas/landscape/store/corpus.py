"""The corpus store: one DuckDB file in the data directory holding works and their tags.

The schema is in ``corpus_schema.sql`` beside this module; it is the contract
between ingest, tagging, indicators and the web app.

:func:`store_works` writes a batch of parsed records in one transaction. A
record whose identifiers (OpenAlex id, DOI, PMID, Lens id, family id,
publication number) are already in ``work_ids`` is merged into that work
instead of added: re-ingesting a file changes nothing, and the OpenAlex and
PubMed records of one article become one work, made from both records whichever came
first (:mod:`permed_atlas.landscape.store.records`). Rows move as Arrow tables
(:mod:`permed_atlas.landscape.store.work_rows`), so a batch costs a handful of SQL
statements, not one per record.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import CorpusBusyError, LandscapeError
from permed_atlas.landscape.ingest.merge import IdKey
from permed_atlas.landscape.models import Work
from permed_atlas.landscape.store._duck import corpus_transaction, registered
from permed_atlas.landscape.store._merging import Groups, Merging
from permed_atlas.landscape.store.merges import superseded_records
from permed_atlas.landscape.store.records import TAG_TABLES as TAG_TABLES
from permed_atlas.landscape.store.records import (
    delete_work_rows,
    insert_tables,
    load_held_records,
    write_works,
)
from permed_atlas.landscape.store.work_rows import CONTENT_TABLES as CONTENT_TABLES
from permed_atlas.landscape.store.work_rows import (
    RowBatch,
    renumbered,
    row_batch,
    select_records,
)
from permed_atlas.settings import CORPUS_MEMORY_LIMIT

SCHEMA_SQL = (Path(__file__).parent / "corpus_schema.sql").read_text(encoding="utf-8")
# DuckDB checkpoints (moves the write-ahead log into the file) at the first commit after
# the log passes this size; its default, 16 MiB, is one or two ingest batches of full-size
# OpenAlex records (10,000 of them log 31 MB). A checkpoint recompresses the partly filled
# last row group of each table it appends to, ~0.6 s at 1M works however few rows were
# added, so an ingest paid that per batch, and tagging once more. The log already makes
# each commit durable; at 64 MiB an update of ~20,000 works is checkpointed once, when the
# corpus is published or closed, and a bulk load every few batches. Committed rows not yet
# checkpointed stay in DuckDB's memory (within the memory limit: it spills beyond).
CHECKPOINT_THRESHOLD = "64MiB"


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one batch did: records that changed the corpus, records that changed nothing.

    ``merged`` counts the stored records that were folded into a work already
    there (e.g. the PubMed record of a work first read from OpenAlex);
    ``superseded`` the records left out because OpenAlex merged their work into
    another (see :mod:`permed_atlas.landscape.store.merges`).
    """

    stored: int
    duplicates: int
    merged: int
    work_ids: tuple[int, ...]
    superseded: int = 0


def open_corpus(
    path: Path | str,
    *,
    read_only: bool = False,
    memory_limit: str | None = CORPUS_MEMORY_LIMIT,
    lock_wait: float = 0.0,
) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create) the corpus database.

    :param path: the DuckDB file, or ``":memory:"`` for a throwaway corpus.
    :param read_only: open without taking the writer's lock; the file must exist.
    :param memory_limit: cap DuckDB's memory, e.g. ``"512MB"`` (pass
        ``settings.corpus_memory_limit``); None lifts it to DuckDB's default, 80% of RAM,
        which tagging a large corpus would fill.
    :param lock_wait: seconds to keep retrying while another process holds the
        lock (the web app takes it briefly to finish tagging); then
        :class:`CorpusBusyError`.
    """
    target = str(path)
    if target != ":memory:":
        file = Path(target)
        if read_only and not file.exists():
            raise LandscapeError(
                Message(
                    "no corpus at %(file)s: run `permed ingest` or `permed demo` first",
                    file=file,
                )
            )
        file.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            connection = duckdb.connect(target, read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise _cannot_open(target, exc) from exc
            if time.monotonic() >= deadline:
                raise CorpusBusyError(
                    Message(
                        "the corpus at %(target)s is locked by another process (an "
                        "ingest, or the web app finishing tags): %(exc)s",
                        target=target,
                        exc=exc,
                    )
                ) from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise _cannot_open(target, exc) from exc
    try:
        if memory_limit:
            set_memory_limit(connection, memory_limit)
        if not read_only:
            connection.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            connection.execute(SCHEMA_SQL)
    except duckdb.Error as exc:
        connection.close()
        raise _cannot_open(target, exc) from exc
    return connection


def _cannot_open(target: str, exc: Exception) -> LandscapeError:
    return LandscapeError(
        Message("cannot open the corpus at %(target)s: %(exc)s", target=target, exc=exc)
    )


def set_memory_limit(connection: duckdb.DuckDBPyConnection, limit: str | None) -> None:
    """Cap DuckDB's memory (buffer cache and operators, which spill to ``<corpus>.tmp``).

    :param connection: a corpus connection.
    :param limit: e.g. ``"1GiB"``; None lifts the cap to DuckDB's default, 80% of RAM.
    :raises LandscapeError: DuckDB does not read ``limit`` as a size.
    """
    try:
        if limit is None:
            connection.execute("RESET memory_limit")
        else:
            connection.execute(f"SET memory_limit = '{limit.replace(chr(39), '')}'")
    except duckdb.Error as exc:
        raise LandscapeError(
            Message(
                "memory limit %(limit)s is not a size such as 1GiB: %(exc)s",
                limit=repr(limit),
                exc=exc,
            )
        ) from exc


def store_works(connection: duckdb.DuckDBPyConnection, *, works: Sequence[Work]) -> StoreResult:
    """Write a batch of records to the corpus in one transaction, merging known works.

    :param connection: a writable corpus connection with no transaction open.
    :param works: parsed records, in file order.
    """
    return store_row_batch(connection, batch=row_batch(works), record=works.__getitem__)


def store_row_batch(
    connection: duckdb.DuckDBPyConnection, *, batch: RowBatch, record: Callable[[int], Work]
) -> StoreResult:
    """Write a batch of parsed rows in one transaction, merging known works.

    A record that shares no identifier with the corpus or the rest of the
    batch is written from its rows as they are; the others are merged, which
    needs their Work, got from ``record``.

    :param connection: a writable corpus connection with no transaction open.
    :param batch: the rows, as built by :func:`row_batch` or by parsing processes.
    :param record: the Work of the batch's i-th record.
    """
    superseded = superseded_records(connection, batch.ids) if batch.count else set()
    if superseded:
        kept = [index for index in range(batch.count) if index not in superseded]
        batch, of_batch = select_records(batch, kept), record
        record = lambda index: of_batch(kept[index])  # noqa: E731
    if not batch.count:
        return StoreResult(0, 0, 0, (), len(superseded))
    groups = Groups(batch.count)
    first_with: dict[IdKey, int] = {}
    first = first_with.setdefault
    for index, keys in enumerate(batch.ids):
        for key in keys:
            seen = first(key, index)
            if seen != index:
                groups.union(seen, index)
    with corpus_transaction(connection, failure=Message("cannot write to the corpus")):
        result = _store_grouped(connection, batch, record, groups, first_with)
    if superseded:
        result = dataclasses.replace(result, superseded=len(superseded))
    return result


def _store_grouped(
    connection: duckdb.DuckDBPyConnection,
    batch: RowBatch,
    record: Callable[[int], Work],
    groups: Groups,
    first_with: dict[IdKey, int],
) -> StoreResult:
    matches = _stored_matches(connection, first_with)
    if not matches and not groups.joined:
        # The common case: every record is a work not seen before, written from its rows.
        start = _last_work_id(connection) + 1
        new_id_of = list(range(start, start + batch.count))
        insert_tables(connection, renumbered(batch.tables, new_id_of))
        return StoreResult(batch.count, 0, 0, tuple(new_id_of))
    first_record_of: dict[int, int] = {}
    for index, work_id in matches:
        seen = first_record_of.setdefault(work_id, index)
        if seen != index:
            groups.union(seen, index)
    existing_of: dict[int, set[int]] = {}
    for work_id, index in first_record_of.items():
        existing_of.setdefault(groups.find(index), set()).add(work_id)
    merging = Merging(
        held=load_held_records(connection, work_ids=first_record_of.keys()),
        record=record,
        next_id=_last_work_id(connection),
        new_id_of=[-1] * batch.count,  # records written from their own rows
    )
    members: dict[int, list[int]] = {}
    for index in range(batch.count):
        members.setdefault(groups.find(index), []).append(index)
    for root, indexes in members.items():
        merging.add_group(indexes, sorted(existing_of.get(root, ())))
    delete_work_rows(connection, merging.to_delete)
    fresh = [work_id for work_id in merging.new_id_of if work_id >= 0]
    if fresh:
        insert_tables(connection, renumbered(batch.tables, merging.new_id_of))
    write_works(connection, merging.to_write)
    return StoreResult(
        merging.stored,
        merging.duplicates,
        merging.merged,
        tuple(fresh) + tuple(w for w, _ in merging.to_write),
    )


def _stored_matches(
    connection: duckdb.DuckDBPyConnection, first_with: dict[IdKey, int]
) -> list[Any]:
    """(record index, work id) of every stored work sharing an identifier with the batch."""
    lookup = pa.table(
        {
            "id_type": [key[0] for key in first_with],
            "id_value": [key[1] for key in first_with],
            "idx": pa.array(list(first_with.values()), pa.int64()),
        }
    )
    return _query(
        connection,
        "SELECT l.idx, w.work_id FROM _ingest_lookup l JOIN work_ids w "
        "ON w.id_type = l.id_type AND w.id_value = l.id_value",
        _ingest_lookup=lookup,
    )


def _last_work_id(connection: duckdb.DuckDBPyConnection) -> int:
    last = connection.execute("SELECT coalesce(max(work_id), 0) FROM works").fetchall()
    return int(last[0][0])


def _query(connection: duckdb.DuckDBPyConnection, sql: str, **tables: pa.Table) -> list[Any]:
    with registered(connection, **tables):
        return connection.execute(sql).fetchall()


def count_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per content table, e.g. to check that an ingest changed nothing.

    :param connection: a corpus connection.
    """
    return {
        table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        for table in CONTENT_TABLES
    }
