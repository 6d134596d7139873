"""Honest ingest: cut, empty, unreadable files and directories, for every ingester.

The summary line always equals what the corpus gained; the records before a
break are kept (and tagged, indexed, published); the break is named as
"file truncated at record N" with the file.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import Result
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.errors import IngestError
from permed_atlas.landscape.ingest import ingest_file, ingest_files
from permed_atlas.landscape.ingest.files import expand_paths
from permed_atlas.landscape.store.corpus import count_rows, open_corpus
from permed_atlas.landscape.store.search import search_index_is_current
from permed_atlas.landscape.store.snapshots import current_snapshot
from permed_atlas.settings import Settings, get_settings


@pytest.fixture
def data_dir(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def cut_snapshot_part(openalex_20k: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 works gzipped as an OpenAlex snapshot part, cut after half its bytes."""
    data = openalex_20k.read_bytes()
    cut = tmp_path_factory.mktemp("cut") / "part_000.gz"
    cut.write_bytes(data[: len(data) // 2])
    return cut


def _said(result: Result) -> str:
    """What the user sees: the output and the one-line error `permed` prints on exit 1."""
    return result.output + (str(result.exception) if result.exception else "")


def _works(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        return int(connection.execute("SELECT count(*) FROM works").fetchall()[0][0])


def test_a_cut_gzip_keeps_the_records_before_the_cut_and_says_so(
    data_dir: Settings, cut_snapshot_part: Path
) -> None:
    result = CliRunner().invoke(app, ["ingest", "openalex", str(cut_snapshot_part)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    match = re.fullmatch(r"read (\d+), stored (\d+), duplicates 0, rejected 0", lines[-1])
    assert match, lines
    read, stored = int(match.group(1)), int(match.group(2))
    assert read == stored and 5_000 < stored < 15_000
    # The file's own line names the cut; the error names the file and the record.
    assert lines[0].startswith(f"{cut_snapshot_part}: read {read}, stored {stored}")
    assert f"file truncated at record {read + 1} (line {read + 1})" in lines[0]
    said = _said(result)
    assert f"{cut_snapshot_part}: file truncated at record {read + 1}" in said
    assert "the records before the break are stored" in said
    with open_corpus(data_dir.corpus_path, read_only=True) as connection:
        assert count_rows(connection)["works"] == stored  # the line equals what was gained
        flags = connection.execute("SELECT count(*) FROM work_flags").fetchall()[0][0]
        assert flags == stored  # tagged, although the file broke
        assert search_index_is_current(connection)
    snapshot = current_snapshot(data_dir.corpus_path)
    assert snapshot is not None and _works(snapshot.path) == stored  # published to the app
    again = CliRunner().invoke(app, ["ingest", "openalex", str(cut_snapshot_part)])
    assert again.stdout.strip().splitlines()[-1] == (
        f"read {read}, stored 0, duplicates {read}, rejected 0"
    )


def test_parallel_parsing_keeps_the_same_records_of_a_cut_file(
    corpus: duckdb.DuckDBPyConnection, cut_snapshot_part: Path
) -> None:
    serial_corpus = open_corpus(":memory:")
    try:
        serial = ingest_file(cut_snapshot_part, source="openalex", corpus=serial_corpus)
    finally:
        serial_corpus.close()
    parallel = ingest_file(cut_snapshot_part, source="openalex", corpus=corpus, workers=2)
    assert (parallel.read, parallel.stored) == (serial.read, serial.stored)
    assert count_rows(corpus)["works"] == parallel.stored
    assert parallel.problems == serial.problems
    assert f"file truncated at record {serial.read + 1}" in parallel.problems[0]


def _cut(source: Path, target: Path, *, keep: float, gz: bool = False) -> Path:
    data = source.read_bytes()
    if source.name.endswith(".gz"):
        data = gzip.decompress(data)
    part = data[: int(len(data) * keep)]
    target.write_bytes(gzip.compress(part) if gz else part)
    return target


@pytest.mark.parametrize("gz", [False, True])
def test_a_pubmed_file_cut_in_half_stores_the_whole_articles_and_says_truncated(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path, gz: bool
) -> None:
    sample = realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"
    cut = _cut(sample, tmp_path / ("half.xml.gz" if gz else "half.xml"), keep=0.5, gz=gz)
    summary = ingest_file(cut, source="pubmed", corpus=corpus)
    assert 200 < summary.stored < 300 and summary.rejected == 0
    assert count_rows(corpus)["works"] == summary.stored
    (problem,) = summary.problems
    assert problem.startswith(f"{cut}: file truncated at record {summary.read + 1} (line ")
    assert "has no end" in problem
    assert "file truncated at record" in summary.line()


def test_a_pubmed_file_cut_between_two_articles_is_truncated_too(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    text = gzip.decompress((realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz").read_bytes())
    end = text.index(b"</PubmedArticle>", len(text) // 2) + len(b"</PubmedArticle>")
    cut = tmp_path / "between.xml"
    cut.write_bytes(text[:end])
    summary = ingest_file(cut, source="pubmed", corpus=corpus)
    assert summary.stored == text[:end].count(b"<PubmedArticle>")
    assert "ends without </PubmedArticleSet>" in summary.problems[0]


def test_patent_and_lens_files_cut_in_half(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    patents = realdata / "patents"
    lens = _cut(patents / "lens_biopoly_sample5.jsonl", tmp_path / "lens.jsonl", keep=0.5)
    summary = ingest_file(lens, source="patents", corpus=corpus)
    assert summary.read == summary.stored == lens.read_bytes().count(b"\n")
    assert "the last line has no line end and is not whole JSON" in summary.problems[0]
    for name in ("epo_eps_grant_v1-4-B2.xml", "uspto_US08926509.xml"):
        cut = _cut(patents / name, tmp_path / name, keep=0.5, gz=True)
        summary = ingest_file(cut, source="patents", corpus=corpus)
        assert (summary.read, summary.stored) == (0, 0)
        assert summary.problems[0].startswith(f"{cut}: file truncated at record 1 (line ")


def test_a_cut_openalex_api_page_stores_nothing_and_says_truncated(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    page = realdata / "openalex" / "openalex_api_response_page_keypapers.json"
    cut = _cut(page, tmp_path / "page.json", keep=0.6)
    summary = ingest_file(cut, source="openalex", corpus=corpus)
    assert (summary.read, summary.stored) == (0, 0)
    assert "file truncated at record 1" in summary.problems[0]
    assert "the JSON document ends before it closes" in summary.problems[0]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("openalex", "works.jsonl"),
        ("openalex", "part_000.gz"),
        ("pubmed", "update.xml"),
        ("pubmed", "update.xml.gz"),
        ("patents", "lens.jsonl"),
        ("patents", "epo.xml"),
    ],
)
def test_an_empty_file_is_an_error_before_anything_is_stored(
    data_dir: Settings, realdata: Path, tmp_path: Path, source: str, name: str
) -> None:
    empty = tmp_path / name
    empty.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    good = realdata / "patents" / "lens_biopoly_sample5.jsonl"
    files = [str(good), str(empty)] if source == "patents" else [str(empty)]
    result = CliRunner().invoke(app, ["ingest", source, *files])
    assert result.exit_code == 1
    assert f"{empty}: empty file" in _said(result)
    assert not data_dir.corpus_path.exists()  # checked before the good file was read


def test_a_directory_means_the_data_files_inside_it(
    data_dir: Settings, realdata: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "works"
    part = snapshot / "updated_date=2021-11-03"
    part.mkdir(parents=True)
    source = (
        realdata / "openalex" / ("openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl")
    )
    (part / "part_000.gz").write_bytes(gzip.compress(source.read_bytes()))
    shutil.copy(
        realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl",
        snapshot / "neuro.jsonl",
    )
    (snapshot / "manifest").write_text('{"entries": []}')  # the snapshot's manifest: not data
    (snapshot / ".hidden.jsonl").write_text("not read")
    assert expand_paths([snapshot], source="openalex") == [
        snapshot / "neuro.jsonl",
        part / "part_000.gz",
    ]
    result = CliRunner().invoke(app, ["ingest", "openalex", str(snapshot)])
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last == "read 150, stored 150, duplicates 0, rejected 0"
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    (empty / "README.md").write_text("no data")
    failed = CliRunner().invoke(app, ["ingest", "pubmed", str(empty)])
    assert failed.exit_code == 1
    assert f"{empty}: directory holds no pubmed files (*.xml, *.gz)" in _said(failed)


def test_corrupt_gzip_is_unreadable_not_truncated(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    data = bytearray(
        gzip.compress(
            (
                realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
            ).read_bytes()
        )
    )
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # a damaged block mid-file
    broken = tmp_path / "damaged.jsonl.gz"
    broken.write_bytes(bytes(data))
    summary = ingest_file(broken, source="openalex", corpus=corpus)
    assert count_rows(corpus)["works"] == summary.stored
    assert re.match(rf"{re.escape(str(broken))}:\d+: cannot read: ", summary.problems[0])
    assert "truncated" not in summary.problems[0]


@pytest.mark.parametrize("source", ["openalex", "pubmed"])
@pytest.mark.parametrize("tail", [b"GARBAGE\n", b"\r\n"])
def test_bytes_after_the_gzip_data_keep_the_records_and_name_the_line(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path, source: str, tail: bytes
) -> None:
    # gzip -d reads such a file whole ("trailing garbage ignored"); the ingest stored nothing
    # and blamed line 1, or (two bytes) took them for a clean end.
    name = {
        "openalex": "openalex/openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl",
        "pubmed": "pubmed/pubmed-29768149.xml",
    }[source]
    data = (realdata / name).read_bytes()
    tailed = tmp_path / "part_000.gz"
    tailed.write_bytes(gzip.compress(data) + tail)
    summary = ingest_file(tailed, source=source, corpus=corpus)
    records = 50 if source == "openalex" else 1
    assert summary.stored == count_rows(corpus)["works"] == records
    # the line after the last record: JSON Lines count past its line end, XML reads its last
    after = data.count(b"\n") + (source == "openalex")
    [problem] = summary.problems
    assert problem.startswith(
        f"{tailed}:{after}: cannot read: the bytes after the end of the gzip data are not gzip"
    ), problem


def test_a_file_the_user_may_not_read_is_refused_by_name(realdata: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    locked = tmp_path / "locked.xml"
    shutil.copy(realdata / "pubmed" / "pubmed-29768149.xml", locked)
    locked.chmod(0)
    # Root reads any file: drop the two capabilities that let it, so the mode applies.
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    command = [
        *(prefix if os.geteuid() == 0 else []),
        sys.executable,
        "-c",
        (
            "from permed_atlas.landscape.ingest.files import expand_paths\n"
            "from permed_atlas.landscape.errors import IngestError\n"
            f"try:\n    expand_paths([{str(locked)!r}], source='pubmed')\n"
            "except IngestError as exc:\n    print(exc)\n"
        ),
    ]
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": src}
    )
    assert done.stdout.strip() == f"{locked}: cannot read: Permission denied", done.stderr


def test_ingest_files_checks_every_path_first(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.xml"
    empty.touch()
    with pytest.raises(IngestError, match="empty.xml: empty file"):
        ingest_files(
            [realdata / "pubmed" / "pubmed-29768149.xml", empty], source="pubmed", corpus=corpus
        )
    assert count_rows(corpus)["works"] == 0


def test_pubmed_and_patent_directories_read_their_data_files_only(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    ftp = tmp_path / "updatefiles"
    ftp.mkdir()
    sample = realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"
    shutil.copy(sample, ftp / sample.name)
    (ftp / f"{sample.name}.md5").write_text("MD5(pubmed21n1298.xml.gz)= 0123\n")  # as on NLM's FTP
    shutil.copy(realdata / "pubmed" / "pubmed-29768149.xml", ftp / "efetch.xml")
    files = expand_paths([ftp], source="pubmed")
    assert files == [ftp / "efetch.xml", ftp / sample.name]
    assert ingest_files([ftp], source="pubmed", corpus=corpus).stored == 501
    patents = tmp_path / "patents"
    shutil.copytree(realdata / "patents", patents)
    summary = ingest_files([patents], source="patents", corpus=corpus)
    assert (summary.read, summary.rejected) == (12, 0)
    assert [Path(s.path or "").name for s in summary.files] == sorted(
        p.name for p in patents.iterdir() if p.suffix in (".xml", ".jsonl")
    )
