"""The count cube answers exactly what a scan of the samples table answers."""

from __future__ import annotations

import csv
import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permed_atlas.federation.errors import FilterError
from permed_atlas.federation.mapping import icd10_chapters, load_node_config
from permed_atlas.federation.models import CountQuery
from permed_atlas.federation.node_store import NodeStore, open_node_store
from permed_atlas.federation.query import query_from_json

from .conftest import DEMO, demo_store

CONFIG = {
    "node": {"id": "cube", "name": "Cube bank", "region": "EU", "country": "NL"},
    "auth": {"trusted_issuers": {"hub": {"secret": "s" * 32}}},
    "columns": {
        "sample_id": "id",
        "donor_id": "donor",
        "diagnosis": "dx",
        "sex": "sex",
        "material": "mat",
        "sample_type": "type",
        "storage": "store",
        "age_at_collection": "age",
        "collection_year": "yr",
        "consent": "duo",
        "country": "land",
        "collection": "coll",
    },
}
CODES = ("C50", "C50.1", "C50.9", "C18.7", "C61", "D48.2", "E11.9", "Q90.0", "J45", "A00.1", "")
MATERIALS = ("SERUM", "PLASMA", "DNA", "TISSUE_FROZEN", "")
TYPES = ("body_fluid", "tissue", "nucleic_acid", "")
STORES = ("RT", "LN", "-60to-85", "")
FILTER_CODES = (
    "C50",
    "C50.1",
    "C50.4",
    "C18",
    "C61",
    "D48",
    "A00",
    "Z99",
    "C50-C61",
    "C00-D48",
    "chapter:II",
    "chapter:IV",
    "chapter:XVII",
    "chapter:I",
)


@pytest.fixture(scope="module")
def varied_store(tmp_path_factory: pytest.TempPathFactory) -> NodeStore:
    """600 samples with missing values in every filter column, 3 collections, 2 countries."""
    draw = random.Random(7)
    root = tmp_path_factory.mktemp("cube")
    data = root / "bank.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "donor", "dx", "sex", "mat", "type", "store", "age", "yr", "duo", "land", "coll"]
        )
        for i in range(600):
            writer.writerow(
                [
                    i,
                    i // 3,
                    draw.choice(CODES),
                    draw.choice(("female", "male", "")),
                    draw.choice(MATERIALS),
                    draw.choice(TYPES),
                    draw.choice(STORES),
                    draw.choice(("", *map(str, range(0, 100, 3)))),
                    draw.choice(("", *map(str, range(1995, 2025)))),
                    draw.choice(("GRU", "HMB", "")),
                    draw.choice(("NL", "BE", "")),
                    draw.choice(("main", "onc")),
                ]
            )
    config = root / "bank.yaml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    return open_node_store(load_node_config(config), data=data, threads=1)


def filters_strategy() -> st.SearchStrategy[list[dict[str, str]]]:
    def bound(name: str) -> st.SearchStrategy[list[dict[str, str]]]:
        low, high = (-5, 110) if name == "age_at_collection" else (1990, 2030)
        return st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.just(name),
                    "operator": st.sampled_from(("=", "<", "<=", ">", ">=")),
                    "value": st.integers(low, high).map(str),
                }
            ),
            max_size=2,
        )

    def terms(prefix: str, values: tuple[str, ...]) -> st.SearchStrategy[list[dict[str, str]]]:
        return st.lists(st.sampled_from(values).map(lambda v: {"id": f"{prefix}:{v}"}), max_size=2)

    parts = [
        terms("ICD10", FILTER_CODES),
        terms("sex", ("female", "male", "unknown")),
        terms("material", ("SERUM", "PLASMA", "DNA", "URINE")),
        terms("sample_type", ("body_fluid", "tissue", "cells")),
        terms("storage", ("RT", "LN", "-18to-35")),
        terms("country", ("NL", "BE", "CN")),
        bound("age_at_collection"),
        bound("collection_year"),
    ]
    return st.tuples(*parts).map(lambda groups: [f for group in groups for f in group])


def ask(filters: list[dict[str, str]], datasets: list[str] | None = None) -> CountQuery | None:
    body = {"query": {"filters": filters, "requestParameters": {"datasetIds": datasets or []}}}
    try:
        return query_from_json(body)
    except FilterError:  # an empty range: refused before any count
        return None


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_cube_equals_table_for_random_filters(varied_store: NodeStore, data: st.DataObject) -> None:
    assert varied_store.cube is not None
    ids = [d.id for d in varied_store.datasets]
    filters = data.draw(filters_strategy())
    datasets = data.draw(st.lists(st.sampled_from(ids), max_size=2))
    query = ask(filters, datasets)
    if query is None:
        return
    assert varied_store.cube.count(query) == varied_store.table_count(query), query.key()
    # The cell key too: the wrapped 32-bit key sums of the cube equal the table's sum.
    table = varied_store.table_measure(query)
    assert varied_store.cube.measure(query) == (table.count, table.key_sum), query.key()


def test_cube_on_demo_data_and_edges(varied_store: NodeStore) -> None:
    store = demo_store("de-berlin")
    assert store.cube is not None
    chapters = icd10_chapters()
    for number in chapters:
        query = ask([{"id": f"ICD10:chapter:{number}"}])
        assert query is not None
        assert store.cube.count(query) == store.table_count(query)
    everything = ask([])
    assert everything is not None
    assert store.cube.count(everything) == store.sample_count()
    store.close()
    # Missing ages count when age is not asked about, and never when it is.
    cube = varied_store.cube
    assert cube is not None
    any_age = ask([{"id": "age_at_collection", "operator": ">=", "value": "-1000"}])
    assert any_age is not None and everything is not None
    assert cube.count(any_age) == varied_store.table_count(any_age) < cube.count(everything)


def test_donor_counts_and_oversized_cubes_use_the_table(varied_store: NodeStore) -> None:
    donors = query_from_json(
        {
            "query": {
                "filters": [{"id": "ICD10:C50"}],
                "requestParameters": {"entity": "individuals"},
            }
        }
    )
    assert varied_store.cube is not None and varied_store.cube.count(donors) is None
    assert not varied_store.answers_quickly("individuals")
    assert varied_store.true_count(donors) == varied_store.table_count(donors) > 0
    config = load_node_config(DEMO / "de-berlin.yaml")
    data = DEMO / "de-berlin.csv"
    small = open_node_store(config, data=data, cube_max_entries=10)
    without = open_node_store(config, data=data, cube=False)
    assert small.cube is None and without.cube is None
    assert not small.answers_quickly("biosamples")
    question = ask([{"id": "ICD10:C50"}, {"id": "sex:female"}])
    assert question is not None
    assert small.true_count(question) == without.true_count(question) > 0
    small.close()
    without.close()
