"""Ingest the Parquet snapshot with DuckDB: nested columns to corpus rows in SQL, no JSON.

Each part is read by ``read_parquet`` a few times, each statement taking only the
columns it needs (DuckDB pushes the projection into the scan):

1. one scan of the identifiers, title and abstract gives ``_pq_rows``, the part's rows
   (:func:`parquet_sql.rows_sql`). A row with no OpenAlex id or a broken abstract index
   is rejected there, with its part, row and reason, as the JSON Lines path rejects such a
   line. The optional PM filter, the corpus's own PM rules, runs inside the scan, so a PM
   slice never materialises the other works: each kept row carries the columns the
   inserts read, its abstract's index text included, and the part is not read again;
2. the rows are sorted in SQL: a work OpenAlex merged away is left out (its id is
   in ``merged_works``); a work sharing an identifier with another row of the part
   or with the corpus must be merged; every other one is fresh;
3. fresh works go from the part (or the kept rows) into the corpus tables with
   ``INSERT ... SELECT`` (UNNEST of authorships, institutions and term lists),
   never leaving DuckDB; their ids follow the corpus's highest in row order, as
   the store gives them;
4. the works to merge go through the same store as the JSON Lines path (a newer
   ``updated_date`` replaces, an older copy changes nothing, other sources merge),
   from the work rebuilt from the row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from permed_atlas.i18n import Message
from permed_atlas.landscape import (
    RecordError,
    RowBatch,
    RuleSet,
    Work,
    corpus_transaction,
    countries_from_affiliation,
    rebuild_abstract,
    store_row_batch,
    work_from_openalex,
)
from permed_atlas.sources.errors import SnapshotError
from permed_atlas.sources.parquet_sql import (
    ABSTRACT_FUNCTION,
    ABSTRACTS_TABLE,
    AFFILIATIONS,
    CARRIED_SOURCE,
    CONTRIBUTORS,
    FRESH_KEYS,
    KEYS,
    SOURCE_COLUMNS,
    STATES,
    TERMS,
    WORKS,
    parquet_source_sql,
    rows_sql,
    source_view_sql,
)

BATCH_SIZE = 100_000
MAX_KEPT_ERRORS = 1_000
COUNTRIES_FUNCTION = "permed_affiliation_countries"
_TEMP_TABLES = ("_pq_rows", "_pq_keys", "_pq_state", "_pq_map", "_pq_people")
_ID_TYPES = ("doi", "openalex_id", "pmid")  # Work.identifiers() sorted by id type
_NO_ID = "record has no OpenAlex id"


@dataclass
class ParquetSummary:
    """What one Parquet ingest did: works scanned, kept by the filter, and how they were stored.

    ``read`` = ``stored`` + ``duplicates`` + ``skipped`` + ``rejected`` (the works the
    PM filter left out are in ``scanned`` only); ``errors`` keeps the first
    rejections, each naming its part, row and reason.
    """

    scanned: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    merged: int = 0
    skipped: int = 0
    rejected: int = 0
    unresolved_affiliations: int = 0
    seconds: float = 0.0
    errors: list[RecordError] = field(default_factory=list)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


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
    for path in paths:
        if not path.is_file():
            raise SnapshotError(Message("%(path)s: no such Parquet file", path=path))
    summary = ParquetSummary()
    _register_functions(corpus)
    # Rebuilding abstracts is Python (holding the GIL); it runs in this thread, on its own
    # cursor, while DuckDB (which releases the GIL) writes the batch's other rows.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="permed-abstracts")
    try:
        for path in paths:
            part = _Part(corpus, path, summary, batch_size, progress)
            part.ingest(pm_rules, pool)
    finally:
        pool.shutdown(cancel_futures=True)
        corpus.execute("DROP VIEW IF EXISTS _pq_src")
        for table in _TEMP_TABLES:
            corpus.execute(f"DROP TABLE IF EXISTS {table}")
        corpus.remove_function(ABSTRACT_FUNCTION)
        corpus.remove_function(COUNTRIES_FUNCTION)
    summary.seconds = time.perf_counter() - started
    return summary


def _abstracts(column: pa.ChunkedArray | pa.Array) -> pa.StructArray:
    """The JSON parser's own rebuild of each index, or why it is not one (vectorised UDF)."""
    texts: list[str | None] = []
    problems: list[str | None] = []
    for text in column.to_pylist():
        abstract = problem = None
        if text:
            try:
                abstract = rebuild_abstract(orjson.loads(text))
            except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError: ValueError
                reason = str(exc)
                # rebuild_abstract's own reasons already name the field
                problem = (
                    reason
                    if reason.startswith("abstract_inverted_index")
                    else f"abstract_inverted_index is not an inverted index: {reason}"
                )
        texts.append(abstract)
        problems.append(problem)
    return pa.StructArray.from_arrays(
        [pa.array(texts, pa.string()), pa.array(problems, pa.string())], names=["text", "problem"]
    )


