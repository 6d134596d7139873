"""Update the pre-aggregated tables by delta, after tagging a few works (store/aggregates.py).

Every cell table is a sum over works, and agg_work_facts keeps each work's cell, countries
and institutions as last aggregated. So when some works change (new, rewritten, replaced
or withdrawn), their old facts are read back from agg_work_facts and counted with sign −1,
their new facts with +1, and only the cells those touch are rewritten. The tables then hold
the same counts as :func:`~permed_atlas.landscape.store.aggregates.build_aggregates` would
(tests/landscape/test_incremental.py checks it on random sequences of changes).

The one thing that is not a sum is the numbering: a region or topic bit, or an institution's
``inst``. Bits follow the sorted values, so when the set of regions or topics changes the
tables are rebuilt whole. An ``inst`` is kept for an institution that stays and a new one
gets the next free number, so numbers may differ from a full rebuild while every name and
count is the same.

For this to be exact, whatever removes or rewrites a work must leave the ``agg_*`` rows
alone (they are the old contributions to subtract) and drop its ``work_flags`` row (which
marks it for tagging); see :mod:`permed_atlas.landscape.store.dirty`. If some agg_work_facts
rows went missing anyway, the row count in agg_state tells, and the tables are rebuilt.
"""

from __future__ import annotations

import duckdb

from permed_atlas.landscape.store.aggregates import (
    CELL_COLUMNS,
    MAX_BITS,
    bits_sql,
    build_aggregates,
    institution_names_sql,
    write_facts,
    write_state,
    write_work_rows,
)

# Each cell table: its key columns, and how a fact row (agg_work_facts' columns) gives them.
_CELL_TABLES: dict[str, tuple[str, str]] = {
    "agg_cells": ("", "SELECT {cells}, sign FROM {facts}"),
    "agg_country_cells": (
        "country_code",
        "SELECT unnest(countries) AS country_code, {cells}, sign FROM {facts}",
    ),
    "agg_institution_cells": ("inst", "SELECT unnest(insts) AS inst, {cells}, sign FROM {facts}"),
    "agg_country_pair_cells": (
        "country_code, other_country",
        "SELECT country_code, unnest(countries) AS other_country, {cells}, sign FROM "
        "(SELECT unnest(countries) AS country_code, * FROM {facts})",
    ),
    "agg_country_institution_cells": (
        "country_code, inst",
        "SELECT country_code, unnest(insts) AS inst, {cells}, sign FROM "
        "(SELECT unnest(countries) AS country_code, * FROM {facts})",
    ),
}
_PER_WORK_TABLES = ("agg_institution_keys", "agg_patent_regions", "agg_eu_cn_works")


