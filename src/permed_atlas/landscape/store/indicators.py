"""Landscape indicators, computed by DuckDB over the tagged corpus.

Every function takes a connection and a :class:`LandscapeFilter` (the same
facets the web dashboard offers) and returns plain frozen dataclasses. The
connection only needs the corpus tables by name, so the same functions run
over DuckDB's own tables or over views of Parquet files.

The functions here are the raw queries, over the tag tables. :func:`compute_indicators`
answers from the pre-aggregated tables of :mod:`permed_atlas.landscape.store.aggregates`
wherever they can answer the filter and are current, and from the raw queries otherwise;
both give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.filters import NO_FILTER as NO_FILTER
from permed_atlas.landscape.filters import LandscapeFilter as LandscapeFilter
from permed_atlas.landscape.indicator_models import ALL_REGIONS as ALL_REGIONS
from permed_atlas.landscape.indicator_models import INDICATOR_NAMES as INDICATOR_NAMES
from permed_atlas.landscape.indicator_models import CitedWork as CitedWork
from permed_atlas.landscape.indicator_models import CoPublicationYear as CoPublicationYear
from permed_atlas.landscape.indicator_models import Indicators as Indicators
from permed_atlas.landscape.indicator_models import PatentCount as PatentCount
from permed_atlas.landscape.indicator_models import RankedCountry as RankedCountry
from permed_atlas.landscape.indicator_models import RankedInstitution as RankedInstitution
from permed_atlas.landscape.indicator_models import RegionYearCount as RegionYearCount
from permed_atlas.landscape.indicator_models import TopicShare as TopicShare
from permed_atlas.landscape.indicator_models import TopicYear as TopicYear
from permed_atlas.landscape.indicator_models import (
    copublications_of,
    countries_of,
    institutions_of,
    output_of,
    patents_of,
    top_cited_of,
    topic_trends_of,
)
from permed_atlas.landscape.regions import CHINA, EU27
from permed_atlas.landscape.store import aggregate_queries as agg
from permed_atlas.landscape.store import aggregates
from permed_atlas.landscape.store._ranking import (
    ranked_countries_sql,
    ranked_institutions_sql,
    work_order_sql,
)
from permed_atlas.landscape.store.filtered import filtered_works_sql as filtered_works_sql


def _query(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter,
    body: str,
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    works_sql, works_params = filtered_works_sql(flt)
    try:
        return connection.execute(
            f"WITH fw AS ({works_sql}) {body}", [*works_params, *params]
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise LandscapeError(
            Message("the corpus is not tagged yet (run `permed tag`): %(exc)s", exc=exc)
        ) from exc


def _region_clause(regions: Sequence[str] | None, column: str) -> tuple[str, list[Any]]:
    if not regions:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in regions)})", [r.upper() for r in regions]


def _ranked(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter,
    ranking: Callable[..., str],
    *,
    regions: Sequence[str] | None,
    limit: int,
) -> list[tuple[Any, ...]]:
    """The rows of a :mod:`._ranking` query that awaits only its ``region_clause``.

    The query's one parameter, the limit, follows the region clause's.
    """
    clause, params = _region_clause(regions, "m.region")
    return _query(connection, flt, ranking(region_clause=clause), [*params, limit])


def _region_masks(
    connection: duckdb.DuckDBPyConnection, regions: Sequence[str] | None
) -> tuple[list[str], str, list[Any]]:
    """The regions chosen, the CTEs ``bits`` (region, bit) and ``masks`` (work_id, mask) that
    follow ``fw``, and their parameters.

    Each work's regions become one bit mask, so a query groups by a handful of masks instead
    of joining each row once per region of its work, and splits the masks at the end.
    """
    chosen = [r.upper() for r in regions] if regions else tagged_regions(connection)
    if len(chosen) > 62:
        raise LandscapeError(
            Message("at most 62 regions at once, not %(count)s", count=len(chosen))
        )
    bits = " UNION ALL ".join(
        ["SELECT NULL::VARCHAR AS region, 0::BIGINT AS bit WHERE false"]
        + ["SELECT ? AS region, ?::BIGINT AS bit" for _ in chosen]
    )
    params: list[Any] = [v for i, region in enumerate(chosen) for v in (region, 1 << i)]
    masks = (
        f", bits AS ({bits}),"
        " masks AS (SELECT r.work_id, sum(b.bit)::BIGINT AS mask FROM work_regions r"
        "  JOIN bits b USING (region) GROUP BY r.work_id)"
    )
    return chosen, masks, params


def output_by_year_region(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
) -> list[RegionYearCount]:
    """Output per year and region, plus the ``ALL`` total of the filter.

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions to break down by; None for every tagged region.
    """
    _, masks, bit_params = _region_masks(connection, regions)
    # As in topic_trends: count per (region mask, year), then split the masks; mask 0 rows
    # (works in none of the regions) still count towards ALL.
    rows = _query(
        connection,
        flt,
        f"{masks}, g AS (SELECT coalesce(m.mask, 0) AS mask, fw.year, count(*) AS works,"
        "  count(*) FILTER (fw.pm_relevant) AS pm, count(*) FILTER (fw.eu_cn) AS eu_cn"
        "  FROM fw LEFT JOIN masks m USING (work_id) GROUP BY ALL)"
        " SELECT b.region, g.year, sum(g.works), sum(g.pm), sum(g.eu_cn)"
        " FROM g JOIN bits b ON (g.mask & b.bit) <> 0 GROUP BY b.region, g.year"
        f" UNION ALL SELECT '{ALL_REGIONS}', year, sum(works), sum(pm), sum(eu_cn) FROM g"
        " GROUP BY year ORDER BY 1, 2",
        bit_params,
    )
    return output_of(rows)


def eu_cn_copublications(
    connection: duckdb.DuckDBPyConnection, flt: LandscapeFilter = NO_FILTER
) -> list[CoPublicationYear]:
    """EU–China co-publications per year, with their share of the EU's and China's publications.

    :param connection: a tagged corpus.
    :param flt: the facets (only publications are counted).
    """
    rows = _query(
        connection,
        flt,
        "SELECT year, count(*) FILTER (eu AND cn), count(*) FILTER (eu), count(*) FILTER (cn) "
        "FROM fw JOIN (SELECT work_id, bool_or(region = ?) AS eu, bool_or(region = ?) AS cn "
        "  FROM work_regions WHERE region IN (?, ?) GROUP BY work_id) USING (work_id) "
        "WHERE fw.kind = 'publication' GROUP BY year ORDER BY year",
        [EU27, CHINA, EU27, CHINA],
    )
    return copublications_of(rows)


def top_institutions(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
    limit: int = 10,
) -> list[RankedInstitution]:
    """The institutions with most works in each region (the region of their country).

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions to rank in; None for every tagged region.
    :param limit: how many per region.
    """
    ranking = partial(
        ranked_institutions_sql,
        per_institution="SELECT wi.institution_key, count(*) AS works,"
        " count(*) FILTER (fw.eu_cn) AS eu_cn_works"
        " FROM fw JOIN work_institutions wi USING (work_id) GROUP BY wi.institution_key",
        key="institution_key",
    )
    return institutions_of(_ranked(connection, flt, ranking, regions=regions, limit=limit))


def top_countries(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
    limit: int = 10,
) -> list[RankedCountry]:
    """The countries with most works in each region.

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions to rank in; None for every tagged region.
    :param limit: how many per region.
    """
    ranking = partial(
        ranked_countries_sql,
        per_country="fw JOIN work_countries c USING (work_id)",
        works="count(*)",
        totals="SELECT r.region, count(*) AS total FROM fw JOIN work_regions r"
        " USING (work_id) GROUP BY r.region",
    )
    return countries_of(_ranked(connection, flt, ranking, regions=regions, limit=limit))


def topic_mix(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
) -> list[TopicShare]:
    """The topic mix of each region (a work may have several topics).

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions; None for every tagged region.
    """
    clause, params = _region_clause(regions, "r.region")
    rows = _query(
        connection,
        flt,
        # work_topic_set holds each (work, topic) once, so count(*) counts works.
        "SELECT region, topic, works, works / total FROM ("
        " SELECT r.region, t.topic, count(*) AS works"
        " FROM work_topic_set t"
        " JOIN fw USING (work_id) JOIN work_regions r USING (work_id)"
        f" WHERE {clause} GROUP BY r.region, t.topic)"
        " JOIN (SELECT r.region, count(*) AS total FROM fw JOIN work_regions r USING (work_id)"
        "  GROUP BY r.region) USING (region) ORDER BY region, works DESC, topic",
        params,
    )
    return [TopicShare(r[0], r[1], int(r[2]), float(r[3])) for r in rows]


def topic_trends(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
) -> list[TopicYear]:
    """Works per topic, region and year.

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions; None for every tagged region.
    """
    chosen, masks, bit_params = _region_masks(connection, regions)
    if not chosen:
        return []
    # The topic rows are grouped by a handful of region masks instead of being joined once
    # per region of their work; the masks are then split.
    rows = _query(
        connection,
        flt,
        f"{masks} SELECT b.region, g.topic, g.year, sum(g.works)::BIGINT FROM ("
        "  SELECT m.mask, t.topic, fw.year, count(*) AS works"
        "  FROM work_topic_set t JOIN fw USING (work_id) JOIN masks m USING (work_id)"
        "  GROUP BY m.mask, t.topic, fw.year) g"
        " JOIN bits b ON (g.mask & b.bit) <> 0"
        " GROUP BY b.region, g.topic, g.year ORDER BY 1, 2, 3",
        bit_params,
    )
    return topic_trends_of(rows)


def topic_mix_from_trends(
    trends: Sequence[TopicYear], output: Sequence[RegionYearCount]
) -> list[TopicShare]:
    """The topic mix, summed from the yearly trends (each work has one year).

    Gives the same rows as :func:`topic_mix` without a second pass over the corpus.

    :param trends: from :func:`topic_trends`.
    :param output: from :func:`output_by_year_region` with the same filter and regions.
    """
    totals: dict[str, int] = {}
    for row in output:
        totals[row.region] = totals.get(row.region, 0) + row.works
    works: dict[tuple[str, str], int] = {}
    for trend in trends:
        works[(trend.region, trend.topic)] = works.get((trend.region, trend.topic), 0) + trend.works
    rows = [
        TopicShare(region, topic, count, count / totals[region] if totals.get(region) else 0.0)
        for (region, topic), count in works.items()
    ]
    return sorted(rows, key=lambda r: (r.region, -r.works, r.topic))


def patents_by_applicant_region(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
) -> list[PatentCount]:
    """Patents per applicant region and priority year.

    :param connection: a tagged corpus.
    :param flt: the facets (only patents are counted).
    :param regions: the regions; None for every tagged region.
    """
    clause, params = _region_clause(regions, "m.region")
    rows = _query(
        connection,
        flt,
        "SELECT m.region, fw.year, count(DISTINCT fw.work_id),"
        " count(DISTINCT coalesce(fw.family_id, fw.work_id::VARCHAR))"
        " FROM fw JOIN contributors c ON c.work_id = fw.work_id AND c.role = 'applicant'"
        " JOIN affiliations a ON a.work_id = c.work_id AND a.position = c.position"
        " JOIN region_members m ON m.country_code = upper(a.country_code)"
        f" WHERE fw.kind = 'patent' AND {clause} GROUP BY ALL ORDER BY 1, 2",
        params,
    )
    return patents_of(rows)


def top_cited_eu_cn(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    limit: int = 10,
) -> list[CitedWork]:
    """The most cited EU–China collaborations.

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param limit: how many.
    """
    rows = _query(
        connection,
        flt,
        "SELECT w.work_id, w.title, w.year, coalesce(w.cited_by_count, 0), w.doi, w.openalex_id,"
        " (SELECT list(DISTINCT c.country_code ORDER BY c.country_code) FROM work_countries c"
        "  WHERE c.work_id = w.work_id)"
        " FROM (SELECT work_id FROM fw WHERE eu_cn) top JOIN works w USING (work_id)"
        f" ORDER BY coalesce(w.cited_by_count, 0) DESC, {work_order_sql('w')} LIMIT ?",
        [limit],
    )
    return top_cited_of(rows)


def tagged_regions(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The region codes the corpus was tagged with.

    :param connection: a tagged corpus.
    """
    try:
        rows = connection.execute(
            "SELECT DISTINCT region FROM region_members ORDER BY 1"
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise LandscapeError(Message("the corpus is not tagged yet (run `permed tag`)")) from exc
    return [str(row[0]) for row in rows]


def compute_indicators(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    regions: Sequence[str] | None = None,
    limit: int = 10,
    use_aggregates: bool = True,
) -> Indicators:
    """Every indicator for one filter.

    :param connection: a tagged corpus.
    :param flt: the facets.
    :param regions: the regions to break down by; None for every tagged region.
    :param limit: how many institutions, countries and cited works per list.
    :param use_aggregates: answer from the pre-aggregated tables where they are current and
        can (the same rows, faster); False runs every raw query.
    """
    known = tagged_regions(connection)
    if regions:
        unknown = [r for r in regions if r.upper() not in known]
        if unknown:
            raise LandscapeError(
                Message(
                    "unknown region %(unknown)s; the corpus is tagged with %(known)s",
                    unknown=", ".join(unknown),
                    known=", ".join(known),
                )
            )
    chosen = tuple(dict.fromkeys(r.upper() for r in regions)) if regions else tuple(known)
    bits = aggregates.aggregate_bits(connection) if use_aggregates else None
    if bits is None or not agg.answers(flt, bits):
        output = output_by_year_region(connection, flt, regions=chosen)
        trends = topic_trends(connection, flt, regions=chosen)
        return Indicators(
            filter=flt,
            regions=chosen,
            output=output,
            copublications=eu_cn_copublications(connection, flt),
            institutions=top_institutions(connection, flt, regions=chosen, limit=limit),
            countries=top_countries(connection, flt, regions=chosen, limit=limit),
            topics=topic_mix_from_trends(trends, output),
            topic_trends=trends,
            patents=patents_by_applicant_region(connection, flt, regions=chosen),
            top_cited=top_cited_eu_cn(connection, flt, limit=limit),
        )
    return _from_aggregates(connection, flt, bits, regions=chosen, limit=limit)


def _from_aggregates(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter,
    bits: aggregates.AggregateBits,
    *,
    regions: tuple[str, ...],
    limit: int,
) -> Indicators:
    with agg.sources_for(connection, flt) as src:
        query = agg.CellQuery(connection, flt, bits, src)
        output = output_of(agg.output_rows(query, regions=regions, all_label=ALL_REGIONS))
        trends = topic_trends_of(agg.topic_trend_rows(query, regions=regions))
        clause = _region_clause(regions, "m.region")
        return Indicators(
            filter=flt,
            regions=regions,
            output=output,
            copublications=copublications_of(agg.copublication_rows(query, eu=EU27, cn=CHINA)),
            institutions=institutions_of(
                agg.institution_rows(query, region_clause=clause, limit=limit)
            ),
            countries=countries_of(agg.country_rows(query, region_clause=clause, limit=limit)),
            topics=topic_mix_from_trends(trends, output),
            topic_trends=trends,
            patents=patents_of(agg.patent_rows(query, region_clause=clause)),
            top_cited=top_cited_of(agg.top_cited_rows(query, limit=limit)),
        )
