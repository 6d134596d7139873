"""SQL of the search engine (private): tokenising, matching and the one-statement search.

Kept apart from search.py so that the public module reads as the API and this one
as the query plan. Every value reaches SQL as a named parameter; only column and
table names chosen here are ever formatted into a statement.
"""

from __future__ import annotations

import re

from permed_atlas.landscape.search_query import FACET_DIMENSIONS, SearchQuery

BM25_K1 = 1.2
BM25_B = 0.75
FACET_LIMITS = {"region": 50, "country": 60, "institution": 25, "topic": 50}

STOPWORDS: tuple[str, ...] = (
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "you",
    "your",
    "et",
    "al",
)
_STOP = frozenset(STOPWORDS)

SPLIT_PATTERN = r"[^\p{L}\p{N}]+"
_ASCII_SPLIT = re.compile(r"[^a-z0-9]+")


def normalised_term_sql(expr: str) -> str:
    """SQL folding simple English plurals; the same rule as :func:`fold_term`."""
    return (
        f"CASE WHEN length({expr}) > 4 AND suffix({expr}, 'ies') "
        f"THEN left({expr}, length({expr}) - 3) || 'y' "
        f"WHEN length({expr}) > 3 AND suffix({expr}, 's') AND NOT suffix({expr}, 'ss') "
        f"AND NOT suffix({expr}, 'us') AND NOT suffix({expr}, 'is') "
        f"THEN left({expr}, length({expr}) - 1) ELSE {expr} END"
    )


TERM_FILTER_SQL = (
    "raw_term <> '' AND length(raw_term) BETWEEN 2 AND 40 AND NOT list_contains($stop, raw_term)"
)


def fold_term(term: str) -> str:
    """Python twin of :func:`normalised_term_sql` (for ASCII query text)."""
    if len(term) > 4 and term.endswith("ies"):
        return term[:-3] + "y"
    if len(term) > 3 and term.endswith("s") and not term.endswith(("ss", "us", "is")):
        return term[:-1]
    return term


def ascii_terms(text: str) -> tuple[str, ...]:
    """The index terms of ASCII ``text``, exactly as the SQL tokeniser makes them."""
    seen: dict[str, None] = {}
    for raw in _ASCII_SPLIT.split(text.lower()):
        if raw and 2 <= len(raw) <= 40 and raw not in _STOP:
            seen.setdefault(fold_term(raw), None)
    return tuple(seen)


def query_terms_sql() -> str:
    """SQL returning the terms of ``$text`` in order of first appearance (any script)."""
    return f"""
        SELECT term FROM (
            SELECT {normalised_term_sql("raw_term")} AS term, min(pos) AS pos FROM (
                SELECT unnest(parts) AS raw_term, generate_subscripts(parts, 1) AS pos
                FROM (SELECT regexp_split_to_array(lower($text), '{SPLIT_PATTERN}') AS parts))
            WHERE {TERM_FILTER_SQL} GROUP BY term) ORDER BY pos
    """


ORDER = {
    "relevance": "score DESC, cited_by_count DESC NULLS LAST, work_id",
    "year": "year DESC NULLS LAST, score DESC, work_id",
    "year_asc": "year ASC NULLS LAST, score DESC, work_id",
    "citations": "cited_by_count DESC NULLS LAST, score DESC, work_id",
}


def order_for(query: SearchQuery, terms: tuple[str, ...]) -> str:
    """The ORDER BY of the query's sort; relevance without words means newest first."""
    return ORDER["year" if query.sort == "relevance" and not terms else query.sort]


def qualified(order: str, alias: str) -> str:
    """``order`` with every column prefixed by ``alias``."""
    return ", ".join(f"{alias}.{part.strip()}" for part in order.split(","))


MASKED_DIMENSIONS = ("region", "topic", "country")
"""Facets with few values, kept as a bit mask per work (when they have at most MAX_BITS values)."""
MAX_BITS = 62

Bits = dict[str, dict[str, int]]
"""dim -> value -> bit, for the dimensions whose values all have a bit."""


