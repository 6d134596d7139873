"""Build researcher profiles from the corpus into DuckDB tables of their own.

:func:`stage_profiles` reads contributors, affiliations, terms and tags, resolves
authors (:mod:`disambiguation`) and computes every profile table into TEMP
tables named ``_pstage_*``; :func:`publish_profiles` then replaces the
``partner_*`` tables in one transaction, so readers see the old profiles or the
new ones, never a mix. The evaluation stages profiles of an earlier year
without publishing them.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.partners.disambiguation import Assignment, AuthorRecord, assign_authors
from permed_atlas.partners.errors import PartnersError
from permed_atlas.partners.names import institution_key, institutions_from_affiliation, name_token
from permed_atlas.partners.text import STOPWORDS, TOKEN_REGEX

__all__ = [
    "ALGORITHM_VERSION", "PROFILE_TABLES", "BuildSummary", "build_profiles", "corpus_state",
    "ensure_profiles",
    "publish_profiles", "stage_profiles",
]  # fmt: skip

# Part of every corpus state: a change here rebuilds profiles built by an older algorithm
# (2: ties among spellings broken the same way on every build).
ALGORITHM_VERSION = "2"
PROFILE_TABLES = (
    "partner_meta", "partner_authors", "partner_author_works", "partner_author_years",
    "partner_author_institutions", "partner_author_topics", "partner_author_terms",
    "partner_terms", "partner_coauthors",
)  # fmt: skip
STAGE_PREFIX = "_pstage_"
TERMS_PER_AUTHOR = 80
MAX_AUTHORS_FOR_NETWORK = 100  # consortium papers would join thousands into one clique
_PEOPLE_ROLES = ("author", "inventor")
Progress = Callable[[str, int, int], None]
STEPS = ("read authorships", "resolve authors", "profiles", "terms", "co-authors", "done")


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """What a build produced."""

    authors: int
    by_openalex: int
    by_orcid: int
    by_name: int
    authorships: int
    terms: int
    coauthor_links: int
    state: str
    seconds: float


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    return {str(row[0]) for row in rows}


def _one(connection: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    # fetchall, not fetchone: DuckDB refuses new statements while a result is unfinished.
    rows = connection.execute(sql).fetchall()
    return tuple(rows[0]) if rows else (0,)


def corpus_state(connection: duckdb.DuckDBPyConnection, *, until_year: int | None = None) -> str:
    """A short key naming the corpus content profiles are built from.

    :param connection: a corpus connection.
    :param until_year: the last year of works used, or None for all.
    """
    parts = [ALGORITHM_VERSION, str(until_year)]
    # Counts plus an order-free hash of the rows profiles read: two corpora of the same
    # size still get different keys, and one scan per table stays cheap in DuckDB.
    hashed = {
        "works": "work_id, title, abstract, year",
        "contributors": "work_id, position, role, name, author_id, orcid, raw_affiliation",
        "affiliations": "work_id, position, institution_id, institution_name, country_code",
        "terms": "work_id, scheme, term",
        "work_topic_set": "work_id, topic",
        "region_members": "region, country_code",
    }
    tables = _tables(connection)
    for table, columns in hashed.items():
        if table in tables:
            row = _one(
                connection, f"SELECT count(*), coalesce(bit_xor(hash({columns})), 0) FROM {table}"
            )
            parts.extend(str(value) for value in row)
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


_Shown = list[tuple[str, str | None, str, str | None]]  # key, id, name, country


def _read_records(
    connection: duckdb.DuckDBPyConnection, scope: str
) -> tuple[list[AuthorRecord], list[tuple[_Shown, list[str]]]]:
    rows = connection.execute(
        "SELECT c.work_id, c.position, c.name, c.author_id, c.orcid, c.raw_affiliation, "
        "a.places FROM contributors c JOIN works w USING (work_id) "
        "LEFT JOIN (SELECT work_id, position, list(struct_pack(id := institution_id, "
        "  name := institution_name, ror := ror, cc := upper(trim(country_code)))) AS places "
        "  FROM affiliations GROUP BY ALL) a USING (work_id, position) "
        f"WHERE c.role IN {_PEOPLE_ROLES} AND c.name IS NOT NULL AND {scope} "
        "ORDER BY c.work_id, c.position"
    ).fetchall()
    tokens_of_work: dict[int, list[str]] = {}
    for row in rows:
        token = name_token(row[2])
        if token:
            tokens_of_work.setdefault(int(row[0]), []).append(token)
    records: list[AuthorRecord] = []
    extras: list[tuple[_Shown, list[str]]] = []
    for work_id, position, name, author_id, orcid, raw, places in rows:
        keys: set[str] = set()
        shown: _Shown = []
        countries: list[str] = []
        for place in places or ():
            code = place["cc"] if place["cc"] and len(place["cc"]) == 2 else None
            if code and code not in countries:
                countries.append(code)
            name_key = institution_key(place["name"]) if place["name"] else None
            if place["id"]:
                keys.add(f"id:{place['id']}")
            if place["ror"]:
                keys.add(f"ror:{place['ror']}")
            if name_key:
                keys.add(name_key)
            if place["name"] and (place["id"] or name_key):
                shown.append((place["id"] or name_key or "", place["id"], place["name"], code))
        if not shown and raw:
            for part in raw.split(";"):
                segments = institutions_from_affiliation(part)
                for segment in segments:
                    keys.add(institution_key(segment) or "")
                if segments:
                    key = institution_key(segments[0]) or ""
                    shown.append(
                        (key, None, segments[0], countries[0] if len(countries) == 1 else None)
                    )
        keys.discard("")
        own = name_token(name)
        work_tokens = tokens_of_work.get(int(work_id), [])
        coauthors = (
            frozenset(t for t in work_tokens if t != own)
            if len(work_tokens) <= MAX_AUTHORS_FOR_NETWORK
            else frozenset()
        )
        records.append(
            AuthorRecord(
                int(work_id),
                int(position),
                name,
                author_id or None,
                orcid or None,
                frozenset(keys),
                coauthors,
            )
        )
        extras.append((shown, countries))
    return records, extras


def most_common(column: str) -> str:
    """SQL for a group's most frequent value of ``column``, the same on every build.

    DuckDB's ``mode`` breaks a tie by the first value it reads, and a parallel scan reads
    in no fixed order, so one author could be named one way by one build and another way by
    the next. Ties go to the longest value (the fullest spelling), then the first in order.
    """
    return f"mode({column} ORDER BY length({column}) DESC, {column})"


def _create(connection: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE_PREFIX}{name} AS {sql}")


def _register(connection: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    connection.register(f"_pview_{name}", table)
    _create(connection, name, f"SELECT * FROM _pview_{name}")
    connection.unregister(f"_pview_{name}")


def stage_profiles(
    connection: duckdb.DuckDBPyConnection,
    *,
    until_year: int | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Compute every profile table into ``_pstage_*`` TEMP tables of this connection.

    :param connection: a corpus connection (read-only is enough: TEMP tables live in memory).
    :param until_year: use only works of this year or earlier (for the evaluation).
    :param progress: called with (step, done, total) as the steps finish.
    """
    started = time.perf_counter()
    tell = progress or (lambda _step, _done, _total: None)
    if "works" not in _tables(connection):
        raise PartnersError(Message("the corpus has no works table: run `permed ingest` first"))
    scope = "TRUE" if until_year is None else f"w.year <= {int(until_year)}"
    tell(STEPS[0], 0, len(STEPS))
    records, extras = _read_records(connection, scope)
    tell(STEPS[1], 1, len(STEPS))
    assignments = assign_authors(records)
    tell(STEPS[2], 2, len(STEPS))
    _register(connection, "assign", pa.table({
        "work_id": pa.array([r.work_id for r in records], pa.int64()),
        "position": pa.array([r.position for r in records], pa.int32()),
        "author_key": [a.key for a in assignments],
        "rule": [a.rule for a in assignments],
        "name": [r.name for r in records],
        "openalex_id": [r.author_id for r in records],
        "orcid": [r.orcid for r in records],
    }))  # fmt: skip
    _stage_places(connection, assignments, extras)
    tables = _tables(connection)
    _stage_author_works(connection, tables)
    _stage_authors(connection, tables)
    tell(STEPS[3], 3, len(STEPS))
    _stage_terms(connection, scope)
    tell(STEPS[4], 4, len(STEPS))
    _stage_coauthors(connection)
    state = corpus_state(connection, until_year=until_year)
    counts = Counter(a.rule for a in {a.key: a for a in assignments}.values())
    summary_row = _one(
        connection,
        f"SELECT (SELECT count(*) FROM {STAGE_PREFIX}partner_terms), "
        f"(SELECT count(*) FROM {STAGE_PREFIX}partner_coauthors) // 2",
    )
    summary = BuildSummary(
        authors=sum(counts.values()), by_openalex=counts["openalex"], by_orcid=counts["orcid"],
        by_name=counts["name"], authorships=len(records), terms=int(summary_row[0]),
        coauthor_links=int(summary_row[1]), state=state, seconds=time.perf_counter() - started,
    )  # fmt: skip
    meta = {
        "state": state, "until_year": "" if until_year is None else str(until_year),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "algorithm": ALGORITHM_VERSION, "authors": str(summary.authors),
        "authorships": str(summary.authorships),
    }  # fmt: skip
    _register(
        connection, "partner_meta", pa.table({"key": list(meta), "value": list(meta.values())})
    )
    connection.execute(f"DROP TABLE IF EXISTS {STAGE_PREFIX}assign")
    tell(STEPS[5], 5, len(STEPS))
    return summary


