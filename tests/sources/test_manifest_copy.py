"""The sync's reference copy of the manifest is written whole or not at all.

It was written in place: a full disk (or a Ctrl-C) left a cut copy where the last whole one
had been.
"""

from __future__ import annotations

import errno
from pathlib import Path

import httpx
import pytest
from tests.outputs import disk_fills_up, files_in

from permed_atlas.sources.snapshot_download import RetryPolicy
from permed_atlas.sources.snapshot_sync import read_manifest

from .conftest import REAL_FILES, BucketServer, SnapshotBucket, real_records

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


def test_a_full_disk_keeps_the_last_whole_copy_of_the_manifest(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket.add_jsonl("2024-01-01", [real_records(realdata, REAL_FILES[0])])
    dest = tmp_path / "dest"
    folder = dest / "data" / "works"
    folder.mkdir(parents=True)
    (folder / "manifest").write_bytes(b'{"entries": []}  (the copy of the last sync)')
    before = files_in(folder)
    with httpx.Client() as client:
        with monkeypatch.context() as patch:
            disk_fills_up(patch, folder)
            with pytest.raises(OSError) as full:
                read_manifest(client, server.url, "jsonl", dest, policy=FAST, sleep=lambda s: None)
        assert full.value.errno == errno.ENOSPC
        assert full.value.filename == str(folder / "manifest")  # not the hidden temporary
        assert files_in(folder) == before
        manifest = read_manifest(
            client, server.url, "jsonl", dest, policy=FAST, sleep=lambda s: None
        )
    assert (folder / "manifest").read_bytes() == (bucket.root / "data/works/manifest").read_bytes()
    assert len(manifest.parts) == 1
