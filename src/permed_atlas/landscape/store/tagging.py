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

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import RegionError, TaggingRuleError
from permed_atlas.landscape.regions import CHINA, EU27, RegionSet
from permed_atlas.landscape.store.aggregates import (
    AGGREGATE_TABLES,
    aggregates_are_stale,
    build_aggregates,
    create_derived_tables,
)
from permed_atlas.landscape.store.aggregates_delta import update_aggregates
from permed_atlas.landscape.store.dirty import (
    DIRTY_WORKS_SQL,
    GONE_WORKS_SQL,
    UNTAGGED_WORKS_SQL,
    has_derived_tables,
    has_dirty_works,
    rules_fingerprint,
    store_fingerprint,
    stored_fingerprint,
)
from permed_atlas.landscape.store.search_index import note_retagged
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
# tag_untagged tags the whole corpus when more than this share of its works waits (a first
# ingest, a large update): every statement of a scoped tagging joins the scope, and at 5M
# works that semi-join against the works' texts outgrew the 800MiB cap where a full tagging
# fits in a fraction of it (1M works: scoped fails under 100MiB, full passes). Same tags.
FULL_TAGGING_SHARE = 0.5
# Tables rebuilt from the tags by every run (derived_schema.sql says why tagging, not the
# corpus schema, creates them): the folded tags the indicators aggregate (one row per work and
# topic, one per work and institution), the institution names, and the pre-aggregated cells.
DERIVED_TABLES = (
    "tag_state",
    "work_topic_set",
    "work_institutions",
    "institution_dim",
    *AGGREGATE_TABLES,
)


@dataclass(frozen=True, slots=True)
class WorkQuery:
    """A SELECT of ``work_id``s naming the works to tag, run inside DuckDB.

    The first ingest into a corpus leaves every work untagged: as a Python list, 5M ids
    would cost over 1 GiB of the ingest's memory on their way to DuckDB and back.
    """

    sql: str


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
    raise TaggingRuleError(
        Message("rule %(id)s: unknown kind %(kind)s", id=rule.id, kind=repr(rule.kind))
    )


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


