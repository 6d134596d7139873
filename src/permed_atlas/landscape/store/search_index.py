"""Build the search index (the ``search_*`` tables search.py reads) in full, or update it.

A full build reads every work. An update after an ingest re-indexes only the works that
changed since the index was last brought up to date, the *pending* works:

- the works tagging re-tagged (new, rewritten, gone): tagging writes them to
  ``search_pending`` in its own transaction (:func:`note_retagged`), so no change of tags
  can be missed, whoever tagged and whenever;
- works stored but not indexed, indexed but gone, or stored but untagged (two anti joins
  on ids, so that code that bypassed tagging is caught too).

Their rows in ``search_postings``, ``search_facets`` and ``search_docs`` are deleted and
written again with the full build's own SQL restricted to them; the counts a full build
would compute (a term's ``df``, a facet value's ``n``) move by the difference between
the rows deleted and the rows written, and the ``idf`` of every term follows the new
number of works. Facet values keep their ids and bits; a new value takes the next id and
a free bit, a value no work has any more goes. So every search gives the answers of a
full build (tests/landscape/test_search_incremental.py checks it on random updates).

A full build is still made when there is no index, when it was built by another
``INDEX_VERSION``, when tagging re-tagged the whole corpus (new rules), or when the update
touches more than a quarter of the works (then one pass is cheaper than many deletes).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.store._index_sql import (
    IDF_SQL,
    docs_sql,
    facets_sql,
    postings_sql,
    register_segmenter,
)
from permed_atlas.landscape.store._search_cells import (
    CELL_CONTENT_QUERY,
    apply_cell_delta,
    build_cells,
    has_cells,
    note_old_docs,
)
from permed_atlas.landscape.store._search_sql import (
    MASKED_DIMENSIONS,
    MAX_BITS,
    STOPWORDS,
)
from permed_atlas.landscape.topics import PM_TOPIC

INDEX_VERSION = "7"  # 7: facet value ids per work; 6: Chinese titles cut into words
FULL_REBUILD_SHARE = 0.25
"""An update of more than this share of the works rebuilds the index whole."""
SLICE_WORKS = 200_000
"""Works tokenised and grouped at a time by a full build: its memory is that of a slice,
whatever the size of the corpus."""
RESORT_SHARE = 0.10
"""Postings and facets are sorted again when the works written since the last sort pass
this share: appended rows span every term, so each lookup reads them all."""

_FINGERPRINT_SQL = """
SELECT concat_ws('/',
    (SELECT count(*) FROM works), (SELECT coalesce(max(work_id), 0) FROM works),
    (SELECT count(*) FROM work_regions), (SELECT count(*) FROM work_countries),
    (SELECT count(*) FROM work_topics), (SELECT count(*) FROM work_flags),
    (SELECT count(*) FROM affiliations))
"""
_SCOPE = "work_id IN (SELECT work_id FROM _search_scope)"
_PENDING_SQL = """
SELECT work_id FROM search_pending
UNION SELECT work_id FROM works ANTI JOIN search_docs USING (work_id)
UNION SELECT work_id FROM search_docs ANTI JOIN works USING (work_id)
UNION SELECT work_id FROM works ANTI JOIN work_flags USING (work_id)
"""


def _fingerprint(connection: duckdb.DuckDBPyConnection) -> str:
    rows = connection.execute(_FINGERPRINT_SQL).fetchall()
    return f"v{INDEX_VERSION}:{rows[0][0] if rows else ''}"


def _stored(connection: duckdb.DuckDBPyConnection, key: str) -> str | None:
    try:
        rows = connection.execute("SELECT value FROM search_meta WHERE key = ?", [key]).fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows else None


def _has_pending_table(connection: duckdb.DuckDBPyConnection) -> bool:
    rows = connection.execute(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = 'search_pending' AND NOT temporary"
    ).fetchall()
    return bool(rows)


def search_index_is_current(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search index exists and was built from the corpus as it is now.

    :param connection: a (possibly read-only) connection to the corpus.
    """
    # Built before the cells, an index is not current: an update adds them.
    return has_cells(connection) and _current_but_cells(connection)


