"""Incremental tagging gives the tags and aggregates of a full rebuild (dirty.py,
aggregates_delta.py), whatever sequence of ingests, replacements and withdrawals led there."""

from __future__ import annotations

import dataclasses
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.landscape.test_aggregates import fill_random_corpus

from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.store import tagging
from permed_atlas.landscape.store.aggregates import aggregate_bits
from permed_atlas.landscape.store.corpus import CONTENT_TABLES, TAG_TABLES, open_corpus
from permed_atlas.landscape.store.dirty import dirty_work_ids, mark_works_changed
from permed_atlas.landscape.store.indicators import LandscapeFilter, compute_indicators
from permed_atlas.landscape.store.tagging import tag_corpus, tag_untagged
from permed_atlas.landscape.store.withdrawals import withdraw_records
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

# Tables compared as they are; the institution tables are compared through institution_key,
# since an incremental update numbers new institutions after the old ones.
PLAIN_TABLES = (
    "work_countries",
    "work_regions",
    "work_topics",
    "work_flags",
    "work_topic_set",
    "work_institutions",
    "region_members",
    "agg_bits",
    "agg_state",
    "agg_cells",
    "agg_country_cells",
    "agg_country_pair_cells",
    "agg_patent_regions",
    "agg_eu_cn_works",
    "agg_institution_keys",
)
KEYED_QUERIES = {
    "institution_dim": "SELECT institution_key, institution_id, institution_name, country_code "
    "FROM institution_dim",
    "agg_institution_cells": "SELECT d.institution_key, c.* EXCLUDE (inst) "
    "FROM agg_institution_cells c JOIN institution_dim d USING (inst)",
    "agg_country_institution_cells": "SELECT d.institution_key, c.* EXCLUDE (inst) "
    "FROM agg_country_institution_cells c JOIN institution_dim d USING (inst)",
    "agg_work_facts": "SELECT f.* EXCLUDE (insts), (SELECT list(d.institution_key ORDER BY "
    "d.institution_key) FROM (SELECT unnest(f.insts) AS inst) i JOIN institution_dim d "
    "USING (inst)) AS keys FROM agg_work_facts f",
}


@pytest.fixture(autouse=True)
def _scoped_tagging(monkeypatch):  # type: ignore[no-untyped-def]
    # the delta paths are what these properties test, not the full tagging that
    # tag_untagged chooses when most of a (small, random) corpus waits
    monkeypatch.setattr(tagging, "FULL_TAGGING_SHARE", float("inf"))


@pytest.fixture(scope="module")
def tagging_inputs(tmp_path_factory):  # type: ignore[no-untyped-def]
    return load_region_sets(Settings(data_dir=tmp_path_factory.mktemp("incr"))), load_rules()


def snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    tables = {t: f"SELECT * FROM {t}" for t in PLAIN_TABLES} | KEYED_QUERIES
    return {
        name: connection.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
        for name, sql in tables.items()
    }


def _ids(connection: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in connection.execute("SELECT work_id FROM works ORDER BY 1").fetchall()]


def _add_pmids(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        "INSERT INTO work_ids SELECT 'pmid', 'P' || work_id, work_id FROM works "
        "ANTI JOIN (SELECT work_id FROM work_ids WHERE id_type = 'pmid') USING (work_id)"
    )


def replace_works(connection: duckdb.DuckDBPyConnection, ids: list[int], seed: int) -> None:
    """What an ingest does to a work that comes again (merged, or a newer record): its
    content and tag rows go and new content is written under the same id."""
    connection.begin()
    for table in CONTENT_TABLES + TAG_TABLES:
        connection.execute(f"DELETE FROM {table} WHERE work_id IN (SELECT unnest(?))", [ids])
    fill_random_corpus(connection, works=len(ids), seed=seed, work_ids=ids)
    connection.commit()
    _add_pmids(connection)


