"""The SQL that turns Parquet OpenAlex works into corpus rows, and the PM pre-filter.

Each expression reproduces what the JSON Lines parser
(``landscape.ingest.openalex``) makes of the same field, so a work ingested
from either copy is stored the same (tests/sources/test_parquet_ingest.py
compares the two). The PM filter is the corpus's own PM rules (the ``pm`` topic
of the rule file) evaluated on the nested columns, inside the scan.
"""

from __future__ import annotations

from permed_atlas.landscape import Rule, RuleSet
from permed_atlas.sources.regex_words import Requirement, one_word_of, requirement

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


_ODD_POSITIONS = "'\"\\s*:\\s*\\[[\\d,\\s]*([^\\d,\\s\\]]|\\d{7})'"
"""A list in the index holding something other than non-negative integers under a million
(the rebuild refuses larger ones and checks negative ones), or a key holding ``":[``.

In valid JSON (``json_valid`` checks first) a member's value follows its key's closing quote
and a colon, so a key that merely starts with ``[`` (``"[sic]"``, common in real abstracts)
is not taken for a list; a key holding ``":[`` is, and the rebuild then finds it fine."""

LONG_S = "\u017f"
"""``ſ``, the one character a case-blind regex takes for an ASCII letter (``s``) that ``lower``
leaves as it is (the Kelvin sign lowers to ``k``): a text holding it is not judged by
``contains`` on its lower-case copy (tests/sources/test_snapshot_mix.py checks every
code point against DuckDB's regexes)."""


def rows_sql(file_sql: str, pm_rules: RuleSet | None) -> str:
    """SELECT the part's rows the filter keeps: row number, identifiers, abstract, problem.

    A row with no OpenAlex id or a broken abstract index is kept whatever the filter says,
    with the reason in ``problem`` (NULL for a good row). One regex pass over each index's
    text (:func:`marks_sql`) finds what any later look at it is for; most rows hold none of
    it, and for them ``json_valid`` is the only other test of the text (with ``pm_rules``,
    only where the row may be in the slice: below). The rebuild runs on the few indexes that
    are not JSON or list something other than integers, to say why.

    Without ``pm_rules`` every row is kept, narrow: the abstracts are rebuilt later, beside
    the inserts, and the other columns read then. With ``pm_rules`` the rows are those the
    rules' ``pm`` topic marks PM-relevant (the term rules on the nested lists, the keyword
    rules on title and abstract, rebuilt in this scan only for rows whose words may hold a
    match, :func:`keyword_candidates_sql`), and each kept row carries the source columns
    (:data:`SOURCE_COLUMNS`) the inserts read, its index text included: a slice is a small
    share of the part, so the part is not read again. A row outside the slice whatever its
    abstract says (no term rule fires, no keyword rule can) is not read further: an index
    text that is not JSON is not looked for there, while one listing odd positions, which
    the JSON Lines path rejects in every record it parses, is rejected here too.

    :param file_sql: the part's path as a SQL string literal.
    :param pm_rules: the corpus's tagging rules, or None to keep every row.
    """
    scan = (
        f"SELECT *, file_row_number AS part_row, {short('id')} AS openalex_id, "
        f"{TITLE} AS _title, coalesce(abstract_inverted_index, '') <> '' AS _indexed, "
        f"{marks_sql(pm_rules)} AS _marked FROM {parquet_source_sql(file_sql)}"
    )
    # The DOI and PMID are worked out after the filter: a slice's rows are few.
    identifiers = f"{DOI} AS _doi, {digits('ids.pmid')} AS pmid"
    if pm_rules is None:
        return (
            f"SELECT part_row, openalex_id, {identifiers}, NULL::VARCHAR AS _abstract, "
            f"_indexed, problem FROM ({_checked(scan, '_indexed')})"
        )
    candidates = keyword_candidates_sql(
        f"SELECT *, {pm_terms_sql(pm_rules)} AS _term_hit FROM ({scan})", pm_rules
    )
    checked = _checked(candidates, "_indexed AND (_marked OR _term_hit OR _maybe_keyword)")
    # DuckDB evaluates a CASE branch only on the rows that take it: the Python rebuild sees
    # only the rows no term rule keeps and whose words may hold a keyword rule's match. The
    # kept rows' other abstracts are rebuilt beside the inserts, from the carried index text.
    rebuilt = (
        "SELECT *, CASE WHEN problem IS NULL AND NOT _term_hit AND _maybe_keyword "
        f"THEN {ABSTRACT}.text END AS _abstract FROM ({checked})"
    )
    return (
        f"SELECT part_row, openalex_id, {identifiers}, _abstract, _indexed, problem, "
        f"{SOURCE_COLUMNS} FROM ({rebuilt}) WHERE problem IS NOT NULL OR _term_hit OR "
        f"(_maybe_keyword AND {pm_keywords_sql(pm_rules)})"
    )


