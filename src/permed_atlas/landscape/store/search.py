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
- ``search_meta`` with a fingerprint of the tables the index was built from,
  so that a stale index is noticed and rebuilt.

Titles count twice. Words are lower-cased, split on anything but letters and
digits, stop words dropped and plurals folded ("therapies" finds "therapy").
Every value reaches SQL as a parameter; query text is only ever split into
words, so FTS or SQL syntax in it is just more words.
"""

from __future__ import annotations

import contextlib
import io
import re

import duckdb
from duckdb.sqltypes import VARCHAR

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.search_query import (
    FACET_DIMENSIONS,
    MAX_TERMS,
    FacetCount,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from permed_atlas.landscape.store._search_sql import (
    FACET_LIMITS,
    MASKED_DIMENSIONS,
    MAX_BITS,
    SPLIT_PATTERN,
    STOPWORDS,
    TERM_FILTER_SQL,
    Bits,
    ascii_terms,
    matched_sql,
    normalised_term_sql,
    order_for,
    qualified,
    query_terms_sql,
    search_sql,
)
from permed_atlas.landscape.topics import PM_TOPIC
from permed_atlas.spreadsheet import neutralise_arrow_table
from permed_atlas.textsearch import segment_han

INDEX_VERSION = "7"  # 7: facet value ids per work; 6: Chinese titles cut into words
EXPORT_LIMIT = 100_000
"""The most works one export holds; the response says when it was cut."""
EXPORT_FORMATS = ("csv", "parquet")

_FINGERPRINT_SQL = """
SELECT concat_ws('/',
    (SELECT count(*) FROM works), (SELECT coalesce(max(work_id), 0) FROM works),
    (SELECT count(*) FROM work_regions), (SELECT count(*) FROM work_countries),
    (SELECT count(*) FROM work_topics), (SELECT count(*) FROM work_flags),
    (SELECT count(*) FROM affiliations))
"""
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NO_INDEX = (
    "the corpus has no search index: run `permed demo` or `permed ingest`, or build it with "
    "permed_atlas.landscape.store.search.build_search_index"
)


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    # DuckDB refuses named parameters the statement does not use.
    used = set(_PARAM.findall(sql))
    return {key: value for key, value in params.items() if key in used}


def _fingerprint(connection: duckdb.DuckDBPyConnection) -> str:
    rows = connection.execute(_FINGERPRINT_SQL).fetchall()
    return f"v{INDEX_VERSION}:{rows[0][0] if rows else ''}"


def search_index_is_current(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search index exists and was built from the corpus as it is now.

    :param connection: a (possibly read-only) connection to the corpus.
    """
    try:
        rows = connection.execute(
            "SELECT value FROM search_meta WHERE key = 'fingerprint'"
        ).fetchall()
        return bool(rows) and rows[0][0] == _fingerprint(connection)
    except duckdb.CatalogException:
        return False


_SEGMENT_FUNCTION = "permed_segment_han"
# Only texts holding Han characters go through Python; the rest stay in DuckDB.
_HAN_SQL = "'[\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}\\x{F900}-\\x{FAFF}]'"


def _register_segmenter(connection: duckdb.DuckDBPyConnection) -> None:
    # Not registered yet on a new connection; re-registered on one that built before.
    with contextlib.suppress(duckdb.InvalidInputException):
        connection.remove_function(_SEGMENT_FUNCTION)
    connection.create_function(_SEGMENT_FUNCTION, segment_han, [VARCHAR], VARCHAR)


