"""Incremental tagging: an update of 10,000 works into an N-work corpus vs tagging it whole.

In one run, on one corpus of N works made with the demo OpenAlex generator and ingested:

1. full: tag the whole corpus (tags, derived tables, aggregates), timed;
2. update: ingest a file of 10,000 works (9,000 new, 1,000 already stored that come again
   with an extra affiliation, so the ingest rewrites them) and tag what changed, timed
   together; the aggregates are updated by delta (aggregates_delta.py);
3. check: checksums of every tag and aggregate table, then a second full tagging, whose
   tables must give the same checksums (institution numbers compared through their keys).

Prints both times and their ratio (target <= 0.15). The search index is timed apart (it is
not tagging): built whole after the full tagging, then updated after the update's tagging
(only the changed works' rows, search_index.py), and the ratio of the two is printed; its
check compares the updated index's tables and the answers of a few searches with those of
a full rebuild made right after.

    python benchmarks/bench_incremental.py                  # N = 1,000,000
    python benchmarks/bench_incremental.py --works 100000 --update 10000
    python benchmarks/bench_incremental.py --scale-from 100000   # 1M made from 100k in SQL

The generated file and the ingested, untagged corpus are cached under --cache (default
benchmarks/out/incremental, git-ignored); a run copies the cached corpus and works on the
copy. The machine's load average is printed beside the figures: on a shared machine the
ratio, measured in the same run, is the figure to trust.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from permed_atlas import demo
from permed_atlas.landscape.ingest import ingest_files
from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.search_query import SearchQuery
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.search import build_search_index, search_works
from permed_atlas.landscape.store.search_index import INDEX_CONTENT_QUERIES, update_search_index
from permed_atlas.landscape.store.tagging import tag_corpus, tag_untagged
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

TARGET = 0.15
# Tables checked after the update; institution numbers are mapped to keys (an update numbers
# new institutions after the old ones, a full build in key order).
CHECKED = {
    **{
        t: f"SELECT * FROM {t}"
        for t in (
            "work_countries",
            "work_regions",
            "work_topics",
            "work_flags",
            "work_topic_set",
            "work_institutions",
            "agg_bits",
            "agg_state",
            "agg_cells",
            "agg_country_cells",
            "agg_country_pair_cells",
            "agg_patent_regions",
            "agg_eu_cn_works",
            "agg_institution_keys",
        )
    },
    "institution_dim": "SELECT institution_key, institution_id, institution_name, country_code "
    "FROM institution_dim",
    "agg_institution_cells": "SELECT d.institution_key, c.* EXCLUDE (inst) "
    "FROM agg_institution_cells c JOIN institution_dim d USING (inst)",
    "agg_work_facts": "SELECT f.* EXCLUDE (insts), list_sort(list_transform(f.insts, "
    "lambda i: k.keys[i])) AS keys FROM agg_work_facts f, "
    "(SELECT map_from_entries(list((inst, institution_key))) AS keys FROM institution_dim) k",
}


def base_corpus(cache: Path, works: int) -> Path:
    """The ingested, untagged corpus of ``works`` demo works (seed 0), built once."""
    path = cache / f"base-{works}.duckdb"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    source = cache / f"openalex-{works}.jsonl.gz"
    if not source.exists():
        started = time.perf_counter()
        demo.write_openalex_jsonl(source, works, seed=0)  # streams, in chunks
        print(f"generated {works:,} works in {time.perf_counter() - started:.0f} s", flush=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with open_corpus(partial, memory_limit="1GB") as connection:
        summary = ingest_files(
            [source], source="openalex", corpus=connection, workers=min(2, os.cpu_count() or 1)
        )
    print(f"ingested in {time.perf_counter() - started:.0f} s: {summary.line()}", flush=True)
    partial.rename(path)
    return path


def scaled_corpus(cache: Path, works: int, seed_works: int) -> Path:
    """``works`` works made in SQL from ``seed_works`` ingested demo works (as bench_search.py
    does: minutes where ingesting a million generated works takes an hour here), built once."""
    from bench_search import _scale_up

    path = cache / f"base-{works}-from-{seed_works}.duckdb"
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    shutil.copyfile(base_corpus(cache, seed_works), partial)
    started = time.perf_counter()
    with open_corpus(partial) as connection:
        _scale_up(connection, works)
        connection.execute(
            "INSERT INTO work_ids SELECT 'openalex_id', 'WS' || work_id, work_id FROM works "
            "ANTI JOIN work_ids USING (work_id)"
        )
    print(f"scaled up to {works:,} works in {time.perf_counter() - started:.0f} s", flush=True)
    partial.rename(path)
    return path


def _richer(work: dict[str, Any], index: int) -> dict[str, Any]:
    """The same work with one more located author: the ingest rewrites the stored one."""
    extra = {
        "author_position": "middle",
        "author": {"id": f"https://openalex.org/A9{index:09d}", "display_name": f"Extra {index}"},
        "institutions": [
            {
                "id": f"https://openalex.org/I9{index % 50:05d}",
                "display_name": f"Update Institute {index % 50}",
                "country_code": ["DE", "CN", "FR", "US", "JP"][index % 5],
                "type": "education",
            }
        ],
        "countries": [["DE", "CN", "FR", "US", "JP"][index % 5]],
        "raw_affiliation_strings": [f"Update Institute {index % 50}"],
    }
    return {**work, "authorships": [*work.get("authorships", []), extra]}


def update_file(cache: Path, works: int, update: int) -> Path:
    """``update`` works: 90% new (seed 1), 10% of the base corpus' first works, changed."""
    path = cache / f"update-{works}-{update}.jsonl"
    if path.exists():
        return path
    changed = update // 10
    records: Iterator[dict[str, Any]] = itertools.chain(
        demo.generate_openalex_works(update - changed, seed=1),
        (
            _richer(work, i)
            for i, work in enumerate(
                itertools.islice(demo.generate_openalex_works(works, seed=0), changed)
            )
        ),
    )
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
    partial.rename(path)
    return path


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-free sum of row hashes of every checked table."""
    with open_corpus(path, read_only=True) as connection:
        sums = {}
        for name, sql in CHECKED.items():
            row = connection.execute(
                f"SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0) FROM ({sql}) x"
            ).fetchone()
            assert row is not None
            sums[name] = (int(row[0]), int(row[1]))
    return sums


SEARCHES = (
    SearchQuery(text="cancer"),
    SearchQuery(text="precision medicine", regions=("EU27",)),
    SearchQuery(text="genomic", countries=("CN",), sort="citations"),
    SearchQuery(regions=("EU27",), countries=("CN",)),
    SearchQuery(text="therapy", pm_relevant=True, year_from=2020),
)


def index_contents(connection: Any) -> tuple[object, ...]:
    """Order-free checksums of the index's tables and the answers of a few searches."""
    from permed_atlas.landscape.store.corpus import set_memory_limit
    from permed_atlas.settings import CORPUS_MEMORY_LIMIT

    # The check hashes whole index tables in one query, which no command does: it runs
    # without the corpus's memory cap, the timed steps under it, as a user's ingest.
    set_memory_limit(connection, None)
    try:
        sums = tuple(
            connection.execute(
                f"SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0) FROM ({sql}) x"
            ).fetchone()
            for sql in INDEX_CONTENT_QUERIES.values()
        )
    finally:
        set_memory_limit(connection, CORPUS_MEMORY_LIMIT)
    found = []
    for query in SEARCHES:
        result = search_works(connection, query)
        facets = {dim: [(f.value, f.count) for f in fs] for dim, fs in result.facets.items()}
        found.append((result.total, [(h.work_id, h.score) for h in result.hits], facets))
    return sums, found