def _current_but_cells(connection: duckdb.DuckDBPyConnection) -> bool:
    stored = _stored(connection, "fingerprint")
    # An update appends ";<n>" so that the snapshot fingerprint (snapshots.py) moves even
    # when the table sizes come out the same.
    if stored is None or stored.split(";")[0] != _fingerprint(connection):
        return False
    if not _has_pending_table(connection):
        return True
    return not connection.execute("SELECT EXISTS (SELECT 1 FROM search_pending)").fetchall()[0][0]


def note_retagged(connection: duckdb.DuckDBPyConnection, *, scope_table: str | None) -> None:
    """Tell the search index which works tagging re-tagged (call it in tagging's transaction).

    :param connection: a writable corpus connection.
    :param scope_table: a table of the re-tagged ``work_id``; None when every work was
        re-tagged, which makes the next update a full build.
    """
    if not _has_pending_table(connection):
        return  # no index, or one built before updates existed: the next one is a full build
    if scope_table is None:
        connection.execute("DELETE FROM search_meta WHERE key = 'fingerprint'")
    else:
        connection.execute(f"INSERT INTO search_pending SELECT work_id FROM {scope_table}")


INDEX_CONTENT_QUERIES = {
    "search_postings": "SELECT term, work_id, tf, doc_len FROM search_postings",
    "search_terms": "SELECT term, df, round(idf, 12) FROM search_terms",
    "search_facets": "SELECT * FROM search_facets",
    "search_facet_values": "SELECT dim, value, n FROM search_facet_values",
    "search_docs": "SELECT d.* EXCLUDE (region_mask, topic_mask, country_mask, facet_ids), "
    "(SELECT list((v.dim, v.value) ORDER BY v.dim, v.value) FROM "
    "(SELECT unnest(d.facet_ids) AS id) i JOIN search_facet_values v USING (id)) AS facets "
    "FROM search_docs d",
    "search_cell_counts": CELL_CONTENT_QUERY,
    "search_meta": "SELECT key, CASE WHEN key = 'fingerprint' THEN split_part(value, ';', 1) "
    "ELSE value END FROM search_meta WHERE key <> 'unsorted'",
}
"""What an update must leave exactly as a full build makes it: the index's tables, facet
value ids and bits aside (an update numbers new values after the old ones)."""


def _write_meta(connection: duckdb.DuckDBPyConnection, *, generation: int) -> int:
    """n_docs, avg_len and the fingerprint (with the update's number) in search_meta."""
    n_docs, avg_len = connection.execute(
        "SELECT count(*), coalesce(avg(doc_len), 0) FROM search_docs"
    ).fetchall()[0]
    fingerprint = _fingerprint(connection) + (f";{generation}" if generation else "")
    connection.execute("DELETE FROM search_meta WHERE key IN ('fingerprint', 'n_docs', 'avg_len')")
    connection.execute(
        "INSERT INTO search_meta VALUES ('fingerprint', ?), ('n_docs', ?), ('avg_len', ?)",
        [fingerprint, str(n_docs), str(avg_len)],
    )
    return int(n_docs)


