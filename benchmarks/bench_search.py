"""Search and dashboard latency on a 1M-work corpus: through the HTTP API and directly on DuckDB.

The corpus is built once and kept (``--data``): a seed of real-format demo records
(``permed_atlas.demo``) goes through the real ingest pipeline, is scaled
up by SQL to ``--works`` works (each copy pairs one seed work's title, people and
institutions with another's abstract, and shifts years and citations), then the
real tagging and search index run on it.

Then 200 varied queries, each with three facets (half with search words too),
run through the HTTP API (in-process ASGI client) and the same queries directly
through ``search_works`` on a DuckDB connection; the ratio is what the web layer
costs. The dashboard JSON is timed the same way against ``compute_indicators``, over
``--dashboards`` filter combinations: each first requested once (cold: nothing about that
combination is cached, so every indicator is computed, from the aggregates tagging built),
then again (served from the app's cache); the raw queries are timed beside them.

Run: ``.venv/bin/python benchmarks/bench_search.py --works 1000000``, or
``--sizes 1000000,5000000`` to measure both and print how each p95 grows.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from permed_atlas.landscape.search_query import SearchQuery
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.indicators import LandscapeFilter, compute_indicators
from permed_atlas.landscape.store.search import (
    build_search_index,
    search_index_is_current,
    search_works,
    update_search_index,
)
from permed_atlas.landscape.store.tagging import needs_tagging
from permed_atlas.settings import Settings

SEARCH_TARGET_P95_MS = 150
DASHBOARD_TARGET_MS = 500
# At 5M works (issue #19): search p95 over HTTP and the cold dashboard's p95.
SCALE_TARGETS_MS = {"search p95 HTTP ms": 200, "dashboard cold p95 ms": 300}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ingest_seed(settings: Settings, seed_works: int, seed_patents: int) -> None:
    from permed_atlas.demo import write_demo_corpus
    from permed_atlas.landscape.ingest.pipeline import ingest_files

    folder = settings.data_dir / "seed-files"
    started = time.perf_counter()
    paths = write_demo_corpus(folder, works=seed_works, patents=seed_patents, seed=11)
    elapsed = time.perf_counter() - started
    _log(f"  generated {seed_works:,} works + {seed_patents:,} patents in {elapsed:.0f} s")
    started = time.perf_counter()
    with open_corpus(settings.corpus_path) as connection:
        ingest_files([paths["openalex"]], source="openalex", corpus=connection, workers=2)
        if "lens" in paths:
            ingest_files([paths["lens"]], source="patents", corpus=connection)
    _log(f"  ingested the seed in {time.perf_counter() - started:.0f} s")


def _scale_up(connection: duckdb.DuckDBPyConnection, target: int) -> None:
    seed_count, offset = connection.execute(
        "SELECT count(*), max(work_id) + 1 FROM works"
    ).fetchall()[0]
    copies = -(-target // seed_count) - 1
    if copies <= 0:
        return
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE seed AS "
        "SELECT row_number() OVER (ORDER BY work_id) - 1 AS rn, * FROM works"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE copies AS SELECT range AS k FROM range(1, $c + 1)",
        {"c": copies},
    )
    connection.execute(
        """
        INSERT INTO works (work_id, kind, sources, title, abstract, year, type, venue, language,
                           cited_by_count, family_id)
        SELECT s.work_id + c.k * $off, s.kind, s.sources, s.title, o.abstract,
               least(2025, greatest(2000, s.year + (c.k % 5) - 2)), s.type, s.venue, s.language,
               (coalesce(s.cited_by_count, 0) * (c.k % 3 + 1)) // 2,
               CASE WHEN s.kind = 'patent' THEN 'F' || (s.work_id + c.k * $off) END
        FROM seed s CROSS JOIN copies c
        JOIN seed o ON o.rn = (s.rn + c.k * 7919) % $n
        WHERE s.rn + c.k * $n < $target
        """,
        {"off": offset, "n": seed_count, "target": target},
    )
    for table, columns in (
        ("contributors", "position, role, name, author_id, orcid, raw_affiliation"),
        ("affiliations", "position, institution_id, institution_name, ror, country_code"),
        ("terms", "scheme, term, term_id, score"),
    ):
        connection.execute(
            f"INSERT INTO {table} (work_id, {columns}) "
            f"SELECT t.work_id + c.k * $off, "
            f"{', '.join('t.' + col.strip() for col in columns.split(','))} "
            f"FROM {table} t JOIN seed s ON s.work_id = t.work_id CROSS JOIN copies c "
            "WHERE t.work_id < $off AND s.rn + c.k * $n < $target",
            {"off": offset, "n": seed_count, "target": target},
        )


def _tag(settings: Settings) -> None:
    from permed_atlas.landscape.regions import load_region_sets
    from permed_atlas.landscape.store.tagging import tag_corpus
    from permed_atlas.landscape.topics import load_rules

    started = time.perf_counter()
    with open_corpus(settings.corpus_path) as connection:
        summary = tag_corpus(connection, regions=load_region_sets(settings), rules=load_rules())
    _log(
        f"  tagged in {time.perf_counter() - started:.0f} s "
        f"({summary.pm_relevant:,} PM-relevant, {summary.eu_cn:,} EU–China)"
    )


def build_corpus(settings: Settings, *, works: int, seed_works: int) -> None:
    """Build (or reuse) the benchmark corpus in ``settings.data_dir``."""
    settings.ensure_data_dir()
    if settings.corpus_path.exists():
        with duckdb.connect(str(settings.corpus_path), read_only=True) as connection:
            count = connection.execute("SELECT count(*) FROM works").fetchall()[0][0]
            tagged = connection.execute("SELECT count(*) FROM work_flags").fetchall()[0][0]
            stale = needs_tagging(connection)
        if count >= works:
            _log(f"reusing the corpus at {settings.corpus_path} ({count:,} works)")
            # A build stopped while tagging (5M works take long) keeps its scaled-up works.
            if stale or tagged < count:
                _tag(settings)  # tagging added derived tables since this corpus was built
            with duckdb.connect(str(settings.corpus_path), read_only=True) as connection:
                current = search_index_is_current(connection)
            if not current:
                # In full when its version changed; otherwise only what is missing or stale
                # (an index built before search_cell_counts gets just the cells).
                started = time.perf_counter()
                with open_corpus(settings.corpus_path) as connection:
                    done = update_search_index(connection)
                _log(f"  search index brought up to date in {time.perf_counter() - started:.0f} s")
                _log(f"  ({done})")
            return
        settings.corpus_path.unlink()
    _log(f"building a {works:,}-work corpus in {settings.data_dir}")
    _ingest_seed(settings, seed_works, max(1, seed_works // 100))
    with open_corpus(settings.corpus_path) as connection:
        started = time.perf_counter()
        _scale_up(connection, works)
        total = connection.execute("SELECT count(*) FROM works").fetchall()[0][0]
        _log(f"  scaled up to {total:,} works in {time.perf_counter() - started:.0f} s")
    _tag(settings)
    with open_corpus(settings.corpus_path) as connection:
        started = time.perf_counter()
        build_search_index(connection)
        _log(f"  search index built in {time.perf_counter() - started:.0f} s")
        connection.execute("CHECKPOINT")


FACETS = ("region", "country", "topic", "year", "kind", "eu_cn", "pm_relevant", "institution")


def make_queries(connection: duckdb.DuckDBPyConnection, n: int, seed: int = 5) -> list[SearchQuery]:
    """``n`` varied queries with exactly three facets each; every other one has search words."""
    rng = random.Random(seed)
    values: dict[str, list[str]] = {}
    for dim in ("region", "country", "topic", "institution"):
        rows = connection.execute(
            "SELECT value FROM search_facet_values WHERE dim = ? ORDER BY n DESC LIMIT 25", [dim]
        ).fetchall()
        values[dim] = [r[0] for r in rows]
    n_docs = connection.execute("SELECT count(*) FROM search_docs").fetchall()[0][0]
    # Words found in 0.05% to 5% of works: what people search for, not "study" or "patient".
    words = [
        r[0]
        for r in connection.execute(
            "SELECT term FROM search_terms WHERE df BETWEEN $lo AND $hi AND length(term) > 4 "
            "ORDER BY df DESC LIMIT 300",
            {"lo": max(2, n_docs // 2000), "hi": max(10, n_docs // 20)},
        ).fetchall()
    ]
    queries = []
    for i in range(n):
        chosen = rng.sample(FACETS, 3)
        fields: dict[str, object] = {}
        for facet in chosen:
            if facet in values and values[facet]:
                fields[
                    {
                        "region": "regions",
                        "country": "countries",
                        "topic": "topics",
                        "institution": "institutions",
                    }[facet]
                ] = (rng.choice(values[facet][:12]),)
            elif facet == "year":
                start = rng.randint(2000, 2020)
                fields["year_from"], fields["year_to"] = start, start + rng.randint(0, 6)
            elif facet == "kind":
                fields["kind"] = rng.choice(["publication", "publication", "patent"])
            else:
                fields[facet] = rng.random() < 0.5
        text = " ".join(rng.sample(words, rng.choice([1, 1, 2]))) if i % 2 == 0 else ""
        sort = rng.choice(["relevance", "year", "citations"])
        queries.append(SearchQuery(text=text, sort=sort, page=rng.choice([1, 1, 1, 2]), **fields))  # type: ignore[arg-type]
    return queries


FIXED_DASHBOARDS: list[dict[str, str]] = [
    {},
    {"region": "EU27"},
    {"kind": "publication", "pm_relevant": "yes"},
    {"country": "CN", "year_from": "2015"},
    {"region": "CN", "eu_cn": "yes"},
    {"topic": "oncology", "year_from": "2010", "year_to": "2020"},
    {"kind": "patent"},
    {"country": "DE", "topic": "oncology"},
]


def dashboard_filters(
    connection: duckdb.DuckDBPyConnection, n: int, seed: int = 7
) -> list[dict[str, str]]:
    """The fixed dashboard filters, then random ones (0-3 facets) up to ``n`` in all."""
    rng = random.Random(seed)
    values = {
        dim: [
            r[0]
            for r in connection.execute(
                "SELECT value FROM search_facet_values WHERE dim = ? ORDER BY n DESC LIMIT 20",
                [dim],
            ).fetchall()
        ]
        for dim in ("region", "country", "topic", "institution")
    }
    chosen = [dict(params) for params in FIXED_DASHBOARDS]
    seen = {tuple(sorted(params.items())) for params in chosen}
    while len(chosen) < n:
        params: dict[str, str] = {}
        for facet in rng.sample(FACETS, rng.choice([1, 2, 2, 3])):
            if facet in values and values[facet]:
                params[facet] = rng.choice(values[facet])
            elif facet == "year":
                start = rng.randint(2000, 2020)
                params["year_from"], params["year_to"] = str(start), str(start + rng.randint(0, 8))
            elif facet == "kind":
                params["kind"] = rng.choice(["publication", "publication", "patent"])
            elif facet in ("eu_cn", "pm_relevant"):
                params[facet] = rng.choice(["yes", "no"])
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            chosen.append(params)
    return chosen[:n]


def landscape_filter_of(params: dict[str, str]) -> LandscapeFilter:
    """The indicators' filter of dashboard query parameters (as the route parses them)."""
    flag = {"yes": True, "no": False}
    return LandscapeFilter(
        region=params.get("region"),
        country=params.get("country"),
        institution=params.get("institution"),
        topic=params.get("topic"),
        kind=params.get("kind"),
        year_from=int(params["year_from"]) if "year_from" in params else None,
        year_to=int(params["year_to"]) if "year_to" in params else None,
        eu_cn=flag.get(params.get("eu_cn", "")),
        pm_relevant=flag.get(params.get("pm_relevant", "")),
    )


