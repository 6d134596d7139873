"""Benchmark: do the cheap pages stay fast while a burst of heavy requests runs?

Starts uvicorn on a free loopback port with a fresh data directory holding the bundled demo
corpus (2,500 works, 300 patents, partner profiles) and a hub registry of biobank nodes that
accept connections and never answer (a stuck site; each node's time limit is 3 s). Then, per
family of expensive requests, a prober requests the cheap pages (login form, home, a Delphi
expert's rating form) one after another every 100 ms, first alone (idle), then while
--clients clients send distinct requests of that family (filters no cache has seen), each
sending the next as soon as it has an answer, for --seconds. Printed per family: the cheap
pages' p95 idle and during the burst and their ratio (the headline), errors on the cheap
pages, the heavy answers by status (503 must carry Retry-After; anything else of 5xx, a
dropped connection or a timeout counts as bad), peak memory (PSS of this process and its
Chromium children) and open files.

    PYTHONPATH=src python benchmarks/bench_burst.py
    PYTHONPATH=src python benchmarks/bench_burst.py --families dashboard,pdf --clients 40

The families "helpdesk compare", "helpdesk entries" and "login form" are not gated: pages
about as cheap as the prober's, to compare with (a flood of them is a request rate). Exits 1
when a cheap page failed, a heavy answer was bad, or a gated family's ratio exceeds
--max-ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.security.burst import (  # noqa: E402
    FAMILIES,
    UNGATED,
    build_demo_corpus,
    quantile,
    run_burst,
    silent_nodes,
    write_registry,
)
from tests.security.load import build_study, serve  # noqa: E402

from permed_atlas.settings import Settings  # noqa: E402
from permed_atlas.web.app import create_app  # noqa: E402

NODE_TIMEOUT_S = 3.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated")
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--max-ratio", type=float, default=100.0)
    args = parser.parse_args()
    families = [name.strip() for name in args.families.split(",") if name.strip()]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
    with tempfile.TemporaryDirectory() as tmp, silent_nodes(3) as nodes:
        settings = Settings(data_dir=Path(tmp), secret_key="b" * 40, environment="test")
        _log("building the demo corpus ...")
        with contextlib.redirect_stdout(io.StringIO()):
            build_demo_corpus(settings)
        write_registry(settings.data_dir, nodes, timeout_s=NODE_TIMEOUT_S)
        app = create_app(settings)
        study = build_study(app, experts=1)
        cheap = ["/login", "/", f"/delphi/respond/{study.tokens[study.experts[0].id]}"]
        failures = 0
        # read from the app, so that the same script measures a build without the gates
        gates = getattr(app.state, "gates", {})
        places = ", ".join(f"{kind} {gate.capacity}" for kind, gate in gates.items()) or "none"
        print(
            f"{args.clients} clients for {args.seconds:g} s per family; cheap pages: login, "
            f"home, rating form; places at once: {places}"
        )
        print(
            f"{'family':<15} {'idle p95':>9} {'burst p95':>10} {'max':>8} {'ratio':>6}  "
            f"{'cheap err':>9}  heavy answers (bad)  memory, open files"
        )
        with serve(app) as base_url:
            for family in families:
                result = run_burst(
                    base_url, family, cheap, clients=args.clients, seconds=args.seconds
                )
                statuses = " ".join(f"{k}:{v}" for k, v in sorted(result.heavy.items()))
                print(
                    f"{family:<15} {quantile(result.idle, 0.95) * 1000:7.0f} ms "
                    f"{quantile(result.during, 0.95) * 1000:7.0f} ms "
                    f"{max(result.during, default=0) * 1000:5.0f} ms {result.ratio:6.1f}  "
                    f"{len(result.cheap_errors):>9}  {statuses} ({len(result.heavy_bad)})  "
                    f"{result.base_mib:.0f} -> {result.peak_mib:.0f} MiB "
                    f"({result.peak_children} children), {result.peak_fds} fds",
                    flush=True,
                )
                for problem in (result.cheap_errors + result.heavy_bad)[:3]:
                    print(f"  ! {problem[:300]}")
                failures += len(result.cheap_errors) + len(result.heavy_bad)
                # an ungated family is there to compare with: its ratio is what a flood costs
                failures += family not in UNGATED and result.ratio > args.max_ratio
        app.state.corpus.close()
        app.state.engine.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
