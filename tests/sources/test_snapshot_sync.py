"""Whole syncs against the loopback bucket: faults, nothing-new, a newer partition, merged ids."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape import (
    latest_ingest_runs,
    open_corpus,
    store_works,
    work_from_openalex,
)
from permed_atlas.settings import Settings
from permed_atlas.sources.errors import DownloadError
from permed_atlas.sources.snapshot_state import load_state

from .conftest import (
    FAST,
    REAL_FILES,
    BucketServer,
    SnapshotBucket,
    corpus_rows,
    real_records,
    short_id,
    sync,
)


def test_sync_survives_faults_then_downloads_only_what_is_new(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
    settings: Settings,
) -> None:
    works = real_records(realdata, REAL_FILES[0])
    # The changed work first: one with several authors and topics, so losing some shows.
    rich = next(
        i
        for i, w in enumerate(works)
        if len(w["authorships"]) > 2 and len(w.get("topics") or []) > 1
    )
    works.insert(0, works.pop(rich))
    first = bucket.add_jsonl("2024-01-01", [works[:50], works[50:]])
    server.bucket.inject(first[0], "429", "truncate")
    server.bucket.inject(first[1], "drop")
    dest = tmp_path / "dest"

    summary = sync(server, dest, settings)
    assert summary.parts_downloaded == first
    assert summary.works_read == 100
    assert corpus_rows(settings, "SELECT count(*) FROM works") == [(100,)]
    assert load_state(dest).of("jsonl").synced_through.isoformat() == "2024-01-01"
    assert not list(dest.rglob("*.part"))

    # A second sync lists the manifest and downloads nothing.
    asked = len(server.bucket.requests)
    again = sync(server, dest, settings)
    assert again.parts_downloaded == [] and again.parts_ingested == []
    assert not any(key in first for key, _ in server.bucket.requests[asked:])

    # A later release: one newer partition holding a changed copy of two works, and
    # a merged-ids file folding a third work into the first.
    changed = copy.deepcopy(works[0])
    changed["title"] = "A retitled work"
    changed["authorships"] = changed["authorships"][:1]
    changed["topics"] = changed["topics"][:1]
    second_copy = copy.deepcopy(works[1])
    newer = bucket.add_jsonl("2024-02-01", [[changed, second_copy]])
    merged_away = short_id(works[2])
    bucket.add_merged("2024-02-01", [(merged_away, short_id(works[0]))])
    asked = len(server.bucket.requests)

    third = sync(server, dest, settings)
    fetched = {key for key, _ in server.bucket.requests[asked:] if key.startswith("data/works/")}
    assert fetched == {"data/works/manifest", *newer}
    assert third.merged_away == 1
    assert corpus_rows(settings, "SELECT count(*) FROM works") == [(99,)]
    gone = corpus_rows(settings, "SELECT count(*) FROM works WHERE openalex_id = ?", merged_away)
    assert gone == [(0,)]
    ((work_id, title, updated),) = corpus_rows(
        settings,
        "SELECT work_id, title, updated_date FROM works WHERE openalex_id = ?",
        short_id(works[0]),
    )
    assert title == "A retitled work" and updated.startswith("2024-02-01")
    assert corpus_rows(
        settings, "SELECT count(*) FROM contributors WHERE work_id = ?", work_id
    ) == [(1,)]
    topics = corpus_rows(
        settings, "SELECT count(*) FROM terms WHERE work_id = ? AND scheme = 'topic'", work_id
    )
    assert topics == [(1,)]
    # Tags were recomputed for the replaced work (tagging left none untagged).
    assert corpus_rows(settings, "SELECT count(*) FROM work_flags WHERE work_id = ?", work_id) == [
        (1,)
    ]
    assert corpus_rows(
        settings,
        "SELECT count(*) FROM works w WHERE NOT EXISTS "
        "(SELECT 1 FROM work_flags f WHERE f.work_id = w.work_id)",
    ) == [(0,)]


def test_an_older_copy_never_overwrites_a_newer_one(realdata: Path, tmp_path: Path) -> None:
    record = real_records(realdata, REAL_FILES[0])[0]
    newer = work_from_openalex(
        {**record, "updated_date": "2025-03-01T00:00:00", "title": "Newer title"}
    )
    older = work_from_openalex(
        {**record, "updated_date": "2024-03-01T00:00:00", "title": "Older title", "authorships": []}
    )
    with open_corpus(tmp_path / "c.duckdb") as corpus:
        store_works(corpus, works=[newer])
        result = store_works(corpus, works=[older])
        assert result.duplicates == 1 and result.stored == 0
        assert corpus.execute("SELECT title FROM works").fetchall() == [("Newer title",)]
        people = corpus.execute("SELECT count(*) FROM contributors").fetchall()[0][0]
        assert people == len(record["authorships"])
        # Within one batch too: the newer of two copies wins, whatever their order.
        other = tmp_path / "d.duckdb"
    with open_corpus(other) as corpus:
        store_works(corpus, works=[newer, older])
        assert corpus.execute("SELECT title, count(*) OVER () FROM works").fetchall() == [
            ("Newer title", 1)
        ]


def test_since_skips_older_partitions_now_and_in_later_syncs(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
    settings: Settings,
) -> None:
    works = real_records(realdata, REAL_FILES[0])
    old = bucket.add_jsonl("2024-01-01", [works[:40]])
    new = bucket.add_jsonl("2024-02-01", [works[40:60]])
    dest = tmp_path / "dest"

    summary = sync(server, dest, settings, since=date(2024, 2, 1))
    assert summary.parts_downloaded == new and summary.parts_ingested == new
    assert corpus_rows(settings, "SELECT count(*) FROM works") == [(20,)]
    assert load_state(dest).of("jsonl").synced_through == date(2024, 2, 1)
    # Without --since, the next sync still takes only partitions newer than the last one:
    # what --since left out stays out (delete permed-sync.json to take it).
    newest = bucket.add_jsonl("2024-03-01", [works[60:70]])
    later = sync(server, dest, settings)
    assert later.parts_ingested == newest and not (dest / old[0]).exists()
    assert corpus_rows(settings, "SELECT count(*) FROM works") == [(30,)]


def test_each_sync_is_recorded_as_a_run_finished_or_failed(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
    settings: Settings,
) -> None:
    works = real_records(realdata, REAL_FILES[0])
    bucket.add_jsonl("2024-01-01", [works[:30], works[30:50]])
    bucket.add_merged("2024-01-01", [(short_id(works[1]), short_id(works[0]))])
    dest = tmp_path / "dest"
    sync(server, dest, settings, tag=False)
    (run,) = latest_ingest_runs(settings)
    assert (run.source, run.path, run.status, run.message) == (
        "openalex-snapshot",
        str(dest.resolve()),
        "finished",
        None,
    )
    assert (run.files, run.read, run.stored, run.removed) == (3, 50, 50, 1)
    assert run.finished_at is not None and run.finished_at >= run.started_at

    # A part whose bytes never match the manifest: the sync fails, and says so.
    changed = copy.deepcopy(works[2])
    changed["title"] = "Retitled"
    (bad,) = bucket.add_jsonl("2024-02-01", [[changed]])
    server.bucket.inject(bad, *["truncate"] * FAST.attempts)
    with pytest.raises(DownloadError):
        sync(server, dest, settings)
    failed, finished = latest_ingest_runs(settings)
    assert finished.id == run.id
    assert failed.status == "failed" and bad in (failed.message or "")
    assert (failed.files, failed.stored) == (0, 0)
    again = sync(server, dest, settings)  # the fault is gone: the same part comes whole
    assert again.works_replaced == 1
    newest = latest_ingest_runs(settings, limit=1)[0]
    assert (newest.status, newest.files, newest.stored, newest.updated) == ("finished", 1, 1, 1)
    # The JSON API lists the same runs.
    from fastapi.testclient import TestClient

    from permed_atlas.web.app import create_app

    application = create_app(settings)
    with TestClient(application) as web:
        listed = web.get("/api/v1/landscape/runs", params={"limit": 2}).json()
        dashboard = web.get("/landscape/dashboard").text
        chinese = web.get("/landscape/dashboard", params={"lang": "zh"}).text
    application.state.corpus.close()
    application.state.engine.dispose()
    assert [(r["id"], r["status"], r["updated"]) for r in listed] == [
        (newest.id, "finished", 1),
        (failed.id, "failed", 0),
    ]
    # a visitor is told the folder's name, not the server's path nor its error (editors are)
    assert [r["path"] for r in listed] == [dest.name, dest.name]
    assert listed[1]["message"] is None
    # So does the dashboard, under "Data updates".
    provenance = dashboard.split('data-testid="provenance"', 1)[1]
    assert "Data updates" in provenance and "openalex-snapshot" in provenance
    assert provenance.count('data-status="finished"') == 2
    assert provenance.count('data-status="failed"') == 1
    assert "数据更新" in chinese and "失败" in chinese


def test_pm_only_gives_the_same_slice_from_json_lines_and_parquet(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
) -> None:
    from permed_atlas.demo import generate_openalex_works

    records = [r for name in REAL_FILES for r in real_records(realdata, name)]
    records += list(generate_openalex_works(300, seed=7))
    bucket.add_jsonl("2026-06-01", [records[:400], records[400:]])
    bucket.add_parquet("2026-06-01", [records[:400], records[400:]])
    slices = {}
    for fmt in ("jsonl", "parquet"):
        settings = Settings(data_dir=tmp_path / fmt, environment="test")
        summary = sync(server, tmp_path / f"dest-{fmt}", settings, fmt=fmt, pm_only=True)
        slices[fmt] = corpus_rows(settings, "SELECT openalex_id FROM works ORDER BY 1")
        assert summary.works_stored == len(slices[fmt])
        # Tagging agrees: every stored work is PM-relevant.
        assert corpus_rows(settings, "SELECT count(*) FROM work_flags WHERE NOT pm_relevant") == [
            (0,)
        ]
    assert 0 < len(slices["jsonl"]) < len(records) // 2
    assert slices["jsonl"] == slices["parquet"]


def test_a_corpus_made_before_updated_date_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:  # the works table as corpora before #19 had it
        old.execute(
            "CREATE TABLE works (work_id BIGINT NOT NULL, kind VARCHAR NOT NULL, "
            "sources VARCHAR[] NOT NULL, openalex_id VARCHAR, doi VARCHAR, pmid VARCHAR, "
            "pmcid VARCHAR, lens_id VARCHAR, publication_number VARCHAR, family_id VARCHAR, "
            "title VARCHAR, abstract VARCHAR, year INTEGER, type VARCHAR, venue VARCHAR, "
            "language VARCHAR, cited_by_count INTEGER)"
        )
        old.execute("INSERT INTO works (work_id, kind, sources) VALUES (1, 'publication', ['x'])")
    with open_corpus(path) as corpus:
        rows = corpus.execute("SELECT work_id, updated_date FROM works").fetchall()
    assert rows == [(1, None)]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_malformed_record_is_rejected_and_named_in_the_sync_summary(
    fmt: str, bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    # A snapshot part with one broken record: the sync stores the others and says which
    # record it left out and why, as `permed ingest` does, instead of dropping it silently.
    works = real_records(realdata, REAL_FILES[0])[:12]
    broken = {key: value for key, value in works[5].items() if key != "id"}
    add = bucket.add_parquet if fmt == "parquet" else bucket.add_jsonl
    (part,) = add("2024-01-01", [[*works[:5], broken, *works[6:]]])
    env = {
        "PERMED_DATA_DIR": str(tmp_path / "data"),
        "PERMED_OPENALEX_SNAPSHOT_URL": server.url,
    }
    dest = tmp_path / "dest"
    command = ["sync", "openalex-snapshot", "--dest", str(dest), "--format", fmt, "--no-tag"]
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    assert "works read 12, stored 11 (0 of them updated), rejected 1," in result.stdout
    row = "6" if fmt == "jsonl" else "row 6"
    assert f"{dest / part}:{row}" in result.stderr or f"{dest / part}: {row}" in result.stderr
    assert "no OpenAlex id" in result.stderr
    with duckdb.connect(str(tmp_path / "data" / "corpus.duckdb"), read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM works").fetchone() == (11,)
    (run,) = latest_ingest_runs(Settings(data_dir=tmp_path / "data"))
    assert (run.status, run.read, run.stored, run.rejected) == ("finished", 12, 11, 1)
