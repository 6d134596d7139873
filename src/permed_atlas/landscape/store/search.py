"""Full-text search with facets over the corpus, in plain DuckDB SQL.

DuckDB's FTS extension cannot be installed offline, so this module builds its
own inverted index in the corpus (tables ``search_*``) and ranks with BM25:

- ``search_postings(term, work_id, tf, doc_len)`` sorted by term, so that a
  term lookup reads only the row groups holding it (zone maps);
- ``search_terms(term, df, idf)``;
- ``search_facets(dim, value, work_id)`` with the tag values (region, country,
  institution, topic) sorted by (dim, value), for filtering, and
  ``search_facet_values(dim, value, n)`` with their corpus-wide counts;
- ``search_docs``: one row per work with what filters and sorting need, a bit mask
  per facet with few values (``search_bits`` names the bits), so that such a facet
  filters with one integer AND, and the ids of all its facet values
  (``search_facet_values.id``), so that the facets of a result are counted by
  unnesting small integers instead of joining the result to ``search_facets``;
- ``search_cell_counts``: per cell of works alike in every column a search without words
  filters on, its number of works and of works per facet value (_search_cells.py), so that
  such a search sums cells instead of counting the facets of each of its works;
- ``search_meta`` with a fingerprint of the tables the index was built from,
  so that a stale index is noticed, and ``search_pending`` with the works re-tagged
  since; search_index.py builds these tables, or updates only the pending works' rows.

Titles count twice. Words are lower-cased, split on anything but letters and
digits, stop words dropped and plurals folded ("therapies" finds "therapy").
Every value reaches SQL as a parameter; query text is only ever split into
words, so FTS or SQL syntax in it is just more words.
"""

from __future__ import annotations

import io
import re

import duckdb

from permed_atlas.countries import resolve_country
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, lazy_gettext
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.search_query import (
    FACET_DIMENSIONS,
    MAX_TERMS,
    FacetCount,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from permed_atlas.landscape.store._index_sql import facets_sql
from permed_atlas.landscape.store._search_cells import has_cells
from permed_atlas.landscape.store._search_sql import (
    FACET_LIMITS,
    STOPWORDS,
    Bits,
    ascii_terms,
    cells_answer,
    matched_sql,
    order_for,
    qualified,
    query_terms_sql,
    search_sql,
)
from permed_atlas.landscape.store.search_index import (
    INDEX_VERSION,
    build_search_index,
    search_index_is_current,
    update_search_index,
)
from permed_atlas.landscape.topics import PM_TOPIC
from permed_atlas.spreadsheet import neutralise_arrow_table
from permed_atlas.textsearch import segment_han

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_LIMIT",
    "INDEX_VERSION",
    "build_search_index",
    "check_facet_values",
    "export_search",
    "query_terms",
    "search_index_is_current",
    "search_works",
    "update_search_index",
]

EXPORT_LIMIT = 100_000
"""The most works one export holds; the response says when it was cut."""
EXPORT_FORMATS = ("csv", "parquet")

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# The facets' names inside an error (English in the API: the dimension's own name).
_DIMENSION_WORDS = {
    "topic": lazy_gettext("topic"),
    "country": lazy_gettext("country"),
    "region": lazy_gettext("region"),
    "institution": lazy_gettext("institution"),
}
_NO_INDEX = (
    "the corpus has no search index: run `permed demo` or `permed ingest`, or build it with "
    "permed_atlas.landscape.store.search.build_search_index"
)


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    # DuckDB refuses named parameters the statement does not use.
    used = set(_PARAM.findall(sql))
    return {key: value for key, value in params.items() if key in used}


def query_terms(connection: duckdb.DuckDBPyConnection, text: str) -> tuple[str, ...]:
    """The index terms of ``text``, split and folded exactly as documents are.

    :param connection: a connection to the corpus (used for non-ASCII text, so that
        DuckDB's own Unicode rules split it, as they split the documents).
    :param text: what the user typed.
    """
    if not text.strip():
        return ()
    if text.isascii():
        return ascii_terms(text)
    # Chinese is cut into words here exactly as the index cut the documents.
    segmented = segment_han(text)
    rows = connection.execute(
        query_terms_sql(), {"text": segmented, "stop": list(STOPWORDS)}
    ).fetchall()
    return tuple(row[0] for row in rows)


