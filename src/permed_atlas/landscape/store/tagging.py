"""Tag the corpus: countries, regions, topics and flags, computed inside DuckDB.

Rules are turned into SQL with their patterns as constants, so DuckDB compiles
each regex once and scans each table once for all rules, in parallel; nothing
loops over works in Python. Tagging replaces the tags of the works in scope in
one transaction, so running it twice gives the same tables.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from permed_atlas.landscape.errors import RegionError, TaggingRuleError
from permed_atlas.landscape.regions import CHINA, EU27, RegionSet
from permed_atlas.landscape.store.aggregates import (
    AGGREGATE_TABLES,
    build_aggregates,
    create_derived_tables,
)
from permed_atlas.landscape.topics import (
    KEYWORD_KINDS,
    PM_TOPIC,
    PREFIX_KINDS,
    TERM_KINDS,
    Rule,
    RuleSet,
)
from permed_atlas.types import RegionCode

TAG_TABLES = ("work_countries", "work_regions", "work_topics", "work_flags")
# Tables rebuilt from the tags by every run (derived_schema.sql says why tagging, not the
# corpus schema, creates them): the folded tags the indicators aggregate (one row per work and
# topic, one per work and institution), the institution names, and the pre-aggregated cells.
DERIVED_TABLES = ("work_topic_set", "work_institutions", "institution_dim", *AGGREGATE_TABLES)


@dataclass(frozen=True, slots=True)
class TaggingSummary:
    """What one tagging run wrote."""

    works: int
    country_tags: int
    region_tags: int
    topic_tags: int
    pm_relevant: int
    eu_cn: int
    seconds: float


def sql_literal(value: str) -> str:
    """``value`` as a SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def work_text_sql(alias: str = "w") -> str:
    """The text keyword rules search: title and abstract, space separated."""
    return f"coalesce({alias}.title, '') || ' ' || coalesce({alias}.abstract, '')"


def normalised_term_sql(alias: str = "t") -> str:
    """A class code without spaces, upper case, as cpc/ipc prefixes are written."""
    return f"upper(replace({alias}.term, ' ', ''))"


def rule_condition_sql(rule: Rule, *, text: str, term: str, class_code: str, scheme: str) -> str:
    """The SQL condition that is true where ``rule`` fires.

    :param rule: the rule.
    :param text: SQL expression of the work text (keyword rules).
    :param term: SQL expression of the term (term rules).
    :param class_code: SQL expression of the normalised class code (cpc/ipc rules).
    :param scheme: SQL expression of the term scheme.
    """
    if rule.kind in KEYWORD_KINDS:
        return f"regexp_matches({text}, {sql_literal(rule.pattern)}, 'i')"
    if rule.kind in TERM_KINDS:
        return (
            f"({scheme} = {sql_literal(TERM_KINDS[rule.kind])} "
            f"AND regexp_matches({term}, {sql_literal(rule.pattern)}, 'i'))"
        )
    if rule.kind in PREFIX_KINDS:
        prefix = sql_literal(rule.pattern)
        return f"({scheme} = {sql_literal(rule.kind)} AND starts_with({class_code}, {prefix}))"
    raise TaggingRuleError(f"rule {rule.id}: unknown kind {rule.kind!r}")


def _fired_rules_sql(rules: Iterable[Rule], conditions: dict[str, str]) -> str:
    cases = ", ".join(
        f"CASE WHEN {conditions[rule.id]} THEN {sql_literal(rule.id)} END" for rule in rules
    )
    # list_distinct drops the NULLs of the rules that did not fire (rule ids are unique).
    return f"list_distinct([{cases}])"


def keyword_hits_sql(rules: RuleSet, *, scope: str) -> str | None:
    """SELECT work_id, rule_id for every keyword rule that fires, in one scan of works."""
    keyword_rules = [rule for rule in rules.rules if rule.kind in KEYWORD_KINDS]
    if not keyword_rules:
        return None
    conditions = {
        rule.id: rule_condition_sql(rule, text="text", term="", class_code="", scheme="")
        for rule in keyword_rules
    }
    return (
        f"SELECT work_id, unnest({_fired_rules_sql(keyword_rules, conditions)}) AS rule_id "
        f"FROM (SELECT w.work_id, {work_text_sql('w')} AS text FROM works w WHERE {scope})"
    )