def filter_conditions(
    query: SearchQuery, params: dict[str, object], bits: Bits, *, alias: str = "d"
) -> list[str]:
    """The query's facets as conditions on ``search_docs`` columns (or a table with the same
    names, such as ``search_cell_counts``) under ``alias``; values go into ``params``."""
    where = ["true"]
    for column, key, value, op in (
        ("kind", "kind", query.kind, "="),
        ("year", "year_from", query.year_from, ">="),
        ("year", "year_to", query.year_to, "<="),
        ("eu_cn", "eu_cn", query.eu_cn, "="),
        ("pm_relevant", "pm", query.pm_relevant, "="),
    ):
        if value is not None:
            where.append(f"{alias}.{column} {op} ${key}")
            params[key] = value
    for dimension in FACET_DIMENSIONS:
        values = query.facet_values(dimension)
        if values and masked(dimension, values, bits):
            mask = 0
            for value in values:
                mask |= 1 << bits[dimension][value]
            where.append(f"({alias}.{dimension}_mask & $m_{dimension}) <> 0")
            params[f"m_{dimension}"] = mask
        elif values:
            key = f"f_{dimension}"
            # search_facets is sorted by (dim, value): the subquery reads only those rows.
            where.append(
                f"{alias}.work_id IN (SELECT work_id FROM search_facets "
                f"WHERE dim = '{dimension}' AND list_contains(${key}, value))"
            )
            params[key] = list(values)
    return where


def masked(dimension: str, values: tuple[str, ...], bits: Bits) -> bool:
    """Whether every one of ``values`` has a bit in the ``dimension``'s mask."""
    return dimension in bits and all(v in bits[dimension] for v in values)


def matched_sql(
    query: SearchQuery,
    terms: tuple[str, ...],
    params: dict[str, object],
    bits: Bits | None = None,
    *,
    facet_ids: bool = False,
) -> str:
    """SQL of the matching works with the columns sorting and facets need (and ``score``).

    :param bits: facet value bits (from ``search_bits``); a masked facet filters with one
        integer AND instead of a semi-join on the facet table.
    :param facet_ids: also select each work's facet value ids (to count the facets).
    """
    where = filter_conditions(query, params, bits or {})
    columns = (
        "d.work_id, d.kind, d.year, d.cited_by_count, d.pm_relevant, d.eu_cn, "
        "d.region_mask, d.topic_mask, d.country_mask"
    ) + (", d.facet_ids" if facet_ids else "")
    if not terms:
        return f"SELECT {columns}, 0.0 AS score FROM search_docs d WHERE {' AND '.join(where)}"
    params.update({"n_terms": len(terms), "k1": BM25_K1, "b": BM25_B})
    in_list = ", ".join(f"$t{i}" for i in range(len(terms)))
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
    # A literal IN list (not a join) lets DuckDB skip row groups by their min/max term.
    # The works holding every word are materialised first: inline, DuckDB guessed them
    # many and built its hash table from the filtered docs instead, reading the facet ids
    # of every doc that passed the facets (400,000 at 1M works) to keep a few hundred.
    return f"""
        WITH h AS MATERIALIZED (
            SELECT p.work_id,
                   sum(t.idf * p.tf * ($k1 + 1)
                       / (p.tf + $k1 * (1 - $b + $b * p.doc_len / m.avg_len))) AS score
            FROM search_postings p JOIN search_terms t ON t.term = p.term
            CROSS JOIN (SELECT greatest(CAST(value AS DOUBLE), 1.0) AS avg_len
                        FROM search_meta WHERE key = 'avg_len') m
            WHERE p.term IN ({in_list}) AND t.term IN ({in_list})
            GROUP BY p.work_id HAVING count(*) = $n_terms)
        SELECT {columns}, h.score FROM h JOIN search_docs d ON d.work_id = h.work_id
        WHERE {" AND ".join(where)}
    """


def cells_answer(query: SearchQuery, terms: tuple[str, ...], bits: Bits) -> bool:
    """Whether ``search_cell_counts`` can count the query's result: no words, and every facet
    it filters on is a column of the cells (no institution; region, topic and country values
    with a bit)."""
    if terms or query.facet_values("institution"):
        return False
    return all(
        masked(dimension, query.facet_values(dimension), bits)
        for dimension in FACET_DIMENSIONS
        if query.facet_values(dimension) and dimension != "institution"
    )