def check_facet_values(
    connection: duckdb.DuckDBPyConnection, query: SearchQuery, *, indexed: bool = True
) -> None:
    """Refuse facet values that no work in the corpus has, naming the facet.

    A country is checked against ISO 3166-1 instead: a real country no work has is a count
    of 0 in every view, as ``permed indicators`` gives it, not an unknown value.

    :param connection: a connection to the corpus.
    :param query: a validated query.
    :param indexed: read the values from the search index (a published snapshot's, current by
        construction); False reads the tag tables the index is built from, as the CLI must
        for the working corpus, whose index may be missing or older than its tags.
    """
    for code in query.countries:
        resolve_country(code, field="country")
    wanted = {
        d: query.facet_values(d)
        for d in FACET_DIMENSIONS
        if d != "country" and query.facet_values(d)
    }
    if not wanted:
        return
    conditions = " OR ".join(f"(dim = '{d}' AND list_contains($v_{d}, value))" for d in wanted)
    values_of = {f"v_{d}": list(values) for d, values in wanted.items()}
    try:
        rows = (
            connection.execute(
                f"SELECT dim, value FROM search_facet_values WHERE {conditions}", values_of
            ).fetchall()
            if indexed
            else connection.execute(
                f"SELECT DISTINCT dim, value FROM ({facets_sql('true', ordered=False)}) "
                f"WHERE {conditions}",
                {**values_of, "pm_topic": PM_TOPIC},
            ).fetchall()
        )
    except duckdb.CatalogException as exc:
        raise LandscapeError(_NO_INDEX) from exc
    known = set(rows)
    for dimension, values in wanted.items():
        unknown = [v for v in values if (dimension, v) not in known]
        if unknown:
            raise InvalidInputError(
                Message(
                    "unknown %(dimension)s %(value)s: no work in the corpus has it",
                    dimension=_DIMENSION_WORDS.get(dimension, dimension),
                    value=repr(unknown[0]),
                ),
                field=dimension,
            )


def _prepare(
    connection: duckdb.DuckDBPyConnection, query: SearchQuery
) -> tuple[SearchQuery, tuple[str, ...]]:
    query = query.validated()
    check_facet_values(connection, query)
    terms = query_terms(connection, query.text)
    if query.text and not terms:
        raise InvalidInputError(
            Message(
                "the search text %(value)s has no searchable words (only stop words, "
                "punctuation or one-letter words)",
                value=repr(query.text[:60]),
            ),
            field="q",
        )
    if len(terms) > MAX_TERMS:
        raise InvalidInputError(
            Message(
                "the search text has %(length)s distinct words; at most %(max_terms)s are allowed",
                length=len(terms),
                max_terms=MAX_TERMS,
            ),
            field="q",
        )
    return query, terms


def _load_bits(connection: duckdb.DuckDBPyConnection) -> Bits:
    bits: Bits = {}
    for dim, value, bit in connection.execute("SELECT dim, value, bit FROM search_bits").fetchall():
        bits.setdefault(dim, {})[value] = int(bit)
    return bits


def search_works(connection: duckdb.DuckDBPyConnection, query: SearchQuery) -> SearchResult:
    """One page of works matching ``query``, with the total and facet counts of the result.

    :param connection: a (read-only) connection to an indexed corpus.
    :param query: the query; validated here, so hostile values raise InvalidInputError.
    """
    query, terms = _prepare(connection, query)
    try:
        bits = _load_bits(connection)
        cells = cells_answer(query, terms, bits) and has_cells(connection)
        params: dict[str, object] = {}
        sql = search_sql(query, terms, params, bits, cells=cells)
        rows = connection.execute(sql, _bind(sql, params)).fetchall()
    except duckdb.CatalogException as exc:
        raise LandscapeError(_NO_INDEX) from exc
    hits: list[tuple[int, SearchHit]] = []
    total = 0
    grouped: dict[str, list[tuple[str, int]]] = {}
    for section, dim, value, n, ord_, work_id, kind, title, year, venue, cited, doi, score in rows:
        if section == "hit":
            hits.append(
                (
                    int(ord_),
                    SearchHit(
                        work_id=int(work_id),
                        kind=kind,
                        title=title,
                        year=year,
                        venue=venue,
                        cited_by_count=cited,
                        doi=doi,
                        score=round(float(score or 0.0), 4),
                    ),
                )
            )
        elif section == "total":
            total = int(n)
        elif value is not None:
            grouped.setdefault(dim, []).append((value, int(n)))
    return SearchResult(
        query=query,
        total=total,
        hits=tuple(hit for _, hit in sorted(hits, key=lambda h: h[0])),
        facets=_facets(query, grouped),
        terms=terms,
    )