def time_index_update(connection: Any, full_seconds: float) -> bool:
    """Update the index after the update's tagging, time it against the full build, check it
    against a full rebuild; whether it gave the same index."""
    started = time.perf_counter()
    done = update_search_index(connection)
    seconds = time.perf_counter() - started
    assert done is not None and not done.full, done
    print(
        f"RESULT search index: full build {full_seconds:.1f} s, update of {done.works:,} works "
        f"{seconds:.1f} s, ratio {seconds / full_seconds:.3f} ({load()})",
        flush=True,
    )
    updated = index_contents(connection)
    started = time.perf_counter()
    build_search_index(connection)
    rebuilt_seconds = time.perf_counter() - started
    same = index_contents(connection) == updated
    print(
        f"check: full rebuild after the update {rebuilt_seconds:.1f} s; index tables and "
        f"{len(SEARCHES)} searches equal to the updated index's: {'yes' if same else 'NO'}",
        flush=True,
    )
    return same


def load() -> str:
    return "load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--update", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=Path("benchmarks/out/incremental"))
    parser.add_argument("--no-check", action="store_true", help="skip the second full tagging")
    parser.add_argument(
        "--no-index", action="store_true", help="skip timing the index build and update"
    )
    parser.add_argument(
        "--scale-from",
        type=int,
        metavar="N",
        help="ingest N demo works and copy them in SQL up to --works (much faster to build)",
    )
    args = parser.parse_args()
    settings = Settings(data_dir=args.cache / "data-dir")
    regions, rules = load_region_sets(settings), load_rules()
    if args.scale_from:
        base = scaled_corpus(args.cache, args.works, args.scale_from)
    else:
        base = base_corpus(args.cache, args.works)
    update = update_file(args.cache, args.works, args.update)
    work = args.cache / "run.duckdb"
    shutil.copyfile(base, work)
    with open_corpus(work) as connection:
        full = tag_corpus(connection, regions=regions, rules=rules)
        print(f"full tagging: {full.works:,} works in {full.seconds:.1f} s ({load()})", flush=True)
        if not args.no_index:
            started = time.perf_counter()
            build_search_index(connection)
            index_seconds = time.perf_counter() - started
            print(f"search index full build: {index_seconds:.1f} s ({load()})", flush=True)
        started = time.perf_counter()
        ingested = ingest_files([update], source="openalex", corpus=connection)
        ingest_seconds = time.perf_counter() - started
        tagged = tag_untagged(connection, regions=regions, rules=rules)
        update_seconds = time.perf_counter() - started
        assert tagged is not None
        print(
            f"update: ingest {ingest_seconds:.1f} s ({ingested.line()}, merged "
            f"{ingested.merged:,}), tag + aggregates {tagged.seconds:.1f} s for "
            f"{tagged.works:,} works; total {update_seconds:.1f} s ({load()})",
            flush=True,
        )
        index_same = args.no_index or time_index_update(connection, index_seconds)
    ratio = update_seconds / full.seconds
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(
        f"RESULT incremental: full tag {full.seconds:.1f} s, ingest+tag+summary of "
        f"{args.update:,} works {update_seconds:.1f} s, ratio {ratio:.3f} "
        f"(target <= {TARGET}: {verdict})",
        flush=True,
    )
    if not args.no_check:
        incremental = checksums(work)
        with open_corpus(work) as connection:
            again = tag_corpus(connection, regions=regions, rules=rules)
        rebuilt = checksums(work)
        differ = [name for name in CHECKED if incremental[name] != rebuilt[name]]
        print(
            f"check: second full tagging {again.seconds:.1f} s; tables equal to the "
            f"incremental ones: {'all' if not differ else 'NOT ' + ', '.join(differ)}"
        )
        if differ:
            return 1
    work.unlink()
    return 0 if ratio <= TARGET and index_same else 1


if __name__ == "__main__":
    sys.exit(main())
