"""Pre-aggregated indicator tables: the dashboard's charts as GROUP BYs over small tables.

Tagging calls :func:`build_aggregates` in its transaction, after the tags are written, so
the aggregates always describe the tags they sit beside. Works are counted per *cell*: the
combination of year, kind, the PM and EU–China flags and the bit masks of the work's
regions and topics. Every facet is then a condition on a cell (a country filter reads the
cells kept per country; an institution filter the one-row-per-work facts of that
institution's works), and each indicator a GROUP BY over a few thousand to a few hundred
thousand rows instead of joins over millions of tag rows. The queries are in
:mod:`permed_atlas.landscape.store.aggregate_queries`.

:func:`aggregate_bits` says whether the aggregates can be used: they must exist, have
fitted in 62 bits per dimension, and the corpus must not have changed since (an ingest
adds works or drops the flags of the works it rewrites, so row counts show it). When
they cannot (or a facet names a region or topic without a bit), the indicators run the raw queries,
which give the same rows (tests/landscape/test_aggregates.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

AGGREGATE_TABLES = (
    "agg_bits",
    "agg_state",
    "agg_work_facts",
    "agg_institution_keys",
    "agg_cells",
    "agg_country_cells",
    "agg_institution_cells",
    "agg_country_pair_cells",
    "agg_country_institution_cells",
    "agg_patent_regions",
    "agg_eu_cn_works",
)
MAX_BITS = 62
# Counts of the tables the aggregates are computed from; ingest changes at least one.
_WATCHED = ("works", "work_flags", "work_countries", "work_regions", "work_topics", "affiliations")
# The facets of a cell, in order: every agg_* table and every query over them shares them.
CELL_COLUMN_TYPES = (
    ("year", "INTEGER"),
    ("kind", "VARCHAR NOT NULL"),
    ("pm_relevant", "BOOLEAN NOT NULL"),
    ("eu_cn", "BOOLEAN NOT NULL"),
    ("region_mask", "BIGINT NOT NULL"),
    ("topic_mask", "BIGINT NOT NULL"),
)
CELL_COLUMNS = ", ".join(name for name, _ in CELL_COLUMN_TYPES)
DERIVED_SCHEMA_SQL = (
    (Path(__file__).parent / "derived_schema.sql")
    .read_text(encoding="utf-8")
    .replace("{cell_columns}", ", ".join(f"{name} {kind}" for name, kind in CELL_COLUMN_TYPES))
)


def create_derived_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the derived tables (derived_schema.sql) where missing.

    :param connection: a writable corpus connection.
    """
    connection.execute(DERIVED_SCHEMA_SQL)


def _state_sql() -> str:
    return " UNION ALL ".join(
        f"SELECT '{table}' AS key, (SELECT count(*) FROM {table})::BIGINT AS value"
        for table in _WATCHED
    )


def bits_sql() -> str:
    """SELECT dim, value, bit: the bit every region and topic gets, from the tags as they are."""
    return (
        "SELECT 'region' AS dim, region AS value, "
        "(row_number() OVER (ORDER BY region) - 1)::INTEGER AS bit "
        "FROM (SELECT region FROM work_regions UNION SELECT region FROM region_members) "
        "UNION ALL SELECT 'topic', topic, (row_number() OVER (ORDER BY topic) - 1)::INTEGER "
        "FROM (SELECT DISTINCT topic FROM work_topics)"
    )


def write_state(connection: duckdb.DuckDBPyConnection, *, available: bool) -> None:
    """Record what the aggregates were built from (agg_state), replacing what was there.

    ``facts`` counts agg_work_facts: a delta update (aggregates_delta.py) subtracts the old
    facts of changed works, so it checks first that nothing else removed some.
    """
    connection.execute("DELETE FROM agg_state")
    connection.execute(f"INSERT INTO agg_state {_state_sql()}")
    connection.execute("INSERT INTO agg_state VALUES ('available', ?)", [int(available)])
    connection.execute("INSERT INTO agg_state SELECT 'facts', count(*) FROM agg_work_facts")


