"""Metamorphic tests of the ingest over real records: the numbers do not depend on how the
files arrive.

Each test reads the same records twice in two ways that must not matter (again, in another
order, split into other files or batches, with tagging in between, interrupted and run
again) and compares everything the landscape shows: works by kind, year, country, region
and topic, the EU–China co-publications, the top institutions and countries, the most
cited works, and the country and institution networks with their weights.

The records are the shared real samples (OpenAlex pages, a snapshot part and API pages,
a PubMed update file, Lens, EPO and USPTO patents); the bulk test adds the project's own
corpus generator. Where a test needs two records of one work, it joins two real records
by one identifier and says so.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from permed_atlas.landscape.filters import NO_FILTER
from permed_atlas.landscape.ingest import IngestSummary, ingest_file
from permed_atlas.landscape.ingest.pipeline import Source
from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.service import complete_corpus
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.indicators import compute_indicators
from permed_atlas.landscape.store.network import collaboration_rows
from permed_atlas.landscape.store.tagging import tag_corpus
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
Files = Sequence[tuple[Path, Source]]


@pytest.fixture(scope="module")
def regions_and_rules(tmp_path_factory):  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("metamorphic"),
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )
    return load_region_sets(settings), load_rules()


@pytest.fixture(scope="module")
def real_files() -> list[tuple[Path, Source]]:
    import os

    from tests.conftest import REALDATA

    root = Path(os.environ.get("PERMED_REALDATA", REALDATA))
    if not root.is_dir():
        pytest.fail(f"real sample data not found at {root}; set PERMED_REALDATA")
    files: list[tuple[Path, Source]] = [
        (path, "openalex") for path in sorted((root / "openalex").glob("*.json*"))
    ]
    files += [(path, "pubmed") for path in sorted((root / "pubmed").glob("*.xml*"))]
    files += [
        (path, "patents")
        for path in sorted((root / "patents").iterdir())
        if path.suffix in {".xml", ".jsonl"}
    ]
    return files


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


def ingest(
    connection: duckdb.DuckDBPyConnection, files: Files, **options: Any
) -> list[IngestSummary]:
    return [
        ingest_file(path, source=source, corpus=connection, **options) for path, source in files
    ]


def tag(connection: duckdb.DuckDBPyConnection, regions_and_rules: Any) -> None:
    regions, rules = regions_and_rules
    complete_corpus(connection, regions=regions, rules=rules)


def numbers(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the landscape counts, keyed by what it is, with no corpus id in it."""
    tables = compute_indicators(connection, NO_FILTER, limit=1_000).tables()
    for row in tables["top_cited"]:
        del row["work_id"]  # the corpus's own number, given in the order works arrive
    result: dict[str, Any] = dict(tables)
    for level in ("country", "institution"):
        nodes, edges = collaboration_rows(
            connection, NO_FILTER, level=level, max_nodes=1_000, min_weight=1
        )
        result[f"{level} nodes"], result[f"{level} edges"] = nodes, edges
    for name, sql in {
        "works": "SELECT kind, year, count(*) FROM works GROUP BY ALL ORDER BY ALL",
        "countries": "SELECT country_code, count(*) FROM work_countries GROUP BY 1 ORDER BY 1",
        "regions": "SELECT region, count(*) FROM work_regions GROUP BY 1 ORDER BY 1",
        "topics": "SELECT topic, count(DISTINCT work_id) FROM work_topics GROUP BY 1 ORDER BY 1",
        "flags": "SELECT pm_relevant, eu_cn, count(*) FROM work_flags GROUP BY ALL ORDER BY ALL",
        "identifiers": "SELECT id_type, count(*) FROM work_ids GROUP BY 1 ORDER BY 1",
    }.items():
        result[name] = connection.execute(sql).fetchall()
    return result