def _slices(connection: duckdb.DuckDBPyConnection, slice_works: int) -> list[str]:
    """Conditions on ``work_id`` that split the works into ranges of about ``slice_works``.

    The first range is open below and the last open above, so that together they hold every
    row of every table, as ``true`` does (tag rows of a work no longer stored included).
    """
    low, high, works = connection.execute(
        "SELECT min(work_id), max(work_id), count(*) FROM works"
    ).fetchall()[0]
    parts = -(-works // max(slice_works, 1))
    if parts <= 1:
        return ["true"]
    width = -(-(high - low + 1) // parts)
    cuts = [low + width * i for i in range(1, parts)]
    return (
        [f"work_id < {cuts[0]}"]
        + [f"work_id >= {a} AND work_id < {b}" for a, b in zip(cuts, cuts[1:], strict=False)]
        + [f"work_id >= {cuts[-1]}"]
    )


def _write_slices(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    queries: list[str],
    parameters: dict[str, object],
    *,
    temporary: bool = True,
) -> None:
    """The rows of ``queries`` (same columns), one after the other, in the new ``table``."""
    for number, query in enumerate(queries):
        if number == 0:
            kind = "TEMP TABLE" if temporary else "TABLE"
            connection.execute(f"CREATE OR REPLACE {kind} {table} AS {query}", parameters)
        else:
            connection.execute(f"INSERT INTO {table} {query}", parameters)


def _build_tables(connection: duckdb.DuckDBPyConnection, *, slice_works: int) -> int:
    register_segmenter(connection)
    # Tokens and tag values are grouped one slice of works at a time (the grouping holds
    # every row of its input, ~100 tokens a work), then sorted whole: DuckDB's sort spills
    # to disk under the memory cap, a grouping of everything would not fit (issue #19).
    slices = _slices(connection, slice_works)
    _write_slices(
        connection,
        "_search_postings_slices",
        [postings_sql(scope, ordered=False) for scope in slices],
        {"stop": list(STOPWORDS)},
    )
    _write_slices(
        connection,
        "_search_facets_slices",
        [facets_sql(scope, ordered=False) for scope in slices],
        {"pm_topic": PM_TOPIC},
    )
    connection.execute(
        "CREATE OR REPLACE TABLE search_postings AS "
        "SELECT * FROM _search_postings_slices ORDER BY term, work_id"
    )
    connection.execute(
        "CREATE OR REPLACE TABLE search_facets AS "
        "SELECT * FROM _search_facets_slices ORDER BY dim, value, work_id"
    )
    connection.execute(
        """
        CREATE OR REPLACE TABLE search_facet_values AS
        SELECT dim, value, count(*) AS n, (row_number() OVER (ORDER BY dim, value))::INTEGER AS id
        FROM search_facets GROUP BY dim, value ORDER BY dim, value
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TABLE search_bits AS
        SELECT dim, value,
               (row_number() OVER (PARTITION BY dim ORDER BY n DESC, value) - 1)::INTEGER AS bit
        FROM search_facet_values WHERE list_contains($dims, dim)
        QUALIFY count(*) OVER (PARTITION BY dim) <= $max_bits
        ORDER BY dim, bit
        """,
        {"dims": list(MASKED_DIMENSIONS), "max_bits": MAX_BITS},
    )
    # The slices tables are in work order, so each slice of docs reads only its own rows;
    # each slice is sorted by work and comes after the one before: search_docs is sorted.
    _write_slices(
        connection,
        "search_docs",
        [
            docs_sql(scope, postings="_search_postings_slices", facets="_search_facets_slices")
            for scope in slices
        ],
        {},
        temporary=False,
    )
    for table in ("_search_postings_slices", "_search_facets_slices"):
        connection.execute(f"DROP TABLE {table}")
    build_cells(connection)
    n_docs = connection.execute("SELECT count(*) FROM search_docs").fetchall()[0][0]
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE search_terms AS
        SELECT term, count(*) AS df, {IDF_SQL.format(df="count(*)")} AS idf
        FROM search_postings GROUP BY term ORDER BY term
        """,
        {"n": n_docs},
    )
    connection.execute("CREATE OR REPLACE TABLE search_meta (key VARCHAR, value VARCHAR)")
    connection.execute("CREATE OR REPLACE TABLE search_pending (work_id BIGINT)")
    return _write_meta(connection, generation=0)


def build_search_index(
    connection: duckdb.DuckDBPyConnection, *, slice_works: int | None = None
) -> int:
    """(Re)build the search index from works and the tag tables; idempotent.

    Run it after ingest and tagging (``permed demo`` and the ingest CLI do). The
    new tables replace the old ones in one transaction, so a reader never sees a
    half-built index.

    :param connection: a writable connection to the corpus.
    :param slice_works: works tokenised and grouped at a time; None: :data:`SLICE_WORKS`.
        Any size gives the same index.
    :returns: the number of indexed works.
    """
    try:
        connection.execute("BEGIN TRANSACTION")
        n_docs = _build_tables(connection, slice_works=slice_works or SLICE_WORKS)
        connection.execute("COMMIT")
    except duckdb.Error as exc:
        connection.execute("ROLLBACK")
        raise _index_error(exc) from exc
    return n_docs


def _index_error(exc: duckdb.Error) -> LandscapeError:
    # An update builds part of the index: a build and an update fail with the same
    # message (and translation).
    return LandscapeError(Message("cannot build the search index: %(exc)s", exc=exc))


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    """What :func:`update_search_index` did: works (re-)indexed, and whether in full."""

    works: int
    full: bool


def update_search_index(connection: duckdb.DuckDBPyConnection) -> IndexUpdate | None:
    """Bring the search index up to date: only the pending works, or in full when it must.

    Like a build, one transaction.

    :param connection: a writable connection to the corpus.
    :returns: what was done; None when the index was current.
    """
    if not has_cells(connection) and _current_but_cells(connection):
        try:  # an index built before the cells, current otherwise: only they are made
            connection.execute("BEGIN TRANSACTION")
            build_cells(connection)
            connection.execute("COMMIT")
        except duckdb.Error as exc:
            connection.execute("ROLLBACK")
            raise _index_error(exc) from exc
        return IndexUpdate(0, full=False)
    if search_index_is_current(connection):
        if not _has_pending_table(connection):
            # Built before updates existed and current: the journal may start from here.
            connection.execute("CREATE TABLE search_pending (work_id BIGINT)")
        return None
    stored = _stored(connection, "fingerprint")
    if (
        stored is None
        or not stored.startswith(f"v{INDEX_VERSION}:")
        or not _has_pending_table(connection)
    ):
        return IndexUpdate(build_search_index(connection), full=True)
    try:
        connection.execute("BEGIN TRANSACTION")
        connection.execute(f"CREATE OR REPLACE TEMP TABLE _search_scope AS {_PENDING_SQL}")
        pending, n_docs = connection.execute(
            "SELECT (SELECT count(*) FROM _search_scope), (SELECT count(*) FROM search_docs)"
        ).fetchall()[0]
        # Index rows deleted behind the index's back took their counts with them: rebuild.
        tampered = str(n_docs) != _stored(connection, "n_docs")
        if tampered or pending > FULL_REBUILD_SHARE * max(n_docs, 1):
            connection.execute("DROP TABLE _search_scope")
            connection.execute("COMMIT")
            return IndexUpdate(build_search_index(connection), full=True)
        _update_tables(connection, generation=int((stored.split(";") + ["0"])[1]) + 1)
        connection.execute("DROP TABLE _search_scope")
        connection.execute("COMMIT")
    except duckdb.Error as exc:
        connection.execute("ROLLBACK")
        raise _index_error(exc) from exc
    return IndexUpdate(int(pending), full=False)


def _update_tables(connection: duckdb.DuckDBPyConnection, *, generation: int) -> None:
    """Re-index the works of ``_search_scope`` (inside the caller's transaction)."""
    register_segmenter(connection)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE _new_postings AS {postings_sql(_SCOPE)}",
        {"stop": list(STOPWORDS)},
    )
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE _new_facets AS {facets_sql(_SCOPE)}",
        {"pm_topic": PM_TOPIC},
    )
    # What the pending works counted before, taken away; what they count now, added.
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _term_delta AS
        SELECT term, sum(n) AS n FROM (
            SELECT term, -count(*) AS n FROM search_postings WHERE {_SCOPE} GROUP BY term
            UNION ALL SELECT term, count(*) FROM _new_postings GROUP BY term)
        GROUP BY term HAVING sum(n) <> 0
        """
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _facet_delta AS
        SELECT dim, value, sum(n) AS n FROM (
            SELECT dim, value, -count(*) AS n FROM search_facets WHERE {_SCOPE} GROUP BY ALL
            UNION ALL SELECT dim, value, count(*) FROM _new_facets GROUP BY ALL)
        GROUP BY dim, value HAVING sum(n) <> 0
        """
    )
    if not has_cells(connection):
        build_cells(connection)  # an index from before the cells: they start from here
    note_old_docs(connection, _SCOPE)
    for table in ("search_postings", "search_facets", "search_docs"):
        connection.execute(f"DELETE FROM {table} WHERE {_SCOPE}")
    connection.execute("INSERT INTO search_postings SELECT * FROM _new_postings")
    connection.execute("INSERT INTO search_facets SELECT * FROM _new_facets")
    _update_facet_values(connection)
    connection.execute(
        "INSERT INTO search_docs "
        + docs_sql(_SCOPE, postings="_new_postings", facets="_new_facets")
    )
    apply_cell_delta(connection, _SCOPE)
    _update_terms(connection)
    written = connection.execute("SELECT count(*) FROM _search_scope").fetchall()[0][0] + int(
        _stored(connection, "unsorted") or 0
    )
    _write_meta(connection, generation=generation)
    n_docs = int(_stored(connection, "n_docs") or 0)
    if written > RESORT_SHARE * max(n_docs, 1):
        _resort(connection)
        written = 0
    connection.execute("DELETE FROM search_meta WHERE key = 'unsorted'")
    connection.execute("INSERT INTO search_meta VALUES ('unsorted', ?)", [str(written)])
    connection.execute("DELETE FROM search_pending")
    for table in ("_new_postings", "_new_facets", "_term_delta", "_facet_delta"):
        connection.execute(f"DROP TABLE {table}")