def _rebuilt(
    cursor: duckdb.DuckDBPyConnection, file_sql: str, rows: pa.Table, first: int, last: int
) -> pa.Table:
    """(``part_row``, ``abstract``) of the part's ``rows`` (between ``first`` and ``last``),
    read on a cursor of its own: this runs in the abstracts' thread.

    The scan rejected the rows whose index the rebuild would fail on, so none fails here.
    """
    try:
        cursor.register("_pq_wanted", rows)
        inverted = cursor.sql(
            "SELECT file_row_number AS part_row, abstract_inverted_index AS j FROM "
            f"{parquet_source_sql(file_sql)} SEMI JOIN _pq_wanted "
            "ON file_row_number = _pq_wanted.part_row "
            f"WHERE file_row_number BETWEEN {int(first)} AND {int(last)} AND j <> ''"
        ).to_arrow_table()
    finally:
        cursor.close()
    return _rebuilt_texts(inverted)


def _rebuilt_texts(inverted: pa.Table) -> pa.Table:
    """(``part_row``, ``abstract``) of the (``part_row``, ``j``) index texts: the JSON
    parser's own rebuild, in the abstracts' thread."""
    texts = [rebuild_abstract(orjson.loads(text)) for text in inverted.column("j").to_pylist()]
    return pa.table(
        {"part_row": inverted.column("part_row"), "abstract": pa.array(texts, pa.string())}
    )


_NO_ABSTRACTS = pa.table(
    {"part_row": pa.array([], pa.int64()), "abstract": pa.array([], pa.string())}
)


@contextmanager
def _abstracts_of(
    corpus: duckdb.DuckDBPyConnection, pending: Future[pa.Table] | None
) -> Iterator[Callable[[], None]]:
    """Make a batch's rebuilt abstracts ``_pq_abstracts`` while in the block; the block calls
    the function it is given before the statement that reads them (None: the scan rebuilt
    them, the table is empty)."""
    registered = False

    def ready() -> None:
        nonlocal registered
        if not registered:
            corpus.register(ABSTRACTS_TABLE, pending.result() if pending else _NO_ABSTRACTS)
            registered = True

    try:
        yield ready
    finally:
        if registered:
            corpus.unregister(ABSTRACTS_TABLE)


def _countries(text: str) -> list[str]:
    return list(countries_from_affiliation(text))


def _register_functions(corpus: duckdb.DuckDBPyConnection) -> None:
    """Give ``corpus`` the Python functions the SQL calls (removed again when done)."""
    corpus.execute("SET enable_progress_bar = false")
    # DuckDB's stubs want its enum for ``type`` (duckdb.func, not in every 1.x); the string works.
    corpus.create_function(  # type: ignore[call-overload]
        ABSTRACT_FUNCTION,
        _abstracts,
        ["VARCHAR"],
        "STRUCT(text VARCHAR, problem VARCHAR)",
        type="arrow",
    )
    corpus.create_function(COUNTRIES_FUNCTION, _countries, ["VARCHAR"], "VARCHAR[]")


