"""A real ``permed sync openalex-snapshot`` killed mid-download resumes with a Range request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from permed_atlas.landscape import latest_ingest_runs
from permed_atlas.landscape.ingest.runs import INTERRUPTED
from permed_atlas.settings import Settings
from permed_atlas.sources.snapshot_download import partial_path

from .conftest import REAL_FILES, BucketServer, SnapshotBucket, real_records


def _command(dest: Path, data_dir: Path, url: str) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "PERMED_DATA_DIR": str(data_dir),
        "PERMED_OPENALEX_SNAPSHOT_URL": url,
        "PERMED_ENVIRONMENT": "test",
    }
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return [
        sys.executable,
        "-m",
        "permed_atlas",
        "sync",
        "openalex-snapshot",
        "--dest",
        str(dest),
        "--no-tag",
    ], env


def test_killed_sync_resumes_the_cut_download(
    bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    works = real_records(realdata, REAL_FILES[1])
    (key,) = bucket.add_jsonl("2024-01-01", [works])
    size = (bucket.root / key).stat().st_size
    server.bucket.inject(key, "slow")  # ~80 KB/s: long enough to be killed midway
    dest, data_dir = tmp_path / "dest", tmp_path / "data"
    command, env = _command(dest, data_dir, server.url)
    part = partial_path(dest / key)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (part.exists() and part.stat().st_size > 20_000):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    kept = part.stat().st_size
    assert 0 < kept < size
    assert not (dest / key).exists()

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (dest / key).stat().st_size == size and not part.exists()
    ranges = server.bucket.requested(key)
    assert ranges[0] is None
    resumed = int(ranges[-1].removeprefix("bytes=").rstrip("-"))
    assert resumed >= kept  # picked up from the bytes on disk, not from zero
    assert "ingested 1" in done.stdout
    with duckdb.connect(str(data_dir / "corpus.duckdb"), read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM works").fetchall() == [(len(works),)]
    # The killed sync could not close its run; the next one marked it failed.
    finished, killed = latest_ingest_runs(Settings(data_dir=data_dir, environment="test"))
    assert (killed.status, killed.message, killed.finished_at) == ("failed", INTERRUPTED, None)
    assert (finished.status, finished.files, finished.stored) == ("finished", 1, len(works))
    listed = subprocess.run(
        [*command[:3], "ingest", "runs"], env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    count = len(works)
    assert f"openalex-snapshot finished: files 1, read {count}, stored {count}" in lines[0]
    assert "openalex-snapshot failed" in lines[1] and "interrupted" in lines[1]
