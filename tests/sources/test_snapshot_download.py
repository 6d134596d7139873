"""Downloads from the loopback bucket: retries, resume, cut files, atomic renames."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from permed_atlas.sources.errors import DownloadError
from permed_atlas.sources.snapshot_download import RetryPolicy, download_file, partial_path
from permed_atlas.sources.snapshot_manifest import parse_manifest
from permed_atlas.sources.snapshot_sync import list_bucket

from .conftest import REAL_FILES, BucketServer, SnapshotBucket, real_records

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def _part(bucket: SnapshotBucket, realdata: Path) -> tuple[str, bytes]:
    (key,) = bucket.add_jsonl("2024-01-01", [real_records(realdata, REAL_FILES[0])])
    return key, (bucket.root / key).read_bytes()


def test_429_then_whole_file(
    bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    key, data = _part(bucket, realdata)
    server.bucket.inject(key, "429", "429")
    waits: list[float] = []
    target = tmp_path / "dest" / key
    with httpx.Client() as client:
        download_file(
            client, f"{server.url}/{key}", target, size=len(data), policy=FAST, sleep=waits.append
        )
    assert target.read_bytes() == data
    assert waits == [0.0, 0.0]  # Retry-After: 0 is honoured instead of the backoff
    assert not partial_path(target).exists()


def test_dropped_connection_resumes_with_range(
    bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    key, data = _part(bucket, realdata)
    server.bucket.inject(key, "drop")
    target = tmp_path / "dest" / key
    with httpx.Client() as client:
        download_file(
            client, f"{server.url}/{key}", target, size=len(data), policy=FAST, sleep=lambda s: None
        )
    assert target.read_bytes() == data
    ranges = server.bucket.requested(key)
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1] != "bytes=0-"  # picked up where it broke


def test_truncated_part_is_fetched_again_never_kept(
    bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    key, data = _part(bucket, realdata)
    server.bucket.inject(key, "truncate")
    target = tmp_path / "dest" / key
    with httpx.Client() as client:
        download_file(
            client, f"{server.url}/{key}", target, size=len(data), policy=FAST, sleep=lambda s: None
        )
    assert target.read_bytes() == data
    assert server.bucket.requested(key) == [None, None]  # the cut copy is dropped, not resumed


def test_always_truncated_part_fails_and_leaves_no_file(
    bucket: SnapshotBucket, server: BucketServer, realdata: Path, tmp_path: Path
) -> None:
    key, data = _part(bucket, realdata)
    server.bucket.inject(key, *["truncate"] * FAST.attempts)
    target = tmp_path / "dest" / key
    with httpx.Client() as client, pytest.raises(DownloadError, match="manifest says"):
        download_file(
            client, f"{server.url}/{key}", target, size=len(data), policy=FAST, sleep=lambda s: None
        )
    assert not target.exists()


def test_manifest_and_listing(bucket: SnapshotBucket, server: BucketServer, realdata: Path) -> None:
    key, data = _part(bucket, realdata)
    merged = bucket.add_merged("2024-02-01", [("W1", "W2")])
    with httpx.Client() as client:
        manifest = parse_manifest(
            client.get(f"{server.url}/data/works/manifest").content, where="m"
        )
        listed = list_bucket(
            client, server.url, "data/merged_ids/works/", policy=FAST, sleep=lambda s: None
        )
    assert [(p.key, p.size, p.records) for p in manifest.parts] == [(key, len(data), 100)]
    assert [f.key for f in listed] == [merged]
