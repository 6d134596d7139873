"""Ingest memory: peak RSS of a process ingesting 100k and 1M generated OpenAlex works.

Each ingest runs in a fresh subprocess (this script with --child) that reports its own
ru_maxrss, the figure judged, and the largest of its parsing workers' (forked from it, so
much of their RSS is pages shared with it; shown, not added). Targets: the 1M peak
<= 1 GiB and <= 1.3x the 100k peak (memory stays flat as the corpus grows).

    python benchmarks/bench_ingest_memory.py                   # 100k and 1M, cached files
    python benchmarks/bench_ingest_memory.py --sizes 20000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIB = 2**30
MAX_PEAK = 1 * GIB
MAX_GROWTH = 1.3


def child(path: Path, corpus: Path, workers: int) -> None:
    """Ingest ``path`` into ``corpus`` and print the peaks as JSON (runs in the subprocess)."""
    from permed_atlas.landscape.ingest import ingest_file
    from permed_atlas.landscape.store.corpus import open_corpus

    started = time.perf_counter()
    with open_corpus(corpus, memory_limit="192MB") as connection:
        summary = ingest_file(path, source="openalex", corpus=connection, workers=workers)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"self": own, "workers": workers_peak, "line": summary.line(),
                      "seconds": time.perf_counter() - started}))


def measure(path: Path, workers: int, scratch: Path) -> dict[str, float]:
    corpus = scratch / f"{path.stem}.duckdb"
    if corpus.exists():
        corpus.unlink()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(corpus), "--workers", str(workers)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"ingest of {path} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "permed-ingest-bench"
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.workers)
        return 0
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_ingest import generated_file

    args.cache.mkdir(parents=True, exist_ok=True)
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        for size in args.sizes:
            path = generated_file(size, args.cache)
            figures = measure(path, args.workers, Path(scratch))
            peaks[size] = figures["self"]
            print(f"{size:>10,} works: peak RSS {figures['self'] / 2**20:7.0f} MiB "
                  f"(largest parsing worker {figures['workers'] / 2**20:.0f} MiB) "
                  f"in {figures['seconds']:.0f} s  [{figures['line']}]")
    smallest, largest = min(peaks), max(peaks)
    growth = peaks[largest] / peaks[smallest]
    ok = peaks[largest] <= MAX_PEAK and growth <= MAX_GROWTH
    print(f"peak at {largest:,}: {peaks[largest] / 2**20:.0f} MiB (target <= 1024 MiB); "
          f"{growth:.2f}x the peak at {smallest:,} (target <= {MAX_GROWTH}) "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