def term_hits_sql(rules: RuleSet, *, scope: str) -> str | None:
    """SELECT work_id, rule_id for every term, cpc or ipc rule that fires, in one scan of terms."""
    term_rules = [rule for rule in rules.rules if rule.scheme is not None]
    if not term_rules:
        return None
    conditions = {
        rule.id: rule_condition_sql(
            rule, text="", term="t.term", class_code="t.class_code", scheme="t.scheme"
        )
        for rule in term_rules
    }
    schemes = ", ".join(sql_literal(s) for s in sorted({rule.scheme or "" for rule in term_rules}))
    # Terms repeat across works (a few thousand MeSH headings cover millions of rows), so the
    # rules run once per distinct term and the hits are joined back to the works.
    return (
        "SELECT t.work_id, h.rule_id FROM terms t JOIN ("
        f"SELECT scheme, term, unnest({_fired_rules_sql(term_rules, conditions)}) AS rule_id "
        f"FROM (SELECT scheme, term, {normalised_term_sql('v')} AS class_code FROM "
        f"(SELECT DISTINCT scheme, term FROM terms WHERE scheme IN ({schemes}) AND {scope}) v) t"
        f") h ON h.scheme = t.scheme AND h.term = t.term WHERE {scope}"
    )


def _region_list(regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet]) -> list[RegionSet]:
    if isinstance(regions, Mapping):
        return list(regions.values())
    return list(regions)


