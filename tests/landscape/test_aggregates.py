"""The pre-aggregated indicators give exactly the raw queries' rows, and are never stale."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.store.aggregate_queries import answers, sources_for
from permed_atlas.landscape.store.aggregates import aggregate_bits
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.indicators import LandscapeFilter, compute_indicators
from permed_atlas.landscape.store.tagging import tag_corpus, tag_untagged
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

PHRASES = [
    "precision medicine for lung cancer",
    "pharmacogenomics of CYP2C19",
    "heart failure and machine learning",
    "type 2 diabetes biomarkers",
    "rare diseases registry",
    "depression in adolescents",
    "whole-genome sequencing of tumours",
    "sepsis outcomes",
    "a survey of hospitals",
]
# Countries in and out of the bundled regions, one in odd case and spacing, one malformed.
COUNTRIES = ["CN", "DE", "FR", "US", "HK", "IT", "JP", "GB", "de", " fr ", "XX1"]
INSTITUTIONS = [
    ("I1", "Charité"),
    ("I1", "Charite Berlin"),  # one id, two spellings: institution_dim names it once
    ("I2", "Peking University"),
    (None, "Inserm"),
    (None, "INSERM"),
    ("I3", None),  # an id without a name: matches the filter, has no ranking row
    (None, None),
    ("I4", "Fudan University"),
]
MESH = ["Precision Medicine", "Neoplasms", "Heart Failure", "Humans", "Pharmacogenetics"]
CPC = ["C12Q 1/6886", "A61P 35/00", "G16H 50/20", "A61K 36/00"]


def fill_random_corpus(
    connection: duckdb.DuckDBPyConnection,
    *,
    works: int,
    seed: int,
    work_ids: Sequence[int] | None = None,
) -> None:
    """Random works with every shape the indicators meet (no year, no country, patents in
    shared families, applicants and inventors, repeated institutions); ``work_ids`` gives
    their ids (a replacement), else they follow the highest id."""
    rng = random.Random(seed)
    if work_ids is None:
        first = int(connection.execute("SELECT coalesce(max(work_id), 0) FROM works").fetchone()[0])
        work_ids = range(first + 1, first + works + 1)
    work_rows, contributor_rows, affiliation_rows, term_rows = [], [], [], []
    for work_id in work_ids:
        patent = rng.random() < 0.2
        year = None if rng.random() < 0.05 else rng.randint(2016, 2023)
        family = f"F{rng.randint(1, max(1, works // 4))}" if patent and rng.random() < 0.7 else None
        title = " and ".join(rng.sample(PHRASES, rng.choice([0, 1, 2])))
        work_rows.append(
            (
                work_id,
                "patent" if patent else "publication",
                title,
                year,
                rng.choice([None, 0, 3, 10, 50, 200]),
                family,
            )
        )
        for position in range(1, rng.randint(0, 4) + 1):
            role = ("applicant" if position == 1 else "inventor") if patent else "author"
            contributor_rows.append((work_id, position, role))
            for _ in range(rng.choice([0, 1, 1, 2])):
                inst_id, name = rng.choice(INSTITUTIONS)
                country = rng.choice([*COUNTRIES, None])
                affiliation_rows.append((work_id, position, inst_id, name, country))
        for _ in range(rng.randint(0, 3)):
            if patent:
                term_rows.append((work_id, "cpc", rng.choice(CPC)))
            else:
                term_rows.append((work_id, "mesh", rng.choice(MESH)))
    if not work_rows:
        return
    connection.executemany(
        "INSERT INTO works (work_id, kind, sources, title, year, cited_by_count, family_id) "
        "VALUES (?, ?, ['test'], ?, ?, ?, ?)",
        work_rows,
    )
    for sql, rows in (
        ("INSERT INTO contributors (work_id, position, role) VALUES (?, ?, ?)", contributor_rows),
        (
            "INSERT INTO affiliations (work_id, position, institution_id, institution_name, "
            "country_code) VALUES (?, ?, ?, ?, ?)",
            affiliation_rows,
        ),
        ("INSERT INTO terms (work_id, scheme, term) VALUES (?, ?, ?)", term_rows),
    ):
        if rows:  # a few random works may have no contributors or terms at all
            connection.executemany(sql, rows)


@pytest.fixture(scope="module")
def tagging_inputs(tmp_path_factory):  # type: ignore[no-untyped-def]
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("agg-data"))
    return load_region_sets(settings_), load_rules()


@pytest.fixture(scope="module")
def random_corpus(tagging_inputs) -> Iterator[duckdb.DuckDBPyConnection]:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=250, seed=3)
    tag_corpus(connection, regions=regions, rules=rules)
    yield connection
    connection.close()


def _tables(connection: duckdb.DuckDBPyConnection, flt: LandscapeFilter, **kw):  # type: ignore[no-untyped-def]
    return compute_indicators(connection, flt, **kw).tables()


FILTERS = st.builds(
    LandscapeFilter,
    region=st.sampled_from([None, None, "EU27", "cn", "ICPERMED", "EEA_UK_CH"]),
    country=st.sampled_from([None, None, "CN", "de", "US", "HK", "XX"]),
    institution=st.sampled_from([None, None, None, "I1", "charité", "INSERM", "I3", "Nowhere"]),
    year_from=st.sampled_from([None, 2015, 2018, 2021]),
    year_to=st.sampled_from([None, 2021, 2023]),
    topic=st.sampled_from([None, None, "oncology", "pm", "ai_data", "cardiovascular"]),
    kind=st.sampled_from([None, "publication", "patent"]),
    eu_cn=st.sampled_from([None, True, False]),
    pm_relevant=st.sampled_from([None, True, False]),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flt=FILTERS, regions=st.sampled_from([None, ["EU27", "CN"], ["CN"], ["ICPERMED", "EU27"]]))
def test_aggregated_and_raw_indicators_are_identical(random_corpus, flt, regions) -> None:  # type: ignore[no-untyped-def]
    if flt.year_from is not None and flt.year_to is not None and flt.year_from > flt.year_to:
        return
    assert answers(flt, aggregate_bits(random_corpus))
    fast = _tables(random_corpus, flt, regions=regions, limit=3)
    raw = _tables(random_corpus, flt, regions=regions, limit=3, use_aggregates=False)
    assert fast == raw


def test_the_random_corpus_exercises_every_indicator(random_corpus) -> None:  # type: ignore[no-untyped-def]
    tables = _tables(random_corpus, LandscapeFilter())
    assert all(tables[name] for name in tables), {k: len(v) for k, v in tables.items()}
    # One id spelt two ways is one institution with one name, whatever the filter.
    names = random_corpus.execute(
        "SELECT list(institution_name) FROM institution_dim WHERE institution_key = 'I1'"
    ).fetchone()
    assert names is not None and len(names[0]) == 1
    assert names[0][0] in {"Charité", "Charite Berlin"}


def test_institution_filter_is_a_value_not_sql(random_corpus) -> None:  # type: ignore[no-untyped-def]
    hostile = LandscapeFilter(institution="x' OR 1=1 --")
    assert _tables(random_corpus, hostile)["output"] == []
    with sources_for(random_corpus, LandscapeFilter(institution="I1")) as src:
        assert random_corpus.execute(f"SELECT count(*) FROM {src.cells}").fetchall()[0][0] > 0
    registered = random_corpus.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '_agg_institution_works%'"
    ).fetchall()
    assert registered == [(0,)]  # dropped after use


def test_ingest_without_tagging_falls_back_then_tagging_refreshes(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=60, seed=5)
    tag_corpus(connection, regions=regions, rules=rules)
    before = _tables(connection, LandscapeFilter())
    assert aggregate_bits(connection) is not None

    fill_random_corpus(connection, works=40, seed=6)  # ingested, not tagged yet
    assert aggregate_bits(connection) is None  # the aggregates describe the old corpus
    untagged = _tables(connection, LandscapeFilter())
    assert untagged == _tables(connection, LandscapeFilter(), use_aggregates=False)
    assert sum(r["works"] for r in untagged["output"] if r["region"] == "ALL") == 100

    assert tag_untagged(connection, regions=regions, rules=rules) is not None
    assert aggregate_bits(connection) is not None
    after = _tables(connection, LandscapeFilter())
    assert after == _tables(connection, LandscapeFilter(), use_aggregates=False)
    assert after != before
    assert sum(r["works"] for r in after["output"] if r["region"] == "ALL") == 100


def test_a_rewritten_work_drops_its_flags_and_the_aggregates(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=30, seed=8)
    tag_corpus(connection, regions=regions, rules=rules)
    # What a merging ingest does: the work's tags go, its rows are rewritten.
    connection.execute("DELETE FROM work_flags WHERE work_id = 1")
    connection.execute("UPDATE works SET year = 1999 WHERE work_id = 1")
    assert aggregate_bits(connection) is None
    years = {r["year"] for r in _tables(connection, LandscapeFilter())["output"]}
    assert 1999 in years


def test_too_many_regions_for_the_masks_uses_the_raw_queries(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.landscape.regions import RegionSet

    regions, rules = tagging_inputs
    many = dict(regions)
    for i in range(70):
        code = f"R{i:02d}"
        many[code] = RegionSet(code=code, name=code, countries=frozenset({"DE"}))
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=30, seed=9)
    tag_corpus(connection, regions=many, rules=rules)
    assert aggregate_bits(connection) is None
    flt = LandscapeFilter(region="EU27")
    assert _tables(connection, flt, regions=["EU27", "CN"])["output"]


def test_tagging_twice_builds_the_same_aggregates(tagging_inputs) -> None:  # type: ignore[no-untyped-def]
    regions, rules = tagging_inputs
    connection = open_corpus(":memory:")
    fill_random_corpus(connection, works=50, seed=10)
    tag_corpus(connection, regions=regions, rules=rules)
    tables = ("agg_cells", "agg_country_cells", "agg_institution_cells", "institution_dim")
    first = {t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    tag_corpus(connection, regions=regions, rules=rules, work_ids=[1, 2, 3])
    second = {t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    assert first == second


def test_dashboard_json_follows_ingest_and_tagging(app, client, web_corpus, settings) -> None:  # type: ignore[no-untyped-def]
    def all_works() -> int:
        response = client.get("/api/v1/landscape/dashboard?kind=publication")
        assert response.status_code == 200, response.text
        rows = response.json()["indicators"]["output"]["rows"]
        return sum(row["works"] for row in rows if row["region"] == "ALL")

    before = all_works()
    regions = load_region_sets(settings)
    app.state.corpus.close()  # a running server is restarted around an ingest
    with open_corpus(web_corpus) as connection:
        fill_random_corpus(connection, works=30, seed=12)
        added = connection.execute(
            "SELECT count(*) FROM works WHERE kind = 'publication' AND work_id > 120"
        ).fetchall()[0][0]
    assert all_works() == before + added
    app.state.corpus.close()
    with open_corpus(web_corpus) as connection:
        # The app tagged the new works when it reopened the corpus (it finishes the job an
        # ingest left), so nothing is left untagged and the aggregates are there.
        assert tag_untagged(connection, regions=regions, rules=load_rules()) is None
        assert aggregate_bits(connection) is not None
    assert all_works() == before + added