def _stage_author_works(connection: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Each author's works, works per year and works per topic (none without topic tags)."""
    _create(
        connection,
        "partner_author_works",
        f"SELECT DISTINCT a.author_key, a.work_id, w.year FROM {STAGE_PREFIX}assign a "
        "JOIN works w USING (work_id)",
    )
    _create(
        connection,
        "partner_author_years",
        f"SELECT author_key, year, count(*)::INTEGER AS n_works "
        f"FROM {STAGE_PREFIX}partner_author_works WHERE year IS NOT NULL GROUP BY ALL",
    )
    topic_sql = (
        f"SELECT a.author_key, t.topic, count(DISTINCT a.work_id)::INTEGER AS n_works "
        f"FROM {STAGE_PREFIX}partner_author_works a JOIN work_topic_set t USING (work_id) "
        "GROUP BY ALL"
        if "work_topic_set" in tables
        else "SELECT NULL::VARCHAR AS author_key, NULL::VARCHAR AS topic, "
        "NULL::INTEGER AS n_works WHERE FALSE"
    )
    _create(connection, "partner_author_topics", topic_sql)


def _stage_coauthors(connection: duckdb.DuckDBPyConnection) -> None:
    """Co-author links from works small enough that sharing one means working together."""
    _create(
        connection,
        "partner_coauthors",
        f"WITH small AS (SELECT work_id FROM {STAGE_PREFIX}partner_author_works GROUP BY 1 "
        f"  HAVING count(*) BETWEEN 2 AND {MAX_AUTHORS_FOR_NETWORK}) "
        f"SELECT a.author_key, b.author_key AS coauthor_key, "
        f"count(*)::INTEGER AS n_works, min(a.year) AS first_year "
        f"FROM {STAGE_PREFIX}partner_author_works a JOIN small USING (work_id) "
        f"JOIN {STAGE_PREFIX}partner_author_works b USING (work_id) "
        f"WHERE a.author_key <> b.author_key GROUP BY ALL",
    )


def _stage_places(
    connection: duckdb.DuckDBPyConnection,
    assignments: list[Assignment],
    extras: list[tuple[_Shown, list[str]]],
) -> None:
    keys, inst_keys, inst_ids, inst_names, inst_countries = [], [], [], [], []
    c_keys, c_codes = [], []
    for assignment, (shown, countries) in zip(assignments, extras, strict=True):
        key = assignment.key
        for inst_key, inst_id, inst_name, code in shown:
            keys.append(key)
            inst_keys.append(inst_key)
            inst_ids.append(inst_id)
            inst_names.append(inst_name)
            inst_countries.append(code)
        for code in countries:
            c_keys.append(key)
            c_codes.append(code)
    _register(connection, "places", pa.table({
        "author_key": pa.array(keys, pa.string()),
        "institution_key": pa.array(inst_keys, pa.string()),
        "institution_id": pa.array(inst_ids, pa.string()),
        "institution_name": pa.array(inst_names, pa.string()),
        "country_code": pa.array(inst_countries, pa.string()),
    }))  # fmt: skip
    _register(connection, "countries", pa.table({
        "author_key": pa.array(c_keys, pa.string()), "country_code": pa.array(c_codes, pa.string()),
    }))  # fmt: skip
    _create(
        connection,
        "partner_author_institutions",
        "SELECT author_key, institution_key, min(institution_id) AS institution_id, "
        f"{most_common('institution_name')} AS institution_name, "
        f"{most_common('country_code')} AS country_code, "
        f"count(*)::INTEGER AS n_works FROM {STAGE_PREFIX}places GROUP BY ALL",
    )
    connection.execute(f"DROP TABLE IF EXISTS {STAGE_PREFIX}places")


def _stage_authors(connection: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    p = STAGE_PREFIX
    regions = (
        "(SELECT list(DISTINCT m.region ORDER BY m.region) FROM region_members m "
        "WHERE list_contains(c.countries, m.country_code))"
        if "region_members" in tables
        else "[]::VARCHAR[]"
    )
    _create(
        connection,
        "partner_authors",
        f"""
        WITH base AS (
            SELECT author_key, {most_common("name")} AS display_name,
                   min(openalex_id) AS openalex_id, {most_common("orcid")} AS orcid,
                   min(rule) AS rule
            FROM {p}assign GROUP BY author_key),
        works AS (
            SELECT author_key, count(*)::INTEGER AS n_works, min(year) AS first_year,
                   max(year) AS last_year FROM {p}partner_author_works GROUP BY author_key),
        per_country AS (
            SELECT author_key, country_code, count(*) AS n FROM {p}countries GROUP BY ALL),
        c AS (
            SELECT author_key, list(country_code ORDER BY n DESC, country_code) AS countries
            FROM per_country GROUP BY author_key),
        i AS (
            SELECT author_key, list(institution_name ORDER BY n_works DESC, institution_name)
                   AS institutions
            FROM {p}partner_author_institutions GROUP BY author_key),
        t AS (
            SELECT author_key, list(topic ORDER BY n_works DESC, topic) AS topics
            FROM {p}partner_author_topics GROUP BY author_key)
        SELECT b.author_key, b.display_name, b.openalex_id, b.orcid, b.rule, w.n_works,
               w.first_year, w.last_year, c.countries[1] AS main_country,
               coalesce(c.countries, []::VARCHAR[]) AS countries,
               coalesce({regions}, []::VARCHAR[]) AS regions,
               coalesce(i.institutions, []::VARCHAR[]) AS institutions,
               coalesce(t.topics, []::VARCHAR[]) AS topics
        FROM base b JOIN works w USING (author_key) LEFT JOIN c USING (author_key)
        LEFT JOIN i USING (author_key) LEFT JOIN t USING (author_key)
    """,
    )
    connection.execute(f"DROP TABLE IF EXISTS {p}countries")


def _stage_terms(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    p = STAGE_PREFIX
    _register(connection, "stop", pa.table({"term": sorted(STOPWORDS)}))
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE {p}work_terms AS
        WITH scoped AS (
            SELECT DISTINCT a.work_id FROM {p}partner_author_works a
            JOIN works w USING (work_id) WHERE {scope}),
        words AS (
            SELECT w.work_id, unnest(regexp_extract_all(lower(strip_accents(
                coalesce(w.title, '') || ' ' || coalesce(w.abstract, ''))), '{TOKEN_REGEX}'))
                AS term
            FROM works w JOIN scoped USING (work_id)),
        phrases AS (
            SELECT t.work_id, lower(strip_accents(trim(t.term))) AS term FROM terms t
            JOIN scoped USING (work_id)
            WHERE t.scheme IN ('keyword', 'mesh', 'concept', 'topic') AND length(trim(t.term)) > 2)
        SELECT work_id, term, count(*)::INTEGER AS n FROM (
            SELECT * FROM words UNION ALL SELECT * FROM phrases)
        WHERE term NOT IN (SELECT term FROM {p}stop) GROUP BY ALL
    """)
    n_works = int(_one(connection, f"SELECT count(DISTINCT work_id) FROM {p}work_terms")[0])
    # On a corpus of a few dozen works every word is rare and the cut-offs would empty it.
    min_df, max_df = (2, max(1, n_works // 2)) if n_works >= 50 else (1, max(1, n_works))
    _create(
        connection,
        "partner_terms",
        f"SELECT term, count(*)::INTEGER AS df, "
        f"ln((1 + {n_works}) / (1 + count(*))) + 1 AS idf FROM {p}work_terms "
        f"GROUP BY term HAVING count(*) BETWEEN {min_df} AND {max_df}",
    )
    _create(
        connection,
        "partner_author_terms",
        f"""
        WITH tf AS (
            SELECT a.author_key, t.term, sum(t.n) AS tf
            FROM {p}partner_author_works a JOIN {p}work_terms t USING (work_id) GROUP BY ALL),
        weighted AS (
            SELECT tf.author_key, tf.term, (1 + ln(tf.tf)) * v.idf AS weight
            FROM tf JOIN {p}partner_terms v USING (term)),
        top AS (
            SELECT * FROM weighted
            QUALIFY row_number() OVER (PARTITION BY author_key ORDER BY weight DESC, term)
                    <= {TERMS_PER_AUTHOR})
        SELECT author_key, term,
               weight / sqrt(sum(weight * weight) OVER (PARTITION BY author_key)) AS weight
        FROM top
    """,
    )
    connection.execute(f"DROP TABLE IF EXISTS {p}work_terms")
    connection.execute(f"DROP TABLE IF EXISTS {p}stop")


def publish_profiles(connection: duckdb.DuckDBPyConnection) -> None:
    """Replace the ``partner_*`` tables with the staged ones in one transaction.

    :param connection: the writable corpus connection that staged them.
    """
    connection.begin()
    try:
        for table in PROFILE_TABLES:
            connection.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {STAGE_PREFIX}{table}"
            )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    drop_stage(connection)


def drop_stage(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the ``_pstage_*`` TEMP tables.

    :param connection: the connection that staged them.
    """
    for table in PROFILE_TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {STAGE_PREFIX}{table}")


def build_profiles(
    connection: duckdb.DuckDBPyConnection, *, progress: Progress | None = None
) -> BuildSummary:
    """Build the profiles of every author in the corpus and replace the stored ones.

    :param connection: a writable corpus connection, tagged.
    :param progress: called with (step, done, total) as the steps finish.
    """
    try:
        summary = stage_profiles(connection, progress=progress)
        publish_profiles(connection)
    except duckdb.Error as exc:
        drop_stage(connection)
        raise PartnersError(Message("cannot build the profiles: %(exc)s", exc=exc)) from exc
    return summary


def ensure_profiles(
    connection: duckdb.DuckDBPyConnection, *, progress: Progress | None = None
) -> BuildSummary | None:
    """Build the profiles unless those stored were built from this very corpus state.

    :param connection: a writable corpus connection, tagged.
    :param progress: called with (step, done, total) as the steps finish.
    """
    tables = _tables(connection)
    if "partner_meta" in tables:
        stored = dict(connection.execute("SELECT key, value FROM partner_meta").fetchall())
        if stored.get("state") == corpus_state(connection):
            return None
    return build_profiles(connection, progress=progress)