def tag_corpus(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
    work_ids: Iterable[int] | None = None,
) -> TaggingSummary:
    """Recompute work_countries, work_regions, work_topics and work_flags, then rebuild the
    derived tables and the indicators' aggregates (aggregates.py) from them.

    :param connection: a writable corpus connection.
    :param regions: the region sets (must include EU27 and CN for the EU–China flag).
    :param rules: the topic and PM-relevance rules.
    :param work_ids: tag only these works; None tags the whole corpus.
    """
    region_sets = _region_list(regions)
    codes = {region.code for region in region_sets}
    for required in (EU27, CHINA):
        if required not in codes:
            raise RegionError(
                f"region {required} is needed for the EU–China flag but is not loaded"
            )
    started = time.perf_counter()
    members = [(region.code, country) for region in region_sets for country in region.countries]
    connection.begin()
    try:
        connection.execute("DROP TABLE IF EXISTS _tag_scope")
        connection.execute("DROP TABLE IF EXISTS _tag_region_members")
        connection.execute("DROP TABLE IF EXISTS _tag_rules")
        if work_ids is None:
            scope = "TRUE"
        else:
            ids = sorted({int(work_id) for work_id in work_ids})
            connection.execute(
                "CREATE TEMP TABLE _tag_scope AS SELECT unnest(?::BIGINT[]) AS work_id", [ids]
            )
            scope = "work_id IN (SELECT work_id FROM _tag_scope)"
        connection.execute(
            "CREATE TEMP TABLE _tag_region_members AS "
            "SELECT unnest(?::VARCHAR[]) AS region, unnest(?::VARCHAR[]) AS country_code",
            [[m[0] for m in members], [m[1] for m in members]],
        )
        connection.execute(
            "CREATE TEMP TABLE _tag_rules AS "
            "SELECT unnest(?::VARCHAR[]) AS rule_id, unnest(?::VARCHAR[]) AS topic",
            [[rule.id for rule in rules.rules], [rule.topic for rule in rules.rules]],
        )
        create_derived_tables(connection)
        for table in TAG_TABLES + ("work_topic_set", "work_institutions"):
            connection.execute(f"DELETE FROM {table} WHERE {scope}")
        # Indicators need the region of an institution's country, with the same sets the
        # tags were computed from, so tagging keeps the membership beside the tags.
        connection.execute("DELETE FROM region_members")
        connection.execute("INSERT INTO region_members SELECT * FROM _tag_region_members")
        connection.execute(
            "INSERT INTO work_countries SELECT DISTINCT work_id, upper(trim(country_code)) "
            f"FROM affiliations WHERE country_code IS NOT NULL "
            f"AND length(trim(country_code)) = 2 AND {scope}"
        )
        connection.execute(
            "INSERT INTO work_regions SELECT DISTINCT c.work_id, m.region "
            "FROM work_countries c JOIN _tag_region_members m USING (country_code) "
            f"WHERE {scope.replace('work_id', 'c.work_id', 1)}"
        )
        hit_queries = [
            sql
            for sql in (
                keyword_hits_sql(rules, scope=scope.replace("work_id", "w.work_id", 1)),
                term_hits_sql(rules, scope=scope),
            )
            if sql
        ]
        if hit_queries:
            union = " UNION ALL ".join(hit_queries)
            try:
                connection.execute(
                    "INSERT INTO work_topics SELECT DISTINCT h.work_id, r.topic, h.rule_id "
                    f"FROM ({union}) h JOIN _tag_rules r USING (rule_id)"
                )
            except duckdb.Error as exc:
                raise TaggingRuleError(
                    f"{rules.path or 'rules'}: DuckDB cannot evaluate the rules: {exc}"
                ) from exc
        connection.execute(
            "INSERT INTO work_topic_set SELECT DISTINCT work_id, topic FROM work_topics "
            f"WHERE topic <> {sql_literal(PM_TOPIC)} AND {scope}"
        )
        connection.execute(
            "INSERT INTO work_institutions SELECT work_id, "
            "coalesce(institution_id, institution_name) AS institution_key, "
            "any_value(institution_id), any_value(institution_name), "
            "any_value(upper(trim(country_code))) FROM affiliations "
            f"WHERE institution_name IS NOT NULL AND {scope} GROUP BY work_id, institution_key"
        )
        connection.execute(
            "INSERT INTO work_flags "
            "SELECT w.work_id, coalesce(p.pm, false), coalesce(r.eu AND r.cn, false) FROM works w "
            f"LEFT JOIN (SELECT DISTINCT work_id, true AS pm FROM work_topics "
            f"  WHERE topic = {sql_literal(PM_TOPIC)}) p USING (work_id) "
            f"LEFT JOIN (SELECT work_id, bool_or(region = {sql_literal(EU27)}) AS eu, "
            f"  bool_or(region = {sql_literal(CHINA)}) AS cn FROM work_regions GROUP BY work_id) r "
            f"USING (work_id) WHERE {scope.replace('work_id', 'w.work_id', 1)}"
        )
        # The aggregates are rebuilt whole, in this transaction: a reader sees the new tags
        # with their aggregates or the old ones with theirs, never stale numbers.
        build_aggregates(connection)
        counts = connection.execute(
            "SELECT "
            f"(SELECT count(*) FROM work_flags WHERE {scope}), "
            f"(SELECT count(*) FROM work_countries WHERE {scope}), "
            f"(SELECT count(*) FROM work_regions WHERE {scope}), "
            f"(SELECT count(*) FROM work_topics WHERE {scope}), "
            f"(SELECT count(*) FROM work_flags WHERE pm_relevant AND {scope}), "
            f"(SELECT count(*) FROM work_flags WHERE eu_cn AND {scope})"
        ).fetchone()
        for table in ("_tag_scope", "_tag_region_members", "_tag_rules"):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    assert counts is not None
    works, country_tags, region_tags, topic_tags, pm_relevant, eu_cn = (int(v) for v in counts)
    return TaggingSummary(
        works=works,
        country_tags=country_tags,
        region_tags=region_tags,
        topic_tags=topic_tags,
        pm_relevant=pm_relevant,
        eu_cn=eu_cn,
        seconds=time.perf_counter() - started,
    )


def untagged_work_ids(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """Works that have no flags row yet (ingested since the last tagging).

    :param connection: a corpus connection.
    """
    rows = connection.execute(
        "SELECT work_id FROM works ANTI JOIN work_flags USING (work_id) ORDER BY work_id"
    ).fetchall()
    return [int(row[0]) for row in rows]


def tag_untagged(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
) -> TaggingSummary | None:
    """Tag only the works that have never been tagged; None when there are none.

    :param connection: a writable corpus connection.
    :param regions: the region sets.
    :param rules: the topic rules.
    """
    pending = untagged_work_ids(connection)
    if not pending:
        return None
    return tag_corpus(connection, regions=regions, rules=rules, work_ids=pending)


def needs_tagging(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether some works have no tags yet, or the corpus was never tagged.

    :param connection: a corpus connection (read-only is enough).
    """
    tables = {
        row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    if not {"region_members", *DERIVED_TABLES} <= tables:
        return True
    row = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM works ANTI JOIN work_flags USING (work_id))"
    ).fetchone()
    return bool(row and row[0])
