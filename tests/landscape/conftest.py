"""A small hand-made corpus whose tags and indicators are computed by hand in the tests.

| work | kind        | year | countries (via affiliations) | notes |
|------|-------------|------|------------------------------|-------|
| 1    | publication | 2020 | DE, CN, HK                   | precision medicine, lung cancer |
| 2    | publication | 2020 | CN                           | acupuncture for depression (MeSH) |
| 3    | publication | 2021 | FR, DE                       | machine learning, heart failure |
| 4    | publication | 2021 | FR, CN                       | pharmacogenomics of warfarin, EU-CN |
| 5    | publication | 2019 | (none)                       | no title, no abstract, no authors |
| 6    | patent      | 2021 | DE (applicant), CN (inventor)| cancer biomarker, CPC C12Q 1/6886 |
| 7    | publication | 2021 | HK, US                       | rare disease registry |
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from permed_atlas.landscape.store.corpus import open_corpus

WORKS = [
    (
        1,
        "publication",
        ["openalex"],
        "W100",
        "10.1/one",
        "9001",
        None,
        None,
        None,
        "Precision medicine in lung cancer: a Sino-European cohort",
        "We applied whole-genome sequencing to tumours.",
        2020,
        50,
    ),
    (
        2,
        "publication",
        ["pubmed"],
        None,
        None,
        "9002",
        None,
        None,
        None,
        "Acupuncture for depression",
        None,
        2020,
        5,
    ),
    (
        3,
        "publication",
        ["openalex"],
        "W300",
        "10.1/three",
        None,
        None,
        None,
        None,
        "Machine learning predicts heart failure",
        "Deep learning on health records.",
        2021,
        10,
    ),
    (
        4,
        "publication",
        ["openalex"],
        "W400",
        "10.1/four",
        None,
        None,
        None,
        None,
        "Pharmacogenomics of warfarin dosing: CYP2C9 and VKORC1",
        None,
        2021,
        30,
    ),
    (5, "publication", ["openalex"], "W500", None, None, None, None, None, None, None, 2019, None),
    (
        6,
        "patent",
        ["lens"],
        None,
        None,
        None,
        "020-111-222-333-444",
        "EP1234567A1",
        "F6",
        "Method for detecting cancer biomarkers",
        "A kit.",
        2021,
        2,
    ),
    (
        7,
        "publication",
        ["openalex"],
        "W700",
        None,
        None,
        None,
        None,
        None,
        "A registry of rare diseases",
        "Patients with rare diseases.",
        2021,
        1,
    ),
]
CONTRIBUTORS = [
    (1, 1, "author", "Anna Schmidt"),
    (1, 2, "author", "Li Wei"),
    (1, 3, "author", "Chan Tai"),
    (2, 1, "author", "Zhang San"),
    (2, 2, "author", "Wang Wu"),
    (3, 1, "author", "Marie Curie"),
    (3, 2, "author", "Hans Meyer"),
    (4, 1, "author", "Jean Dupont"),
    (4, 2, "author", "Chen Jing"),
    (6, 1, "applicant", "Biotech GmbH"),
    (6, 2, "inventor", "Liu Yang"),
    (7, 1, "author", "Ho Man"),
    (7, 2, "author", "John Smith"),
]
AFFILIATIONS = [
    (1, 1, "I1", "Charité", "DE"),
    (1, 2, "I2", "Peking University", "CN"),
    (1, 3, "I3", "University of Hong Kong", "HK"),
    (2, 1, "I4", "Fudan University", "CN"),
    (2, 2, "I4", "Fudan University", "CN"),
    (3, 1, "I5", "Inserm", "FR"),
    (3, 2, "I1", "Charité", "DE"),
    (4, 1, "I5", "Inserm", "FR"),
    (4, 2, "I6", "Sun Yat-sen University", "CN"),
    (6, 1, None, None, "DE"),
    (6, 2, None, None, "CN"),
    (7, 1, "I3", "University of Hong Kong", "HK"),
    (7, 2, "I7", "Harvard University", "US"),
    (7, 2, "I8", "Unknown Lab", None),
]
TERMS = [
    (1, "mesh", "Precision Medicine"),
    (1, "concept", "Oncology"),
    (2, "mesh", "Acupuncture Therapy"),
    (2, "mesh", "Depression"),
    (6, "cpc", "C12Q 1/6886"),
    (7, "topic", "Rare Diseases and Genetic Disorders"),
]
IDS = [
    ("openalex_id", "W100", 1),
    ("doi", "10.1/one", 1),
    ("pmid", "9001", 1),
    ("pmid", "9002", 2),
    ("openalex_id", "W300", 3),
    ("doi", "10.1/three", 3),
    ("openalex_id", "W400", 4),
    ("doi", "10.1/four", 4),
    ("openalex_id", "W500", 5),
    ("lens_id", "020-111-222-333-444", 6),
    ("family_id", "F6", 6),
    ("publication_number", "EP1234567A1", 6),
    ("openalex_id", "W700", 7),
]


def fill_corpus(connection: duckdb.DuckDBPyConnection) -> None:
    """Insert the table above into an (empty) corpus."""
    connection.executemany(
        "INSERT INTO works (work_id, kind, sources, openalex_id, doi, pmid, pmcid, lens_id, "
        "publication_number, family_id, title, abstract, year, cited_by_count) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
        WORKS,
    )
    connection.executemany(
        "INSERT INTO contributors (work_id, position, role, name) VALUES (?, ?, ?, ?)", CONTRIBUTORS
    )
    connection.executemany(
        "INSERT INTO affiliations (work_id, position, institution_id, institution_name, "
        "country_code) VALUES (?, ?, ?, ?, ?)",
        AFFILIATIONS,
    )
    connection.executemany("INSERT INTO terms (work_id, scheme, term) VALUES (?, ?, ?)", TERMS)
    connection.executemany("INSERT INTO work_ids VALUES (?, ?, ?)", IDS)


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory corpus holding the seven works above, untagged."""
    connection = open_corpus(":memory:")
    fill_corpus(connection)
    yield connection
    connection.close()


@pytest.fixture
def region_sets(settings):  # type: ignore[no-untyped-def]
    """The bundled region sets (HK and MO count as China, the default)."""
    from permed_atlas.landscape.regions import load_region_sets

    return load_region_sets(settings)


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    """The bundled topic and PM-relevance rules."""
    from permed_atlas.landscape.topics import load_rules

    return load_rules()


@pytest.fixture
def tagged(corpus, region_sets, rules):  # type: ignore[no-untyped-def]
    """The corpus above, tagged with the bundled regions and rules."""
    from permed_atlas.landscape.store.tagging import tag_corpus

    tag_corpus(corpus, regions=region_sets, rules=rules)
    return corpus


@pytest.fixture
def corpus_file(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The corpus above written to the data directory, with PERMED_DATA_DIR pointing at it."""
    from permed_atlas.settings import get_settings

    settings.ensure_data_dir()
    connection = open_corpus(settings.corpus_path)
    fill_corpus(connection)
    connection.close()
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings.corpus_path
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def openalex_20k(tmp_path_factory):  # type: ignore[no-untyped-def]
    """20,000 generated OpenAlex works as a gzipped snapshot part (written once per session)."""
    from permed_atlas.demo import write_openalex_jsonl

    path = tmp_path_factory.mktemp("openalex-20k") / "part_000.gz"
    write_openalex_jsonl(path, 20_000, seed=3, workers=1)
    return path