def build_aggregates(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every aggregate table and institution_dim from the tags (inside the caller's
    transaction).

    :param connection: a writable, tagged corpus connection.
    """
    # Dropped, not emptied: they hold nothing but what this rebuilds, and a corpus aggregated
    # by an older version gets the columns of this one.
    for table in ("institution_dim", *AGGREGATE_TABLES):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    create_derived_tables(connection)
    connection.execute(
        "INSERT INTO institution_dim SELECT row_number() OVER (ORDER BY institution_key), "
        f"* FROM ({institution_names_sql('TRUE')}) ORDER BY institution_key"
    )
    connection.execute(f"INSERT INTO agg_bits {bits_sql()}")
    row = connection.execute("SELECT coalesce(max(bit), -1) FROM agg_bits").fetchone()
    available = row is not None and int(row[0]) < MAX_BITS
    if not available:
        connection.execute("DELETE FROM agg_bits")  # too many regions or topics: raw queries
        write_state(connection, available=False)
        return
    write_facts(connection, scope="TRUE")
    connection.execute("INSERT INTO agg_work_facts SELECT * FROM _agg_new_facts ORDER BY work_id")
    write_work_rows(connection, scope="TRUE")
    connection.execute("DROP TABLE IF EXISTS _agg_countries")
    connection.execute(
        "CREATE TEMP TABLE _agg_countries AS SELECT DISTINCT work_id, country_code "
        "FROM work_countries"
    )
    connection.execute(
        f"INSERT INTO agg_cells SELECT {CELL_COLUMNS}, count(*) FROM _agg_facts "
        f"GROUP BY ALL ORDER BY {CELL_COLUMNS}"
    )
    connection.execute(
        f"INSERT INTO agg_country_cells SELECT c.country_code, {CELL_COLUMNS}, count(*) "
        "FROM _agg_facts JOIN _agg_countries c "
        f"USING (work_id) GROUP BY ALL ORDER BY c.country_code, {CELL_COLUMNS}"
    )
    connection.execute(
        f"INSERT INTO agg_institution_cells SELECT d.inst, {CELL_COLUMNS}, count(*) "
        "FROM _agg_facts JOIN work_institutions wi USING (work_id) "
        f"JOIN institution_dim d USING (institution_key) GROUP BY ALL ORDER BY d.inst"
    )
    # For a country filter, the country ranking needs the other countries of that country's
    # works: the cells once per (country, other country); the institution ranking, their
    # institutions. Both are sorted by country, so a filter reads only its country's rows.
    connection.execute(
        f"INSERT INTO agg_country_pair_cells SELECT a.country_code, b.country_code, "
        f"{CELL_COLUMNS}, count(*) FROM _agg_facts JOIN _agg_countries a USING (work_id) "
        "JOIN work_countries b USING (work_id) GROUP BY ALL ORDER BY 1, 2"
    )
    connection.execute(
        f"INSERT INTO agg_country_institution_cells SELECT c.country_code, d.inst, "
        f"{CELL_COLUMNS}, count(*) FROM _agg_facts JOIN _agg_countries c USING (work_id) "
        "JOIN work_institutions wi USING (work_id) JOIN institution_dim d USING (institution_key) "
        "GROUP BY ALL ORDER BY 1, 2"
    )
    write_state(connection, available=True)
    for table in ("_agg_facts", "_agg_new_facts", "_agg_countries"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def institution_names_sql(keys: str) -> str:
    """A SELECT of (institution_key, institution_id, institution_name, country_code): the id,
    name and country shown for each institution whose key meets ``keys``.

    The name is the one most of the institution's works give it (then the first in
    alphabetical order), the country likewise, never the pick of the first work stored:
    work ids follow the order the files were read in, and the name shown must not.

    :param keys: a condition on ``institution_key`` (or ``TRUE``).
    """
    return (
        "SELECT n.institution_key, n.institution_id, n.institution_name, c.country_code FROM ("
        " SELECT institution_key, min(institution_id) AS institution_id,"
        "  arg_min(institution_name, (-works, institution_name)) AS institution_name FROM ("
        "   SELECT institution_key, institution_name, min(institution_id) AS institution_id,"
        f"   count(*) AS works FROM work_institutions WHERE {keys} GROUP BY ALL)"
        "  GROUP BY institution_key) n"
        " LEFT JOIN (SELECT institution_key, arg_min(country_code, (-works, country_code))"
        "  AS country_code FROM (SELECT institution_key, country_code, count(*) AS works"
        f"   FROM work_institutions WHERE country_code IS NOT NULL AND {keys} GROUP BY ALL)"
        "  GROUP BY institution_key) c USING (institution_key)"
    )


def _in_scope(scope: str, column: str = "work_id") -> str:
    return "TRUE" if scope == "TRUE" else f"{column} IN (SELECT work_id FROM {scope})"


def write_facts(connection: duckdb.DuckDBPyConnection, *, scope: str) -> None:
    """Temp tables of the facts of the works in ``scope`` (a table of work ids, or TRUE for
    all): _agg_facts (cell, family, citations) and _agg_new_facts (agg_work_facts' rows).

    :param connection: a writable connection, agg_bits and institution_dim current.
    :param scope: the name of a table with a work_id column, or ``TRUE``.
    """
    where = _in_scope(scope)
    connection.execute("DROP TABLE IF EXISTS _agg_facts")
    connection.execute(
        "CREATE TEMP TABLE _agg_facts AS SELECT w.work_id, w.year, w.kind, w.family_id, "
        "coalesce(w.cited_by_count, 0) AS cited, coalesce(f.pm_relevant, false) AS pm_relevant, "
        "coalesce(f.eu_cn, false) AS eu_cn, coalesce(r.mask, 0)::BIGINT AS region_mask, "
        "coalesce(t.mask, 0)::BIGINT AS topic_mask "
        f"FROM (SELECT * FROM works WHERE {where}) w "
        f"LEFT JOIN (SELECT * FROM work_flags WHERE {where}) f USING (work_id) "
        "LEFT JOIN (SELECT x.work_id, bit_or(1::BIGINT << b.bit) AS mask FROM "
        f"  (SELECT DISTINCT work_id, region FROM work_regions WHERE {where}) x "
        "  JOIN agg_bits b ON b.dim = 'region' AND b.value = x.region GROUP BY x.work_id) r "
        "  USING (work_id) "
        "LEFT JOIN (SELECT x.work_id, bit_or(1::BIGINT << b.bit) AS mask FROM "
        f"  (SELECT DISTINCT work_id, topic FROM work_topics WHERE {where}) x "
        "  JOIN agg_bits b ON b.dim = 'topic' AND b.value = x.topic GROUP BY x.work_id) t "
        "  USING (work_id)"
    )
    connection.execute("DROP TABLE IF EXISTS _agg_new_facts")
    connection.execute(
        f"CREATE TEMP TABLE _agg_new_facts AS SELECT f.work_id, {CELL_COLUMNS}, "
        "c.countries, i.insts FROM _agg_facts f "
        "LEFT JOIN (SELECT work_id, list(country_code ORDER BY country_code) AS countries "
        f"  FROM work_countries WHERE {where} GROUP BY work_id) c USING (work_id) "
        "LEFT JOIN (SELECT wi.work_id, list(d.inst ORDER BY d.inst) AS insts "
        "  FROM work_institutions wi JOIN institution_dim d USING (institution_key) "
        f"  WHERE {_in_scope(scope, 'wi.work_id')} GROUP BY wi.work_id) i USING (work_id)"
    )


def write_work_rows(connection: duckdb.DuckDBPyConnection, *, scope: str) -> None:
    """Insert the one-row-per-work aggregates (institution keys, patents by region, EU–China
    works) of the works in ``scope``, from the _agg_facts that :func:`write_facts` made.

    :param connection: a writable connection.
    :param scope: the name of a table with a work_id column, or ``TRUE``.
    """
    where = _in_scope(scope)
    # The institution facet matches an affiliation's id, or its name in any case.
    connection.execute(
        "INSERT INTO agg_institution_keys SELECT * FROM ("
        " SELECT DISTINCT 'id' AS kind, institution_id AS key, work_id FROM affiliations"
        f"  WHERE institution_id IS NOT NULL AND {where}"
        " UNION SELECT 'name', lower(institution_name), work_id FROM affiliations"
        f"  WHERE institution_name IS NOT NULL AND {where}) ORDER BY key, kind, work_id"
    )
    countries = (
        "LEFT JOIN (SELECT work_id, list(DISTINCT country_code ORDER BY country_code) AS countries "
        "  FROM work_countries WHERE work_id IN (SELECT work_id FROM {scope}) GROUP BY work_id) "
        "  USING (work_id)"
    )
    connection.execute("DROP TABLE IF EXISTS _agg_patents")
    connection.execute(
        "CREATE TEMP TABLE _agg_patents AS SELECT * FROM _agg_facts WHERE kind = 'patent'"
    )
    connection.execute(
        "INSERT INTO agg_patent_regions SELECT work_id, region, "
        f"coalesce(family_id, work_id::VARCHAR), {CELL_COLUMNS}, countries FROM ("
        " SELECT DISTINCT p.*, m.region FROM _agg_patents p"
        f" JOIN (SELECT * FROM contributors WHERE {where}) c"
        "  ON c.work_id = p.work_id AND c.role = 'applicant'"
        f" JOIN (SELECT * FROM affiliations WHERE {where}) a"
        "  ON a.work_id = c.work_id AND a.position = c.position"
        " JOIN region_members m ON m.country_code = upper(a.country_code)) "
        + countries.format(scope="_agg_patents")
        + " ORDER BY work_id, region"
    )
    connection.execute("DROP TABLE IF EXISTS _agg_eu_cn")
    connection.execute("CREATE TEMP TABLE _agg_eu_cn AS SELECT * FROM _agg_facts WHERE eu_cn")
    connection.execute(
        f"INSERT INTO agg_eu_cn_works SELECT work_id, cited, {CELL_COLUMNS}, countries "
        "FROM _agg_eu_cn " + countries.format(scope="_agg_eu_cn") + " ORDER BY cited DESC, work_id"
    )
    for table in ("_agg_patents", "_agg_eu_cn"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def aggregates_are_stale(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the aggregates were built from other rows than the corpus holds now (rows
    deleted without leaving a trace for tagging, say); False when there are none.

    :param connection: a corpus connection.
    """
    try:
        state = dict(connection.execute("SELECT key, value FROM agg_state").fetchall())
        current = dict(connection.execute(_state_sql()).fetchall())
    except duckdb.CatalogException:
        return False
    return any(state.get(table) != current[table] for table in _WATCHED)


@dataclass(frozen=True, slots=True)
class AggregateBits:
    """The bit of each region and topic in the aggregates' masks."""

    regions: dict[str, int]
    topics: dict[str, int]


def aggregate_bits(connection: duckdb.DuckDBPyConnection) -> AggregateBits | None:
    """The aggregates' bits when they are there and describe the corpus as it is; else None.

    :param connection: a corpus connection (read-only is enough).
    """
    try:
        state = dict(connection.execute("SELECT key, value FROM agg_state").fetchall())
        if not state.get("available"):
            return None
        current = dict(connection.execute(_state_sql()).fetchall())
        if any(state.get(table) != current[table] for table in _WATCHED):
            return None
        rows = connection.execute("SELECT dim, value, bit FROM agg_bits").fetchall()
    except duckdb.CatalogException:
        return None  # tagged by a version without aggregates, or never tagged
    bits: dict[str, dict[str, int]] = {"region": {}, "topic": {}}
    for dim, value, bit in rows:
        bits[str(dim)][str(value)] = int(bit)
    return AggregateBits(regions=bits["region"], topics=bits["topic"])
