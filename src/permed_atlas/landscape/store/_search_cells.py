"""Facet counts per *cell* of the search index (private): ``search_cell_counts``.

A search without words filters only on what every ``search_docs`` row holds: kind, year,
the two flags and the bit masks of its regions, topics and countries. Works that agree on
all of these (a cell) pass or fail every such filter together, so the counts a result
needs (its total, and how many of its works hold each facet value, kind, year and flag)
are sums over the cells that pass. ``search_cell_counts`` keeps one row per cell: its
number of works ``n``, and the ids of the facet values its works hold (``facet_ids``, ids of
``search_facet_values``) with how many of its works hold each (``facet_counts``). A search
without words over a million works then adds up the lists of the cells it selects instead
of unnesting the facet ids of each of its works; cells are never more than works (a cell
holds one work or many), so neither the scan nor the sum reads more rows than the per-work
way (_search_sql.search_sql).

A full build groups ``search_docs`` once; an update adds the rows of the re-indexed works
and takes away those they had (:func:`note_old_docs`, :func:`apply_cell_delta`), so the
table holds what a full build would (tests/landscape/test_search_incremental.py).
"""

from __future__ import annotations

import duckdb

CELL_KEY = ("kind", "year", "pm_relevant", "eu_cn", "region_mask", "topic_mask", "country_mask")
_KEY = ", ".join(CELL_KEY)
_TOTAL = 0  # the id standing for "a work" in the rows below (facet value ids start at 1)


def _rows_sql(where: str, sign: int = 1) -> str:
    # One row per work of the scope (id 0) and per facet value it holds, signed.
    return (
        f"SELECT {_KEY}, unnest(list_prepend({_TOTAL}, facet_ids)) AS id, "
        f"{sign}::BIGINT AS n FROM search_docs WHERE {where}"
    )


def _cells_sql(rows: str) -> str:
    """One row per cell from rows of (cell key, id, n), the ids counting each once."""
    return (
        f"SELECT {_KEY}, sum(n) FILTER (id = {_TOTAL})::BIGINT AS n, "
        f"coalesce(list(id ORDER BY id) FILTER (id <> {_TOTAL}), []) AS facet_ids, "
        f"coalesce(list(n ORDER BY id) FILTER (id <> {_TOTAL}), []) AS facet_counts "
        f"FROM (SELECT {_KEY}, id, sum(n)::BIGINT AS n FROM ({rows}) GROUP BY ALL "
        f"HAVING sum(n) <> 0) GROUP BY ALL"
    )


def build_cells(connection: duckdb.DuckDBPyConnection) -> None:
    """(Re)make ``search_cell_counts`` from ``search_docs`` (inside the caller's transaction).

    :param connection: a writable corpus connection whose search_docs are built.
    """
    connection.execute(
        f"CREATE OR REPLACE TABLE search_cell_counts AS {_cells_sql(_rows_sql('true'))} "
        f"ORDER BY {_KEY}"
    )


def has_cells(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the corpus has ``search_cell_counts`` (an index built before it has not).

    :param connection: a corpus connection.
    """
    rows = connection.execute(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = 'search_cell_counts' AND NOT temporary"
    ).fetchall()
    return bool(rows)


def note_old_docs(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Start the delta with the cells of the works in ``scope`` as indexed now, counted −1
    (call it before their search_docs rows are deleted).

    :param scope: a condition on ``work_id``.
    """
    connection.execute(f"CREATE OR REPLACE TEMP TABLE _cell_delta AS {_rows_sql(scope, -1)}")


def apply_cell_delta(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Add the cells of the works in ``scope`` as indexed now (+1) to the delta and rewrite
    the cells it touches (call it after their search_docs rows are written).

    :param scope: a condition on ``work_id``.
    """
    connection.execute(f"INSERT INTO _cell_delta {_rows_sql(scope)}")
    # year may be NULL: cells are matched with IS NOT DISTINCT FROM, never =.
    match = " AND ".join(f"t.{c} IS NOT DISTINCT FROM d.{c}" for c in CELL_KEY)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE _cell_touched AS SELECT * FROM search_cell_counts t "
        f"WHERE EXISTS (SELECT 1 FROM _cell_delta d WHERE {match})"
    )
    stored = (
        f"SELECT {_KEY}, {_TOTAL} AS id, n FROM _cell_touched UNION ALL "
        f"SELECT {_KEY}, unnest(facet_ids), unnest(facet_counts) FROM _cell_touched"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _cell_merged AS "
        + _cells_sql(f"{stored} UNION ALL SELECT * FROM _cell_delta")
    )
    row = connection.execute(
        "SELECT count(*) FROM _cell_merged WHERE n < 0 OR list_min(facet_counts) < 0 "
        "OR (n IS NULL AND len(facet_ids) > 0)"
    ).fetchone()
    if row is not None and row[0]:  # a work taken away that was never counted: a bug
        raise RuntimeError(f"search_cell_counts: {row[0]} cells would count fewer than none")
    connection.execute(
        f"DELETE FROM search_cell_counts t WHERE EXISTS (SELECT 1 FROM _cell_touched d "
        f"WHERE {match})"
    )
    # A cell whose works all went has no total left (n NULL): it goes.
    connection.execute("INSERT INTO search_cell_counts SELECT * FROM _cell_merged WHERE n > 0")
    for table in ("_cell_delta", "_cell_touched", "_cell_merged"):
        connection.execute(f"DROP TABLE {table}")


CELL_CONTENT_QUERY = """
SELECT kind, year, pm_relevant, eu_cn, facet, sum(n) AS n FROM (
    SELECT kind, year, pm_relevant, eu_cn, NULL AS facet, n FROM search_cell_counts
    UNION ALL SELECT c.kind, c.year, c.pm_relevant, c.eu_cn, (v.dim, v.value), c.k
    FROM (SELECT *, unnest(facet_ids) AS id, unnest(facet_counts) AS k FROM search_cell_counts) c
    JOIN search_facet_values v USING (id))
GROUP BY ALL
"""
"""The cells' counts as a full build and an update must both leave them, masks aside: an
update numbers new facet values and gives them bits after the old ones, so the same works
may sit in cells with other masks (tests compare the masks' values where bits agree)."""
