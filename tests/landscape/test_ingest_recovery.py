"""An ingest killed with SIGKILL while tagging: the next ingest and the web app finish the job.

A real ``permed ingest`` process stores 20,000 works, prints its summary and
starts tagging; it is killed there with SIGKILL. Its stored works stay, untagged
(the tagging transaction never committed). Re-ingesting the same file stores
nothing new, yet must tag them; a web app started on the corpus must tag them too,
rather than answer "not tagged yet" for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from permed_atlas.cli import app as cli
from permed_atlas.landscape.store.search import search_index_is_current
from permed_atlas.settings import Settings, get_settings

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _counts(corpus: Path) -> tuple[int, int]:
    with duckdb.connect(str(corpus), read_only=True) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM work_flags)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _kill_while_tagging(settings: Settings, works_file: Path) -> None:
    """Run a real ingest and SIGKILL it once it has stored everything and started tagging."""
    env = {**os.environ, "PYTHONPATH": SRC, "PERMED_DATA_DIR": str(settings.data_dir)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "permed_atlas",
            "ingest",
            "openalex",
            "--workers",
            "1",
            str(works_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 300
    try:
        for line in process.stdout:
            # The total line is printed after the last batch is stored, just before tagging.
            if line.startswith("read ") or time.monotonic() > deadline:
                break
        time.sleep(0.3)  # inside tag_corpus's transaction (it runs for seconds on 20,000 works)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture
def killed(settings: Settings, openalex_20k: Path) -> Iterator[Settings]:
    settings.ensure_data_dir()
    _kill_while_tagging(settings, openalex_20k)
    works, flags = _counts(settings.corpus_path)
    # The precondition of the bug: everything stored, nothing of it tagged.
    assert works == 20_000 and flags < works, (works, flags)
    yield settings


def test_the_next_ingest_of_the_same_file_tags_what_the_killed_one_left(
    killed: Settings, openalex_20k: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERMED_DATA_DIR", str(killed.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["ingest", "openalex", str(openalex_20k)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "read 20000, stored 0, duplicates 20000, rejected 0" in result.stdout
    assert _counts(killed.corpus_path) == (20_000, 20_000)
    with duckdb.connect(str(killed.corpus_path), read_only=True) as connection:
        assert search_index_is_current(connection)


def test_the_web_app_tags_what_the_killed_ingest_left(killed: Settings) -> None:
    from permed_atlas.web.app import create_app

    application = create_app(killed)
    try:
        with TestClient(application) as client:
            response = client.get("/api/v1/landscape/dashboard?kind=publication")
            assert response.status_code == 200, response.text
            rows = response.json()["indicators"]["output"]["rows"]
            assert sum(row["works"] for row in rows if row["region"] == "ALL") == 20_000
            assert client.get("/api/v1/landscape/search?q=cancer").status_code == 200
    finally:
        application.state.corpus.close()
        application.state.engine.dispose()
    assert _counts(killed.corpus_path) == (20_000, 20_000)
