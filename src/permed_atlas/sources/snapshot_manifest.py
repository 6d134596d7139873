"""The OpenAlex snapshot bucket: its layout, its manifests, and which partitions are new.

The bucket (``s3://openalex``, public, read over plain HTTPS) holds, per entity,
``data/<entity>/updated_date=YYYY-MM-DD/part_NNN.gz`` and a Redshift-style
``manifest`` listing every part with its byte size and record count. The Parquet
copy (from the June 2026 release on) is assumed to follow the same pattern under
``data/works-parquet/`` with ``part_NNN.parquet`` files and its own manifest; see
docs/openalex-snapshot.md for that assumption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import orjson

from permed_atlas.i18n import Message
from permed_atlas.sources.errors import SnapshotError

Format = Literal["jsonl", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "parquet")
DEFAULT_BASE_URL = "https://openalex.s3.amazonaws.com"
BUCKET = "openalex"

MANIFEST_PATHS: dict[Format, str] = {
    "jsonl": "data/works/manifest",
    "parquet": "data/works-parquet/manifest",
}
MERGED_IDS_PREFIX = "data/merged_ids/works/"
"""Where the bucket keeps the merged-away work ids (``YYYY-MM-DD.csv.gz``)."""

_PARTITION = re.compile(r"/updated_date=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True, slots=True)
class Part:
    """One file of the snapshot, as its manifest lists it.

    :param key: its path in the bucket, e.g. ``data/works/updated_date=2024-01-01/part_000.gz``.
    :param size: its size in bytes (``content_length``).
    :param records: how many works it holds (``record_count``), when the manifest says.
    :param updated: the ``updated_date`` partition it belongs to.
    """

    key: str
    size: int
    records: int | None
    updated: date


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parts of one format, in the manifest's order."""

    parts: tuple[Part, ...]
    total_size: int
    total_records: int | None

    def newer_than(self, last: date | None) -> tuple[Part, ...]:
        """The parts of partitions after ``last`` (all of them when None).

        :param last: the newest partition already synced.
        """
        return tuple(p for p in self.parts if last is None or p.updated > last)

    @property
    def newest(self) -> date | None:
        """The newest partition listed."""
        return max((p.updated for p in self.parts), default=None)


def key_of(url: str) -> str:
    """The bucket key of a manifest URL: ``s3://openalex/data/...`` -> ``data/...``.

    Also takes ``https://openalex.s3.amazonaws.com/data/...`` and bare keys.

    :param url: the ``url`` of a manifest entry.
    """
    if url.startswith("s3://"):
        bucket, _, key = url.removeprefix("s3://").partition("/")
        if bucket != BUCKET or not key:
            raise SnapshotError(
                Message(
                    "manifest entry %(url)s is not in the s3://%(bucket)s bucket",
                    url=repr(url),
                    bucket=BUCKET,
                )
            )
        return key
    if url.startswith(("https://", "http://")):
        return url.split("://", 1)[1].partition("/")[2]
    return url.lstrip("/")


def http_url(base_url: str, key: str) -> str:
    """The HTTPS address of a bucket key under ``base_url``.

    :param base_url: e.g. ``https://openalex.s3.amazonaws.com``.
    :param key: e.g. ``data/works/manifest``.
    """
    return f"{base_url.rstrip('/')}/{key.lstrip('/')}"


def _int(value: Any, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SnapshotError(
            Message(
                "%(where)s: '%(name)s' must be a non-negative integer, not %(value)s",
                where=where,
                name=name,
                value=repr(value),
            )
        )
    return value


def parse_manifest(data: bytes, *, where: str) -> Manifest:
    """Read a manifest (``{"entries": [{"url": ..., "meta": {...}}], "meta": {...}}``).

    :param data: the manifest's bytes.
    :param where: its address, named in every error.
    """
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(
            Message("%(where)s: not a JSON manifest: %(exc)s", where=where, exc=exc)
        ) from exc
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise SnapshotError(Message("%(where)s: a manifest needs an 'entries' list", where=where))
    parts = []
    for index, entry in enumerate(entries):
        at = f"{where}: entry {index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise SnapshotError(Message("%(at)s: needs a 'url' string", at=at))
        meta = entry.get("meta")
        if not isinstance(meta, dict):
            raise SnapshotError(
                Message("%(at)s: needs a 'meta' object with 'content_length'", at=at)
            )
        key = key_of(entry["url"])
        match = _PARTITION.search(key)
        if match is None:
            raise SnapshotError(
                Message(
                    "%(at)s: %(key)s has no updated_date=YYYY-MM-DD partition",
                    at=at,
                    key=repr(key),
                )
            )
        try:
            updated = date.fromisoformat(match.group(1))
        except ValueError as exc:
            raise SnapshotError(
                Message("%(at)s: %(key)s: %(exc)s", at=at, key=repr(key), exc=exc)
            ) from exc
        records = meta.get("record_count")
        parts.append(
            Part(
                key=key,
                size=_int(meta.get("content_length"), at, "content_length"),
                records=None if records is None else _int(records, at, "record_count"),
                updated=updated,
            )
        )
    counts = [p.records for p in parts]
    return Manifest(
        parts=tuple(parts),
        total_size=sum(p.size for p in parts),
        total_records=None if None in counts else sum(c for c in counts if c is not None),
    )