def search_sql(
    query: SearchQuery,
    terms: tuple[str, ...],
    params: dict[str, object],
    bits: Bits | None = None,
    *,
    cells: bool = False,
) -> str:
    """One statement returning the page's hits, the total and every facet's counts.

    Rows are ``(section, dim, value, n, ord, work_id, kind, title, year, venue, cited, doi,
    score)`` with section ``hit``, ``facet`` or ``total``.

    :param cells: count from ``search_cell_counts`` (only when :func:`cells_answer`).
    """
    order = order_for(query, terms)
    params["limit"] = query.page_size
    params["offset"] = (query.page - 1) * query.page_size
    limits = ", ".join(f"('{dim}', {n})" for dim, n in FACET_LIMITS.items())
    filtered = query.has_filters()
    if cells:
        # Sums over the cells the facets select: as many rows as cells, not as works.
        where = " AND ".join(filter_conditions(query, params, bits or {}, alias="c"))
        counted = (
            "SELECT kind, year, eu_cn, pm_relevant, n, facet_ids, facet_counts "
            f"FROM search_cell_counts c WHERE {where}"
        )
        tag_counts = (
            "SELECT v.dim, v.value, c.n FROM (SELECT id, sum(k)::BIGINT AS n FROM "
            "(SELECT unnest(facet_ids) AS id, unnest(facet_counts) AS k FROM counted) "
            "GROUP BY id) c JOIN search_facet_values v ON v.id = c.id"
        )
        works, count = "counted", "sum(n)::BIGINT"
    else:
        counted = matched_sql(query, terms, params, bits, facet_ids=filtered)
        works, count = "matched", "count(*)"
        if filtered:
            # Each matched work carries the ids of its facet values: counting them is one
            # aggregate over small integers, where joining a large result to search_facets
            # (a hash join of millions of rows at 5M works) was most of a query's time.
            tag_counts = (
                "SELECT v.dim, v.value, c.n FROM (SELECT id, count(*) AS n FROM "
                "(SELECT unnest(m.facet_ids) AS id FROM matched m) GROUP BY id) c "
                "JOIN search_facet_values v ON v.id = c.id"
            )
    if not filtered:
        tag_counts = "SELECT dim, value, n FROM search_facet_values"  # precomputed, whole corpus
    nulls = (
        "NULL::BIGINT, NULL::BIGINT, NULL, NULL, NULL::INTEGER, NULL, NULL::INTEGER, "
        "NULL, NULL::DOUBLE"
    )
    listed = f"({matched_sql(query, terms, params, bits)})" if cells else "matched"
    return f"""
        WITH {"counted" if cells else "matched"} AS MATERIALIZED ({counted}),
        page AS (SELECT work_id, kind, year, cited_by_count, score FROM {listed}
                 ORDER BY {order} LIMIT $limit OFFSET $offset),
        tag_counts AS ({tag_counts}),
        limits(dim, lim) AS (VALUES {limits})
        SELECT 'hit' AS section, NULL AS dim, NULL AS value, NULL::BIGINT AS n,
               row_number() OVER (ORDER BY {qualified(order, "p")}) AS ord,
               p.work_id, p.kind, w.title, p.year, w.venue, p.cited_by_count, w.doi, p.score
        FROM page p JOIN works w ON w.work_id = p.work_id
        UNION ALL
        SELECT 'facet', c.dim, c.value, c.n, {nulls} FROM tag_counts c JOIN limits l USING (dim)
        QUALIFY row_number() OVER (PARTITION BY c.dim ORDER BY c.n DESC, c.value) <= l.lim
        UNION ALL SELECT 'facet', 'kind', kind, {count}, {nulls} FROM {works} GROUP BY kind
        UNION ALL SELECT 'facet', 'year', CAST(year AS VARCHAR), {count}, {nulls}
                  FROM {works} WHERE year IS NOT NULL GROUP BY year
        UNION ALL SELECT 'facet', 'eu_cn', CAST(eu_cn AS VARCHAR), {count}, {nulls}
                  FROM {works} GROUP BY eu_cn
        UNION ALL SELECT 'facet', 'pm_relevant', CAST(pm_relevant AS VARCHAR), {count}, {nulls}
                  FROM {works} GROUP BY pm_relevant
        UNION ALL SELECT 'total', NULL, NULL, coalesce({count}, 0), {nulls} FROM {works}
    """
