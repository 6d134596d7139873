"""The corpus store: batches in one transaction, dedupe and merge on every identifier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.ingest import parse_lens, parse_openalex, parse_pubmed
from permed_atlas.landscape.models import Contributor, Institution, Term, Work
from permed_atlas.landscape.store.corpus import count_rows, open_corpus, store_works
from permed_atlas.landscape.store.work_rows import load_stored_works

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


def _only(results: list[object]) -> list[Work]:
    assert all(isinstance(r, Work) for r in results)
    return results  # type: ignore[return-value]


def _pair() -> tuple[Work, Work]:
    [openalex] = _only(list(parse_openalex(FIXTURES / "pair_openalex.jsonl")))
    [pubmed] = _only(list(parse_pubmed(FIXTURES / "pair_pubmed.xml")))
    return openalex, pubmed


def test_new_works_get_ids_and_rows(corpus: duckdb.DuckDBPyConnection) -> None:
    openalex, _ = _pair()
    result = store_works(corpus, works=[openalex])
    assert (result.stored, result.duplicates, result.merged) == (1, 0, 0)
    assert count_rows(corpus) == {
        "works": 1,
        "contributors": 2,
        "affiliations": 2,
        "terms": 1,
        "work_ids": 3,
    }
    row = corpus.execute("SELECT work_id, sources, openalex_id, doi, pmid FROM works").fetchall()
    assert row == [(1, ["openalex"], "W9100000001", "10.5555/pair.2020.1", "91000001")]
    stored = load_stored_works(corpus, work_ids=[1])[1]
    assert stored.work == openalex
    assert stored.sources == ("openalex",)


def test_storing_the_same_records_again_changes_nothing(corpus: duckdb.DuckDBPyConnection) -> None:
    works = _only(list(parse_openalex(FIXTURES / "openalex_malformed.jsonl"))[0::3])
    first = store_works(corpus, works=works)
    before = count_rows(corpus)
    again = store_works(corpus, works=works)
    assert (again.stored, again.duplicates) == (0, first.stored)
    assert count_rows(corpus) == before


@pytest.mark.parametrize("order", ["openalex first", "pubmed first"])
def test_openalex_and_pubmed_records_of_one_article_become_one_work(
    corpus: duckdb.DuckDBPyConnection, order: str
) -> None:
    openalex, pubmed = _pair()
    records = [openalex, pubmed] if order == "openalex first" else [pubmed, openalex]
    store_works(corpus, works=records[:1])
    second = store_works(corpus, works=records[1:])
    assert (second.stored, second.merged, second.duplicates) == (1, 1, 0)
    assert count_rows(corpus)["works"] == 1
    [work_id] = [r[0] for r in corpus.execute("SELECT work_id FROM works").fetchall()]
    stored = load_stored_works(corpus, work_ids=[work_id])[work_id]
    assert set(stored.sources) == {"openalex", "pubmed"}
    work = stored.work
    assert work.openalex_id == "W9100000001" and work.pmid == "91000001"
    assert work.pmcid == "PMC9100001"
    assert work.abstract == "Tumour mutational burden predicts response to immunotherapy."
    assert work.cited_by_count == 12
    # One set of contributors: OpenAlex's, which name institutions with countries.
    assert [c.institutions[0].name for c in work.contributors] == [
        "Sun Yat-sen University",
        "Institut Curie",
    ]
    assert {(t.scheme, t.term) for t in work.terms} >= {
        ("concept", "Lung cancer"),
        ("mesh", "Lung Neoplasms"),
        ("mesh", "Humans"),
    }
    assert ("pmid", "91000001") in stored.ids and ("doi", "10.5555/pair.2020.1") in stored.ids
    # Ingesting either record once more is a duplicate.
    assert store_works(corpus, works=[pubmed, openalex]).duplicates == 2


def test_both_records_in_one_batch_merge_too(corpus: duckdb.DuckDBPyConnection) -> None:
    openalex, pubmed = _pair()
    result = store_works(corpus, works=[openalex, pubmed])
    assert (result.stored, result.merged, result.duplicates) == (2, 1, 0)
    assert count_rows(corpus)["works"] == 1


def test_two_publications_of_one_patent_family_are_one_work(
    corpus: duckdb.DuckDBPyConnection,
) -> None:
    application, grant = _only(list(parse_lens(FIXTURES / "lens_family.jsonl")))
    assert application.family_id == grant.family_id == "lens-family:111-000-000-000-001"
    store_works(corpus, works=[application])
    result = store_works(corpus, works=[grant])
    assert result.merged == 1
    assert count_rows(corpus)["works"] == 1
    ids = set(corpus.execute("SELECT id_type, id_value FROM work_ids").fetchall())
    assert {
        ("publication_number", "US20190000001A1"),
        ("publication_number", "US10999999B2"),
        ("lens_id", "111-000-000-000-002"),
    } <= ids
    abstract = corpus.execute("SELECT abstract FROM works").fetchall()[0][0]
    assert abstract == "A panel of five serum proteins."  # filled from the grant


def test_a_record_linking_two_stored_works_folds_them_into_one(
    corpus: duckdb.DuckDBPyConnection,
) -> None:
    by_doi = Work(kind="publication", source="openalex", openalex_id="W1", doi="10.1/a", title="A")
    by_pmid = Work(
        kind="publication",
        source="pubmed",
        pmid="77",
        abstract="Text.",
        terms=(Term("mesh", "Humans", "D006801"),),
    )
    store_works(corpus, works=[by_doi])
    store_works(corpus, works=[by_pmid])
    corpus.execute("INSERT INTO work_flags VALUES (2, false, false)")
    # A third record (another OpenAlex work of the same article, as OpenAlex has duplicates)
    # carries both ids. (A new version of PubMed 77 with a DOI would replace that record.)
    link = Work(kind="publication", source="openalex", openalex_id="W2", pmid="77", doi="10.1/a")
    result = store_works(corpus, works=[link])
    assert result.merged == 1
    rows = corpus.execute(
        "SELECT work_id, title, abstract, pmid, doi, openalex_id FROM works"
    ).fetchall()
    assert rows == [(1, "A", "Text.", "77", "10.1/a", "W1")]
    assert count_rows(corpus)["terms"] == 1
    assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(0,)]
    assert {r[0] for r in corpus.execute("SELECT work_id FROM work_ids").fetchall()} == {1}


def test_a_failing_batch_leaves_nothing_half_written(corpus: duckdb.DuckDBPyConnection) -> None:
    good = Work(
        kind="publication",
        source="openalex",
        openalex_id="W1",
        contributors=(Contributor(1, "A", institutions=(Institution("X", "DE"),)),),
    )
    store_works(corpus, works=[good])
    before = count_rows(corpus)
    # terms.scheme is NOT NULL: the batch fails after its works and contributors went in.
    bad = Work(
        kind="publication",
        source="openalex",
        openalex_id="W2",
        contributors=(Contributor(1, "B"),),
        terms=(Term(None, "x"),),
    )  # type: ignore[arg-type]
    fine = Work(kind="publication", source="openalex", openalex_id="W3")
    with pytest.raises(LandscapeError, match="cannot write to the corpus"):
        store_works(corpus, works=[fine, bad])
    assert count_rows(corpus) == before
    assert store_works(corpus, works=[fine]).stored == 1


def test_open_corpus_read_only_needs_the_file(tmp_path: Path) -> None:
    with pytest.raises(LandscapeError, match="no corpus"):
        open_corpus(tmp_path / "missing.duckdb", read_only=True)
    path = tmp_path / "corpus.duckdb"
    with open_corpus(path, memory_limit="256MB") as connection:
        store_works(connection, works=[Work(kind="patent", source="lens", lens_id="1-2")])
    with open_corpus(path, read_only=True) as reader:
        assert count_rows(reader)["works"] == 1


def test_a_work_is_made_the_same_from_its_records_in_every_order() -> None:
    import itertools

    from permed_atlas.landscape.ingest.merge import merge_records

    openalex, pubmed = _pair()
    application, grant = _only(list(parse_lens(FIXTURES / "lens_family.jsonl")))
    for records in ([openalex, pubmed], [application, grant]):
        made = {merge_records(order) for order in itertools.permutations(records)}
        assert len(made) == 1
    work = merge_records([pubmed, openalex]).work
    assert work.title == openalex.title and work.venue == openalex.venue  # OpenAlex first
    assert work.abstract == pubmed.abstract  # which OpenAlex lacks


def test_records_are_kept_as_what_the_work_lacks_and_given_back_whole(realdata: Path) -> None:
    from permed_atlas.landscape.ingest import parse_patents
    from permed_atlas.landscape.ingest.merge import merge_records
    from permed_atlas.landscape.store.records import record_from_json, record_to_json

    pages = sorted((realdata / "openalex").glob("*.jsonl"))
    records = _only(
        [
            *(record for page in pages for record in parse_openalex(page)),
            *parse_pubmed(realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"),
            *parse_pubmed(FIXTURES / "pubmed_vernacular_zh.xml"),
            *parse_patents(realdata / "patents" / "lens_biopoly_sample5.jsonl"),
            *parse_patents(realdata / "patents" / "epo_eps_grant_v1-0-B1.xml"),
        ]
    )
    assert len(records) > 800
    # each record with the next, as if they were one work (an OpenAlex and a PubMed record...)
    for first, second in zip(records, records[1:] + records[:1], strict=True):
        work = merge_records([first, second]).work
        for record in (first, second):
            assert record_from_json(record_to_json(record, work), work) == record
    openalex, pubmed = _pair()
    work = merge_records([openalex, pubmed]).work
    # what the work shows is not kept twice: the OpenAlex record lacks PubMed's abstract,
    # PMCID and MeSH headings, and has one of the work's terms
    assert json.loads(record_to_json(openalex, work)) == {
        "abstract": None,
        "pmcid": None,
        "terms": [["concept", "Lung cancer", "C1"]],
    }


def test_commits_stay_in_the_log_past_duckdbs_checkpoint_size_and_survive_a_kill(
    tmp_path: Path,
) -> None:
    # At DuckDB's default (checkpoint at the first commit after the log passes 16 MiB) an
    # ingest of full-size records checkpointed every batch or two, ~0.6 s each at 1M works:
    # the corpus leaves more in the log, which keeps a commit when the process dies first.
    import os
    import subprocess
    import sys

    path = tmp_path / "corpus.duckdb"
    wal = Path(f"{path}.wal")
    script = (
        "import os\n"
        "from permed_atlas.landscape.store.corpus import open_corpus\n"
        f"connection = open_corpus({str(path)!r})\n"
        "for start in (0, 20_000):  # two commits of ~24 MB of log each\n"
        '    connection.execute("INSERT INTO works (work_id, kind, sources, abstract) SELECT "\n'
        "        \"range, 'publication', ['openalex'], repeat(range::VARCHAR || ' ', 200) \"\n"
        '        f"FROM range({start}, {start} + 20_000)")\n'
        f"print(os.path.getsize({str(wal)!r}) if os.path.exists({str(wal)!r}) else 0)\n"
        "os._exit(0)  # no close, so no checkpoint on the way out\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": src},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(done.stdout) > 32 * 2**20, "the second commit checkpointed the first"
    with open_corpus(path) as corpus:
        assert count_rows(corpus)["works"] == 40_000
