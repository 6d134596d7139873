"""Published snapshots: what the web app reads while ingests write the corpus."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app as cli
from permed_atlas.landscape.ingest import ingest_file
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.snapshots import (
    corpus_fingerprint,
    current_snapshot,
    publish_snapshot,
    snapshot_dir,
)
from permed_atlas.settings import Settings, get_settings
from permed_atlas.web.corpus import CorpusHolder


def _count(connection: duckdb.DuckDBPyConnection) -> int:
    return int(connection.execute("SELECT count(*) FROM works").fetchall()[0][0])


def test_publishing_copies_the_corpus_and_keeps_the_last_two(
    tmp_path: Path, realdata: Path
) -> None:
    corpus_path = tmp_path / "corpus.duckdb"
    files = sorted((realdata / "openalex").glob("*.jsonl"))
    with open_corpus(corpus_path) as writer:
        for number, file in enumerate(files, start=1):
            ingest_file(file, source="openalex", corpus=writer)
            snapshot = publish_snapshot(writer, corpus_path)
            assert snapshot.number == number
            assert snapshot.fingerprint == corpus_fingerprint(writer)
            with duckdb.connect(str(snapshot.path), read_only=True) as reader:
                assert _count(reader) == _count(writer)
    kept = sorted(p.name for p in snapshot_dir(corpus_path).glob("*.duckdb"))
    assert kept == [f"{len(files) - 1:08d}.duckdb", f"{len(files):08d}.duckdb"]
    current = current_snapshot(corpus_path)
    assert current is not None and current.number == len(files)


def test_a_request_running_on_the_old_snapshot_finishes_on_it(
    tmp_path: Path, realdata: Path
) -> None:
    corpus_path = tmp_path / "corpus.duckdb"
    openalex = realdata / "openalex"
    with open_corpus(corpus_path) as writer:
        ingest_file(
            openalex / "openalex_works_api_search_neuroscience_100.jsonl",
            source="openalex",
            corpus=writer,
        )
        publish_snapshot(writer, corpus_path)
    holder = CorpusHolder(corpus_path)
    running = holder.cursor()
    old = next(running)  # a request that started before the ingest
    assert _count(old) == 100
    version = holder.version
    with open_corpus(corpus_path) as writer:
        ingest_file(
            openalex / "openalex_works_api_search_biodiversity_finance_200.jsonl",
            source="openalex",
            corpus=writer,
        )
        publish_snapshot(writer, corpus_path)
    fresh = holder.cursor()
    assert _count(next(fresh)) == 300  # a request that starts after the publish
    assert holder.version != version  # results cached under the old version are not reused
    assert _count(old) == 100  # the running request still reads its snapshot
    for request in (running, fresh):
        with pytest.raises(StopIteration):
            next(request)
    with pytest.raises(duckdb.ConnectionException):
        old.execute("SELECT 1")  # closed once its last request ended
    holder.close()


def test_permed_tag_publishes_its_tags(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, realdata: Path
) -> None:
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        sample = realdata / "pubmed" / "pubmed-29768149.xml"
        runner = CliRunner()
        assert runner.invoke(cli, ["ingest", "pubmed", "--no-tag", str(sample)]).exit_code == 0
        assert current_snapshot(settings.corpus_path) is None  # untagged: not published
        result = runner.invoke(cli, ["tag"])
        assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()
    snapshot = current_snapshot(settings.corpus_path)
    assert snapshot is not None
    with duckdb.connect(str(snapshot.path), read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM work_flags").fetchall() == [(1,)]