def apply(connection: duckdb.DuckDBPyConnection, step: tuple[str, int, int]) -> None:
    action, amount, seed = step
    ids = _ids(connection)
    chosen = ids[seed % max(1, len(ids)) :][:amount]
    if action == "ingest":
        fill_random_corpus(connection, works=amount, seed=seed)
        _add_pmids(connection)
    elif action == "replace" and chosen:
        replace_works(connection, chosen, seed)
    elif action == "withdraw" and chosen:
        withdraw_records(connection, source="test", id_type="pmid", ids=[f"P{i}" for i in chosen])
    elif action == "edit" and chosen:  # a change in place, marked through the generic hook
        connection.execute(
            "UPDATE works SET year = 2011 WHERE work_id IN (SELECT unnest(?))", [chosen]
        )
        mark_works_changed(connection, chosen)


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["ingest", "replace", "withdraw", "edit", "tag"]),
        st.integers(1, 12),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(initial=st.integers(0, 40), steps=STEPS, seed=st.integers(0, 1000))
def test_incremental_tagging_equals_a_full_rebuild(tagging_inputs, initial, steps, seed) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    try:
        fill_random_corpus(connection, works=initial, seed=seed)
        _add_pmids(connection)
        tag_corpus(connection, regions=regions, rules=rules)
        for step in steps:
            if step[0] == "tag":
                tag_untagged(connection, regions=regions, rules=rules)
            else:
                apply(connection, step)
        tag_untagged(connection, regions=regions, rules=rules)
        assert dirty_work_ids(connection) == []
        assert aggregate_bits(connection) is not None
        incremental = snapshot(connection)
        dashboard = compute_indicators(connection, LandscapeFilter()).tables()
        tag_corpus(connection, regions=regions, rules=rules)
        full = snapshot(connection)
        for name in full:
            assert incremental[name] == full[name], name
        assert dashboard == compute_indicators(connection, LandscapeFilter()).tables()
    finally:
        connection.close()


def _corpus(tagging_inputs, works: int = 80):  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=works, seed=21)
    _add_pmids(connection)
    tag_corpus(connection, regions=regions, rules=rules)
    return connection


def test_only_the_changed_works_are_retagged(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _corpus(tagging_inputs)
    assert tag_untagged(connection, regions=regions, rules=rules) is None
    fill_random_corpus(connection, works=5, seed=22)
    replace_works(connection, [3, 4], seed=23)
    assert dirty_work_ids(connection) == [3, 4, 81, 82, 83, 84, 85]
    summary = tag_untagged(connection, regions=regions, rules=rules)
    assert summary is not None and summary.works == 7
    assert dirty_work_ids(connection) == []


def test_changed_rules_retag_every_work(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _corpus(tagging_inputs)
    pm_rules = [rule for rule in rules.rules if rule.topic == "pm"]
    assert pm_rules
    fewer = dataclasses.replace(rules, rules=tuple(r for r in rules.rules if r.topic != "pm"))
    before = connection.execute("SELECT count(*) FROM work_flags WHERE pm_relevant").fetchone()
    assert before is not None and before[0] > 0
    # No work changed, yet every work is retagged with the new rules.
    summary = tag_untagged(connection, regions=regions, rules=fewer)
    assert summary is not None and summary.works == 80
    assert connection.execute("SELECT count(*) FROM work_flags WHERE pm_relevant").fetchone() == (
        0,
    )
    changed = snapshot(connection)
    tag_corpus(connection, regions=regions, rules=fewer)
    assert snapshot(connection) == changed
    # A region set that changes membership is a rule change too.
    smaller = {code: region for code, region in regions.items() if code != "ICPERMED"}
    assert tag_untagged(connection, regions=smaller, rules=fewer) is not None
    assert tag_untagged(connection, regions=smaller, rules=fewer) is None


def test_facts_deleted_behind_tagging_s_back_rebuild_the_aggregates(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _corpus(tagging_inputs)
    # Code that deletes every row of a work, the aggregates' too (not the documented hook):
    # the old contributions are lost, so tagging must rebuild rather than subtract.
    for (table,) in connection.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'work_id'"
    ).fetchall():
        connection.execute(f"DELETE FROM {table} WHERE work_id IN (5, 6)")
    tag_untagged(connection, regions=regions, rules=rules)
    incremental = snapshot(connection)
    tag_corpus(connection, regions=regions, rules=rules)
    assert snapshot(connection) == incremental
