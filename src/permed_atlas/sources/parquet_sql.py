"""The SQL that turns Parquet OpenAlex works into corpus rows, and the PM pre-filter.

Each expression reproduces what the JSON Lines parser
(``landscape.ingest.openalex``) makes of the same field, so a work ingested
from either copy is stored the same (tests/sources/test_parquet_ingest.py
compares the two). The PM filter is the corpus's own PM rules (the ``pm`` topic
of the rule file) evaluated on the nested columns, inside the scan.
"""

from __future__ import annotations

from permed_atlas.landscape import RuleSet

PM_TOPIC = "pm"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def short(expr: str) -> str:
    """``https://openalex.org/W1`` -> ``W1``; NULL for NULL or empty."""
    return f"nullif(regexp_extract({expr}, '[^/]*$'), '')"


def digits(expr: str) -> str:
    """The trailing run of digits of an id, NULL when none."""
    return f"nullif(regexp_extract({expr}, '(\\d+)\\D*$', 1), '')"


TITLE = "coalesce(nullif(title, ''), nullif(display_name, ''))"
ABSTRACT_FUNCTION = "permed_openalex_abstract"
ABSTRACTS_TABLE = "_pq_abstracts"
"""The abstracts rebuilt beside the inserts (``part_row``, ``abstract``), per batch."""
ABSTRACT = f"{ABSTRACT_FUNCTION}(abstract_inverted_index)"
"""The abstract as ``{text, problem}``, by the JSON parser's own rebuild (a vectorised Python
function: the same text by construction, and ~8x faster than list lambdas over a JSON-to-MAP
cast); ``problem`` says why an index is not one."""
NO_ID = "record has no OpenAlex id"  # the JSON Lines parser's words
DOI = (
    "CASE WHEN starts_with(lower(regexp_replace(trim(coalesce(nullif(doi, ''), ids.doi)), "
    "'^(https?://(dx\\.)?doi\\.org/|doi:\\s*)', '', 'i')), '10.') THEN "
    "lower(regexp_replace(trim(coalesce(nullif(doi, ''), ids.doi)), "
    "'^(https?://(dx\\.)?doi\\.org/|doi:\\s*)', '', 'i')) END"
)
VENUE = (
    "coalesce(nullif(primary_location.source.display_name, ''), "
    "nullif(host_venue.display_name, ''), "
    "list_filter(list_transform(locations, lambda l: l.source.display_name), "
    "lambda n: n <> '')[1])"
)
SOURCE = "CASE WHEN permed_synthetic THEN 'synthetic' ELSE 'openalex' END"

SOURCE_COLUMNS = (
    "id, doi, title, display_name, publication_year, ids, language, primary_location, "
    "locations, host_venue, type, authorships, cited_by_count, primary_topic, topics, "
    "keywords, concepts, mesh, abstract_inverted_index, updated_date, permed_synthetic"
)


_ODD_POSITIONS = "'\\[[\\d,\\s-]*[^\\d,\\s\\]-]'"
"""A list in the index holding something other than integers (or a key with a ``[``)."""


def rows_sql(file_sql: str, pm_rules: RuleSet | None) -> str:
    """SELECT the part's rows the filter keeps, narrow: row number, identifiers, abstract.

    A row with no OpenAlex id or a broken abstract index is kept whatever the filter says,
    with the reason in ``problem`` (NULL for a good row). With ``pm_rules``, the other rows
    are those the rules' ``pm`` topic marks PM-relevant; keyword rules read the abstract,
    so it is rebuilt in this scan (``_abstract``). Without, the abstracts are rebuilt later,
    beside the inserts, and this scan only finds the indexes the rebuild would fail on: it
    runs the rebuild on the few that are not JSON or list something other than integers.

    :param file_sql: the part's path as a SQL string literal.
    :param pm_rules: the corpus's tagging rules, or None to keep every row.
    """
    if pm_rules is not None:
        abstract, broken = ABSTRACT, "_ab.problem"
    else:
        abstract = "{'text': NULL::VARCHAR, 'problem': NULL::VARCHAR}"
        broken = (
            "CASE WHEN nullif(abstract_inverted_index, '') IS NOT NULL AND "
            "(NOT json_valid(abstract_inverted_index) OR regexp_matches("
            f"abstract_inverted_index, {_ODD_POSITIONS})) THEN {ABSTRACT}.problem END"
        )
    keep = f" WHERE problem IS NOT NULL OR {pm_filter_sql(pm_rules)}" if pm_rules else ""
    return (
        "SELECT part_row, openalex_id, _doi AS doi, pmid, _abstract, problem FROM ("
        f"  SELECT *, CASE WHEN openalex_id IS NULL THEN '{NO_ID}' ELSE {broken} END "
        "  AS problem, _ab.text AS _abstract FROM ("
        f"    SELECT *, file_row_number AS part_row, {short('id')} AS openalex_id, "
        f"    {DOI} AS _doi, {digits('ids.pmid')} AS pmid, {abstract} AS _ab, {TITLE} AS _title "
        f"    FROM read_parquet({file_sql}, file_row_number = true))"
        f"){keep} ORDER BY part_row"
    )