def _tags_are_foreign(connection: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether some stored tags come from other rules or an older version of tagging (a
    corpus never tagged has none: its works can be tagged a few at a time)."""
    if has_derived_tables(connection, ("region_members", *DERIVED_TABLES)):
        return stored_fingerprint(connection) != fingerprint
    row = connection.execute("SELECT EXISTS (SELECT 1 FROM work_flags)").fetchone()
    return bool(row and row[0])


def tag_corpus(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
    work_ids: Iterable[int] | WorkQuery | None = None,
    gone_included: bool = False,
) -> TaggingSummary:
    """Recompute work_countries, work_regions, work_topics and work_flags, then rebuild the
    derived tables and the indicators' aggregates (aggregates.py) from them.

    :param connection: a writable corpus connection.
    :param regions: the region sets (must include EU27 and CN for the EU–China flag).
    :param rules: the topic and PM-relevance rules.
    :param work_ids: tag only these works, ids or a :class:`WorkQuery` (and any work gone
        from the corpus whose derived rows remain), updating the aggregates by delta; None
        tags the whole corpus. When the rules or regions differ from those of the last
        tagging, the whole corpus is tagged whatever ``work_ids`` says.
    :param gone_included: ``work_ids`` already names the gone works (from
        :func:`untagged_works_sql`), which saves looking for them again.
    """
    region_sets = _region_list(regions)
    fingerprint = rules_fingerprint(region_sets, rules)
    if work_ids is not None and _tags_are_foreign(connection, fingerprint):
        work_ids = None  # new rules, or tagged by an older version: every tag may change
    codes = {region.code for region in region_sets}
    for required in (EU27, CHINA):
        if required not in codes:
            raise RegionError(
                Message(
                    "region %(required)s is needed for the EU–China flag but is not loaded",
                    required=required,
                )
            )
    started = time.perf_counter()
    members = [(region.code, country) for region in region_sets for country in region.countries]
    connection.begin()
    try:
        _drop_tagging_inputs(connection)
        create_derived_tables(connection)
        scope = _scope(connection, work_ids, gone_included=gone_included)
        # In this transaction, so that the search index learns of every change of tags.
        note_retagged(connection, scope_table=None if work_ids is None else "_tag_scope")
        _load_tagging_inputs(connection, members, rules)
        for table in TAG_TABLES + ("work_topic_set", "work_institutions"):
            connection.execute(f"DELETE FROM {table} WHERE {scope}")
        # Indicators need the region of an institution's country, with the same sets the
        # tags were computed from, so tagging keeps the membership beside the tags.
        connection.execute("DELETE FROM region_members")
        connection.execute("INSERT INTO region_members SELECT * FROM _tag_region_members")
        _write_place_tags(connection, scope)
        _write_topic_tags(connection, rules, scope)
        _write_work_tables(connection, scope)
        # The aggregates change in this transaction: a reader sees the new tags with their
        # aggregates or the old ones with theirs, never stale numbers. After a full tagging
        # they are rebuilt; after some works, updated by delta (aggregates_delta.py).
        if work_ids is None:
            build_aggregates(connection)
        else:
            update_aggregates(connection, scope="_tag_scope")
        store_fingerprint(connection, fingerprint)
        counts = _count_tags(connection, scope)
        _drop_tagging_inputs(connection)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    works, country_tags, region_tags, topic_tags, pm_relevant, eu_cn = counts
    return TaggingSummary(
        works=works,
        country_tags=country_tags,
        region_tags=region_tags,
        topic_tags=topic_tags,
        pm_relevant=pm_relevant,
        eu_cn=eu_cn,
        seconds=time.perf_counter() - started,
    )


_TAGGING_INPUTS = ("_tag_scope", "_tag_region_members", "_tag_rules")


def _drop_tagging_inputs(connection: duckdb.DuckDBPyConnection) -> None:
    for table in _TAGGING_INPUTS:
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def _scope(
    connection: duckdb.DuckDBPyConnection,
    work_ids: Iterable[int] | WorkQuery | None,
    *,
    gone_included: bool,
) -> str:
    """The SQL condition on ``work_id`` naming the works to tag (``_tag_scope`` holds them)."""
    if work_ids is None:
        return "TRUE"
    # Works gone from the corpus join the scope: their derived rows and their
    # contributions to the aggregates go.
    gone = "" if gone_included else f"UNION ({GONE_WORKS_SQL})"
    if isinstance(work_ids, WorkQuery):
        connection.execute(
            f"CREATE TEMP TABLE _tag_scope AS SELECT work_id FROM ({work_ids.sql}) {gone}"
        )
    else:
        connection.execute(
            f"CREATE TEMP TABLE _tag_scope AS SELECT unnest(?::BIGINT[]) AS work_id {gone}",
            [sorted({int(work_id) for work_id in work_ids})],
        )
    return "work_id IN (SELECT work_id FROM _tag_scope)"


def _load_tagging_inputs(
    connection: duckdb.DuckDBPyConnection, members: list[tuple[str, str]], rules: RuleSet
) -> None:
    """The region memberships and the rules' topics as temporary tables the SQL joins."""
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


def _write_place_tags(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    """work_countries from the affiliations, then work_regions from the countries."""
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


def _write_topic_tags(connection: duckdb.DuckDBPyConnection, rules: RuleSet, scope: str) -> None:
    """work_topics: one row per work and fired rule, from the text and the terms."""
    hit_queries = [
        sql
        for sql in (
            keyword_hits_sql(rules, scope=scope.replace("work_id", "w.work_id", 1)),
            term_hits_sql(rules, scope=scope),
        )
        if sql
    ]
    if not hit_queries:
        return
    union = " UNION ALL ".join(hit_queries)
    try:
        connection.execute(
            "INSERT INTO work_topics SELECT DISTINCT h.work_id, r.topic, h.rule_id "
            f"FROM ({union}) h JOIN _tag_rules r USING (rule_id)"
        )
    except duckdb.OutOfMemoryException:
        raise  # not the rules' fault: the caller says what to do about memory
    except duckdb.Error as exc:
        raise TaggingRuleError(
            Message(
                "%(value)s: DuckDB cannot evaluate the rules: %(exc)s",
                value=rules.path or "rules",
                exc=exc,
            )
        ) from exc


def _write_work_tables(connection: duckdb.DuckDBPyConnection, scope: str) -> None:
    """work_topic_set, work_institutions and work_flags from the tags just written."""
    connection.execute(
        "INSERT INTO work_topic_set SELECT DISTINCT work_id, topic FROM work_topics "
        f"WHERE topic <> {sql_literal(PM_TOPIC)} AND {scope}"
    )
    connection.execute(
        "INSERT INTO work_institutions SELECT work_id, "
        "coalesce(institution_id, institution_name) AS institution_key, "
        # min, not any_value: a work naming one institution two ways gets one name, the
        # same in every run (any_value picks by the order DuckDB's threads read the rows).
        "min(institution_id), min(institution_name), "
        "min(upper(trim(country_code))) FROM affiliations "
        f"WHERE institution_name IS NOT NULL AND {scope} GROUP BY work_id, institution_key"
    )
    connection.execute(
        "INSERT INTO work_flags "
        "SELECT w.work_id, coalesce(p.pm, false), coalesce(r.eu AND r.cn, false) FROM works w "
        f"LEFT JOIN (SELECT DISTINCT work_id, true AS pm FROM work_topics "
        f"  WHERE topic = {sql_literal(PM_TOPIC)} AND {scope}) p USING (work_id) "
        f"LEFT JOIN (SELECT work_id, bool_or(region = {sql_literal(EU27)}) AS eu, "
        f"  bool_or(region = {sql_literal(CHINA)}) AS cn FROM work_regions "
        f"  WHERE {scope} GROUP BY work_id) r "
        f"USING (work_id) WHERE {scope.replace('work_id', 'w.work_id', 1)}"
    )


def _count_tags(connection: duckdb.DuckDBPyConnection, scope: str) -> tuple[int, ...]:
    """(works, country tags, region tags, topic tags, PM-relevant, EU–China) in the scope."""
    counts = connection.execute(
        "SELECT "
        f"(SELECT count(*) FROM work_flags WHERE {scope}), "
        f"(SELECT count(*) FROM work_countries WHERE {scope}), "
        f"(SELECT count(*) FROM work_regions WHERE {scope}), "
        f"(SELECT count(*) FROM work_topics WHERE {scope}), "
        f"(SELECT count(*) FROM work_flags WHERE pm_relevant AND {scope}), "
        f"(SELECT count(*) FROM work_flags WHERE eu_cn AND {scope})"
    ).fetchone()
    assert counts is not None
    return tuple(int(v) for v in counts)


def untagged_works_sql(connection: duckdb.DuckDBPyConnection) -> str:
    """A query of the works to retag: no flags row yet (ingested or rewritten since the last
    tagging), or gone from the corpus with derived rows left (see
    :mod:`permed_atlas.landscape.store.dirty`).

    :param connection: a corpus connection.
    """
    return DIRTY_WORKS_SQL if has_derived_tables(connection, DERIVED_TABLES) else UNTAGGED_WORKS_SQL


def tag_untagged(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
) -> TaggingSummary | None:
    """Tag only the works that changed since the last tagging, or every work when the rules
    or regions changed; None when there is nothing to do.

    :param connection: a writable corpus connection.
    :param regions: the region sets.
    :param rules: the topic rules.
    """
    if rules_changed(connection, regions=regions, rules=rules):
        return tag_corpus(connection, regions=regions, rules=rules)
    # Found once, counted, then tagged: each search for them reads every work and the
    # derived tables (~0.3 s a time at 1M works), whatever the number changed.
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE _tag_pending AS {untagged_works_sql(connection)}"
    )
    try:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM _tag_pending), (SELECT count(*) FROM works)"
        ).fetchone()
        n_pending, n_works = counts if counts else (0, 0)
        if not n_pending:
            if aggregates_are_stale(connection):  # rows deleted behind tagging's back
                return tag_corpus(connection, regions=regions, rules=rules, work_ids=())
            return None
        if n_pending > FULL_TAGGING_SHARE * n_works:
            return tag_corpus(connection, regions=regions, rules=rules)
        pending = WorkQuery("SELECT work_id FROM _tag_pending")
        return tag_corpus(
            connection, regions=regions, rules=rules, work_ids=pending, gone_included=True
        )
    finally:
        connection.execute("DROP TABLE IF EXISTS _tag_pending")


def rules_changed(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
) -> bool:
    """Whether the corpus was tagged (by this version) with other rules or regions.

    A corpus never tagged is not "changed" (:func:`needs_tagging` says it needs tags).

    :param connection: a corpus connection.
    :param regions: the region sets.
    :param rules: the topic rules.
    """
    if not has_derived_tables(connection, ("region_members", *DERIVED_TABLES)):
        return False
    return stored_fingerprint(connection) != rules_fingerprint(_region_list(regions), rules)


def needs_tagging(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether some works changed since the last tagging, or the corpus was never tagged.

    :param connection: a corpus connection (read-only is enough).
    """
    if not has_derived_tables(connection, ("region_members", *DERIVED_TABLES)):
        return True
    return has_dirty_works(connection)
