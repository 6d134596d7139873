"""ingest_files on the real sample files and fixtures: counts, idempotence, parallel parsing."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import orjson
import pytest

from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest import ingest_file, ingest_files
from permed_atlas.landscape.store.corpus import count_rows, open_corpus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


def _files(folder: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffixes))


@pytest.mark.parametrize(
    ("source", "folder", "suffixes", "per_file"),
    [
        ("openalex", "openalex", (".json", ".jsonl"), [2, 50, 200, 100]),
        ("pubmed", "pubmed", (".xml", ".xml.gz"), [1, 500]),
        ("patents", "patents", (".xml", ".jsonl"), [1, 1, 1, 1, 1, 5, 1, 1]),
    ],
)
def test_real_files_ingest_with_the_counts_they_contain_and_again_change_nothing(
    corpus: duckdb.DuckDBPyConnection,
    realdata: Path,
    source: str,
    folder: str,
    suffixes: tuple[str, ...],
    per_file: list[int],
) -> None:
    files = _files(realdata / folder, *suffixes)
    summary = ingest_files(files, source=source, corpus=corpus)  # type: ignore[arg-type]
    assert [f.read for f in summary.files] == per_file
    assert summary.read == summary.stored == sum(per_file)
    assert summary.rejected == summary.duplicates == 0
    assert count_rows(corpus)["works"] == sum(per_file)
    before = count_rows(corpus)
    again = ingest_files(files, source=source, corpus=corpus)  # type: ignore[arg-type]
    assert again.line() == f"read {sum(per_file)}, stored 0, duplicates {sum(per_file)}, rejected 0"
    assert count_rows(corpus) == before


def test_unresolved_affiliations_are_counted(
    corpus: duckdb.DuckDBPyConnection, realdata: Path
) -> None:
    summary = ingest_file(
        realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz", source="pubmed", corpus=corpus
    )
    assert 0 < summary.unresolved_affiliations < 60
    no_country = corpus.execute(
        "SELECT count(*) FROM contributors c WHERE raw_affiliation IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM affiliations a WHERE a.work_id = c.work_id AND a.position = c.position)"
    ).fetchall()[0][0]
    assert no_country == summary.unresolved_affiliations


def test_malformed_records_are_reported_and_the_batch_around_them_kept(
    corpus: duckdb.DuckDBPyConnection,
) -> None:
    seen: list[RecordError] = []
    summary = ingest_files(
        [FIXTURES / "openalex_malformed.jsonl"],
        source="openalex",
        corpus=corpus,
        on_error=seen.append,
    )
    assert summary.line() == "read 6, stored 3, duplicates 0, rejected 3"
    assert [e.line for e in seen] == [2, 3, 7] == [e.line for e in summary.errors]
    pubmed = ingest_file(FIXTURES / "pubmed_broken.xml", source="pubmed", corpus=corpus)
    assert pubmed.line() == "read 4, stored 2, duplicates 0, rejected 2"
    assert count_rows(corpus)["works"] == 5
    # null title, no abstract, no authors: stored all the same
    assert corpus.execute(
        "SELECT count(*) FROM works WHERE title IS NULL AND abstract IS NULL"
    ).fetchall() == [(1,)]


def test_openalex_and_pubmed_files_of_the_same_article_give_one_work(
    corpus: duckdb.DuckDBPyConnection,
) -> None:
    ingest_file(FIXTURES / "pair_openalex.jsonl", source="openalex", corpus=corpus)
    summary = ingest_file(FIXTURES / "pair_pubmed.xml", source="pubmed", corpus=corpus)
    assert (summary.stored, summary.merged) == (1, 1)
    assert corpus.execute("SELECT sources FROM works").fetchall() == [(["openalex", "pubmed"],)]


def test_the_real_openalex_and_pubmed_samples_share_no_article(
    corpus: duckdb.DuckDBPyConnection, realdata: Path
) -> None:
    ingest_files(_files(realdata / "openalex", ".json", ".jsonl"), source="openalex", corpus=corpus)
    summary = ingest_files(
        _files(realdata / "pubmed", ".xml", ".xml.gz"), source="pubmed", corpus=corpus
    )
    assert summary.merged == 0
    assert count_rows(corpus)["works"] == 352 + 501


def test_parallel_parsing_stores_exactly_what_serial_parsing_does(
    tmp_path: Path, realdata: Path
) -> None:
    source = realdata / "openalex" / "openalex_works_api_search_biodiversity_finance_200.jsonl"
    lines = [line for line in source.read_bytes().split(b"\n") if line.strip()]
    mixed = tmp_path / "mixed.jsonl.gz"
    with gzip.open(mixed, "wb") as out:
        out.write(b"\n".join([*lines[:120], b'{"id": ', *lines[120:], lines[7]]) + b"\n")
    tables = ("works", "contributors", "affiliations", "terms", "work_ids")
    results = []
    for workers in (1, 2):
        with open_corpus(":memory:") as connection:
            summary = ingest_file(
                mixed, source="openalex", corpus=connection, workers=workers, batch_size=50
            )
            rows = {
                t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables
            }
            results.append((summary.line(), [e.line for e in summary.errors], rows))
    assert results[0] == results[1]
    assert results[0][0] == "read 202, stored 200, duplicates 1, rejected 1"
    assert results[0][1] == [121]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_value_of_a_type_the_corpus_cannot_hold_rejects_that_record_only(
    tmp_path: Path, realdata: Path, workers: int
) -> None:
    # Before, `"publication_year": true`, a count beyond 32 bits or a number where text
    # belongs failed the whole batch's insert with a pyarrow traceback: the good records
    # of the batch were lost with it and the rest of the file was not read.
    source = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    lines = [line for line in source.read_bytes().split(b"\n") if line.strip()][:30]
    records = [orjson.loads(line) for line in lines]
    records[3]["publication_year"] = True
    records[11]["cited_by_count"] = 2**31
    records[13]["mesh"][0]["descriptor_ui"] = 5
    records[19]["authorships"][0]["institutions"][0]["ror"] = ["https://ror.org/x"]
    records[20]["publication_year"] = -(2**40)
    records[26]["type"] = {"id": "article"}
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    with open_corpus(":memory:") as connection:
        summary = ingest_file(
            path, source="openalex", corpus=connection, workers=workers, batch_size=10
        )
        assert summary.line() == "read 30, stored 24, duplicates 0, rejected 6"
        assert count_rows(connection)["works"] == 24
    bounds = "is not a whole number from -2147483648 to 2147483647"
    assert [(e.line, e.reason) for e in summary.errors] == [
        (4, f"field 'publication_year': true {bounds}"),
        (12, f"field 'cited_by_count': 2147483648 {bounds}"),
        (14, "field 'mesh.descriptor_ui': 5 is not text"),
        (20, "field 'authorships.institutions.ror': [\"https://ror.org/x\"] is not text"),
        (21, f"field 'publication_year': -1099511627776 {bounds}"),
        (27, 'field \'type\': {"id":"article"} is not text'),
    ]


def test_a_lens_record_with_a_number_for_its_jurisdiction_is_rejected_by_line(
    tmp_path: Path, realdata: Path, corpus: duckdb.DuckDBPyConnection
) -> None:
    source = realdata / "patents" / "lens_biopoly_sample5.jsonl"
    text = source.read_bytes().removeprefix(b"\xef\xbb\xbf")  # the export's byte-order mark
    records = [orjson.loads(line) for line in text.split(b"\n") if line.strip()]
    records[1]["jurisdiction"] = 840
    path = tmp_path / "lens.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    summary = ingest_file(path, source="patents", corpus=corpus)
    assert summary.line() == "read 5, stored 4, duplicates 0, rejected 1"
    assert [(e.line, e.reason) for e in summary.errors] == [
        (2, "field 'jurisdiction': 840 is not text")
    ]
    assert count_rows(corpus)["works"] == 4


def test_plain_and_gzipped_files_are_the_same_records(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    plain = realdata / "pubmed" / "pubmed-29768149.xml"
    packed = tmp_path / "pubmed-29768149.xml.gz"
    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert ingest_file(plain, source="pubmed", corpus=corpus).stored == 1
    assert ingest_file(packed, source="pubmed", corpus=corpus).duplicates == 1


def test_missing_file_stops_before_anything_is_read(
    corpus: duckdb.DuckDBPyConnection, realdata: Path
) -> None:
    files = [realdata / "pubmed" / "pubmed-29768149.xml", Path("no/such/file.xml")]
    with pytest.raises(IngestError, match="no/such/file.xml: no such file"):
        ingest_files(files, source="pubmed", corpus=corpus)
    assert count_rows(corpus)["works"] == 0
    with pytest.raises(IngestError, match="unknown source"):
        ingest_file(files[0], source="crossref", corpus=corpus)  # type: ignore[arg-type]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_field_of_the_wrong_json_type_is_named_in_the_rejection(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path, workers: int
) -> None:
    import orjson

    real = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    first, second, third, fourth = [
        orjson.loads(line) for line in real.read_bytes().split(b"\n")[:4]
    ]
    path = tmp_path / "odd.jsonl"
    path.write_bytes(
        b"\n".join(
            orjson.dumps(record)
            for record in (
                {**first, "authorships": "Smith J; Wang L"},
                {**second, "abstract_inverted_index": {"Warfarin": ["0"], "dosing": [1]}},
                {**third, "keywords": {}, "mesh": ""},  # empty: read as absent, as before
                fourth,
            )
        )
        + b"\n"
    )
    seen: list[RecordError] = []
    # workers=2 takes the parallel fast path, which must decide as the Work path does
    summary = ingest_file(
        path, source="openalex", corpus=corpus, on_error=seen.append, workers=workers
    )
    assert summary.line() == "read 4, stored 2, duplicates 0, rejected 2"
    assert [(e.line, e.reason) for e in seen] == [
        (1, "field 'authorships': \"Smith J; Wang L\" is not a JSON array"),
        (2, "abstract_inverted_index: a word's positions must be whole numbers"),
    ]


def test_the_serial_ingest_makes_a_work_only_of_a_record_it_merges(
    tmp_path: Path, corpus: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows come straight from the JSON, as in the parsing processes: a Work for every
    # record cost a third of the time of storing 10,000 full-size records.
    import permed_atlas.landscape.ingest.openalex as openalex
    from permed_atlas.demo import generate_openalex_works

    made: list[str] = []
    real = openalex.work_from_openalex
    monkeypatch.setattr(
        openalex, "work_from_openalex", lambda record: made.append(record["id"]) or real(record)
    )
    records = list(generate_openalex_works(30, seed=4))
    first = tmp_path / "first.jsonl"
    first.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records[:20]))
    assert ingest_file(first, source="openalex", corpus=corpus, batch_size=8).stored == 20
    assert made == []
    again = {**records[0], "title": "A newer title", "updated_date": "2099-01-01T00:00:00"}
    second = tmp_path / "second.jsonl"
    second.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [again, *records[20:]]))
    summary = ingest_file(second, source="openalex", corpus=corpus, batch_size=8)
    assert (summary.stored, summary.merged) == (11, 1)
    assert made == [records[0]["id"]]