def _checked(relation: str, looked_at: str) -> str:
    """SELECT ``relation`` with ``problem``: no OpenAlex id, or, for a row ``looked_at``
    holds for, why its abstract index is not one (the rebuild's words)."""
    broken = (
        "NOT json_valid(abstract_inverted_index) OR "
        f"(_marked AND regexp_matches(abstract_inverted_index, {_ODD_POSITIONS}))"
    )
    # Branches in order, each only on the rows the ones before left: json_valid only where
    # the row is looked at, the rebuild only where the index is broken.
    return (
        f"SELECT *, CASE WHEN openalex_id IS NULL THEN '{NO_ID}' WHEN NOT ({looked_at}) "
        f"THEN NULL WHEN {broken} THEN {ABSTRACT}.problem END AS problem FROM ({relation})"
    )


def source_view_sql(source_sql: str, first: int, last: int) -> str:
    """CREATE the view ``_pq_src``: the part's rows numbered in ``_pq_map`` (as ``idx``), with
    their abstract, title and the identifiers the scan worked out (``openalex_id``, ``_doi``,
    ``pmid``); only rows ``first``..``last`` of the part are read.

    :param source_sql: the part's rows with ``file_row_number``: :func:`parquet_source_sql`,
        or those ``_pq_rows`` carries (:data:`CARRIED_SOURCE`).
    :param first: the first part row of the batch.
    :param last: its last part row.
    """
    return (
        "CREATE OR REPLACE TEMP VIEW _pq_src AS SELECT m.idx, m._abstract, m.openalex_id, "
        f"m._doi, m.pmid, s.*, {TITLE} AS _title FROM {source_sql} s "
        "JOIN _pq_map m ON m.part_row = s.file_row_number "
        f"WHERE s.file_row_number BETWEEN {int(first)} AND {int(last)}"
    )


def parquet_source_sql(file_sql: str) -> str:
    """The part's rows as read from the file, numbered (``file_row_number``)."""
    return f"read_parquet({file_sql}, file_row_number = true)"


CARRIED_SOURCE = f"(SELECT part_row AS file_row_number, {SOURCE_COLUMNS} FROM _pq_rows)"
"""The source columns of the rows a PM filter kept, as :func:`rows_sql` carried them."""


def _names_match(list_expr: str, field: str, pattern: str) -> str:
    return (
        f"coalesce(len(list_filter({list_expr}, lambda x: x.{field} <> '' AND "
        f"regexp_matches(x.{field}, {_lit(pattern)}, 'i'))) > 0, false)"
    )


def _pm_rules(rules: RuleSet, kinds: set[str]) -> list[Rule]:
    return [rule for rule in rules.rules if rule.topic == PM_TOPIC and rule.kind in kinds]


_PM_TERM_COLUMNS = {
    "mesh": ("mesh", "descriptor_name"),
    "concept": ("concepts", "display_name"),
    "topic": (
        "CASE WHEN len(coalesce(topics, [])) = 0 AND primary_topic IS NOT NULL "
        "THEN [primary_topic] ELSE topics END",
        "display_name",
    ),
    "keyword_term": ("keywords", "display_name"),
}


def _any(conditions: list[str]) -> str:
    return "(" + " OR ".join(conditions) + ")" if conditions else "false"


def pm_terms_sql(rules: RuleSet) -> str:
    """True for a work a term rule of the ``pm`` topic fires on: MeSH headings, concepts,
    topics (or the primary topic when a work lists none) and keywords. CPC/IPC rules concern
    patents, never works."""
    conditions = []
    for rule in _pm_rules(rules, set(_PM_TERM_COLUMNS)):
        column, field = _PM_TERM_COLUMNS[rule.kind]
        conditions.append(_names_match(column, field, rule.pattern))
    return _any(conditions)


def pm_keywords_sql(rules: RuleSet) -> str:
    """True for a work a keyword rule of the ``pm`` topic fires on: title and abstract, as
    tagging reads them (``_title`` and ``_abstract``)."""
    return _any(
        [
            f"regexp_matches(coalesce(_title, '') || ' ' || coalesce(_abstract, ''), "
            f"{_lit(rule.pattern)}, 'i')"
            for rule in _pm_rules(rules, {"keyword"})
        ]
    )


