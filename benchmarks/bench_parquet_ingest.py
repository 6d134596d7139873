"""Parquet ingest speed: works/s of the DuckDB Parquet path over the JSON Lines path, same works.

The demo generator's works (the real OpenAlex work schema) are written once as gzipped
JSON Lines and as Parquet (``sources.parquet_write``), both cached; each is ingested into
a fresh corpus (as ``permed sync openalex-snapshot`` does, without tagging) in this one
run, and the ratio of works/s is printed. Target: ratio >= 10.

Also times ``--pm-only``: the PM rules evaluated inside the Parquet scan, storing only
the PM slice.

    python benchmarks/bench_parquet_ingest.py                    # 200,000 works, cached
    python benchmarks/bench_parquet_ingest.py --works 50000 --workers 1
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET = 10.0


def generated_files(works: int, cache: Path) -> tuple[Path, Path]:
    """The cached JSON Lines and Parquet copies of the same ``works`` demo works."""
    jsonl = cache / f"openalex_{works}.jsonl.gz"
    parquet = cache / f"openalex_{works}.parquet"
    if not jsonl.exists():
        from permed_atlas.demo import write_openalex_jsonl

        print(f"generating {works:,} works into {jsonl} ...", flush=True)
        write_openalex_jsonl(jsonl, works, seed=0)
    if not parquet.exists():
        import gzip

        import orjson

        from permed_atlas.sources.parquet_write import write_works_parquet

        print(f"writing the same works as Parquet into {parquet} ...", flush=True)
        with gzip.open(jsonl, "rb") as stream:
            write_works_parquet((orjson.loads(line) for line in stream if line.strip()), parquet)
    return jsonl, parquet


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the JSON Lines workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _fresh(directory: Path, name: str) -> Path:
    target = directory / name
    target.unlink(missing_ok=True)
    return target


def jsonl_seconds(path: Path, workers: int, directory: Path) -> tuple[float, int]:
    """Ingest the JSON Lines file into a fresh corpus: (seconds, works stored)."""
    from permed_atlas.landscape import ingest_file, open_corpus

    with open_corpus(_fresh(directory, "jsonl.duckdb"), memory_limit="192MB") as corpus:
        started = time.perf_counter()
        summary = ingest_file(path, source="openalex", corpus=corpus, workers=workers)
        return time.perf_counter() - started, summary.stored


def parquet_seconds(path: Path, directory: Path, *, pm_only: bool) -> tuple[float, int, int]:
    """Ingest the Parquet file into a fresh corpus: (seconds, works scanned, works stored)."""
    from permed_atlas.landscape import load_rules, open_corpus, rules_path_for
    from permed_atlas.sources.parquet_ingest import ingest_parquet

    rules = load_rules(rules_path_for(directory)) if pm_only else None
    with open_corpus(_fresh(directory, "parquet.duckdb")) as corpus:
        started = time.perf_counter()
        summary = ingest_parquet([path], corpus=corpus, pm_rules=rules)
        return time.perf_counter() - started, summary.scanned, summary.stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=200_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="JSON Lines parsing processes (the CLI picks 2 on big files)",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "permed-parquet-bench"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    jsonl, parquet = generated_files(args.works, args.cache)
    print(
        f"works: {args.works:,}; JSON Lines {jsonl.stat().st_size / 2**20:,.0f} MiB, "
        f"Parquet {parquet.stat().st_size / 2**20:,.0f} MiB; JSON Lines workers: "
        f"{args.workers}; cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        directory = Path(scratch)
        cpu = _cpu_seconds()
        json_s, json_stored = jsonl_seconds(jsonl, args.workers, directory)
        cpu, json_cpu = _cpu_seconds(), _cpu_seconds() - cpu
        pq_s, scanned, pq_stored = parquet_seconds(parquet, directory, pm_only=False)
        pq_cpu = _cpu_seconds() - cpu
        pm_s, pm_scanned, pm_stored = parquet_seconds(parquet, directory, pm_only=True)
    if json_stored != pq_stored:
        print(f"FAIL: JSON Lines stored {json_stored:,} works, Parquet {pq_stored:,}")
        return 1
    json_rate, pq_rate = json_stored / json_s, pq_stored / pq_s
    ratio = pq_rate / json_rate
    print(f"JSON Lines ingest:   {json_s:8.2f} s  {json_rate:12,.0f} works/s  CPU {json_cpu:.2f} s")
    print(f"Parquet ingest:      {pq_s:8.2f} s  {pq_rate:12,.0f} works/s  CPU {pq_cpu:.2f} s")
    print(
        f"Parquet --pm-only:   {pm_s:8.2f} s  {pm_scanned / pm_s:12,.0f} works scanned/s, "
        f"{pm_stored:,} PM works of {pm_scanned:,} stored"
    )
    print(
        f"ratio Parquet / JSON Lines works/s: {ratio:6.1f}  (target >= {TARGET:.0f}) "
        f"{'PASS' if ratio >= TARGET else 'FAIL'}"
    )
    # Other work on the machine stretches wall time, not CPU time: the CPU ratio (all
    # processes and threads of each path) shows what the code costs when the load varies.
    print(f"ratio of CPU seconds, JSON Lines / Parquet: {json_cpu / pq_cpu:6.1f}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
