"""Ingest the Parquet snapshot with DuckDB: nested columns to corpus rows in SQL, no JSON.

The parts are scanned once by ``read_parquet``; the optional PM filter (the
corpus's own PM rules, :func:`parquet_sql.pm_filter_sql`) runs inside that scan,
so a PM slice never materialises the other works. The kept works go to a
temporary table, then batch by batch to the corpus's row tables. A batch whose
works share no identifier with each other or with the corpus (a first ingest, new
partitions) is written by ``INSERT ... SELECT`` inside DuckDB, never leaving it.
Any other batch goes through the same store as the JSON Lines path: works already
in the corpus are merged or replaced (a newer ``updated_date`` wins) by that
store, from the work rebuilt from the row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from permed_atlas.landscape import (
    RowBatch,
    RuleSet,
    Work,
    any_merged,
    countries_from_affiliation,
    rebuild_abstract,
    store_row_batch,
    work_from_openalex,
)
from permed_atlas.sources.errors import SnapshotError
from permed_atlas.sources.parquet_sql import (
    ABSTRACT_FUNCTION,
    ABSTRACTS_TABLE,
    ABSTRACTS_VIEW,
    AFFILIATIONS,
    CLASHES,
    CONTRIBUTORS,
    INVERTED_INDEXES,
    KEYS,
    SOURCE_COLUMNS,
    TERMS,
    WORKS,
    pm_filter_sql,
    source_sql,
)

BATCH_SIZE = 100_000
COUNTRIES_FUNCTION = "permed_affiliation_countries"
_TEMP_TABLES = ("_pq_src", "_pq_keys", "_pq_people")
_ID_TYPES = ("doi", "openalex_id", "pmid")  # Work.identifiers() sorted by id type


@dataclass
class ParquetSummary:
    """What one Parquet ingest did: works scanned, kept by the filter, and how they were stored."""

    scanned: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    merged: int = 0
    skipped: int = 0
    unresolved_affiliations: int = 0
    seconds: float = 0.0


def _paths_sql(paths: Sequence[Path]) -> str:
    for path in paths:
        if not path.is_file():
            raise SnapshotError(f"{path}: no such Parquet file")
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def ingest_parquet(
    paths: Sequence[Path],
    *,
    corpus: duckdb.DuckDBPyConnection,
    pm_rules: RuleSet | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ParquetSummary:
    """Ingest Parquet work parts into the corpus; with ``pm_rules``, only the PM-relevant works.

    :param paths: the parts (:data:`parquet_write.WORK_SCHEMA` layout).
    :param corpus: a writable corpus connection with no transaction open.
    :param pm_rules: the tagging rules whose ``pm`` rules filter the scan; None keeps all.
    :param batch_size: works per store transaction.
    :param progress: called with the works stored per batch.
    """
    started = time.perf_counter()
    files = _paths_sql(paths)
    summary = ParquetSummary()
    _register_functions(corpus)
    # Rebuilding abstracts is Python (holding the GIL); it runs in this thread while DuckDB,
    # which releases the GIL, writes the batch's other rows.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="permed-abstracts")
    try:
        _scan(corpus, files, pm_rules, summary)
        if pm_rules is not None:  # the scan rebuilt them already, for the filter
            corpus.execute(ABSTRACTS_VIEW)
        # The SQL fast path cannot leave out works OpenAlex merged away; the store can.
        fast = not any_merged(corpus)
        for lo in range(0, summary.read, batch_size):
            hi = min(lo + batch_size, summary.read)
            abstracts = None
            if pm_rules is None:
                inverted = corpus.sql(INVERTED_INDEXES, params={"lo": lo, "hi": hi})
                abstracts = pool.submit(_abstract_rows, inverted.to_arrow_table(), files)
            if not (fast and _insert_fresh(corpus, lo, hi, summary, abstracts)):
                batch, unresolved = _row_batch(corpus, lo, hi, abstracts)
                raw = _RawRows(corpus, lo, hi)
                result = store_row_batch(corpus, batch=batch, record=raw.work)
                summary.stored += result.stored
                summary.duplicates += result.duplicates
                summary.merged += result.merged
                summary.skipped += result.superseded
                summary.unresolved_affiliations += unresolved
            if progress is not None:
                progress(hi - lo)
    finally:
        pool.shutdown(cancel_futures=True)
        corpus.execute(f"DROP VIEW IF EXISTS {ABSTRACTS_TABLE}")
        for table in _TEMP_TABLES:
            corpus.execute(f"DROP TABLE IF EXISTS {table}")
        corpus.remove_function(ABSTRACT_FUNCTION)
        corpus.remove_function(COUNTRIES_FUNCTION)
    summary.seconds = time.perf_counter() - started
    return summary


def _scan(
    corpus: duckdb.DuckDBPyConnection,
    files: str,
    pm_rules: RuleSet | None,
    summary: ParquetSummary,
) -> None:
    """Scan the parts once into ``_pq_src``, the PM filter (if any) applied in the scan."""
    try:
        summary.scanned = int(
            corpus.execute(
                f"SELECT count(*) FROM read_parquet({files}, union_by_name = true)"
            ).fetchall()[0][0]
        )  # from the footers: no row is read for it
        pm_filter = pm_filter_sql(pm_rules) if pm_rules is not None else None
        corpus.execute(f"CREATE OR REPLACE TEMP TABLE _pq_src AS {source_sql(files, pm_filter)}")
        summary.read = int(corpus.execute("SELECT count(*) FROM _pq_src").fetchall()[0][0])
    except duckdb.Error as exc:
        raise SnapshotError(f"cannot read the Parquet parts {files}: {exc}") from exc


def _abstracts(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pa.array(
        [rebuild_abstract(orjson.loads(text)) if text else None for text in column.to_pylist()],
        pa.string(),
    )


def _abstract_rows(inverted: pa.Table, files: str) -> pa.Table:
    """(``idx``, ``abstract``) of works given as (``idx``, ``id``, ``abstract_inverted_index``);
    SnapshotError naming the parts and the work when an index is not one."""
    abstracts: list[str | None] = []
    for work, text in zip(
        inverted.column("id").to_pylist(),
        inverted.column("abstract_inverted_index").to_pylist(),
        strict=True,
    ):
        try:
            abstracts.append(rebuild_abstract(orjson.loads(text)) if text else None)
        except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError: ValueError
            raise SnapshotError(
                f"{files}: work {work}: abstract_inverted_index is not an inverted index: {exc}"
            ) from exc
    return pa.table({"idx": inverted.column("idx"), "abstract": pa.array(abstracts, pa.string())})


@contextmanager
def _abstracts_of(
    corpus: duckdb.DuckDBPyConnection, pending: Future[pa.Table] | None
) -> Iterator[None]:
    """Make a batch's rebuilt abstracts the works rows' ``_pq_abstracts`` while in the block
    (None: the scan's view is there already)."""
    if pending is None:
        yield
        return
    corpus.register(ABSTRACTS_TABLE, pending.result())
    try:
        yield
    finally:
        corpus.unregister(ABSTRACTS_TABLE)


def _countries(text: str) -> list[str]:
    return list(countries_from_affiliation(text))


def _register_functions(corpus: duckdb.DuckDBPyConnection) -> None:
    """Give ``corpus`` the Python functions the SQL calls (removed again when done)."""
    corpus.execute("SET enable_progress_bar = false")
    # DuckDB's stubs want its enum for ``type`` (duckdb.func, not in every 1.x); the string works.
    corpus.create_function(  # type: ignore[call-overload]
        ABSTRACT_FUNCTION, _abstracts, ["VARCHAR"], "VARCHAR", type="arrow"
    )
    corpus.create_function(COUNTRIES_FUNCTION, _countries, ["VARCHAR"], "VARCHAR[]")


def _insert_fresh(
    corpus: duckdb.DuckDBPyConnection,
    lo: int,
    hi: int,
    summary: ParquetSummary,
    abstracts: Future[pa.Table] | None,
) -> bool:
    """Write works ``lo``..``hi`` of ``_pq_src`` straight into the corpus tables, in SQL.

    Only when none of them shares an identifier with another of them or with the
    corpus (the store's own "not seen before" case, whose rows need no merging);
    otherwise nothing is written and False is returned. Ids are given in scan order,
    from the corpus's highest plus one, as the store gives them.
    """
    params: dict[str, object] = {"lo": lo, "hi": hi, "shift": -lo}
    try:
        corpus.begin()
        try:
            corpus.execute(f"CREATE OR REPLACE TEMP TABLE _pq_keys AS {KEYS}", params)
            if corpus.execute(CLASHES).fetchall()[0][0]:
                corpus.rollback()
                return False
            start = int(
                corpus.execute("SELECT coalesce(max(work_id), 0) + 1 FROM works").fetchall()[0][0]
            )
            params["shift"] = start - lo
            unresolved = _insert_rows_sql(corpus, params, start)
            with _abstracts_of(corpus, abstracts):  # last: the abstracts are rebuilt meanwhile
                corpus.execute(f"INSERT INTO works BY NAME {WORKS}", params)
            corpus.commit()
        except BaseException:
            corpus.rollback()
            raise
    except duckdb.Error as exc:
        raise SnapshotError(f"cannot write the Parquet works to the corpus: {exc}") from exc
    summary.stored += hi - lo
    summary.unresolved_affiliations += unresolved
    return True


def _insert_rows_sql(
    corpus: duckdb.DuckDBPyConnection, params: dict[str, object], start: int
) -> int:
    """INSERT ... SELECT the batch's rows; the number of affiliations naming no country."""
    names = "work_id, position, role, name, author_id, orcid, raw_affiliation"
    # Affiliation text with no country from any institution: the country is read from the
    # text, as the JSON Lines parser does (a Python rule, called for those authors only).
    corpus.execute(
        f"CREATE OR REPLACE TEMP TABLE _pq_people AS SELECT {names}, CASE WHEN unlocated "
        f"AND raw_affiliation IS NOT NULL THEN {COUNTRIES_FUNCTION}(raw_affiliation) END "
        f"AS parsed FROM ({CONTRIBUTORS})",
        params,
    )
    corpus.execute(f"INSERT INTO contributors ({names}) SELECT {names} FROM _pq_people")
    corpus.execute(
        f"INSERT INTO affiliations BY NAME ({AFFILIATIONS}) UNION ALL "
        "SELECT work_id, position, NULL, NULL, NULL, unnest(parsed) FROM _pq_people "
        "WHERE len(parsed) > 0",
        params,
    )
    corpus.execute(
        "INSERT INTO terms (work_id, scheme, term, term_id, score) "
        f"SELECT work_id, scheme, term, term_id, score FROM ({TERMS})",
        params,
    )
    corpus.execute(
        "INSERT INTO work_ids (id_type, id_value, work_id) "
        "SELECT id_type, id_value, work_id + $start FROM _pq_keys ORDER BY work_id, id_type",
        {"start": start},  # _pq_keys numbers the batch's works from 0
    )
    rows = corpus.execute(
        "SELECT count(*) FROM _pq_people WHERE parsed IS NOT NULL AND len(parsed) = 0"
    ).fetchall()
    return int(rows[0][0])


def _arrow(corpus: duckdb.DuckDBPyConnection, sql: str, lo: int, hi: int) -> pa.Table:
    return corpus.sql(sql, params={"lo": lo, "hi": hi, "shift": -lo}).to_arrow_table()


def _row_batch(
    corpus: duckdb.DuckDBPyConnection, lo: int, hi: int, abstracts: Future[pa.Table] | None
) -> tuple[RowBatch, int]:
    """The corpus rows of works ``lo``..``hi`` of ``_pq_src``, indexed from 0."""
    with _abstracts_of(corpus, abstracts):
        works = _arrow(corpus, WORKS, lo, hi)
    people = _arrow(corpus, CONTRIBUTORS, lo, hi)
    places = _arrow(corpus, AFFILIATIONS, lo, hi)
    terms = _arrow(corpus, TERMS, lo, hi)
    # Affiliation text with no country from any institution: read the country from the
    # text, as the JSON Lines parser does (a Python rule, so done here, for those rows only).
    unlocated = people.filter(
        pc.and_(people.column("unlocated"), pc.is_valid(people.column("raw_affiliation")))
    )
    extra: list[tuple[int, int, str]] = []
    unresolved = 0
    for work_id, position, raw in zip(
        unlocated.column("work_id").to_pylist(),
        unlocated.column("position").to_pylist(),
        unlocated.column("raw_affiliation").to_pylist(),
        strict=True,
    ):
        countries = countries_from_affiliation(raw)
        if not countries:
            unresolved += 1
        extra.extend((work_id, position, country) for country in countries)
    if extra:
        places = pa.concat_tables(
            [
                places,
                pa.table(
                    {
                        "work_id": pa.array([e[0] for e in extra], pa.int64()),
                        "position": pa.array([e[1] for e in extra], pa.int32()),
                        "institution_id": pa.nulls(len(extra), pa.string()),
                        "institution_name": pa.nulls(len(extra), pa.string()),
                        "ror": pa.nulls(len(extra), pa.string()),
                        "country_code": pa.array([e[2] for e in extra], pa.string()),
                    },
                    schema=places.schema,
                ),
            ]
        )
    ids, keys = _identifiers(works)
    tables = {
        "works": works,
        "contributors": people.drop_columns(["unlocated"]),
        "affiliations": places,
        "terms": terms,
        "work_ids": keys,
    }
    return RowBatch(count=works.num_rows, ids=ids, tables=tables), unresolved


def _identifiers(works: pa.Table) -> tuple[list[frozenset[tuple[str, str]]], pa.Table]:
    columns = [works.column(name).to_pylist() for name in _ID_TYPES]
    ids: list[frozenset[tuple[str, str]]] = []
    rows: tuple[list[str], list[str], list[int]] = ([], [], [])
    for index, values in enumerate(zip(*columns, strict=True)):
        keys = []
        for id_type, value in zip(_ID_TYPES, values, strict=True):
            if value is not None:
                keys.append((id_type, value))
                rows[0].append(id_type)
                rows[1].append(value)
                rows[2].append(index)
        ids.append(frozenset(keys))
    table = pa.table(
        {
            "id_type": pa.array(rows[0], pa.string()),
            "id_value": pa.array(rows[1], pa.string()),
            "work_id": pa.array(rows[2], pa.int64()),
        }
    )
    return ids, table


class _RawRows:
    """The works of one batch as :class:`Work`, rebuilt from the Parquet row when merging.

    The store asks only for works it must merge with stored ones; the batch's rows are
    read back once, on the first such request.
    """

    def __init__(self, corpus: duckdb.DuckDBPyConnection, lo: int, hi: int) -> None:
        self.corpus, self.lo, self.hi = corpus, lo, hi
        self.rows: list[dict[str, Any]] | None = None

    def work(self, index: int) -> Work:
        if self.rows is None:
            table = self.corpus.sql(
                f"SELECT {SOURCE_COLUMNS} FROM _pq_src WHERE idx >= $lo AND idx < $hi ORDER BY idx",
                params={"lo": self.lo, "hi": self.hi},
            ).to_arrow_table()
            self.rows = table.to_pylist()
        row = dict(self.rows[index])
        if row.get("abstract_inverted_index"):
            row["abstract_inverted_index"] = orjson.loads(row["abstract_inverted_index"])
        return work_from_openalex(row)
