"""Benchmark: 50 experts on the Delphi HTML form plus 40 API readers, over real HTTP.

Starts uvicorn on a free loopback port with a fresh data directory (SQLite, or the
PostgreSQL database named by --postgres, which must be empty), builds a study with
one open round, then runs the load of tests/security/load.py --repeat times and
prints per request kind the median and p95 latency, errors, unanswered requests
and ratings lost. Baseline in the same run: the API read alone, sequentially.

    PYTHONPATH=src python benchmarks/bench_web_load.py
    PYTHONPATH=src python benchmarks/bench_web_load.py --postgres postgresql+psycopg://u@h/db
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from tests.security.load import build_study, run_load, serve  # noqa: E402

from permed_atlas.settings import Settings  # noqa: E402
from permed_atlas.web.app import create_app  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--reads-each", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="load runs (fresh study each)")
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), secret_key="b" * 40, environment="test", database_url=args.postgres
        )
        app = create_app(settings)
        failures = 0
        with serve(app) as base_url:
            for run in range(1, args.repeat + 1):
                study = build_study(app, experts=args.experts, slug=f"load-{run}")
                with httpx.Client(base_url=base_url) as http:
                    alone = []
                    for _ in range(20):
                        start = time.perf_counter()
                        http.get(f"/api/v1/delphi/studies/{study.study.id}").raise_for_status()
                        alone.append(time.perf_counter() - start)
                result = run_load(
                    app, base_url, study, readers=args.readers, reads_each=args.reads_each
                )
                unanswered = result.sent - result.answered
                failures += len(result.errors) + unanswered + result.lost
                print(
                    f"run {run}: {result.sent} requests in {result.wall_s:.2f} s, "
                    f"errors {len(result.errors)}, unanswered {unanswered}, "
                    f"ratings lost {result.lost} of {result.ratings_expected}"
                )
                baseline = statistics.median(alone)
                print(f"  API GET alone (baseline): median {baseline * 1000:.1f} ms")
                for kind in sorted(result.latencies):
                    print(
                        f"  {kind:<15} n={len(result.latencies[kind]):<4} "
                        f"median {result.median(kind) * 1000:7.1f} ms  "
                        f"p95 {result.p95(kind) * 1000:7.1f} ms  "
                        f"p95/baseline {result.p95(kind) / baseline:6.1f}"
                    )
                for error in result.errors[:5]:
                    print(f"  ! {error}")
        app.state.engine.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
