"""Fixtures: the loopback OpenAlex/E-utilities server, the snapshot bucket, and settings that
point at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from permed_atlas.settings import Settings

from .fake_apis import FakeApis, load_openalex_works, load_pubmed_articles, serve
from .fake_bucket import (  # noqa: F401 (re-exported for the snapshot tests)
    REAL_FILES,
    Bucket,
    BucketServer,
    SnapshotBucket,
    dated,
    real_records,
)

OPENALEX_KEY = "oa-test-key-5f1c9e0d7b"
NCBI_KEY = "ncbi-test-key-93ab2e71c4"


REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def _real_records() -> tuple[list[dict[str, Any]], bytes, list[bytes]]:
    """The real OpenAlex works and PubMed articles, read once per test session."""
    realdata = Path(os.environ.get("PERMED_REALDATA", REALDATA))
    if not realdata.is_dir():
        pytest.fail(f"real sample data not found at {realdata}; set PERMED_REALDATA")
    prologue, articles = load_pubmed_articles(realdata)
    return load_openalex_works(realdata), prologue, articles


@pytest.fixture
def fake_apis(_real_records: tuple[list[dict[str, Any]], bytes, list[bytes]]) -> Iterator[FakeApis]:
    """The loopback server with the real records; it asks for the test API keys."""
    works, prologue, articles = _real_records
    keys = {"/works": OPENALEX_KEY, "/esearch.fcgi": NCBI_KEY, "/efetch.fcgi": NCBI_KEY}
    with serve(FakeApis(works, prologue, articles, api_keys=keys)) as fake:
        yield fake


@pytest.fixture
def fetch_settings(settings: Settings, fake_apis: FakeApis) -> Settings:
    """Settings that send the test keys to the loopback server and barely wait between retries."""
    return settings.model_copy(
        update={
            "openalex_url": fake_apis.url,
            "eutils_url": fake_apis.url,
            "openalex_api_key": SecretStr(OPENALEX_KEY),
            "openalex_email": "analyst@example.org",
            "ncbi_api_key": SecretStr(NCBI_KEY),
            "ncbi_email": "analyst@example.org",
            "fetch_backoff_seconds": 0.01,
            "fetch_backoff_max_seconds": 2.0,
            "fetch_max_retries": 4,
        }
    )


@pytest.fixture
def bucket(tmp_path: Path) -> SnapshotBucket:
    """An empty bucket folder to fill."""
    return SnapshotBucket(tmp_path / "bucket")


@pytest.fixture
def server(bucket: SnapshotBucket) -> Iterator[BucketServer]:
    """The bucket served on loopback."""
    bucket.root.mkdir(parents=True, exist_ok=True)
    with BucketServer(Bucket(bucket.root)) as running:
        yield running