class _Part:
    """One Parquet part on its way into the corpus."""

    def __init__(
        self,
        corpus: duckdb.DuckDBPyConnection,
        path: Path,
        summary: ParquetSummary,
        batch_size: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.corpus, self.path, self.summary = corpus, path, summary
        self.file = _quoted(path)
        self.batch_size, self.progress = batch_size, progress
        self.pool: ThreadPoolExecutor | None = None
        self.carried = False  # the kept rows carry their columns (a PM slice)

    @property
    def source(self) -> str:
        """The part's rows the inserts read: the kept rows' carried columns, or the part."""
        return CARRIED_SOURCE if self.carried else parquet_source_sql(self.file)

    def ingest(self, pm_rules: RuleSet | None, pool: ThreadPoolExecutor) -> None:
        """Read, sort and store the part; ``pool`` rebuilds the abstracts the scan did not.

        :param pm_rules: the PM filter's rules, or None to keep every work.
        :param pool: the abstracts' thread.
        """
        self.pool = pool
        try:
            self._read_rows(pm_rules)
            self._sort_rows()
        except duckdb.Error as exc:
            raise SnapshotError(
                Message(
                    "cannot read the Parquet part %(path)s: %(exc)s",
                    path=self.path,
                    exc=exc,
                )
            ) from exc
        self._in_batches("fresh", self._insert_fresh)
        self._in_batches("merge", self._store_merged)

    def _read_rows(self, pm_rules: RuleSet | None) -> None:
        """``_pq_rows``: the part's rows the filter keeps; the rejected ones reported."""
        corpus, summary = self.corpus, self.summary
        summary.scanned += int(
            corpus.execute(f"SELECT count(*) FROM read_parquet({self.file})").fetchall()[0][0]
        )  # from the footer: no row is read for it
        # The rows are written in no order (every statement that reads them orders them): a
        # sort of a big slice's wide kept rows ran out of a small memory limit.
        corpus.execute("SET preserve_insertion_order = false")
        try:
            corpus.execute(
                f"CREATE OR REPLACE TEMP TABLE _pq_rows AS {rows_sql(self.file, pm_rules)}"
            )
        finally:
            corpus.execute("RESET preserve_insertion_order")
        self.carried = pm_rules is not None  # rows_sql carries a slice's columns
        read, rejected = corpus.execute(
            "SELECT count(*), count(*) FILTER (WHERE problem IS NOT NULL) FROM _pq_rows"
        ).fetchall()[0]
        summary.read += int(read)
        summary.rejected += int(rejected)
        room = MAX_KEPT_ERRORS - len(summary.errors)
        if rejected and room > 0:
            for row, work, problem in corpus.execute(
                "SELECT part_row, openalex_id, problem FROM _pq_rows WHERE problem IS NOT NULL "
                f"ORDER BY part_row LIMIT {room}"
            ).fetchall():
                what = f" (work {work})" if work else ""
                summary.errors.append(
                    RecordError(
                        Message(
                            "row %(value)s%(what)s: %(problem)s",
                            value=row + 1,
                            what=what,
                            problem=problem,
                        ),
                        path=str(self.path),
                    )
                )

    def _sort_rows(self) -> None:
        """``_pq_state``: each kept row fresh, to merge, or superseded (merged away)."""
        self.corpus.execute(f"CREATE OR REPLACE TEMP TABLE _pq_keys AS {KEYS}")
        self.corpus.execute(f"CREATE OR REPLACE TEMP TABLE _pq_state AS {STATES}")
        (superseded,) = self.corpus.execute(
            "SELECT count(*) FROM _pq_state WHERE state = 'superseded'"
        ).fetchall()[0]
        self.summary.skipped += int(superseded)

    def _in_batches(
        self, state: str, write: Callable[[int, int, Callable[[], None]], None]
    ) -> None:
        """Number the ``state`` rows from 0 in ``_pq_map`` and hand them to ``write`` in batches."""
        corpus = self.corpus
        corpus.execute(
            "CREATE OR REPLACE TEMP TABLE _pq_map AS SELECT s.part_row, "
            "(row_number() OVER (ORDER BY s.part_row) - 1)::BIGINT AS idx, r._abstract, "
            "r._indexed, r.openalex_id, r._doi, r.pmid "
            "FROM _pq_state s JOIN _pq_rows r USING (part_row) WHERE s.state = $state "
            "ORDER BY s.part_row",
            {"state": state},
        )
        (count,) = corpus.execute("SELECT count(*) FROM _pq_map").fetchall()[0]
        for lo in range(0, int(count), self.batch_size):
            hi = min(lo + self.batch_size, int(count))
            first, last = corpus.execute(
                "SELECT min(part_row), max(part_row) FROM _pq_map WHERE idx >= $lo AND idx < $hi",
                {"lo": lo, "hi": hi},
            ).fetchall()[0]
            # The view reads only the batch's stretch of the part (the rows are numbered in
            # file order), so a big part is not scanned whole for every batch.
            corpus.execute(source_view_sql(self.source, int(first), int(last)))
            pending = None
            # The abstracts the scan did not rebuild (those a PM filter's keyword rules read).
            rows = corpus.sql(
                "SELECT part_row FROM _pq_map WHERE idx >= $lo AND idx < $hi "
                "AND _abstract IS NULL AND _indexed",
                params={"lo": lo, "hi": hi},
            ).to_arrow_table()
            if rows.num_rows and self.pool is not None:
                pending = self._rebuild(self.pool, rows, first, last)
            with _abstracts_of(corpus, pending) as ready:
                write(lo, hi, ready)
            if self.progress is not None:
                self.progress(hi - lo)

    def _rebuild(
        self, pool: ThreadPoolExecutor, rows: pa.Table, first: int, last: int
    ) -> Future[pa.Table]:
        """Rebuild the abstracts of ``rows`` in the abstracts' thread while DuckDB writes.

        The kept rows of a PM slice carry their index texts (temporary tables are this
        connection's own, so they are read here); otherwise the thread reads the part.
        """
        if self.carried:
            self.corpus.register("_pq_wanted", rows)
            try:
                inverted = self.corpus.sql(
                    "SELECT part_row, abstract_inverted_index AS j FROM _pq_rows "
                    "SEMI JOIN _pq_wanted USING (part_row) WHERE j <> ''"
                ).to_arrow_table()
            finally:
                self.corpus.unregister("_pq_wanted")
            return pool.submit(_rebuilt_texts, inverted)
        return pool.submit(_rebuilt, self.corpus.cursor(), self.file, rows, first, last)

    def _insert_fresh(self, lo: int, hi: int, abstracts_ready: Callable[[], None]) -> None:
        """Write fresh works ``lo``..``hi`` straight into the corpus tables, in SQL."""
        corpus = self.corpus
        failure = Message("cannot write the Parquet works to the corpus")
        with corpus_transaction(corpus, failure=failure, error=SnapshotError):
            (start,) = corpus.execute("SELECT coalesce(max(work_id), 0) + 1 FROM works").fetchall()[
                0
            ]
            params: dict[str, object] = {"lo": lo, "hi": hi, "shift": int(start) - lo}
            unresolved = _insert_rows_sql(corpus, params)
            abstracts_ready()
            corpus.execute(f"INSERT INTO works BY NAME {WORKS}", params)
        self.summary.stored += hi - lo
        self.summary.unresolved_affiliations += unresolved

    def _store_merged(self, lo: int, hi: int, abstracts_ready: Callable[[], None]) -> None:
        """Store works ``lo``..``hi`` that share identifiers, through the corpus store."""
        abstracts_ready()
        batch, unresolved = _row_batch(self.corpus, lo, hi)
        raw = _RawRows(self.corpus, lo, hi)
        result = store_row_batch(self.corpus, batch=batch, record=raw.work)
        summary = self.summary
        summary.stored += result.stored
        summary.duplicates += result.duplicates
        summary.merged += result.merged
        summary.skipped += result.superseded
        summary.unresolved_affiliations += unresolved


def _insert_rows_sql(corpus: duckdb.DuckDBPyConnection, params: dict[str, object]) -> int:
    """INSERT ... SELECT the batch's rows; the number of affiliations naming no country."""
    names = "work_id, position, role, name, author_id, orcid, raw_affiliation"
    # Affiliation text with no country from any institution: the country is read from the
    # text, as the JSON Lines parser does (a Python rule, called for those authors only).
    corpus.execute(
        f"CREATE OR REPLACE TEMP TABLE _pq_people AS SELECT {names}, institutions, CASE WHEN "
        f"unlocated AND raw_affiliation IS NOT NULL THEN {COUNTRIES_FUNCTION}(raw_affiliation) "
        f"END AS parsed FROM ({CONTRIBUTORS})",
        params,
    )
    corpus.execute(f"INSERT INTO contributors ({names}) SELECT {names} FROM _pq_people")
    corpus.execute(
        f"INSERT INTO affiliations BY NAME ({AFFILIATIONS}) UNION ALL "
        "SELECT work_id, position, NULL, NULL, NULL, unnest(parsed) FROM _pq_people "
        "WHERE len(parsed) > 0"
    )
    corpus.execute(
        "INSERT INTO terms (work_id, scheme, term, term_id, score) "
        f"SELECT work_id, scheme, term, term_id, score FROM ({TERMS})",
        params,
    )
    corpus.execute(f"INSERT INTO work_ids (id_type, id_value, work_id) {FRESH_KEYS}", params)
    rows = corpus.execute(
        "SELECT count(*) FROM _pq_people WHERE parsed IS NOT NULL AND len(parsed) = 0"
    ).fetchall()
    return int(rows[0][0])


def _arrow(corpus: duckdb.DuckDBPyConnection, sql: str, lo: int, hi: int) -> pa.Table:
    return corpus.sql(sql, params={"lo": lo, "hi": hi, "shift": -lo}).to_arrow_table()


def _row_batch(corpus: duckdb.DuckDBPyConnection, lo: int, hi: int) -> tuple[RowBatch, int]:
    """The corpus rows of works ``lo``..``hi`` of ``_pq_src``, indexed from 0."""
    works = _arrow(corpus, WORKS, lo, hi)
    corpus.execute(
        f"CREATE OR REPLACE TEMP TABLE _pq_people AS {CONTRIBUTORS}",
        {"lo": lo, "hi": hi, "shift": -lo},
    )
    people = corpus.sql("SELECT * EXCLUDE (institutions) FROM _pq_people").to_arrow_table()
    places = corpus.sql(AFFILIATIONS).to_arrow_table()
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