def _update_facet_values(connection: duckdb.DuckDBPyConnection) -> None:
    """Move the value counts by the delta; new values take the next ids and free bits."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _new_values AS "
        "SELECT * FROM _facet_delta ANTI JOIN search_facet_values USING (dim, value)"
    )
    connection.execute(
        "UPDATE search_facet_values v SET n = v.n + d.n FROM _facet_delta d "
        "WHERE v.dim = d.dim AND v.value = d.value"
    )
    connection.execute(
        """
        INSERT INTO search_facet_values
        SELECT dim, value, n, ((SELECT coalesce(max(id), 0) FROM search_facet_values)
                               + row_number() OVER (ORDER BY dim, value))::INTEGER
        FROM _new_values
        """
    )
    connection.execute(
        "DELETE FROM search_bits b USING search_facet_values v "
        "WHERE v.n <= 0 AND b.dim = v.dim AND b.value = v.value"
    )
    connection.execute("DELETE FROM search_facet_values WHERE n <= 0")
    # Only a value new to the index may take a free bit: every work holding it is being
    # re-indexed, so its bit is set wherever it belongs. (A value without a bit is still
    # found, through search_facets: bits only make it fast.)
    connection.execute(
        """
        INSERT INTO search_bits
        SELECT n.dim, n.value, f.bit FROM (
            SELECT dim, value, row_number() OVER (PARTITION BY dim ORDER BY value) AS k
            FROM _new_values WHERE list_contains($dims, dim)) n
        JOIN (
            SELECT dim, bit, row_number() OVER (PARTITION BY dim ORDER BY bit) AS k FROM (
                SELECT dim, unnest(range(0, $max_bits)) AS bit FROM (SELECT unnest($dims) AS dim))
            ANTI JOIN search_bits USING (dim, bit)) f USING (dim, k)
        """,
        {"dims": list(MASKED_DIMENSIONS), "max_bits": MAX_BITS},
    )
    connection.execute("DROP TABLE _new_values")


def _update_terms(connection: duckdb.DuckDBPyConnection) -> None:
    """Move each term's df by the delta, then the idf of every term with the new total."""
    connection.execute(
        "UPDATE search_terms t SET df = t.df + d.n FROM _term_delta d WHERE t.term = d.term"
    )
    connection.execute(
        "INSERT INTO search_terms SELECT term, n, 0.0 FROM _term_delta "
        "ANTI JOIN search_terms USING (term)"
    )
    connection.execute("DELETE FROM search_terms WHERE df <= 0")
    n_docs = connection.execute("SELECT count(*) FROM search_docs").fetchall()[0][0]
    if str(n_docs) == _stored(connection, "n_docs"):
        # Same number of works: only the terms whose df moved have another idf.
        connection.execute(
            f"UPDATE search_terms SET idf = {IDF_SQL.format(df='df')} "
            "WHERE term IN (SELECT term FROM _term_delta)",
            {"n": n_docs},
        )
    else:
        connection.execute(
            f"UPDATE search_terms SET idf = {IDF_SQL.format(df='df')}", {"n": n_docs}
        )


def _resort(connection: duckdb.DuckDBPyConnection) -> None:
    """Sort postings by term and facets by value again, so lookups skip row groups again."""
    for table, order in (
        ("search_postings", "term, work_id"),
        ("search_facets", "dim, value, work_id"),
    ):
        connection.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} ORDER BY {order}"
        )
