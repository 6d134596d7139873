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
from permed_atlas.landscape.store import search, search_index
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
    # Without words: counted from the cells (search_cell_counts) where bits allow.
    queries += facet_only_queries(values)
    found = []
    for query in queries:
        result = search_works(connection, query)
        hits = sorted((-round(h.score, 6), h.work_id) for h in result.hits)
        facets = {dim: [(f.value, f.count) for f in fs] for dim, fs in result.facets.items()}
        found.append((query, result.total, hits, facets))
    return found


def facet_only_queries(values: dict[str, list[str]]) -> list[SearchQuery]:
    """Searches without words over every facet (single values, pairs, several at once)."""
    fields = {"region": "regions", "country": "countries", "topic": "topics"}
    queries = [
        SearchQuery(kind="publication", page_size=5),
        SearchQuery(pm_relevant=False, year_from=2015, year_to=2020, sort="year_asc"),
    ]
    for dim, field in fields.items():
        for value in values.get(dim, [])[:3]:
            queries.append(SearchQuery(sort="citations", **{field: (value,)}))
        if len(values.get(dim, [])) > 1:
            pair = tuple(values[dim][-2:])
            queries.append(SearchQuery(eu_cn=False, kind="publication", **{field: pair}))
    if all(values.get(dim) for dim in fields):
        queries.append(
            SearchQuery(
                regions=(values["region"][0],),
                topics=(values["topic"][0],),
                countries=(values["country"][0],),
                year_from=2010,
            )
        )
    return queries


# Each cell's masks as the (dim, value)s they stand for: a full build and an update give
# bits in another order, so only these names can be compared.
CELL_KEYS_QUERY = """
SELECT c.kind, c.year, c.pm_relevant, c.eu_cn, c.n,
       (SELECT list((b.dim, b.value) ORDER BY b.dim, b.value) FROM search_bits b
        WHERE ((CASE b.dim WHEN 'region' THEN c.region_mask WHEN 'topic' THEN c.topic_mask
                ELSE c.country_mask END) >> b.bit) & 1 = 1) AS masked,
       (SELECT list((v.dim, v.value, x.k) ORDER BY v.dim, v.value) FROM
        (SELECT unnest(c.facet_ids) AS id, unnest(c.facet_counts) AS k) x
        JOIN search_facet_values v USING (id)) AS facets
FROM search_cell_counts c
"""


def tables(
    connection: duckdb.DuckDBPyConnection, *, cell_keys: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    """The index's content; with ``cell_keys``, the cells with their masks' values too
    (equal between builds when every value of a masked facet has its bit in both)."""
    queries = dict(search_index.INDEX_CONTENT_QUERIES)
    if cell_keys:
        queries["cells"] = CELL_KEYS_QUERY
    return {
        name: connection.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
        for name, sql in queries.items()
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
    # Few bits: facet values outgrow them, so some are found without a bit. Never the full
    # rebuild a large update would choose: from an empty corpus (initial=0) any 11 pending
    # works were more than 10x the indexed ones, and the update path went untested.
    with (
        mock.patch.object(search_index, "MAX_BITS", max_bits),
        mock.patch.object(search_index, "FULL_REBUILD_SHARE", float("inf")),
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
            # With 62 bits every value of region, topic and country has one in both.
            cell_keys = max_bits == 62
            incremental = answers(connection)
            incremental_tables = tables(connection, cell_keys=cell_keys)
            build_search_index(connection)
            assert tables(connection, cell_keys=cell_keys) == incremental_tables
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


def test_searches_without_words_count_the_same_from_cells_as_from_works(  # type: ignore[no-untyped-def]
    tagging_inputs,
) -> None:
    connection = _indexed(tagging_inputs, works=300)
    values = dict(
        connection.execute(
            "SELECT dim, list(value ORDER BY n DESC, value) FROM search_facet_values GROUP BY dim"
        ).fetchall()
    )
    queries = [SearchQuery(page_size=MAX_PAGE_SIZE), *facet_only_queries(values)]
    queries += [
        SearchQuery(countries=(values["country"][0],), year_to=2012, eu_cn=True),
        SearchQuery(kind="patent", pm_relevant=True),  # nothing, or next to nothing
    ]
    from permed_atlas.landscape.store import _search_sql

    assert all(_search_sql.cells_answer(q, (), search._load_bits(connection)) for q in queries)
    from_cells = [search_works(connection, q) for q in queries]
    with mock.patch.object(search, "has_cells", lambda _: False):
        from_works = [search_works(connection, q) for q in queries]
    assert from_cells == from_works
    assert any(r.total > 50 for r in from_cells) and any(r.facets.get("topic") for r in from_cells)
    connection.close()


def test_an_index_built_before_the_cells_gets_them_from_an_update(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = _indexed(tagging_inputs)
    cells = tables(connection, cell_keys=True)
    connection.execute("DROP TABLE search_cell_counts")
    assert not search_index_is_current(connection)
    assert search_works(connection, SearchQuery(kind="publication")).total > 0  # from works
    assert update_search_index(connection) == search_index.IndexUpdate(works=0, full=False)
    assert search_index_is_current(connection)
    assert tables(connection, cell_keys=True) == cells
    # And an update that finds them missing while works changed makes them too.
    connection.execute("DROP TABLE search_cell_counts")
    change(connection, ("ingest", 5, 1))
    tag_untagged(connection, regions=regions, rules=rules)
    assert update_search_index(connection) == search_index.IndexUpdate(works=5, full=False)
    updated = tables(connection, cell_keys=True)
    build_search_index(connection)
    assert tables(connection, cell_keys=True) == updated
    connection.close()