def _facets(
    query: SearchQuery, grouped: dict[str, list[tuple[str, int]]]
) -> dict[str, tuple[FacetCount, ...]]:
    selected: dict[str, set[str]] = {d: set(query.facet_values(d)) for d in FACET_DIMENSIONS}
    selected["kind"] = {query.kind} if query.kind else set()
    for name, flag in (("eu_cn", query.eu_cn), ("pm_relevant", query.pm_relevant)):
        selected[name] = {str(flag).lower()} if flag is not None else set()
    facets: dict[str, tuple[FacetCount, ...]] = {}
    for dim, values in grouped.items():
        key = (lambda v: v[0]) if dim == "year" else (lambda v: (-v[1], v[0]))
        facets[dim] = tuple(
            FacetCount(value=value, count=n, selected=value in selected.get(dim, set()))
            for value, n in sorted(values, key=key)
        )[: FACET_LIMITS.get(dim)]
    return facets


def export_search(
    connection: duckdb.DuckDBPyConnection,
    query: SearchQuery,
    *,
    format: str = "csv",
    limit: int = EXPORT_LIMIT,
) -> tuple[bytes, int, int]:
    """All works matching ``query`` (not just one page) as CSV or Parquet bytes.

    Tags come as lists in Parquet and as ``;``-joined text in CSV.

    :param connection: a (read-only) connection to an indexed corpus.
    :param query: the query; its page and page size are ignored.
    :param format: ``csv`` or ``parquet``.
    :param limit: at most this many works, in the query's sort order.
    :returns: the file's bytes, the number of works in it and the total matched.
    """
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    if format not in EXPORT_FORMATS:
        raise InvalidInputError(
            Message(
                "format must be csv or parquet, not %(format)s",
                format=repr(format),
            ),
            field="format",
        )
    query, terms = _prepare(connection, query.with_page(1))
    params: dict[str, object] = {"limit": limit}
    order = order_for(query, terms)
    listed = "array_to_string({0}, '; ')" if format == "csv" else "{0}"
    tags = "(SELECT list(DISTINCT {col} ORDER BY {col}) FROM {table} t WHERE t.work_id = p.work_id)"
    countries = listed.format(tags.format(col="country_code", table="work_countries"))
    regions = listed.format(tags.format(col="region", table="work_regions"))
    topics = listed.format(tags.format(col="topic", table="work_topics"))
    sql = f"""
        WITH matched AS MATERIALIZED ({matched_sql(query, terms, params)}),
        page AS (SELECT * FROM matched ORDER BY {order} LIMIT $limit)
        SELECT p.work_id, p.kind, w.title, p.year, w.venue, w.type, w.language,
               p.cited_by_count, w.doi, w.pmid, w.pmcid, w.openalex_id, w.lens_id,
               w.publication_number, w.family_id,
               {countries} AS countries, {regions} AS regions, {topics} AS topics,
               p.pm_relevant, p.eu_cn, round(p.score, 4) AS score,
               (SELECT count(*) FROM matched) AS _total
        FROM page p JOIN works w USING (work_id)
        ORDER BY {qualified(order, "p")}
    """
    try:
        table = connection.cursor().sql(sql, params=_bind(sql, params)).to_arrow_table()
    except duckdb.CatalogException as exc:
        raise LandscapeError(_NO_INDEX) from exc
    # No row on the first page means nothing matched at all.
    total = int(table.column("_total")[0].as_py()) if table.num_rows else 0
    table = table.drop_columns(["_total"])
    buffer = io.BytesIO()
    if format == "csv":
        pa_csv.write_csv(neutralise_arrow_table(table), buffer)
    else:
        pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue(), table.num_rows, total