def _one(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def can_update(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the aggregates can take a delta: they are there, in use, whole, and the
    regions and topics keep their bits.

    :param connection: a writable connection, tags current.
    """
    try:
        state = dict(connection.execute("SELECT key, value FROM agg_state").fetchall())
    except duckdb.CatalogException:
        return False
    if not state.get("available") or "facts" not in state:
        return False
    if state["facts"] != _one(connection, "SELECT count(*) FROM agg_work_facts"):
        return False  # someone deleted facts: the old contributions are not all known
    # Bits that appear or go, either way (a topic whose last work went counts too).
    changed = _one(
        connection,
        f"SELECT count(*) FROM (((SELECT dim, value, bit FROM ({bits_sql()})) "
        "EXCEPT ALL (SELECT dim, value, bit FROM agg_bits)) "
        "UNION ALL ((SELECT dim, value, bit FROM agg_bits) "
        f"EXCEPT ALL (SELECT dim, value, bit FROM ({bits_sql()}))))",
    )
    return (
        not changed and _one(connection, "SELECT coalesce(max(bit), -1) FROM agg_bits") < MAX_BITS
    )


def update_aggregates(connection: duckdb.DuckDBPyConnection, *, scope: str) -> bool:
    """Bring the aggregates up to date after the works in ``scope`` were retagged (or
    removed), inside the caller's transaction; rebuild them whole when a delta cannot do.

    :param connection: a writable connection whose tags of ``scope`` are current.
    :param scope: the name of a table with a work_id column: every work that changed.
    :returns: True when updated by delta, False when rebuilt.
    """
    if not can_update(connection):
        build_aggregates(connection)
        return False
    in_scope = f"work_id IN (SELECT work_id FROM {scope})"
    connection.execute("DROP TABLE IF EXISTS _agg_old_facts")
    connection.execute(
        f"CREATE TEMP TABLE _agg_old_facts AS SELECT * FROM agg_work_facts WHERE {in_scope}"
    )
    _update_institution_dim(connection, scope)
    write_facts(connection, scope=scope)
    for table in ("agg_work_facts", *_PER_WORK_TABLES):
        connection.execute(f"DELETE FROM {table} WHERE {in_scope}")
    connection.execute("INSERT INTO agg_work_facts SELECT * FROM _agg_new_facts")
    write_work_rows(connection, scope=scope)
    signed = (
        "(SELECT *, -1 AS sign FROM _agg_old_facts "
        "UNION ALL BY NAME SELECT *, 1 AS sign FROM _agg_new_facts)"
    )
    for table, (keys, rows) in _CELL_TABLES.items():
        _apply_delta(connection, table, keys, rows.format(cells=CELL_COLUMNS, facts=signed))
    write_state(connection, available=True)
    for table in ("_agg_old_facts", "_agg_facts", "_agg_new_facts", "_agg_delta", "_agg_merged"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    return True


def _apply_delta(connection: duckdb.DuckDBPyConnection, table: str, keys: str, rows: str) -> None:
    """Add the signed counts of ``rows`` to the cells of ``table`` they touch."""
    columns = f"{keys}, {CELL_COLUMNS}" if keys else CELL_COLUMNS
    # year may be NULL: cells are matched with IS NOT DISTINCT FROM, never =.
    match = " AND ".join(
        f"t.{c} IS NOT DISTINCT FROM d.{c}" for c in (c.strip() for c in columns.split(","))
    )
    connection.execute("DROP TABLE IF EXISTS _agg_delta")
    connection.execute(
        f"CREATE TEMP TABLE _agg_delta AS SELECT {columns}, sum(sign)::BIGINT AS works "
        f"FROM ({rows}) GROUP BY ALL HAVING sum(sign) <> 0"
    )
    connection.execute("DROP TABLE IF EXISTS _agg_merged")
    connection.execute(
        f"CREATE TEMP TABLE _agg_merged AS SELECT {columns}, sum(works)::BIGINT AS works FROM ("
        f" SELECT {columns}, works FROM {table} t"
        f"  WHERE EXISTS (SELECT 1 FROM _agg_delta d WHERE {match})"
        f" UNION ALL SELECT {columns}, works FROM _agg_delta) GROUP BY ALL"
    )
    negative = _one(connection, "SELECT count(*) FROM _agg_merged WHERE works < 0")
    if negative:  # an old contribution that was never added: a bug, not a user error
        raise RuntimeError(f"{table}: {negative} cells would count fewer than no works")
    connection.execute(
        f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _agg_delta d WHERE {match})"
    )
    connection.execute(
        f"INSERT INTO {table} ({columns}, works) SELECT * FROM _agg_merged WHERE works > 0"
    )


def _update_institution_dim(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Recompute institution_dim for the institutions of the changed works, old and new."""
    connection.execute("DROP TABLE IF EXISTS _agg_keys")
    connection.execute(
        "CREATE TEMP TABLE _agg_keys AS "
        "SELECT d.institution_key FROM institution_dim d "
        " WHERE d.inst IN (SELECT unnest(insts) FROM _agg_old_facts) "
        "UNION SELECT institution_key FROM work_institutions "
        f" WHERE work_id IN (SELECT work_id FROM {scope})"
    )
    connection.execute("DROP TABLE IF EXISTS _agg_dim")
    # The same choice as the full build, over every work of each institution concerned.
    keys = "institution_key IN (SELECT institution_key FROM _agg_keys)"
    connection.execute(f"CREATE TEMP TABLE _agg_dim AS {institution_names_sql(keys)}")
    # Numbers of institutions that go are not given again (taken before they go).
    top = _one(connection, "SELECT coalesce(max(inst), 0) FROM institution_dim")
    connection.execute(
        "DELETE FROM institution_dim WHERE institution_key IN (SELECT institution_key FROM "
        "_agg_keys) AND institution_key NOT IN (SELECT institution_key FROM _agg_dim)"
    )
    connection.execute(
        "UPDATE institution_dim SET institution_id = n.institution_id, "
        "institution_name = n.institution_name, country_code = n.country_code "
        "FROM _agg_dim n WHERE institution_dim.institution_key = n.institution_key "
        # Most keep their name: only those that change are
        # rewritten, an UPDATE costs far more than the comparison.
        "AND (institution_dim.institution_id IS DISTINCT FROM n.institution_id "
        "OR institution_dim.institution_name IS DISTINCT FROM n.institution_name "
        "OR institution_dim.country_code IS DISTINCT FROM n.country_code)"
    )
    connection.execute(
        "INSERT INTO institution_dim SELECT ? + row_number() OVER (ORDER BY institution_key), "
        "institution_key, institution_id, institution_name, country_code FROM _agg_dim "
        "WHERE institution_key NOT IN (SELECT institution_key FROM institution_dim)",
        [top],
    )
    for table in ("_agg_keys", "_agg_dim"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
