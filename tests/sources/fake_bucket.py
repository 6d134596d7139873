"""A snapshot bucket built from the real OpenAlex records in ../shared/realdata, served on
loopback over real sockets.

Serves files under a root folder by key, answers Range requests like S3 (206 with
Content-Range), lists keys like ListObjectsV2 (``/?list-type=2&prefix=...``) and,
per key, plays queued faults: ``429`` (Too Many Requests with Retry-After),
``drop`` (headers for the whole file, half the body, then the connection
closes), ``truncate`` (a short body whose Content-Length matches it: only the
manifest's size shows the cut) and ``slow`` (the body trickles, for kill tests).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import orjson


@dataclass
class Bucket:
    """The served folder, the faults still to play and every request seen."""

    root: Path
    faults: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, key: str, *faults: str) -> None:
        """Queue faults for the next requests of ``key``."""
        with self.lock:
            self.faults[key].extend(faults)

    def requested(self, key: str) -> list[str | None]:
        """The Range headers of every request of ``key`` (None: no Range)."""
        with self.lock:
            return [rng for path, rng in self.requests if path == key]

    def next_fault(self, key: str) -> str | None:
        with self.lock:
            queue = self.faults.get(key)
            return queue.popleft() if queue else None


def _handler(bucket: Bucket) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            parts = urlsplit(self.path)
            key = parts.path.lstrip("/")
            with bucket.lock:
                bucket.requests.append((key or "?" + parts.query, self.headers.get("Range")))
            if not key:
                self._listing(parse_qs(parts.query).get("prefix", [""])[0])
                return
            file = bucket.root / key
            if not file.is_file():
                self._send(404, b"NoSuchKey")
                return
            data = file.read_bytes()
            fault = bucket.next_fault(key)
            if fault == "429":
                self._send(429, b"SlowDown", {"Retry-After": "0"})
                return
            if fault == "truncate":
                self._send(200, data[: len(data) * 2 // 3])
                return
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                    return
            body = data[start:]
            self.send_response(206 if match else 200)
            self.send_header("Content-Length", str(len(body)))
            if match:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if fault == "drop":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if fault == "slow":
                for offset in range(0, len(body), 4096):
                    self.wfile.write(body[offset : offset + 4096])
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            self.wfile.write(body)

        def _listing(self, prefix: str) -> None:
            keys = sorted(
                str(p.relative_to(bucket.root)) for p in bucket.root.rglob("*") if p.is_file()
            )
            items = "".join(
                f"<Contents><Key>{escape(k)}</Key><Size>{(bucket.root / k).stat().st_size}"
                "</Size></Contents>"
                for k in keys
                if k.startswith(prefix)
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Name>openalex</Name><Prefix>{escape(prefix)}</Prefix>"
                f"<IsTruncated>false</IsTruncated>{items}</ListBucketResult>"
            )
            self._send(200, xml.encode(), {"Content-Type": "application/xml"})

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class BucketServer:
    """The server thread; ``url`` is its base address."""

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(bucket))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> BucketServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


REAL_FILES = (
    "openalex_works_api_search_neuroscience_100.jsonl",
    "openalex_works_api_search_biodiversity_finance_200.jsonl",
    "openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl",
)


def real_records(realdata: Path, name: str) -> list[dict[str, Any]]:
    """The works of one real JSON Lines file."""
    lines = (realdata / "openalex" / name).read_bytes().splitlines()
    return [orjson.loads(line) for line in lines if line.strip()]


class SnapshotBucket:
    """Writes partitions, manifests and merged-id files the way the OpenAlex bucket has them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, list[dict[str, Any]]] = {"jsonl": [], "parquet": []}

    def add_jsonl(self, day: str, parts: list[list[dict[str, Any]]]) -> list[str]:
        """A partition ``updated_date=day`` of gzipped JSON Lines parts; returns their keys."""
        keys = []
        for number, records in enumerate(parts):
            key = f"data/works/updated_date={day}/part_{number:03d}.gz"
            data = gzip.compress(b"".join(orjson.dumps(dated(r, day)) + b"\n" for r in records))
            self._write(key, data)
            self.entries["jsonl"].append(_entry(key, len(data), len(records)))
            keys.append(key)
        self._manifest("jsonl")
        return keys

    def add_parquet(self, day: str, parts: list[list[dict[str, Any]]]) -> list[str]:
        """A partition of Parquet parts in the assumed ``data/works-parquet`` layout."""
        from permed_atlas.sources.parquet_write import write_works_parquet

        keys = []
        for number, records in enumerate(parts):
            key = f"data/works-parquet/updated_date={day}/part_{number:03d}.parquet"
            path = self.root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            write_works_parquet([dated(r, day) for r in records], path)
            self.entries["parquet"].append(_entry(key, path.stat().st_size, len(records)))
            keys.append(key)
        self._manifest("parquet")
        return keys

    def add_merged(self, day: str, pairs: list[tuple[str, str]]) -> str:
        """A merged-ids file: each (merged-away id, id it was merged into)."""
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["merge_date", "id", "merge_into_id"])
        for old, new in pairs:
            writer.writerow([day, old, new])
        key = f"data/merged_ids/works/{day}.csv.gz"
        self._write(key, gzip.compress(text.getvalue().encode()))
        return key

    def _write(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def _manifest(self, fmt: str) -> None:
        entries = self.entries[fmt]
        manifest = {
            "entries": entries,
            "meta": {
                "content_length": sum(e["meta"]["content_length"] for e in entries),
                "record_count": sum(e["meta"]["record_count"] for e in entries),
            },
        }
        folder = "works" if fmt == "jsonl" else "works-parquet"
        self._write(f"data/{folder}/manifest", orjson.dumps(manifest))


def dated(record: dict[str, Any], day: str) -> dict[str, Any]:
    """The record as a partition of ``day`` holds it (its updated_date is that day)."""
    return {**record, "updated_date": f"{day}T00:00:00.000000"}


def _entry(key: str, size: int, records: int) -> dict[str, Any]:
    return {
        "url": f"s3://openalex/{key}",
        "meta": {"content_length": size, "record_count": records},
    }
