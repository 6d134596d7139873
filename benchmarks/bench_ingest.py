"""Ingest speed: wall time of `ingest_file` on a gzipped OpenAlex JSON Lines file, divided by
the floor measured in the same run (gunzip the same file and `orjson.loads` every line).

Target: ratio <= 2.5. Also prints records/s, and the same ratio in CPU seconds (this process
plus its parsing workers), which stays meaningful when other jobs share the machine.

    python benchmarks/bench_ingest.py                      # generates 200,000 works once, cached
    python benchmarks/bench_ingest.py --works 50000 --workers 1
    python benchmarks/bench_ingest.py --file part_000.gz   # any OpenAlex JSON Lines file
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import orjson

TARGET = 2.5


def generated_file(works: int, cache: Path) -> Path:
    """The cached generated file of ``works`` works, written once with the demo generator."""
    path = cache / f"openalex_{works}.jsonl.gz"
    if path.exists():
        return path
    from permed_atlas.demo import write_openalex_jsonl

    print(f"generating {works:,} works into {path} ...", flush=True)
    started = time.perf_counter()
    write_openalex_jsonl(path, works, seed=0)
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the parsing workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def floor_seconds(path: Path) -> tuple[float, float, int]:
    """Gunzip the file in 1 MiB blocks, split on b"\\n", orjson.loads every line."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    count = 0
    rest = b""
    with gzip.open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line.strip():
                    orjson.loads(line)
                    count += 1
    if rest.strip():
        orjson.loads(rest)
        count += 1
    return time.perf_counter() - started, cpu_seconds() - cpu, count


def ingest_seconds(path: Path, workers: int, directory: Path) -> tuple[float, float, str]:
    """Ingest into a fresh corpus file, as `permed ingest openalex --no-tag` does."""
    from permed_atlas.landscape.ingest import ingest_file
    from permed_atlas.landscape.store.corpus import open_corpus

    target = directory / "bench-corpus.duckdb"
    if target.exists():
        target.unlink()
    with open_corpus(target, memory_limit="192MB") as corpus:
        cpu = cpu_seconds()
        started = time.perf_counter()
        summary = ingest_file(path, source="openalex", corpus=corpus, workers=workers)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
    return seconds, cpu, summary.line()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=200_000)
    parser.add_argument("--file", type=Path, help="an existing OpenAlex JSON Lines file (.gz)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "permed-ingest-bench"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.file or generated_file(args.works, args.cache)
    size = path.stat().st_size / 2**20
    print(f"file: {path} ({size:,.0f} MiB), workers: {args.workers}, cores: {os.cpu_count()}")
    # The floor is run before and after the ingest and the faster run kept: the
    # ratio is then the stricter one when the machine's load changes.
    load = os.getloadavg()[0]
    floor_before, floor_cpu_before, count = floor_seconds(path)
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        ingest, ingest_cpu, line = ingest_seconds(path, args.workers, Path(scratch))
    floor_after, floor_cpu_after, _ = floor_seconds(path)
    floor = min(floor_before, floor_after)
    floor_cpu = min(floor_cpu_before, floor_cpu_after)
    ratio = ingest / floor
    print(f"load average at start:       {load:8.1f}")
    print(f"records:                     {count:,}")
    print(
        f"floor (gunzip+orjson.loads): {floor:8.2f} s wall, {floor_cpu:8.2f} s CPU "
        f"(wall runs: {floor_before:.2f}, {floor_after:.2f})"
    )
    print(f"ingest:                      {ingest:8.2f} s wall, {ingest_cpu:8.2f} s CPU -> {line}")
    print(f"records/s (ingest):          {count / ingest:10,.0f}")
    print(
        f"CPU ratio ingest / floor:    {ingest_cpu / floor_cpu:8.2f}  (CPU seconds of this "
        f"process and its {args.workers} parsing workers, over the floor's)"
    )
    print(
        f"ratio ingest / floor:        {ratio:8.2f}  (target <= {TARGET}) "
        f"{'PASS' if ratio <= TARGET else 'FAIL'}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
