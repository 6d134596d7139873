"""An updated search index answers every search as a rebuilt one does (search_index.py),
whatever sequence of ingests, replacements, edits and withdrawals led there."""

from __future__ import annotations

import random
from typing import Any
from unittest import mock

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.landscape.test_aggregates import PHRASES, fill_random_corpus
from tests.landscape.test_incremental import _add_pmids, _ids, apply

from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.search_query import MAX_PAGE_SIZE, SearchQuery
from permed_atlas.landscape.store import search_index
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.dirty import mark_works_changed
from permed_atlas.landscape.store.search import (
    build_search_index,
    search_index_is_current,
    search_works,
    update_search_index,
)
from permed_atlas.landscape.store.tagging import tag_corpus, tag_untagged
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

WORDS = sorted({w for phrase in PHRASES for w in phrase.lower().split() if len(w) > 2}) + [
    "cohort",
    "cohorts",
    "therapies",
    "therapy",
    "genomic",
    "trial",
]


@pytest.fixture(scope="module")
def tagging_inputs(tmp_path_factory):  # type: ignore[no-untyped-def]
    return load_region_sets(Settings(data_dir=tmp_path_factory.mktemp("sinc"))), load_rules()


def write_texts(connection: duckdb.DuckDBPyConnection, ids: list[int], seed: int) -> None:
    """Random abstracts over a small vocabulary (so terms are shared and their df moves),
    and a Chinese title for some works."""
    rng = random.Random(seed)
    for work_id in ids:
        words = rng.choices(WORDS, k=rng.randint(0, 12))
        connection.execute(
            "UPDATE works SET abstract = ? WHERE work_id = ?", [" ".join(words) or None, work_id]
        )
        if rng.random() < 0.15:
            connection.execute(
                "INSERT INTO terms (work_id, scheme, term) VALUES (?, 'vernacular_title', ?)",
                [work_id, rng.choice(["精准医学与肺癌", "药物基因组学研究", "罕见病登记"])],
            )


def change(connection: duckdb.DuckDBPyConnection, step: tuple[str, int, int]) -> None:
    action, amount, seed = step
    before = set(_ids(connection))
    if action == "text":
        chosen = sorted(before)[seed % max(1, len(before)) :][:amount]
        write_texts(connection, chosen, seed)
        mark_works_changed(connection, chosen)
        return
    apply(connection, step)
    added = sorted(set(_ids(connection)) - before)
    replaced = [] if action != "replace" else sorted(before)[seed % max(1, len(before)) :][:amount]
    write_texts(connection, added + replaced, seed)


def answers(connection: duckdb.DuckDBPyConnection) -> list[Any]:
    """Total, hits (with scores, ties in work order) and facet counts of many searches."""
    values = dict(
        connection.execute(
            "SELECT dim, list(value ORDER BY n DESC, value) FROM search_facet_values GROUP BY dim"
        ).fetchall()
    )
    queries = [SearchQuery(page_size=MAX_PAGE_SIZE)]
    for text in ("lung cancer", "therapies", "精准医学"):
        queries.append(SearchQuery(text=text, page_size=MAX_PAGE_SIZE))
    chosen = {
        field: values[dim][:1]
        for dim, field in (
            ("region", "regions"),
            ("country", "countries"),
            ("topic", "topics"),
            ("institution", "institutions"),
        )
        if values.get(dim)
    }
    for field, value in chosen.items():  # masked facets filter by bit, others by value
        queries.append(SearchQuery(text="cancer", page_size=MAX_PAGE_SIZE, **{field: value}))
    queries += [
        SearchQuery(text="medicine", kind="publication", pm_relevant=True, page_size=7, page=2),
        SearchQuery(eu_cn=True, year_from=2018, sort="citations", page_size=MAX_PAGE_SIZE),
    ]
    found = []
    for query in queries:
        result = search_works(connection, query)
        hits = sorted((-round(h.score, 6), h.work_id) for h in result.hits)
        facets = {dim: [(f.value, f.count) for f in fs] for dim, fs in result.facets.items()}
        found.append((query, result.total, hits, facets))
    return found


def tables(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: connection.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
        for name, sql in search_index.INDEX_CONTENT_QUERIES.items()
    }


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["ingest", "replace", "withdraw", "edit", "text", "tag", "index"]),
        st.integers(1, 12),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@pytest.mark.timeout(900)
