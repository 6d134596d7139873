"""The SQL that turns works into the search index's rows: postings, facets, docs.

A full build runs it over slices of the works and an update over the pending works
(:mod:`permed_atlas.landscape.store.search_index`); both must write the same rows, so the
queries live here once, parameterised by the scope of works they read.
"""

from __future__ import annotations

import contextlib

import duckdb
from duckdb.sqltypes import VARCHAR

from permed_atlas.landscape.store._search_sql import (
    SPLIT_PATTERN,
    TERM_FILTER_SQL,
    normalised_term_sql,
)
from permed_atlas.textsearch import segment_han

_SEGMENT_FUNCTION = "permed_segment_han"
# Only texts holding Han characters go through Python; the rest stay in DuckDB.
_HAN_SQL = "'[\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}\\x{F900}-\\x{FAFF}]'"


def register_segmenter(connection: duckdb.DuckDBPyConnection) -> None:
    """Make the Chinese word segmenter callable from :func:`postings_sql` on ``connection``."""
    # Not registered yet on a new connection; re-registered on one that built before.
    with contextlib.suppress(duckdb.InvalidInputException):
        connection.remove_function(_SEGMENT_FUNCTION)
    connection.create_function(_SEGMENT_FUNCTION, segment_han, [VARCHAR], VARCHAR)


def postings_sql(scope: str, *, ordered: bool = True) -> str:
    """(term, work, term frequency, document length) of the titles and abstracts in scope.

    :param ordered: sorted by term and work, as the index keeps them.
    """
    order = "ORDER BY k.term, k.work_id" if ordered else ""
    # The title twice: its words weigh double; so does a vernacular title (PubMed keeps the
    # English translation as the title and the original, e.g. Chinese, beside it). Chinese
    # is cut into words (jieba) before DuckDB splits at spaces and punctuation.
    text = (
        "coalesce(title, '') || ' ' || coalesce(title, '') || ' ' || coalesce(v.titles, '') "
        "|| ' ' || coalesce(v.titles, '') || ' ' || coalesce(abstract, '')"
    )
    text = (
        f"lower(CASE WHEN regexp_matches({text}, {_HAN_SQL}) "
        f"THEN {_SEGMENT_FUNCTION}({text}) ELSE {text} END)"
    )
    return f"""
        WITH vernacular AS (SELECT work_id, string_agg(term, ' ') AS titles FROM terms
                            WHERE scheme = 'vernacular_title' AND {scope} GROUP BY work_id),
        raw AS (SELECT work_id, unnest(regexp_split_to_array({text}, '{SPLIT_PATTERN}'))
                     AS raw_term FROM works LEFT JOIN vernacular v USING (work_id)
                WHERE {scope}),
        kept AS (SELECT work_id, {normalised_term_sql("raw_term")} AS term FROM raw
                 WHERE {TERM_FILTER_SQL}),
        lengths AS (SELECT work_id, count(*)::INTEGER AS doc_len FROM kept GROUP BY work_id)
        SELECT k.term, k.work_id, count(*)::INTEGER AS tf, any_value(l.doc_len) AS doc_len
        FROM kept k JOIN lengths l USING (work_id)
        GROUP BY k.term, k.work_id
        {order}
    """


def facets_sql(scope: str, *, ordered: bool = True) -> str:
    """(dim, value, work) of the tag values of the works in scope; binds ``$pm_topic``.

    :param ordered: sorted by dimension, value and work, as the index keeps them.
    """
    order = "ORDER BY dim, value, work_id" if ordered else ""
    return f"""
        SELECT DISTINCT dim, value, work_id FROM (
            SELECT 'region' AS dim, region AS value, work_id FROM work_regions WHERE {scope}
            UNION ALL SELECT 'country', country_code, work_id FROM work_countries WHERE {scope}
            UNION ALL SELECT 'topic', topic, work_id FROM work_topics
                      WHERE topic <> $pm_topic AND {scope}
            UNION ALL SELECT 'institution', institution_name, work_id FROM affiliations
                      WHERE institution_name IS NOT NULL AND institution_name <> '' AND {scope}
        ) WHERE value IS NOT NULL
        {order}
    """


def docs_sql(
    scope: str, *, postings: str = "search_postings", facets: str = "search_facets"
) -> str:
    """One row per work in scope with its flags, length, facet bit masks and facet ids.

    :param postings: the table with the postings of (at least) the works in scope.
    :param facets: the table with the facets of (at least) the works in scope.
    """
    return f"""
        SELECT w.work_id, w.kind, w.year, w.cited_by_count,
               coalesce(f.pm_relevant, false) AS pm_relevant, coalesce(f.eu_cn, false) AS eu_cn,
               coalesce(l.doc_len, 0) AS doc_len,
               coalesce(m.region_mask, 0) AS region_mask,
               coalesce(m.topic_mask, 0) AS topic_mask,
               coalesce(m.country_mask, 0) AS country_mask,
               coalesce(v.facet_ids, []) AS facet_ids
        FROM (SELECT * FROM works WHERE {scope}) w
        LEFT JOIN (SELECT work_id, bool_or(pm_relevant) AS pm_relevant, bool_or(eu_cn) AS eu_cn
                   FROM work_flags WHERE {scope} GROUP BY work_id) f USING (work_id)
        LEFT JOIN (SELECT work_id, any_value(doc_len) AS doc_len FROM {postings}
                   WHERE {scope} GROUP BY work_id) l USING (work_id)
        LEFT JOIN (SELECT f.work_id,
                          bit_or(CASE WHEN f.dim = 'region' THEN 1::BIGINT << b.bit END)
                              AS region_mask,
                          bit_or(CASE WHEN f.dim = 'topic' THEN 1::BIGINT << b.bit END)
                              AS topic_mask,
                          bit_or(CASE WHEN f.dim = 'country' THEN 1::BIGINT << b.bit END)
                              AS country_mask
                   FROM (SELECT * FROM {facets} WHERE {scope}) f
                   JOIN search_bits b USING (dim, value)
                   GROUP BY f.work_id) m USING (work_id)
        LEFT JOIN (SELECT f.work_id, list(v.id ORDER BY v.id) AS facet_ids
                   FROM (SELECT * FROM {facets} WHERE {scope}) f
                   JOIN search_facet_values v USING (dim, value)
                   GROUP BY f.work_id) v USING (work_id)
        ORDER BY w.work_id
    """


# BM25's idf of a term found in {df} of the $n indexed works.
IDF_SQL = "ln(1 + ($n - {df} + 0.5) / ({df} + 0.5))"