def _keyword_needs(rules: RuleSet) -> list[Requirement] | None:
    """The word conditions of the ``pm`` keyword rules; None if one rule has none."""
    needs = []
    for rule in _pm_rules(rules, {"keyword"}):
        need = requirement(rule.pattern)
        if need is None:
            return None
        needs.append(need)
    return needs


def _first_words(needs: list[Requirement]) -> list[str]:
    """Words a text some condition of ``needs`` holds must hold one of (:func:`one_word_of`)."""
    return sorted(frozenset().union(*(one_word_of(need) for need in needs)))


def marks_sql(rules: RuleSet | None) -> str:
    """True for a row whose abstract index's JSON text holds something a later check of the
    text looks for, found in one case-blind regex pass: a list of odd positions
    (``_ODD_POSITIONS``, which the broken-index check confirms), a ``\\u`` escape (it may
    hide a word), or a word some ``pm`` keyword rule of ``rules`` needs.

    Most rows hold none; a rule with no word condition (every row a candidate) adds no word.
    """
    marks = [_ODD_POSITIONS[1:-1]]
    needs = _keyword_needs(rules) if rules is not None else None
    if needs:
        marks = ["\\\\u", *marks, *_first_words(needs)]
    return f"regexp_matches(coalesce(abstract_inverted_index, ''), {_lit('|'.join(marks))}, 'i')"


def keyword_candidates_sql(relation: str, rules: RuleSet) -> str:
    """SELECT the rows of ``relation`` with ``_maybe_keyword``: false only for a row no keyword
    rule of the ``pm`` topic can fire on, read from the title and the abstract index's JSON
    text without rebuilding the abstract.

    ``relation`` has ``_title``, ``abstract_inverted_index`` and ``_marked``
    (:func:`marks_sql` of the same rules). Each rule's words must stand in the title or the
    index text as its condition says (:func:`regex_words.requirement`: ``precision medicine``
    needs both words). ``_marked`` (or one regex on the title) first asks for any word a rule
    cannot match without; only the rows that hold one are held to the rules' whole
    conditions. For those, one regex over a lower-case copy of title and text picks out the
    runs of word characters that hold a needed word (a word stands within one such run,
    and runs do not overlap, so each is found whole), and the conditions are tested on
    those runs alone. A row whose JSON spells characters as ``\\u`` escapes, which may hide
    a word, or that holds :data:`LONG_S`, is always a candidate. A rule with no condition
    makes every row a candidate.

    :param relation: a SELECT or a table name.
    :param rules: the corpus's tagging rules.
    """
    needs = _keyword_needs(rules)
    if needs is None or not needs:
        return f"SELECT *, {needs is None} AS _maybe_keyword FROM ({relation})"
    first = _lit("|".join(_first_words(needs)))
    every_word = "|".join(sorted(frozenset().union(*(need.words() for need in needs))))
    runs = _lit(f"[a-z0-9-]*(?:{every_word})[a-z0-9-]*|\\\\u|{LONG_S}")
    # DuckDB evaluates a CASE branch only on the rows that take it: the copy is made for the
    # few rows the first test leaves. The runs are joined by a cast of the list to text (far
    # cheaper than array_to_string), which sets them apart with commas and may quote one, so a
    # word still stands within one run and an escape's backslash-u stays one.
    found = (
        f"SELECT *, CASE WHEN _marked OR regexp_matches(coalesce(_title, ''), {first}, 'i') "
        "THEN regexp_extract_all(lower(coalesce(_title, '') || chr(10) || "
        f"coalesce(abstract_inverted_index, '')), {runs})::VARCHAR END AS _found "
        f"FROM ({relation})"
    )
    unsure = f"contains(_found, '\\u') OR contains(_found, {_lit(LONG_S)})"
    return (
        "SELECT * EXCLUDE (_found), CASE WHEN _found IS NULL THEN false "
        f"WHEN {unsure} THEN true "
        f"ELSE {_any([_requirement_sql(need) for need in needs])} END AS _maybe_keyword "
        f"FROM ({found})"
    )


def _requirement_sql(need: Requirement) -> str:
    if need.kind == "word":
        return f"contains(_found, {_lit(need.word)})"
    joint = " AND " if need.kind == "all" else " OR "
    return "(" + joint.join(_requirement_sql(part) for part in need.parts) + ")"


WORKS = f"""
SELECT idx + $shift AS work_id, 'publication' AS kind, [{SOURCE}] AS sources,
       openalex_id, _doi AS doi, pmid,
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
    SELECT part_row, 'doi' AS id_type, _doi AS id_value FROM _pq_rows WHERE problem IS NULL
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