@given(
    initial=st.integers(0, 60),
    steps=STEPS,
    seed=st.integers(0, 1000),
    max_bits=st.sampled_from([62, 4]),
)
def test_an_updated_index_answers_as_a_rebuilt_one(  # type: ignore[no-untyped-def]
    tagging_inputs, initial, steps, seed, max_bits
) -> None:
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    # Few bits: facet values outgrow them, so some are found without a bit.
    with (
        mock.patch.object(search_index, "MAX_BITS", max_bits),
        mock.patch.object(search_index, "FULL_REBUILD_SHARE", 10.0),
    ):
        try:
            fill_random_corpus(connection, works=initial, seed=seed)
            _add_pmids(connection)
            write_texts(connection, _ids(connection), seed)
            tag_corpus(connection, regions=regions, rules=rules)
            build_search_index(connection)
            for step in steps:
                if step[0] == "tag":
                    tag_untagged(connection, regions=regions, rules=rules)
                elif step[0] == "index":
                    update_search_index(connection)
                else:
                    change(connection, step)
            tag_untagged(connection, regions=regions, rules=rules)
            done = update_search_index(connection)
            assert done is None or not done.full
            assert search_index_is_current(connection)
            incremental, incremental_tables = answers(connection), tables(connection)
            build_search_index(connection)
            assert tables(connection) == incremental_tables
            assert answers(connection) == incremental
        finally:
            connection.close()


def _indexed(tagging_inputs, works: int = 200):  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=works, seed=3)
    _add_pmids(connection)
    write_texts(connection, _ids(connection), 3)
    tag_corpus(connection, regions=regions, rules=rules)
    build_search_index(connection)
    return connection


def test_an_update_reindexes_only_the_changed_works(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _indexed(tagging_inputs)
    # An index built before updates existed has no journal: while current, it takes one.
    connection.execute("DROP TABLE search_pending")
    assert update_search_index(connection) is None
    # A replacement with as many rows as before leaves every table size alone: the index
    # must still see it (and the snapshot fingerprint must move).
    before = connection.execute(
        "SELECT value FROM search_meta WHERE key = 'fingerprint'"
    ).fetchall()
    write_texts(connection, [7], seed=99)
    mark_works_changed(connection, [7])
    change(connection, ("ingest", 5, 1))
    tag_untagged(connection, regions=regions, rules=rules)
    assert not search_index_is_current(connection)
    done = update_search_index(connection)
    assert done == search_index.IndexUpdate(works=6, full=False)
    after = connection.execute("SELECT value FROM search_meta WHERE key = 'fingerprint'").fetchall()
    assert after != before
    assert search_index_is_current(connection)


def test_a_full_retagging_or_a_large_update_rebuilds_the_index(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _indexed(tagging_inputs)
    tag_corpus(connection, regions=regions, rules=rules)  # new rules would change any work's tags
    assert update_search_index(connection) == search_index.IndexUpdate(works=200, full=True)
    change(connection, ("ingest", 80, 2))  # 80 of 280 works: more than a quarter
    tag_untagged(connection, regions=regions, rules=rules)
    assert update_search_index(connection) == search_index.IndexUpdate(works=280, full=True)


@pytest.mark.parametrize("slice_works", [1, 7, 50])
def test_a_build_in_slices_equals_a_build_in_one_piece(tagging_inputs, slice_works) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _indexed(tagging_inputs, works=120)
    # Gaps in the work ids, and works past the first ones: the slices are ranges of ids.
    change(connection, ("withdraw", 9, 4))
    change(connection, ("ingest", 12, 5))
    tag_untagged(connection, regions=regions, rules=rules)
    keys = {
        "search_postings": "term, work_id",
        "search_facets": "dim, value, work_id",
        "search_docs": "work_id",
    }

    def stored_order() -> dict[str, list[tuple[Any, ...]]]:
        return {t: connection.execute(f"SELECT {k} FROM {t}").fetchall() for t, k in keys.items()}

    build_search_index(connection, slice_works=10**9)
    whole, order = tables(connection), stored_order()
    assert build_search_index(connection, slice_works=slice_works) == len(order["search_docs"])
    assert tables(connection) == whole
    # Stored in the order the lookups rely on (row groups skipped by term, value, work).
    assert stored_order() == order
    assert all(rows == sorted(rows) for rows in order.values())
    connection.close()
