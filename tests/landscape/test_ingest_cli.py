"""``permed ingest ...``: summary lines, errors as file:line, the ingest_run record, tagging."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.db import make_engine, session_factory
from permed_atlas.landscape.store import search_index
from permed_atlas.landscape.store.corpus import count_rows, open_corpus
from permed_atlas.landscape.tables import IngestRunRow
from permed_atlas.settings import CORPUS_MEMORY_LIMIT, Settings, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture
def data_dir(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_ingest_prints_a_summary_per_file_and_in_total(data_dir: Settings, realdata: Path) -> None:
    runner = CliRunner()
    lens = realdata / "patents" / "lens_biopoly_sample5.jsonl"
    epo = realdata / "patents" / "epo_eps_application_v1-5-A1.xml"
    result = runner.invoke(app, ["ingest", "patents", str(lens), str(epo)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines == [
        f"{lens}: read 5, stored 5, duplicates 0, rejected 0",
        f"{epo}: read 1, stored 1, duplicates 0, rejected 0",
        "read 6, stored 6, duplicates 0, rejected 0",
    ]
    again = runner.invoke(app, ["ingest", "patents", str(lens), str(epo)])
    assert again.stdout.strip().splitlines()[-1] == "read 6, stored 0, duplicates 6, rejected 0"
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert count_rows(corpus)["works"] == 6
        # the ingest tagged the new works (tagging.tag_untagged)
        assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(6,)]
    engine = make_engine(data_dir.platform_database_url)
    with session_factory(engine)() as session:
        runs = session.scalars(select(IngestRunRow).order_by(IngestRunRow.id)).all()
    engine.dispose()
    assert [(r.source, Path(r.path).name, r.read, r.stored, r.duplicates) for r in runs] == [
        ("patents", lens.name, 5, 5, 0),
        ("patents", epo.name, 1, 1, 0),
        ("patents", lens.name, 5, 0, 5),
        ("patents", epo.name, 1, 0, 1),
    ]
    assert all(r.finished_at is not None for r in runs)


def test_tagging_under_a_tight_memory_cap_spills_and_a_bad_cap_stops_before_writing(
    data_dir: Settings, realdata: Path
) -> None:
    runner = CliRunner()
    part = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    bad = runner.invoke(app, ["ingest", "openalex", "--tag-memory-limit", "lots", str(part)])
    assert bad.exit_code == 1
    assert "--tag-memory-limit: 'lots' is not a memory size" in str(bad.exception)
    assert not data_dir.corpus_path.exists()  # refused before the corpus was opened
    result = runner.invoke(app, ["ingest", "openalex", "--tag-memory-limit", "64MiB", str(part)])
    assert result.exit_code == 0, result.output
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        works = count_rows(corpus)["works"]
        assert works > 90
        assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(works,)]
        assert corpus.execute("SELECT count(*) FROM search_docs").fetchall() == [(works,)]


def test_running_out_of_memory_while_tagging_says_so_and_keeps_the_works(
    data_dir: Settings, realdata: Path
) -> None:
    runner = CliRunner()
    part = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    starved = runner.invoke(app, ["ingest", "openalex", "--tag-memory-limit", "16MiB", str(part)])
    assert starved.exit_code == 1
    message = str(starved.exception)
    assert "ran out of memory" in message and "--tag-memory-limit 16MiB" in message
    assert "cannot evaluate the rules" not in message  # the rules are fine
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert count_rows(corpus)["works"] == 100
    retag = runner.invoke(app, ["tag"])
    assert retag.exit_code == 0, retag.output
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(100,)]


def test_the_corpus_memory_setting_caps_permed_tag_and_the_option_overrides_it(
    data_dir: Settings, realdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    part = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    stored = runner.invoke(app, ["ingest", "openalex", "--no-tag", str(part)])
    assert stored.exit_code == 0, stored.output
    monkeypatch.setenv("PERMED_CORPUS_MEMORY_LIMIT", "16MiB")
    get_settings.cache_clear()
    starved = runner.invoke(app, ["tag"])
    assert starved.exit_code == 1
    message = str(starved.exception)
    assert "ran out of memory" in message and "a cap of 16MiB" in message
    assert "PERMED_CORPUS_MEMORY_LIMIT" in message
    bad = runner.invoke(app, ["tag", "--memory-limit", "plenty"])
    assert bad.exit_code == 1
    assert "--memory-limit: 'plenty' is not a memory size" in str(bad.exception)
    tagged = runner.invoke(app, ["tag", "--memory-limit", "256MiB"])
    assert tagged.exit_code == 0, tagged.output
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(100,)]


def test_running_out_of_memory_building_the_search_index_names_the_cap(
    data_dir: Settings, realdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index build reports its failures as a LandscapeError; the cause is memory.
    def starved(connection: object, *, slice_works: int) -> int:
        raise duckdb.OutOfMemoryException("could not allocate block of size 256.0 KiB")

    monkeypatch.setattr(search_index, "_build_tables", starved)
    part = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    result = CliRunner().invoke(app, ["ingest", "openalex", str(part)])
    assert result.exit_code == 1
    message = str(result.exception)
    assert "ran out of memory" in message and f"--tag-memory-limit {CORPUS_MEMORY_LIMIT}" in message
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM work_flags").fetchall() == [(100,)]


def test_malformed_records_go_to_stderr_as_file_line_reason(data_dir: Settings) -> None:
    runner = CliRunner()
    path = FIXTURES / "openalex_malformed.jsonl"
    result = runner.invoke(app, ["ingest", "openalex", "--no-tag", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "read 6, stored 3, duplicates 0, rejected 3"
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert [line.split(": ", 1)[0] for line in errors] == [f"{path}:2", f"{path}:3", f"{path}:7"]
    assert "no OpenAlex id" in errors[1]


def test_dry_run_writes_nothing(data_dir: Settings) -> None:
    result = CliRunner().invoke(
        app, ["ingest", "pubmed", "--dry-run", str(FIXTURES / "pubmed_broken.xml")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "read 4, stored 0, duplicates 0, rejected 2"
    assert not data_dir.corpus_path.exists()


def test_missing_file_is_one_error_line_and_exit_1(settings: Settings) -> None:
    env = {**os.environ, "PERMED_DATA_DIR": str(settings.data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "ingest", "pubmed", "no-such-file.xml"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "no-such-file.xml: no such file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def _runs(settings: Settings) -> list[tuple[str, int, int, str | None]]:
    engine = make_engine(settings.platform_database_url)
    with session_factory(engine)() as session:
        rows = session.scalars(select(IngestRunRow).order_by(IngestRunRow.id)).all()
        runs = [(r.status, r.read, r.stored, r.message) for r in rows]
    engine.dispose()
    return runs


def test_ctrl_c_says_what_was_stored_before_it_and_exits_130(
    data_dir: Settings, realdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import permed_atlas.landscape.service.ingest as service

    works = realdata / "openalex" / "openalex_works_api_search_biodiversity_finance_200.jsonl"
    real_ingest_file = service.ingest_file

    def ctrl_c_after_two_batches(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        batches = 0

        def batch_done(count: int) -> None:  # called once each batch of 30 is stored
            nonlocal batches
            batches += 1
            if batches == 2:
                raise KeyboardInterrupt

        return real_ingest_file(*args, progress=batch_done, batch_size=30, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(service, "ingest_file", ctrl_c_after_two_batches)
        result = CliRunner().invoke(app, ["ingest", "openalex", str(works)])
    assert result.exit_code == 130, result.output
    assert result.stdout.splitlines() == [
        f"{works}: read 60, stored 60, duplicates 0, rejected 0 "
        "(interrupted (Ctrl-C) after record 60)",
        "read 60, stored 60, duplicates 0, rejected 0",
    ]
    assert "interrupted (Ctrl-C): what the summary counts as stored is in the corpus" in (
        result.stderr
    )
    with open_corpus(data_dir.corpus_path, read_only=True) as corpus:
        assert count_rows(corpus)["works"] == 60
    assert _runs(data_dir) == [("failed", 60, 60, f"{works}: interrupted (Ctrl-C) after record 60")]
    again = CliRunner().invoke(app, ["ingest", "openalex", str(works)])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "read 200, stored 140, duplicates 60, rejected 0"


def test_ctrl_c_as_a_batch_commits_counts_the_batch(
    data_dir: Settings, realdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    import permed_atlas.landscape.store.corpus as corpus_store
    from permed_atlas.landscape.errors import IngestInterruptedError
    from permed_atlas.landscape.ingest import ingest_file

    real_store = corpus_store.store_row_batch
    stored = 0

    def store_then_sigint(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal stored
        result = real_store(*args, **kwargs)
        stored += 1
        if stored == 2:  # the second batch is committed; Ctrl-C before it is counted
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(corpus_store, "store_row_batch", store_then_sigint)
    works = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    with open_corpus(":memory:") as corpus:
        with pytest.raises(IngestInterruptedError) as stopped:
            ingest_file(works, source="openalex", corpus=corpus, batch_size=25)
        assert count_rows(corpus)["works"] == 50
    summary = stopped.value.summary
    assert (summary.read, summary.stored) == (50, 50)