def assert_same(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """Compare indicator by indicator, so that a failure names the one that moved."""
    assert expected.keys() == actual.keys()
    for name in expected:
        assert actual[name] == expected[name], name


def numbers_of(files: Files, regions_and_rules: Any, **options: Any) -> dict[str, Any]:
    connection = open_corpus(":memory:")
    try:
        ingest(connection, files, **options)
        tag(connection, regions_and_rules)
        return numbers(connection)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def baseline(real_files, regions_and_rules) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The numbers of the real files read once, in sorted order, in the default batches."""
    return numbers_of(real_files, regions_and_rules)


def test_reading_the_files_again_changes_no_number(
    corpus, real_files, regions_and_rules, baseline
) -> None:
    first = ingest(corpus, real_files)
    assert sum(s.stored for s in first) == sum(s.read for s in first) > 800
    again = ingest(corpus, real_files)
    assert [(s.read, s.stored, s.duplicates) for s in again] == [(s.read, 0, s.read) for s in first]
    tag(corpus, regions_and_rules)
    assert_same(baseline, numbers(corpus))
    # ... and after retagging everything, and a third reading after that
    regions, rules = regions_and_rules
    tag_corpus(corpus, regions=regions, rules=rules)
    assert_same(baseline, numbers(corpus))
    assert sum(s.stored for s in ingest(corpus, real_files)) == 0
    tag(corpus, regions_and_rules)
    assert_same(baseline, numbers(corpus))


def test_the_order_of_the_files_and_the_batches_changes_no_number(
    real_files, regions_and_rules, baseline
) -> None:
    # Reversed: work ids, and so any tie broken by them, come out the other way round.
    reversed_files = list(reversed(real_files))
    assert_same(baseline, numbers_of(reversed_files, regions_and_rules, batch_size=7))
    shuffled = list(real_files)
    random.Random(5).shuffle(shuffled)
    assert_same(baseline, numbers_of(shuffled, regions_and_rules, batch_size=60))


def _split_lines(path: Path, parts: int, out: Path, *, seed: int) -> list[Path]:
    """The lines of a JSON Lines file, shuffled and dealt into ``parts`` files."""
    lines = [line for line in path.read_bytes().split(b"\n") if line]
    random.Random(seed).shuffle(lines)
    files = []
    for index in range(parts):
        file = out / f"{path.stem}.{index}.jsonl"
        file.write_bytes(b"".join(line + b"\n" for line in lines[index::parts]))
        files.append(file)
    return files


def test_files_split_and_shuffled_and_tagged_between_give_the_same_numbers(
    tmp_path, real_files, regions_and_rules, baseline
) -> None:
    pieces: list[tuple[Path, Source]] = []
    for path, source in real_files:
        if path.suffix == ".jsonl" and source == "openalex":
            pieces += [(p, source) for p in _split_lines(path, 3, tmp_path, seed=len(pieces))]
        else:
            pieces.append((path, source))
    random.Random(11).shuffle(pieces)
    connection = open_corpus(":memory:")
    try:
        for index, piece in enumerate(pieces):
            ingest(connection, [piece], batch_size=40)
            if index % 5 == 4:  # tagging part of the way takes the incremental paths
                tag(connection, regions_and_rules)
        tag(connection, regions_and_rules)
        assert_same(baseline, numbers(connection))
    finally:
        connection.close()


def test_a_generated_bulk_corpus_split_shuffled_and_parsed_in_parallel_counts_the_same(
    tmp_path, regions_and_rules
) -> None:
    from permed_atlas.demo import write_lens_jsonl, write_openalex_jsonl

    works, patents = tmp_path / "works.jsonl", tmp_path / "patents.jsonl"
    write_openalex_jsonl(works, 1_500, seed=8, workers=1)
    write_lens_jsonl(patents, 200, seed=8)
    whole = numbers_of([(works, "openalex"), (patents, "patents")], regions_and_rules)
    assert sum(count for _, _, count in whole["works"]) == 1_700
    parts = _split_lines(works, 4, tmp_path, seed=1)
    connection = open_corpus(":memory:")
    try:
        ingest(connection, [(patents, "patents")])
        tag(connection, regions_and_rules)
        for index, part in enumerate(parts):
            ingest(connection, [(part, "openalex")], workers=2 if index % 2 else 1)
            if index == 1:
                tag(connection, regions_and_rules)
        tag(connection, regions_and_rules)
        assert_same(whole, numbers(connection))
    finally:
        connection.close()
