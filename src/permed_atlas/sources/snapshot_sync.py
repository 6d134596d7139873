"""``permed sync openalex-snapshot``: bring a local copy of the snapshot and the corpus up to date.

One sync reads the format's manifest, picks the parts of partitions newer than
the last sync (and not yet ingested), downloads them whole (see
:mod:`permed_atlas.sources.snapshot_download`), checks their sizes (and, for
Parquet, their record counts) against the manifest, ingests them oldest
partition first, so a work's newest copy is the one kept, and then drops the
works OpenAlex has merged into others. The state in DEST advances after each
part; a killed sync resumes where it stopped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.outputfiles import write_atomic
from permed_atlas.sources.errors import DownloadError, SnapshotError
from permed_atlas.sources.snapshot_download import RETRY_STATUSES, RetryPolicy, download_file
from permed_atlas.sources.snapshot_manifest import (
    MANIFEST_PATHS,
    Format,
    Manifest,
    Part,
    http_url,
    parse_manifest,
)
from permed_atlas.sources.snapshot_state import SyncState

USER_AGENT = "permed-atlas (OpenAlex snapshot sync)"
_S3 = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@dataclass(frozen=True, slots=True)
class BucketFile:
    """A file found by listing the bucket."""

    key: str
    size: int | None


@dataclass
class SyncSummary:
    """What one sync did."""

    parts_listed: int = 0
    parts_downloaded: list[str] = field(default_factory=list)
    bytes_downloaded: int = 0
    parts_ingested: list[str] = field(default_factory=list)
    works_read: int = 0
    works_stored: int = 0
    works_replaced: int = 0
    works_unchanged: int = 0
    works_rejected: int = 0
    # "part:line: reason" of the first malformed records, as `permed ingest` reports them
    rejections: list[str] = field(default_factory=list)
    merged_away: int = 0
    merge_files: int = 0
    synced_through: date | None = None

    def line(self) -> str:
        """The summary line a sync ends with."""
        return (
            f"parts listed {self.parts_listed}, downloaded {len(self.parts_downloaded)} "
            f"({self.bytes_downloaded:,} bytes), ingested {len(self.parts_ingested)}; "
            f"works read {self.works_read}, stored {self.works_stored} "
            f"({self.works_replaced} of them updated), rejected {self.works_rejected}, "
            f"merged away {self.merged_away}; "
            "synced through "
            f"{self.synced_through.isoformat() if self.synced_through else 'nothing yet'}"
        )


@contextmanager
def snapshot_client(timeout: float = 60.0) -> Iterator[httpx.Client]:
    """An HTTP client for the public bucket: no credentials, redirects followed."""
    with httpx.Client(
        timeout=httpx.Timeout(timeout, connect=20.0),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    ) as client:
        yield client


def fetch_bytes(
    client: httpx.Client,
    url: str,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> bytes:
    """GET a small document (a manifest, a bucket listing), retrying like a download.

    :param client: the HTTP client.
    :param url: its address.
    :param policy: retries and backoff.
    :param sleep: waits between tries.
    """
    reason = "no try made"
    for attempt in range(1, policy.attempts + 1):
        retry_after = None
        try:
            response = client.get(url)
            if response.status_code == 200:
                return response.content
            if response.status_code not in RETRY_STATUSES:
                raise SnapshotError(
                    Message(
                        "%(url)s: HTTP %(status_code)s",
                        url=url,
                        status_code=response.status_code,
                    )
                )
            reason, retry_after = (
                f"HTTP {response.status_code}",
                response.headers.get("Retry-After"),
            )
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}"
        if attempt < policy.attempts:
            sleep(policy.delay(attempt, retry_after))
    raise DownloadError(
        Message(
            "%(url)s: no answer after %(attempts)s tries (last: %(reason)s)",
            url=url,
            attempts=policy.attempts,
            reason=reason,
        )
    )


def list_bucket(
    client: httpx.Client,
    base_url: str,
    prefix: str,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> list[BucketFile]:
    """The files under ``prefix``, by the bucket's public S3 listing (ListObjectsV2).

    :param client: the HTTP client.
    :param base_url: the bucket's address.
    :param prefix: a key prefix such as ``data/merged_ids/works/``.
    :param policy: retries and backoff.
    :param sleep: waits between tries.
    """
    found: list[BucketFile] = []
    token: str | None = None
    while True:
        query = {"list-type": "2", "prefix": prefix}
        if token:
            query["continuation-token"] = token
        url = f"{base_url.rstrip('/')}/?{urlencode(query)}"
        try:
            root = ET.fromstring(fetch_bytes(client, url, policy=policy, sleep=sleep))
        except ET.ParseError as exc:
            raise SnapshotError(
                Message("%(url)s: not an S3 bucket listing: %(exc)s", url=url, exc=exc)
            ) from exc
        ns = _S3 if root.tag.startswith(_S3) else ""
        for item in root.iter(f"{ns}Contents"):
            key = item.findtext(f"{ns}Key")
            size = item.findtext(f"{ns}Size")
            if key:
                found.append(BucketFile(key, int(size) if size and size.isdecimal() else None))
        token = root.findtext(f"{ns}NextContinuationToken")
        if root.findtext(f"{ns}IsTruncated") != "true" or not token:
            return found


def plan_parts(manifest: Manifest, state: SyncState, fmt: Format, since: date | None) -> list[Part]:
    """The parts this sync must handle, oldest partition first.

    Parts of partitions up to the last sync are skipped (OpenAlex moves a changed
    work to a newer partition), as are parts already ingested; ``since`` drops
    partitions before it.

    :param manifest: the format's manifest.
    :param state: the DEST's sync state.
    :param fmt: "jsonl" or "parquet".
    :param since: the oldest partition wanted, or None.
    """
    done = state.of(fmt)
    chosen = [
        part
        for part in manifest.newer_than(done.synced_through)
        if part.key not in done.ingested and (since is None or part.updated >= since)
    ]
    return sorted(chosen, key=lambda p: (p.updated, p.key))


def synced_through(manifest: Manifest, ingested: set[str], since: date | None) -> date | None:
    """The newest partition up to which every listed (wanted) part is ingested."""
    pending = [
        p.updated
        for p in manifest.parts
        if p.key not in ingested and (since is None or p.updated >= since)
    ]
    done = [p.updated for p in manifest.parts if p.key in ingested]
    if not done:
        return None
    newest_done = max(done)
    if not pending:
        return newest_done
    first_pending = min(pending)
    below = [d for d in done if d < first_pending]
    return max(below) if below else None


def read_merges(path: Path) -> pa.Table:
    """The merges of one ``merge_date,id,merge_into_id`` csv.gz file, as text columns
    ``merged_id``, ``merged_into``, ``merge_date`` (ids as the file writes them).

    :param path: the downloaded file.
    """
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={
                    "merge_date": pa.string(),
                    "id": pa.string(),
                    "merge_into_id": pa.string(),
                }
            ),
        )
    except (OSError, pa.ArrowInvalid, EOFError) as exc:
        raise SnapshotError(
            Message("%(path)s: unreadable merged-ids file: %(exc)s", path=path, exc=exc)
        ) from exc
    for column in ("id", "merge_into_id"):
        if column not in table.column_names:
            raise SnapshotError(
                Message(
                    "%(path)s: a merged-ids file needs an %(column)s column",
                    path=path,
                    column=repr(column),
                )
            )
    dates = (
        table.column("merge_date")
        if "merge_date" in table.column_names
        else pa.nulls(table.num_rows, pa.string())
    )
    return pa.table(
        {
            "merged_id": table.column("id"),
            "merged_into": table.column("merge_into_id"),
            "merge_date": dates,
        }
    )


def manifest_url(base_url: str, fmt: Format) -> str:
    """The manifest of ``fmt`` under ``base_url``."""
    return http_url(base_url, MANIFEST_PATHS[fmt])


def read_manifest(
    client: httpx.Client,
    base_url: str,
    fmt: Format,
    dest: Path,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> Manifest:
    """Fetch and parse the manifest of ``fmt``, keeping a copy in ``dest`` for reference.

    The copy replaces the last one whole or not at all: a full disk leaves the last whole one.
    """
    url = manifest_url(base_url, fmt)
    data = fetch_bytes(client, url, policy=policy, sleep=sleep)
    manifest = parse_manifest(data, where=url)
    copy = dest / MANIFEST_PATHS[fmt]
    copy.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(copy, data)
    return manifest


def local_path(dest: Path, key: str) -> Path:
    """Where a bucket key is kept under ``dest`` (the bucket's own layout)."""
    path = dest / key
    if ".." in Path(key).parts:
        raise SnapshotError(
            Message("bucket key %(key)s leaves the destination folder", key=repr(key))
        )
    return path


def download_parts(
    client: httpx.Client,
    base_url: str,
    dest: Path,
    parts: list[Part],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    progress: Callable[[int], None] | None,
    summary: SyncSummary,
) -> None:
    """Download each part whole; Parquet parts must also hold the manifest's record count."""
    for part in parts:
        target = local_path(dest, part.key)
        existed = target.exists() and target.stat().st_size == part.size
        download_file(
            client,
            http_url(base_url, part.key),
            target,
            size=part.size,
            progress=progress,
            policy=policy,
            sleep=sleep,
        )
        if target.suffix == ".parquet" and part.records is not None:
            check_parquet_records(target, part.records)
        if not existed:
            summary.parts_downloaded.append(part.key)
            summary.bytes_downloaded += part.size


def check_parquet_records(path: Path, expected: int) -> None:
    """Raise unless the Parquet file's footer counts ``expected`` rows (reads only the footer)."""
    import pyarrow.parquet as pq

    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError) as exc:
        path.unlink(missing_ok=True)
        raise SnapshotError(
            Message(
                "%(path)s: not a readable Parquet file (%(exc)s); removed",
                path=path,
                exc=exc,
            )
        ) from exc
    if rows != expected:
        path.unlink(missing_ok=True)
        raise SnapshotError(
            Message(
                "%(path)s: %(rows)s records, the manifest says %(expected)s; removed, sync again",
                path=path,
                rows=format(rows, ","),
                expected=format(expected, ","),
            )
        )
