"""The indicators as queries over the pre-aggregated tables (see aggregates.py).

Each function takes one :class:`CellQuery` (the filter, and where and how to answer it)
and returns the rows of its raw twin in indicators.py, in the same order and types;
indicators.py turns both into the same dataclasses. A cell table has the columns
year, kind, pm_relevant, eu_cn, region_mask, topic_mask and ``works`` (how many works the
cell counts), so the same query runs over the stored cells or, for an institution filter,
over one-work cells of an institution's works (:func:`sources_for`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from permed_atlas.landscape.filters import LandscapeFilter
from permed_atlas.landscape.store._duck import registered
from permed_atlas.landscape.store._ranking import (
    ranked_countries_sql,
    ranked_institutions_sql,
    work_order_sql,
)
from permed_atlas.landscape.store.aggregates import CELL_COLUMNS, AggregateBits
from permed_atlas.landscape.topics import PM_TOPIC

Rows = list[tuple[Any, ...]]


def answers(flt: LandscapeFilter, bits: AggregateBits | None) -> bool:
    """Whether the aggregates can answer ``flt`` (every facet value they know has a bit).

    :param flt: the facets.
    :param bits: from :func:`permed_atlas.landscape.store.aggregates.aggregate_bits`.
    """
    if bits is None:
        return False
    if flt.region is not None and flt.region.upper() not in bits.regions:
        return False
    return flt.topic is None or flt.topic in bits.topics


@dataclass(frozen=True, slots=True)
class Sources:
    """The FROM item of each kind of cell table (a table name or a parenthesised query)."""

    works: str = "agg_work_facts"
    cells: str = "agg_cells"
    country_cells: str = "agg_country_cells"
    institution_cells: str = "agg_institution_cells"
    pair_cells: str = "agg_country_pair_cells"
    country_institution_cells: str = "agg_country_institution_cells"
    patents: str = "agg_patent_regions"
    eu_cn: str = "agg_eu_cn_works"


@dataclass(frozen=True, slots=True)
class CellQuery:
    """One filter to answer from the cell tables.

    :param connection: the corpus connection the queries run on.
    :param flt: the facets.
    :param bits: the bit of each region and topic in the cells' masks.
    :param src: the cell tables for ``flt``, from :func:`sources_for`.
    """

    connection: duckdb.DuckDBPyConnection
    flt: LandscapeFilter
    bits: AggregateBits
    src: Sources


_registered = itertools.count()


@contextmanager
def sources_for(connection: duckdb.DuckDBPyConnection, flt: LandscapeFilter) -> Iterator[Sources]:
    """The stored cells, or for an institution filter one-work cells of its works.

    An institution's works are few: they are looked up once (by key in
    ``agg_institution_keys``), read with their facts, countries and institutions into an
    Arrow table registered on the connection for the dashboard's queries, then dropped.

    :param connection: the corpus connection the queries will run on.
    :param flt: the facets.
    """
    if flt.institution is None:
        yield Sources()
        return
    facts = connection.sql(
        "SELECT * FROM agg_work_facts WHERE work_id IN ("
        " SELECT work_id FROM agg_institution_keys WHERE kind = 'id' AND key = $value"
        " UNION SELECT work_id FROM agg_institution_keys WHERE kind = 'name'"
        "  AND key = lower($value))",
        params={"value": flt.institution},
    ).to_arrow_table()
    name = f"_agg_institution_works_{next(_registered)}"
    cells = f"{CELL_COLUMNS}, 1::BIGINT AS works"
    by_country = f"(SELECT unnest(countries) AS country_code, * FROM {name})"
    with registered(connection, **{name: facts}):
        yield Sources(
            works=name,
            cells=f"(SELECT {cells} FROM {name})",
            country_cells=f"(SELECT country_code, {cells} FROM {by_country})",
            institution_cells=f"(SELECT unnest(insts) AS inst, {cells} FROM {name})",
            pair_cells=f"(SELECT country_code, unnest(countries) AS other_country, {cells} "
            f"FROM {by_country})",
            country_institution_cells=f"(SELECT country_code, unnest(insts) AS inst, {cells} "
            f"FROM {by_country})",
            patents=f"(SELECT * FROM agg_patent_regions WHERE work_id IN "
            f"(SELECT work_id FROM {name}))",
            eu_cn=f"(SELECT * FROM agg_eu_cn_works WHERE work_id IN (SELECT work_id FROM {name}))",
        )


def _conditions(query: CellQuery, *, country: str = "column") -> tuple[str, list[Any]]:
    """WHERE clause over a cell table (the institution is in its source, not here).

    :param country: how the table holds countries: ``column`` (country_code) or ``list``
        (countries).
    """
    flt, bits = query.flt, query.bits
    conditions: list[str] = []
    params: list[Any] = []
    for sql, value in (
        ("year >= ?", flt.year_from),
        ("year <= ?", flt.year_to),
        ("kind = ?", flt.kind),
        ("eu_cn = ?", flt.eu_cn),
        ("pm_relevant = ?", flt.pm_relevant),
    ):
        if value is not None:
            conditions.append(sql)
            params.append(value)
    if flt.region is not None:
        conditions.append("(region_mask & ?) <> 0")
        params.append(1 << bits.regions[flt.region.upper()])
    if flt.topic is not None:
        conditions.append("(topic_mask & ?) <> 0")
        params.append(1 << bits.topics[flt.topic])
    if flt.country is not None:
        conditions.append(
            "country_code = ?" if country == "column" else "list_contains(countries, ?)"
        )
        params.append(flt.country.upper())
    return " AND ".join(conditions) or "TRUE", params


def _cells(query: CellQuery) -> tuple[str, str, list[Any]]:
    """The cell table for the filter (per country when it names one) and its WHERE clause."""
    where, params = _conditions(query)
    src = query.src
    return (src.cells if query.flt.country is None else src.country_cells), where, params


def _value_bits(values: Sequence[tuple[str, int]], name: str) -> tuple[str, list[Any]]:
    rows = " UNION ALL ".join(
        [f"SELECT NULL::VARCHAR AS {name}, 0::BIGINT AS bit WHERE false"]
        + [f"SELECT ? AS {name}, ?::BIGINT AS bit" for _ in values]
    )
    return rows, [v for pair in values for v in pair]


def _region_bits(regions: Sequence[str], bits: AggregateBits) -> tuple[str, list[Any]]:
    return _value_bits([(r, 1 << bits.regions[r]) for r in regions if r in bits.regions], "region")


def output_rows(query: CellQuery, *, regions: Sequence[str], all_label: str) -> Rows:
    """Rows of ``output_by_year_region``: (region, year, works, pm, eu_cn)."""
    table, where, params = _cells(query)
    region_rows, region_params = _region_bits(regions, query.bits)
    return query.connection.execute(
        f"WITH bits AS ({region_rows}),"
        " g AS (SELECT region_mask AS mask, year, sum(works)::BIGINT AS works,"
        "  coalesce(sum(works) FILTER (pm_relevant), 0)::BIGINT AS pm,"
        "  coalesce(sum(works) FILTER (eu_cn), 0)::BIGINT AS eu_cn"
        f"  FROM {table} WHERE {where} GROUP BY ALL)"
        " SELECT b.region, g.year, sum(g.works), sum(g.pm), sum(g.eu_cn)"
        " FROM g JOIN bits b ON (g.mask & b.bit) <> 0 GROUP BY b.region, g.year"
        f" UNION ALL SELECT '{all_label}', year, sum(works), sum(pm), sum(eu_cn) FROM g"
        " GROUP BY year ORDER BY 1, 2",
        [*region_params, *params],
    ).fetchall()


def copublication_rows(query: CellQuery, *, eu: str, cn: str) -> Rows:
    """Rows of ``eu_cn_copublications``: (year, both, eu, cn)."""
    table, where, params = _cells(query)
    regions = query.bits.regions
    eu_bit = 1 << regions[eu] if eu in regions else 0
    cn_bit = 1 << regions[cn] if cn in regions else 0
    return query.connection.execute(
        "SELECT year, coalesce(sum(works) FILTER (eu AND cn), 0)::BIGINT,"
        " coalesce(sum(works) FILTER (eu), 0)::BIGINT, coalesce(sum(works) FILTER (cn), 0)::BIGINT"
        " FROM (SELECT year, works, (region_mask & ?::BIGINT) <> 0 AS eu,"
        f"  (region_mask & ?::BIGINT) <> 0 AS cn FROM {table}"
        f"  WHERE kind = 'publication' AND {where})"
        " WHERE eu OR cn GROUP BY year ORDER BY year",
        [eu_bit, cn_bit, *params],
    ).fetchall()


def topic_trend_rows(query: CellQuery, *, regions: Sequence[str]) -> Rows:
    """Rows of ``topic_trends``: (region, topic, year, works); PM relevance is no topic."""
    table, where, params = _cells(query)
    region_rows, region_params = _region_bits(regions, query.bits)
    topic_rows, topic_params = _value_bits(
        [(topic, 1 << bit) for topic, bit in query.bits.topics.items() if topic != PM_TOPIC],
        "topic",
    )
    return query.connection.execute(
        f"WITH rb AS ({region_rows}), tb AS ({topic_rows}),"
        " g AS (SELECT region_mask, topic_mask, year, sum(works) AS works"
        f"  FROM {table} WHERE topic_mask <> 0 AND region_mask <> 0 AND {where} GROUP BY ALL)"
        " SELECT rb.region, tb.topic, g.year, sum(g.works)::BIGINT FROM g"
        " JOIN rb ON (g.region_mask & rb.bit) <> 0 JOIN tb ON (g.topic_mask & tb.bit) <> 0"
        " GROUP BY ALL ORDER BY 1, 2, 3",
        [*region_params, *topic_params, *params],
    ).fetchall()


def country_rows(query: CellQuery, *, region_clause: tuple[str, list[Any]], limit: int) -> Rows:
    """Rows of ``top_countries``: (region, rank, country, works, share)."""
    where, params = _conditions(query)
    src = query.src
    if query.flt.country is None:
        counted = f"SELECT country_code, sum(works) AS works FROM {src.country_cells}"
        totals = src.cells
    else:  # the countries of the works of the filter's country
        counted = f"SELECT other_country AS country_code, sum(works) AS works FROM {src.pair_cells}"
        totals = src.country_cells
    clause, clause_params = region_clause
    return query.connection.execute(
        ranked_countries_sql(
            per_country=f"({counted} WHERE {where} GROUP BY 1) c",
            works="sum(c.works)::BIGINT",
            region_clause=clause,
            totals="SELECT b.value AS region, sum(c.works)::BIGINT AS total"
            f" FROM (SELECT region_mask, works FROM {totals} WHERE {where}) c"
            " JOIN agg_bits b ON b.dim = 'region' AND (c.region_mask & (1::BIGINT << b.bit)) <> 0"
            " GROUP BY b.value",
        ),
        [*params, *clause_params, *params, limit],
    ).fetchall()


def institution_rows(query: CellQuery, *, region_clause: tuple[str, list[Any]], limit: int) -> Rows:
    """Rows of ``top_institutions``."""
    src = query.src
    where, params = _conditions(query)
    # With a country, the institutions of that country's works (cells kept per country).
    table = src.institution_cells if query.flt.country is None else src.country_institution_cells
    clause, clause_params = region_clause
    return query.connection.execute(
        ranked_institutions_sql(
            per_institution="SELECT inst, sum(works)::BIGINT AS works,"
            " coalesce(sum(works) FILTER (eu_cn), 0)::BIGINT AS eu_cn_works"
            f" FROM {table} WHERE {where} GROUP BY inst",
            key="inst",
            region_clause=clause,
        ),
        [*params, *clause_params, limit],
    ).fetchall()


def patent_rows(query: CellQuery, *, region_clause: tuple[str, list[Any]]) -> Rows:
    """Rows of ``patents_by_applicant_region``: (region, year, patents, families)."""
    where, params = _conditions(query, country="list")
    clause, clause_params = region_clause
    return query.connection.execute(
        "SELECT region, year, count(DISTINCT work_id), count(DISTINCT family_key)"
        f" FROM {query.src.patents} m WHERE {where} AND {clause} GROUP BY ALL ORDER BY 1, 2",
        [*params, *clause_params],
    ).fetchall()


def top_cited_rows(query: CellQuery, *, limit: int) -> Rows:
    """Rows of ``top_cited_eu_cn``: (work_id, title, year, cited, doi, openalex_id, countries)."""
    where, params = _conditions(query, country="list")
    return query.connection.execute(
        "SELECT e.work_id, w.title, e.year, e.cited, w.doi, w.openalex_id, e.countries"
        f" FROM (SELECT * FROM {query.src.eu_cn} WHERE {where}) e JOIN works w USING (work_id)"
        f" ORDER BY e.cited DESC, {work_order_sql('w')} LIMIT ?",
        [*params, limit],
    ).fetchall()
