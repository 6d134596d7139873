"""``permed fetch ...`` as a user runs it: a real subprocess, killed midway and run again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from permed_atlas.landscape import open_corpus, run_ingest
from permed_atlas.settings import Settings
from permed_atlas.sources import (
    OpenAlexQuery,
    PubMedQuery,
    fetch_openalex_pages,
    fetch_pubmed_batches,
)

from .conftest import NCBI_KEY, OPENALEX_KEY
from .fake_apis import FakeApis

OPENALEX = ["fetch", "openalex", "--filter", "publication_year:2010-2025", "--per-page", "10"]
PUBMED = ["fetch", "pubmed", "--query", "china", "--batch-size", "50"]
QUERY, TERM = OpenAlexQuery("publication_year:2010-2025"), PubMedQuery("china")


def _env(data_dir: Path, fake: FakeApis) -> dict[str, str]:
    return {
        **os.environ,
        "PERMED_DATA_DIR": str(data_dir),
        "PERMED_ENVIRONMENT": "test",
        "PERMED_OPENALEX_URL": fake.url,
        "PERMED_OPENALEX_API_KEY": OPENALEX_KEY,
        "PERMED_OPENALEX_EMAIL": "analyst@example.org",
        "PERMED_EUTILS_URL": fake.url,
        "PERMED_NCBI_API_KEY": NCBI_KEY,
        "PERMED_FETCH_BACKOFF_SECONDS": "0.01",
        "PERMED_FETCH_MAX_RETRIES": "3",
    }


def _permed(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "permed_atlas", *args, "--no-tag"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _corpus(data_dir: Path, column: str) -> list[str]:
    with open_corpus(Settings.layout_of(data_dir).corpus_path, read_only=True) as corpus:
        rows = corpus.execute(f"SELECT {column} FROM works ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if not path.name.startswith(".")
    }


def _fetch_clean(source: str, settings: Settings) -> Path:
    """The uninterrupted fetch and ingest, in this process (a subprocess costs seconds)."""
    if source == "openalex":
        summary = fetch_openalex_pages(QUERY, settings=settings, per_page=10)
    else:
        summary = fetch_pubmed_batches(TERM, settings=settings, batch_size=50)
    run_ingest(list(summary.files), source=source, settings=settings, tag=False)  # type: ignore[arg-type]
    return summary.folder


@pytest.mark.parametrize(
    ("source", "endpoint", "column", "faults"),
    [
        ("openalex", "/works", "openalex_id", ("429:0", "", "truncate")),
        ("pubmed", "/efetch.fcgi", "pmid", ("503", "", "drop")),
    ],
    ids=["openalex", "pubmed"],
)
def test_a_killed_fetch_run_again_gives_the_same_corpus_and_shows_no_key(
    tmp_path: Path,
    fetch_settings: Settings,
    fake_apis: FakeApis,
    source: str,
    endpoint: str,
    column: str,
    faults: tuple[str, ...],
) -> None:
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    clean_folder = _fetch_clean(source, fetch_settings.model_copy(update={"data_dir": clean_dir}))
    args = OPENALEX if source == "openalex" else PUBMED
    start = len(fake_apis.log(endpoint))

    fake_apis.plan(endpoint, "", "", "hold")  # the third page or batch never comes
    process = subprocess.Popen(
        [sys.executable, "-m", "permed_atlas", *args, "--no-tag"],
        env=_env(killed_dir, fake_apis),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert fake_apis.held.wait(60), "the fetch never reached its third request"
    finally:
        process.kill()  # SIGKILL: no handler runs, nothing is tidied up
        process.wait(30)
        fake_apis.release()
    folder = killed_dir / clean_folder.relative_to(clean_dir)
    state = json.loads((folder / ".state.json").read_bytes())
    assert len(_files(folder)) == 2 and not state["done"]
    before = len(fake_apis.log(endpoint))
    fake_apis.plan(endpoint, *faults)  # the run that resumes meets a 429 or 503 and a cut body

    again = _permed(args, _env(killed_dir, fake_apis))

    assert again.returncode == 0, again.stderr
    assert "(resumed)" in again.stdout
    resumed_at = fake_apis.log(endpoint)[before]
    if source == "openalex":
        assert resumed_at["cursor"] == state["next_cursor"] != "*"
    else:
        assert (resumed_at["retstart"], resumed_at["WebEnv"]) == ("100", state["webenv"])
    assert _files(folder) == _files(clean_folder)
    stored = _corpus(killed_dir, column)
    assert stored == _corpus(clean_dir, column)
    assert len(stored) == len(set(stored)) > 40  # 49 works, 188 PubMed records
    # The key: sent with every request, told in no retry message, stored in no file.
    key = OPENALEX_KEY if source == "openalex" else NCBI_KEY
    assert {params["api_key"] for params in fake_apis.log(endpoint)[start:]} == {key}
    shown = again.stdout + again.stderr
    assert shown.count("; retry 1/3 in") == 2 and key not in shown
    for path in killed_dir.rglob("*"):
        assert not path.is_file() or key.encode() not in path.read_bytes(), path


def test_a_source_that_cannot_be_reached_is_one_line(tmp_path: Path, fake_apis: FakeApis) -> None:
    env = {
        **_env(tmp_path / "data", fake_apis),
        "PERMED_OPENALEX_URL": "http://127.0.0.1:9",
        "PERMED_FETCH_MAX_RETRIES": "1",
    }
    result = _permed(OPENALEX, env)
    assert result.returncode == 1
    said = " ".join(result.stderr.split())  # rich wraps at the terminal's width
    assert "Traceback" not in said
    assert "error: /works: ConnectError" in said and "gave up after 1 retry" in said


def test_a_page_size_the_api_does_not_serve_is_refused_before_any_request(
    tmp_path: Path, fake_apis: FakeApis
) -> None:
    # The CLI's options have their own bounds; a caller of the functions gets the same rule.
    from permed_atlas.errors import InvalidInputError

    settings = Settings(
        data_dir=tmp_path / "data", openalex_url=fake_apis.url, eutils_url=fake_apis.url
    )
    with pytest.raises(InvalidInputError) as openalex:
        fetch_openalex_pages(QUERY, settings=settings, per_page=201)
    assert (str(openalex.value), openalex.value.field) == (
        "--per-page: 201 is not between 1 and 200",
        "per_page",
    )
    with pytest.raises(InvalidInputError) as pubmed:
        fetch_pubmed_batches(TERM, settings=settings, batch_size=0)
    assert (str(pubmed.value), pubmed.value.field) == (
        "--batch-size: 0 is not between 1 and 10000",
        "batch_size",
    )
    assert fake_apis.requests == []
