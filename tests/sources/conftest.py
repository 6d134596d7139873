"""Fixtures: the loopback OpenAlex/E-utilities server, the snapshot bucket, settings that
point at them, and a corpus synced from the bucket."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import SecretStr

from permed_atlas.settings import Settings
from permed_atlas.sources.snapshot_download import RetryPolicy
from permed_atlas.sources.snapshot_run import Hooks, SyncOptions, sync_openalex_snapshot
from permed_atlas.sources.snapshot_sync import SyncSummary

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
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
QUIET = Hooks(sleep=lambda seconds: None)


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


def sync(server: BucketServer, dest: Path, settings: Settings, **options: Any) -> SyncSummary:
    """Sync the served bucket into ``dest`` and the corpus of ``settings``, retrying fast."""
    return sync_openalex_snapshot(
        SyncOptions(dest=dest, base_url=server.url, policy=FAST, **options),
        settings=settings,
        hooks=QUIET,
    )


def corpus_rows(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` over the corpus of ``settings``, opened read-only."""
    with duckdb.connect(str(settings.corpus_path), read_only=True) as corpus:
        return corpus.execute(sql, list(params)).fetchall()


def short_id(record: dict[str, Any]) -> str:
    """An OpenAlex record's id without its URL (``W123``)."""
    return str(record["id"]).rpartition("/")[2]


@dataclass
class SyncedCorpus:
    """Thirty real works synced from the bucket's first partition into ``dest``."""

    bucket: SnapshotBucket
    server: BucketServer
    settings: Settings
    dest: Path
    works: list[dict[str, Any]]
    first: list[str]  # the keys of the first partition's parts

    @property
    def old(self) -> str:
        """The work :meth:`merge` merges away (the third)."""
        return short_id(self.works[2])

    @property
    def new(self) -> str:
        """The work it is merged into (the first)."""
        return short_id(self.works[0])

    def sync(self) -> SyncSummary:
        """Sync again."""
        return sync(self.server, self.dest, self.settings)

    def merge(self) -> SyncSummary:
        """Publish a merged-ids file folding :attr:`old` into :attr:`new`, then sync again."""
        self.bucket.add_merged("2024-02-01", [(f"https://openalex.org/{self.old}", self.new)])
        return self.sync()


@pytest.fixture
def synced(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
    settings: Settings,
) -> SyncedCorpus:
    """A corpus synced once from a bucket of thirty real works."""
    works = real_records(realdata, REAL_FILES[0])[:30]
    first = bucket.add_jsonl("2024-01-01", [works])
    corpus = SyncedCorpus(bucket, server, settings, tmp_path / "dest", works, first)
    corpus.sync()
    return corpus