def _build_postings(connection: duckdb.DuckDBPyConnection) -> None:
    """search_postings: (term, work, term frequency, document length) of titles and abstracts."""
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
    _register_segmenter(connection)
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE search_postings AS
        WITH vernacular AS (SELECT work_id, string_agg(term, ' ') AS titles FROM terms
                            WHERE scheme = 'vernacular_title' GROUP BY work_id),
        raw AS (SELECT work_id, unnest(regexp_split_to_array({text}, '{SPLIT_PATTERN}'))
                     AS raw_term FROM works LEFT JOIN vernacular v USING (work_id)),
        kept AS (SELECT work_id, {normalised_term_sql("raw_term")} AS term FROM raw
                 WHERE {TERM_FILTER_SQL}),
        lengths AS (SELECT work_id, count(*)::INTEGER AS doc_len FROM kept GROUP BY work_id)
        SELECT k.term, k.work_id, count(*)::INTEGER AS tf, any_value(l.doc_len) AS doc_len
        FROM kept k JOIN lengths l USING (work_id)
        GROUP BY k.term, k.work_id
        ORDER BY k.term, k.work_id
        """,
        {"stop": list(STOPWORDS)},
    )


def _build_facets(connection: duckdb.DuckDBPyConnection) -> None:
    """search_facets, their value counts and the bits of the masked dimensions."""
    connection.execute(
        """
        CREATE OR REPLACE TABLE search_facets AS
        SELECT DISTINCT dim, value, work_id FROM (
            SELECT 'region' AS dim, region AS value, work_id FROM work_regions
            UNION ALL SELECT 'country', country_code, work_id FROM work_countries
            UNION ALL SELECT 'topic', topic, work_id FROM work_topics WHERE topic <> $pm_topic
            UNION ALL SELECT 'institution', institution_name, work_id FROM affiliations
                      WHERE institution_name IS NOT NULL AND institution_name <> ''
        ) WHERE value IS NOT NULL
        ORDER BY dim, value, work_id
        """,
        {"pm_topic": PM_TOPIC},
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


def _build_docs(connection: duckdb.DuckDBPyConnection) -> None:
    """search_docs: one row per work with its flags, length and facet bit masks."""
    connection.execute(
        """
        CREATE OR REPLACE TABLE search_docs AS
        SELECT w.work_id, w.kind, w.year, w.cited_by_count,
               coalesce(f.pm_relevant, false) AS pm_relevant, coalesce(f.eu_cn, false) AS eu_cn,
               coalesce(l.doc_len, 0) AS doc_len,
               coalesce(m.region_mask, 0) AS region_mask,
               coalesce(m.topic_mask, 0) AS topic_mask,
               coalesce(m.country_mask, 0) AS country_mask,
               coalesce(v.facet_ids, []) AS facet_ids
        FROM works w
        LEFT JOIN (SELECT work_id, bool_or(pm_relevant) AS pm_relevant, bool_or(eu_cn) AS eu_cn
                   FROM work_flags GROUP BY work_id) f USING (work_id)
        LEFT JOIN (SELECT work_id, any_value(doc_len) AS doc_len FROM search_postings
                   GROUP BY work_id) l USING (work_id)
        LEFT JOIN (SELECT f.work_id,
                          bit_or(CASE WHEN f.dim = 'region' THEN 1::BIGINT << b.bit END)
                              AS region_mask,
                          bit_or(CASE WHEN f.dim = 'topic' THEN 1::BIGINT << b.bit END)
                              AS topic_mask,
                          bit_or(CASE WHEN f.dim = 'country' THEN 1::BIGINT << b.bit END)
                              AS country_mask
                   FROM search_facets f JOIN search_bits b USING (dim, value)
                   GROUP BY f.work_id) m USING (work_id)
        LEFT JOIN (SELECT f.work_id, list(v.id ORDER BY v.id) AS facet_ids
                   FROM search_facets f JOIN search_facet_values v USING (dim, value)
                   GROUP BY f.work_id) v USING (work_id)
        ORDER BY w.work_id
        """
    )


def _build_tables(connection: duckdb.DuckDBPyConnection) -> int:
    _build_postings(connection)
    _build_facets(connection)
    _build_docs(connection)
    n_docs = int(connection.execute("SELECT count(*) FROM search_docs").fetchall()[0][0])
    connection.execute(
        """
        CREATE OR REPLACE TABLE search_terms AS
        SELECT term, count(*) AS df, ln(1 + ($n - count(*) + 0.5) / (count(*) + 0.5)) AS idf
        FROM search_postings GROUP BY term ORDER BY term
        """,
        {"n": n_docs},
    )
    avg_len = connection.execute("SELECT coalesce(avg(doc_len), 0) FROM search_docs").fetchall()[0][
        0
    ]
    connection.execute("CREATE OR REPLACE TABLE search_meta (key VARCHAR, value VARCHAR)")
    connection.execute(
        "INSERT INTO search_meta VALUES ('fingerprint', ?), ('n_docs', ?), ('avg_len', ?)",
        [_fingerprint(connection), str(n_docs), str(avg_len)],
    )
    return n_docs


def build_search_index(connection: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the search index from works and the tag tables; idempotent.

    Run it after ingest and tagging (``permed demo`` and the ingest CLI do). The
    new tables replace the old ones in one transaction, so a reader never sees a
    half-built index.

    :param connection: a writable connection to the corpus.
    :returns: the number of indexed works.
    """
    try:
        connection.execute("BEGIN TRANSACTION")
        n_docs = _build_tables(connection)
        connection.execute("COMMIT")
    except duckdb.Error as exc:
        connection.execute("ROLLBACK")
        raise LandscapeError(
            Message(gettext_noop("cannot build the search index: %(exc)s"), exc=exc),
        ) from exc
    return n_docs


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


def check_facet_values(connection: duckdb.DuckDBPyConnection, query: SearchQuery) -> None:
    """Refuse facet values that no work in the corpus has, naming the facet.

    :param connection: a connection to the corpus.
    :param query: a validated query.
    """
    wanted = {d: query.facet_values(d) for d in FACET_DIMENSIONS if query.facet_values(d)}
    if not wanted:
        return
    conditions = " OR ".join(f"(dim = '{d}' AND list_contains($v_{d}, value))" for d in wanted)
    try:
        rows = connection.execute(
            f"SELECT dim, value FROM search_facet_values WHERE {conditions}",
            {f"v_{d}": list(values) for d, values in wanted.items()},
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise LandscapeError(_NO_INDEX) from exc
    known = set(rows)
    for dimension, values in wanted.items():
        unknown = [v for v in values if (dimension, v) not in known]
        if unknown:
            raise InvalidInputError(
                Message(
                    gettext_noop("unknown %(dimension)s %(value)s: no work in the corpus has it"),
                    dimension=dimension,
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
                gettext_noop(
                    "the search text %(value)s has no searchable words (only stop words, "
                    "punctuation or one-letter words)"
                ),
                value=repr(query.text[:60]),
            ),
            field="q",
        )
    if len(terms) > MAX_TERMS:
        raise InvalidInputError(
            Message(
                gettext_noop(
                    "the search text has %(length)s distinct words; at most %(max_terms)s"
                    " are allowed"
                ),
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
        params: dict[str, object] = {}
        sql = search_sql(query, terms, params, bits)
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
                gettext_noop("format must be csv or parquet, not %(format)s"),
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