def source_view_sql(file_sql: str, first: int, last: int) -> str:
    """CREATE the view ``_pq_src``: the part's rows numbered in ``_pq_map`` (as ``idx``), with
    their abstract and title; only rows ``first``..``last`` of the part are read.

    :param file_sql: the part's path as a SQL string literal.
    :param first: the first part row of the batch.
    :param last: its last part row.
    """
    return (
        f"CREATE OR REPLACE TEMP VIEW _pq_src AS SELECT m.idx, m._abstract, s.*, {TITLE} AS _title "
        f"FROM read_parquet({file_sql}, file_row_number = true) s "
        "JOIN _pq_map m ON m.part_row = s.file_row_number "
        f"WHERE s.file_row_number BETWEEN {int(first)} AND {int(last)}"
    )


def _names_match(list_expr: str, field: str, pattern: str) -> str:
    return (
        f"coalesce(len(list_filter({list_expr}, lambda x: x.{field} <> '' AND "
        f"regexp_matches(x.{field}, {_lit(pattern)}, 'i'))) > 0, false)"
    )


def pm_filter_sql(rules: RuleSet) -> str:
    """The condition true for a work the rules' ``pm`` topic marks PM-relevant.

    Keyword rules look at title and abstract (as tagging does); term rules at the
    MeSH headings, concepts, topics (or the primary topic when a work lists none)
    and keywords. CPC/IPC rules concern patents, never works.

    :param rules: the corpus's tagging rules.
    """
    topics = (
        "CASE WHEN len(coalesce(topics, [])) = 0 AND primary_topic IS NOT NULL "
        "THEN [primary_topic] ELSE topics END"
    )
    lists = {
        "mesh": ("mesh", "descriptor_name"),
        "concept": ("concepts", "display_name"),
        "topic": (topics, "display_name"),
        "keyword_term": ("keywords", "display_name"),
    }
    conditions = []
    for rule in rules.rules:
        if rule.topic != PM_TOPIC:
            continue
        if rule.kind == "keyword":
            conditions.append(
                f"regexp_matches(coalesce(_title, '') || ' ' || coalesce(_abstract, ''), "
                f"{_lit(rule.pattern)}, 'i')"
            )
        elif rule.kind in lists:
            column, field = lists[rule.kind]
            conditions.append(_names_match(column, field, rule.pattern))
    return "(" + " OR ".join(conditions) + ")" if conditions else "false"


WORKS = f"""
SELECT idx + $shift AS work_id, 'publication' AS kind, [{SOURCE}] AS sources,
       {short("id")} AS openalex_id, {DOI} AS doi, {digits("ids.pmid")} AS pmid,
       'PMC' || {digits("ids.pmcid")} AS pmcid,
       NULL::VARCHAR AS lens_id, NULL::VARCHAR AS publication_number, NULL::VARCHAR AS family_id,
       _title AS title, coalesce(_abstract, a.abstract) AS abstract,
       publication_year::INTEGER AS year, nullif(type, '') AS type, {VENUE} AS venue,
       nullif(language, '') AS language, cited_by_count::INTEGER AS cited_by_count, updated_date
FROM _pq_src LEFT JOIN _pq_abstracts a ON a.part_row = _pq_src.file_row_number
WHERE idx >= $lo AND idx < $hi ORDER BY idx
"""

_AUTHORS = """
SELECT idx + $shift AS work_id, generate_subscripts(authorships, 1)::INTEGER AS position,
       unnest(authorships) AS a
FROM _pq_src WHERE idx >= $lo AND idx < $hi
"""

CONTRIBUTORS = f"""
WITH people AS ({_AUTHORS})
SELECT work_id, position, 'author' AS role,
       coalesce(nullif(a.author.display_name, ''), a.raw_author_name) AS name,
       {short("a.author.id")} AS author_id,
       CASE WHEN nullif(a.author.orcid, '') IS NOT NULL THEN {short("a.author.orcid")} END
           AS orcid,
       CASE WHEN len(coalesce(a.raw_affiliation_strings, [])) > 0
            THEN nullif(array_to_string(a.raw_affiliation_strings, '; '), '')
            ELSE nullif(a.raw_affiliation_string, '') END AS raw_affiliation,
       coalesce(len(list_filter(a.institutions, lambda i: nullif(i.country_code, '')
           IS NOT NULL)), 0) = 0 AS unlocated,
       a.institutions
FROM people ORDER BY work_id, position
"""
"""The batch's authorships, each with its ``institutions`` list: kept in ``_pq_people``, from
which :data:`AFFILIATIONS` takes them (``authorships`` is decoded once, not twice)."""

