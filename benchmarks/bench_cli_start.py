"""Benchmark: how long ``permed`` takes to start, against a bare ``python -c pass``.

Each round runs, one after the other in a fresh process each:

0. ``python -c pass`` (the baseline: the interpreter alone);
1. ``permed --help``;
2. ``permed transfer assess --help``;
3. a real ``permed transfer assess`` (DE -> CN genetic data, JSON out) in a fresh data directory.

Figures per command: median wall time, CPU time (user + system) and peak RSS over
the rounds, the wall time above the baseline's median and the ratio to it. On a
shared machine the CPU time is the steadier figure: wall time includes waiting
for a core. The issue's targets: (1) at most 0.3 s
above the baseline, (2) and (3) at most 0.6 s above it.

``--compare-src DIR`` runs the same commands with another checkout's ``src``
folder first on the path (e.g. the code before a change) in the same rounds, so
both are measured under the same load:

    .venv/bin/python benchmarks/bench_cli_start.py --rounds 9
    git archive 4a8e38f src | tar -x -C /tmp/before
    .venv/bin/python benchmarks/bench_cli_start.py --compare-src /tmp/before/src
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

ASSESS = [
    "transfer", "assess", "--from", "DE", "--to", "CN", "--data", "genetic",
    "--data", "pseudonymised", "--subjects", "800", "--purpose", "research",
    "--consent", "broad_research", "--format", "json",
]  # fmt: skip

COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", ["-c", "pass"], None),
    ("permed --help", ["-m", "permed_atlas", "--help"], 0.3),
    ("permed transfer assess --help", ["-m", "permed_atlas", "transfer", "assess", "--help"], 0.6),
    ("permed transfer assess (real run)", ["-m", "permed_atlas", *ASSESS], 0.6),
]


def run_once(arguments: list[str], *, src: Path, data_dir: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``python <arguments>`` process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PERMED_DATA_DIR": str(data_dir),
        "COLUMNS": "100",
        "NO_COLOR": "1",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *arguments], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"`python {' '.join(arguments)}` failed:\n{stderr}")
    # ru_maxrss is in kilobytes on Linux.
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="Runs of each command (median).")
    parser.add_argument(
        "--compare-src", type=Path, help="Another checkout's src folder, measured in the same run."
    )
    options = parser.parse_args()
    trees = {"this checkout": SRC}
    if options.compare_src:
        trees = {"compared": options.compare_src.resolve(), **trees}
    times: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    memory: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for _round in range(max(1, options.rounds)):
            # Interleaved, so that a change in the machine's load hits every command alike.
            for tree, src in trees.items():
                for label, arguments, _target in COMMANDS:
                    seconds, used, rss = run_once(arguments, src=src, data_dir=Path(scratch) / tree)
                    times.setdefault((tree, label), []).append(seconds)
                    cpu.setdefault((tree, label), []).append(used)
                    memory.setdefault((tree, label), []).append(rss)
    print(f"{options.rounds} rounds, medians; python: {sys.executable}")
    failed = False
    for tree, src in trees.items():
        baseline = statistics.median(times[(tree, COMMANDS[0][0])])
        print(f"\n{tree} ({src})")
        print(
            f"  {'command':36} {'seconds':>8} {'above':>7} {'ratio':>6} {'CPU s':>6} {'MB':>6}"
            "  target (wall time above the baseline)"
        )
        for label, _arguments, target in COMMANDS:
            median = statistics.median(times[(tree, label)])
            rss = statistics.median(memory[(tree, label)])
            used = statistics.median(cpu[(tree, label)])
            above = median - baseline
            verdict = ""
            if target is not None:
                ok = above <= target
                verdict = f"<= {target:.1f} s above: {'ok' if ok else 'MISSED'}"
                failed = failed or (tree == "this checkout" and not ok)
            print(
                f"  {label:36} {median:8.3f} {above:7.3f} {median / baseline:6.1f} "
                f"{used:6.3f} {rss:6.0f}  {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
