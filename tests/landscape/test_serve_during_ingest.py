"""Ingest while ``permed serve`` runs: real uvicorn on loopback, queried throughout a real ingest.

The app reads published snapshots, never the writer's file, so the ingest gets
DuckDB's lock; requests during the ingest answer from the old snapshot and, once
the ingest has tagged, indexed and published, from the new one: never a 5xx,
never a half-ingested corpus.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from permed_atlas.settings import Settings

SRC = str(Path(__file__).resolve().parents[2] / "src")
PATHS = (
    "/api/v1/landscape/dashboard?kind=publication",
    "/api/v1/landscape/search?q=cancer",
    "/landscape/dashboard",
    "/api/v1/landscape/works/1",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _publications(client: httpx.Client) -> int:
    response = client.get(PATHS[0])
    assert response.status_code == 200, response.text
    rows = response.json()["indicators"]["output"]["rows"]
    return sum(row["works"] for row in rows if row["region"] == "ALL")


def _wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if client.get("/api/v1/landscape/dashboard").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise AssertionError("the server did not answer within 90 s")


def test_ingest_while_the_app_serves_with_no_5xx_and_an_atomic_switch(
    settings: Settings, realdata: Path, openalex_20k: Path, tmp_path: Path
) -> None:
    settings.ensure_data_dir()
    env = {
        **os.environ,
        "PYTHONPATH": SRC,
        "PERMED_DATA_DIR": str(settings.data_dir),
        "PERMED_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    permed = [sys.executable, "-m", "permed_atlas"]
    first = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    subprocess.run(
        [*permed, "ingest", "openalex", str(first)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [*permed, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            _wait_until_up(client, server)
            before = _publications(client)
            ingest = subprocess.Popen(
                [*permed, "ingest", "openalex", "--workers", "1", str(openalex_20k)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            statuses: Counter[int] = Counter()
            seen_totals: set[int] = set()
            requests = 0
            deadline = time.monotonic() + 600
            while ingest.poll() is None and time.monotonic() < deadline and requests < 20_000:
                for path in PATHS:
                    statuses[client.get(path).status_code] += 1
                    requests += 1
                seen_totals.add(_publications(client))
            out, err = ingest.communicate(timeout=600)
            assert ingest.returncode == 0, err.decode()
            after = _publications(client)  # the first request after the publish switches
            for _ in range(20):  # and the switch holds under a few more requests
                statuses[client.get(PATHS[1]).status_code] += 1
                requests += 1
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    print(
        f"\n{requests} requests during and after the ingest: {dict(statuses)}; "
        f"publications {before} -> {after}"
    )
    assert before == 100 and after == 20_100, out.decode()
    assert all(status < 500 for status in statuses), statuses
    assert statuses[200] >= 2 * len(PATHS)  # the loop really ran while the ingest did
    assert seen_totals <= {before, after}  # never a half-ingested, untagged corpus
    assert "database is locked" not in (tmp_path / "server.log").read_text(errors="replace")
