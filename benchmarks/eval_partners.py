"""Evaluation: recall@20 of the partner finder against a popularity baseline, held out by year.

Profiles are built from works up to --split-year; the truth is every EU27–CN pair of
researchers whose first joint work is later. For each researcher with such a future
partner, the finder (TF-IDF, and embeddings with --embeddings) and the popularity
baseline (candidates ranked by output, then co-author degree, up to the split year)
rank the other region; recall@k is the share of future partners in the top k,
averaged over the researchers. ``random`` is k / candidates, what chance gives.

    # the bundled synthetic demo corpus (built into a temporary data directory)
    .venv/bin/python benchmarks/eval_partners.py --demo --split-year 2018
    # any corpus: a data directory whose corpus.duckdb is ingested and tagged
    .venv/bin/python benchmarks/eval_partners.py --data-dir big/ --split-year 2018 --embeddings

Read the figures with the corpus in mind: on synthetic data they show only what the
generator put in (see docs/partners.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from permed_atlas.partners.evaluation import evaluate_holdout
from permed_atlas.partners.store import region_countries, topic_labels
from permed_atlas.settings import Settings


def _demo_data_dir(folder: Path) -> Settings:
    from permed_atlas.demo import bundled_demo_files
    from permed_atlas.landscape import run_ingest

    settings = Settings(data_dir=folder)
    for source, path in bundled_demo_files().items():
        run_ingest([path], source=source, settings=settings)  # type: ignore[arg-type]
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--demo", action="store_true", help="the bundled demo corpus")
    where.add_argument("--data-dir", type=Path, help="a data directory with corpus.duckdb")
    parser.add_argument("--split-year", type=int, default=2018)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--regions", default="EU27,CN", help="two region set codes")
    parser.add_argument(
        "--max-queries",
        type=int,
        default=500,
        help="sample at most this many query researchers (0: all)",
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also measure --method embeddings (needs the extra)",
    )
    args = parser.parse_args(argv)
    pair = tuple(args.regions.split(","))
    if len(pair) != 2:
        parser.error("--regions needs two codes, e.g. EU27,CN")
    with tempfile.TemporaryDirectory() as scratch:
        settings = _demo_data_dir(Path(scratch)) if args.demo else Settings(data_dir=args.data_dir)
        methods: tuple[str, ...] = ("tfidf", "embeddings") if args.embeddings else ("tfidf",)
        embed = None
        if args.embeddings:
            from permed_atlas.partners.embeddings import profile_embeddings

            def embed(index):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                vectors = profile_embeddings(
                    connection, index, staged=True, cache_dir=settings.data_dir / "partners"
                )
                print(
                    f"profile embeddings of {len(index.keys):,} researchers: "
                    f"{time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                )
                return vectors

        with duckdb.connect(str(settings.corpus_path), read_only=True) as connection:
            works = connection.execute(
                "SELECT count(*), min(year), max(year) FROM works"
            ).fetchall()[0]
            result = evaluate_holdout(
                connection,
                split_year=args.split_year,
                k=args.k,
                regions=region_countries(settings),
                topic_labels=topic_labels(settings),
                region_pair=(pair[0], pair[1]),
                methods=methods,  # type: ignore[arg-type]
                embeddings=embed,
                max_queries=args.max_queries or None,
            )
    print(f"corpus: {works[0]:,} works, {works[1]}–{works[2]}; split after {result.split_year}")
    print(
        f"queries: {result.queries:,} researchers with {result.truth_pairs:,} future "
        f"{pair[0]}–{pair[1]} partners; {result.mean_candidates:,.0f} candidates each on average"
    )
    for note in result.notes:
        print(f"note: {note}")
    baseline = result.recall["popularity"]
    for name, value in result.recall.items():
        ratio = f"  ({value / baseline:.2f}x popularity)" if baseline else ""
        print(f"recall@{result.k} {name:<11} {value:.4f}{ratio}")
    print(f"seconds: {result.seconds:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