def to_params(query: SearchQuery) -> str:
    from permed_atlas.landscape.routes import query_pairs

    return urlencode(query_pairs(query))


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95, ordered[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(v) for v in text.split(",")],
        help="several corpus sizes, e.g. 1000000,5000000: each is measured (corpus cached in "
        "--data/<size>) and the growth of each p95 from the first to the last is printed",
    )
    parser.add_argument("--seed-works", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data", type=Path, default=Path("benchmarks/out/search-1m"))
    parser.add_argument(
        "--dashboards",
        type=int,
        default=40,
        help="dashboard filter combinations, each requested cold then again",
    )
    parser.add_argument(
        "--raw-dashboards",
        type=int,
        default=8,
        help="of those, how many also to time on the raw queries (slow)",
    )
    args = parser.parse_args()
    if not args.sizes:
        return 0 if measure(args, args.works, args.data) else 1
    figures = {size: measure(args, size, args.data / str(size)) for size in args.sizes}
    first, last = args.sizes[0], args.sizes[-1]
    print(f"growth from {first:,} to {last:,} works ({last / first:.0f}x the works):")
    for name in figures[first]:
        a, b = figures[first][name], figures[last][name]
        target = SCALE_TARGETS_MS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  (<= {target} ms: {'met' if b <= target else 'NOT met'})"
        print(f"  {name:28} {a:9.1f} -> {b:9.1f}   x{b / a:.2f}{verdict}")
    return 0


def measure(args: argparse.Namespace, works: int, data: Path) -> dict[str, float]:
    """Build (once) and measure a corpus of ``works`` works; the p95s (ms) by name, or an
    empty dict when a request failed."""
    settings = Settings(
        data_dir=data, secret_key="bench-secret-key-0123456789-abcdefghij", environment="test"
    )
    build_corpus(settings, works=works, seed_works=args.seed_works)

    from fastapi.testclient import TestClient

    from permed_atlas.web.app import create_app

    direct = duckdb.connect(str(settings.corpus_path), read_only=True)
    n_works = direct.execute("SELECT count(*) FROM works").fetchall()[0][0]
    queries = make_queries(direct, args.queries)
    urls = [f"/api/v1/landscape/search?{to_params(q)}" for q in queries]

    app = create_app(settings)
    with TestClient(app) as client:
        client.get(urls[0])  # opens the corpus once, as a running server would have
        for url in urls[:10]:
            client.get(url)
        http_ms, direct_ms, totals, http_cpu = [], [], [], []
        for query, url in zip(queries, urls, strict=True):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            http_ms.append((time.perf_counter() - started) * 1000)
            http_cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} -> {response.status_code}: {response.text[:300]}")
            totals.append(response.json()["total"])
            started = time.perf_counter()
            result = search_works(direct, query)
            direct_ms.append((time.perf_counter() - started) * 1000)
            assert result.total == totals[-1]

        s50, s95, smax = percentiles(http_ms)
        d50, d95, dmax = percentiles(direct_ms)
        load = os.getloadavg()[0]
        print(
            f"corpus: {n_works:,} works; {len(queries)} search queries with 3 facets each "
            f"(half with words); results per query: median {statistics.median(totals):,.0f}; "
            f"1-min load average {load:.1f} on {os.cpu_count()} cores"
        )
        print(f"{'':34}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
        print(f"{'search via HTTP API':34}{s50:10.1f}{s95:10.1f}{smax:10.1f}")
        print(f"{'search direct on DuckDB':34}{d50:10.1f}{d95:10.1f}{dmax:10.1f}")
        u50, u95, umax = percentiles(http_cpu)  # CPU ms of all threads: what load cannot inflate
        print(f"{'  CPU ms, search via HTTP':34}{u50:10.1f}{u95:10.1f}{umax:10.1f}")
        print(f"{'  ratio HTTP / direct':34}{s50 / d50:10.2f}{s95 / d95:10.2f}")
        print(
            f"target search p95 <= {SEARCH_TARGET_P95_MS} ms: "
            f"{'met' if s95 <= SEARCH_TARGET_P95_MS else 'NOT met'}",
            flush=True,
        )

        dash_filters = dashboard_filters(direct, args.dashboards)
        cold, warm, direct_dash = [], [], []
        cold_cpu, direct_cpu = [], []  # CPU ms of all threads: what the load cannot inflate
        # Every filter combination is new to the app's dashboard cache on the first pass (a
        # cold request computes every indicator); the second pass is answered from the cache.
        for attempt, cpu in ((cold, cold_cpu), (warm, [])):
            for params in dash_filters:
                url = "/api/v1/landscape/dashboard?" + urlencode(params)
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                attempt.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                if response.status_code != 200:
                    print(f"dashboard {url} -> {response.status_code}: {response.text[:200]}")
                    return {}
        for params in dash_filters:
            started, started_cpu = time.perf_counter(), time.process_time()
            compute_indicators(direct, landscape_filter_of(params))
            direct_dash.append((time.perf_counter() - started) * 1000)
            direct_cpu.append((time.process_time() - started_cpu) * 1000)
        raw_dash = []
        for params in dash_filters[: args.raw_dashboards]:
            started = time.perf_counter()
            compute_indicators(direct, landscape_filter_of(params), use_aggregates=False)
            raw_dash.append((time.perf_counter() - started) * 1000)

    b50, b95, bmax = percentiles(cold)
    w50, w95, wmax = percentiles(warm)
    c50, c95, cmax = percentiles(direct_dash)
    print(
        f"dashboard: {len(dash_filters)} filter combinations (the 8 fixed ones, then 0-3 "
        f"random facets each, incl. institution); 1-min load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'dashboard JSON via HTTP, first':34}{b50:10.1f}{b95:10.1f}{bmax:10.1f}")
    print(f"{'dashboard JSON via HTTP, repeated':34}{w50:10.1f}{w95:10.1f}{wmax:10.1f}")
    print(f"{'dashboard direct (indicators)':34}{c50:10.1f}{c95:10.1f}{cmax:10.1f}")
    for label, samples in (("  CPU ms, HTTP first", cold_cpu), ("  CPU ms, direct", direct_cpu)):
        p50, p95, pmax = percentiles(samples)
        print(f"{label:34}{p50:10.1f}{p95:10.1f}{pmax:10.1f}")
    if raw_dash:
        r50, r95, rmax = percentiles(raw_dash)
        print(
            f"{'dashboard direct, raw queries':34}{r50:10.1f}{r95:10.1f}{rmax:10.1f}"
            f"   (first {len(raw_dash)}, without the aggregates)"
        )
    print(f"{'  ratio HTTP first / direct':34}{b50 / c50:10.2f}{b95 / c95:10.2f}")
    print(
        f"target dashboard <= {DASHBOARD_TARGET_MS} ms: first request "
        f"{'met' if b95 <= DASHBOARD_TARGET_MS else 'NOT met'}, repeated "
        f"{'met' if w95 <= DASHBOARD_TARGET_MS else 'NOT met'} (p95)",
        flush=True,
    )
    return {
        "search p95 HTTP ms": s95,
        "dashboard cold p95 ms": b95,
        "dashboard repeated p95 ms": w95,
    }


if __name__ == "__main__":
    raise SystemExit(main())