AFFILIATIONS = f"""
WITH places AS (
    SELECT work_id, position, generate_subscripts(institutions, 1) AS n,
           unnest(institutions) AS i FROM _pq_people
)
SELECT work_id, position::INTEGER AS position,
       CASE WHEN loose THEN NULL ELSE {short("i.id")} END AS institution_id,
       CASE WHEN loose THEN NULL ELSE i.display_name END AS institution_name,
       CASE WHEN loose THEN NULL ELSE nullif(i.ror, '') END AS ror,
       upper(nullif(i.country_code, '')) AS country_code
FROM (SELECT *, i.display_name IS NULL AND i.id IS NULL AND i.ror IS NULL AS loose FROM places)
WHERE NOT loose OR nullif(i.country_code, '') IS NOT NULL
ORDER BY work_id, position, loose, n
"""

_TERM_LISTS = f"""
SELECT idx + $shift AS work_id, 1 AS scheme_order, 'concept' AS scheme,
       generate_subscripts(concepts, 1) AS n, unnest(concepts).display_name AS term,
       {short("unnest(concepts).id")} AS term_id, unnest(concepts).score AS score
FROM _pq_src WHERE idx >= $lo AND idx < $hi
UNION ALL
SELECT work_id, 2, 'topic', n, t.display_name, {short("t.id")}, t.score FROM (
    SELECT idx + $shift AS work_id, generate_subscripts(ts, 1) AS n, unnest(ts) AS t FROM (
        SELECT idx, CASE WHEN len(coalesce(topics, [])) = 0 AND primary_topic IS NOT NULL
            THEN [primary_topic] ELSE topics END AS ts
        FROM _pq_src WHERE idx >= $lo AND idx < $hi))
UNION ALL
SELECT idx + $shift, 3, 'keyword', generate_subscripts(keywords, 1),
       unnest(keywords).display_name, {short("unnest(keywords).id")}, unnest(keywords).score
FROM _pq_src WHERE idx >= $lo AND idx < $hi
UNION ALL
SELECT idx + $shift, 4, 'mesh', generate_subscripts(mesh, 1), unnest(mesh).descriptor_name,
       nullif(unnest(mesh).descriptor_ui, ''), NULL::DOUBLE
FROM _pq_src WHERE idx >= $lo AND idx < $hi
"""

TERMS = f"""
WITH lists AS MATERIALIZED (SELECT * FROM ({_TERM_LISTS}) WHERE term IS NOT NULL AND term <> ''),
doubled AS (SELECT DISTINCT work_id FROM lists
            GROUP BY work_id, scheme, hash(coalesce(term_id, lower(term))) HAVING count(*) > 1)
SELECT work_id, scheme, term, term_id, score FROM (
    SELECT * FROM lists ANTI JOIN doubled USING (work_id)
    UNION ALL
    SELECT * EXCLUDE (k) FROM (
        SELECT *, row_number() OVER (PARTITION BY work_id, scheme, coalesce(term_id, lower(term))
                                     ORDER BY n) AS k
        FROM lists SEMI JOIN doubled USING (work_id)) WHERE k = 1
) ORDER BY work_id, scheme_order, n
"""
"""A work's terms in list order, a term repeated within a scheme kept once (the first). Only
works with such a repeat (a hash match, checked exactly) go through the window: few do."""

KEYS = """
SELECT part_row, id_type, id_value FROM (
    SELECT part_row, 'doi' AS id_type, doi AS id_value FROM _pq_rows WHERE problem IS NULL
    UNION ALL SELECT part_row, 'openalex_id', openalex_id FROM _pq_rows WHERE problem IS NULL
    UNION ALL SELECT part_row, 'pmid', pmid FROM _pq_rows WHERE problem IS NULL
) WHERE id_value IS NOT NULL
"""
"""The identifiers of each good row (``Work.identifiers()``: DOI, OpenAlex id, PMID)."""

STATES = """
WITH superseded AS (
    SELECT part_row FROM _pq_rows
    WHERE problem IS NULL AND openalex_id IN (SELECT merged_id FROM merged_works)),
live AS (SELECT * FROM _pq_keys ANTI JOIN superseded USING (part_row)),
shared AS (SELECT id_type, id_value FROM live GROUP BY id_type, id_value HAVING count(*) > 1),
clashing AS (
    SELECT part_row FROM live SEMI JOIN shared USING (id_type, id_value)
    UNION SELECT part_row FROM live SEMI JOIN work_ids USING (id_type, id_value))
SELECT r.part_row, CASE WHEN s.part_row IS NOT NULL THEN 'superseded'
                        WHEN c.part_row IS NOT NULL THEN 'merge' ELSE 'fresh' END AS state
FROM _pq_rows r LEFT JOIN superseded s USING (part_row) LEFT JOIN clashing c USING (part_row)
WHERE r.problem IS NULL
"""
"""Each good row's fate: ``superseded`` (its OpenAlex id was merged into another work, as
the store's ``superseded_records`` decides), ``merge`` (it shares an identifier with another
row of the part or with the corpus: the store merges it) or ``fresh``."""

FRESH_KEYS = """
SELECT k.id_type, k.id_value, m.idx + $shift AS work_id
FROM _pq_keys k JOIN _pq_map m USING (part_row) WHERE m.idx >= $lo AND m.idx < $hi
ORDER BY m.idx, k.id_type
"""
"""The ``work_ids`` rows of a batch of fresh works."""
