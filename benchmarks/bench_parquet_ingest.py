"""Parquet ingest speed: works/s of the DuckDB Parquet path over the JSON Lines path, same works.

Up to three comparisons, each ingesting the same works from gzipped JSON Lines and from Parquet
(``sources.parquet_write``) into fresh corpora (as ``permed sync openalex-snapshot`` does,
without tagging) in this one run, printing the ratios of works/s (wall) and of CPU seconds
(all processes and threads of each path) and the load average:

1. all PM, no filter: the demo generator's works (all from its PM topics), all stored. Not
   the issue's case (the issue asks for the PM slice of a snapshot), and capped near 7x in
   CPU because every work must be inserted (``profile_parquet_ingest.py``, docs);
2. ``--pm-share F``: a snapshot-like mix where a share F of the works comes from the demo's
   PM topics (the PM rules mark ~60% of those: the demo's works are PM-themed, not all
   PM by the rules) and the others are works of other fields (``demo._other_fields``, the
   real OpenAlex record format), both paths with the PM pre-filter (the PM rules; ``--pm-only``):
   works SCANNED per second, both storing the same PM works (same count and same OpenAlex
   ids, checked). This is the issue's requirement: ratio >= 10;
3. ``--real N``: the real OpenAlex records of ../shared/realdata/openalex (350 works, mostly
   not PM) repeated with new identifiers to N works, both paths with the PM filter, as 2.

The Parquet copies are written as a snapshot's would be (``--layout snapshot``, the default):
with Parquet's default dictionary encoding (the writer falls back to plain pages where a
column chunk's dictionary outgrows its page, as it does on a snapshot's free text), except
on the columns whose values a snapshot holds once per work (:data:`UNIQUE_PER_WORK`:
identifiers, titles, abstracts, links, authors' names and affiliation texts). The generated
(and repeated) works share those texts, which a dictionary would store once and DuckDB would
then read and filter once. ``--layout plain`` writes every column without a dictionary, a
layout no writer uses by default and the worst case for the Parquet path (DuckDB decodes
every country code, institution and topic name in full).

The share of PM works in the real snapshot is an assumption: docs/openalex-snapshot.md
estimates the PM slice at ~1-2% of OpenAlex's 240M works (a few million); 0.02 and 0.05
(about 1.2% and 3% PM by the rules) bracket that, and a higher share is the harder case for
the Parquet path (more works to insert, fewer to skip).

    python benchmarks/bench_parquet_ingest.py                    # 200,000 works, cached
    python benchmarks/bench_parquet_ingest.py --works 50000 --workers 1
    python benchmarks/bench_parquet_ingest.py --pm-share 0.02 0.05 --no-all-pm --real 50000
    python benchmarks/bench_parquet_ingest.py --no-all-pm --pm-share 0.02 0.05 --real 200000 \\
        --repeat 3                                              # the figures in the docs
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

TARGET = 10.0
UNIQUE_PER_WORK = frozenset(
    {
        "id",
        "doi",
        "title",
        "display_name",
        "abstract_inverted_index",
        "ids.openalex",
        "ids.doi",
        "ids.mag",
        "ids.pmid",
        "ids.pmcid",
        "primary_location.landing_page_url",
        "primary_location.pdf_url",
        "locations.list.element.landing_page_url",
        "locations.list.element.pdf_url",
        "authorships.list.element.author.id",
        "authorships.list.element.author.display_name",
        "authorships.list.element.author.orcid",
        "authorships.list.element.raw_author_name",
        "authorships.list.element.raw_affiliation_strings.list.element",
        "authorships.list.element.raw_affiliation_string",
    }
)
"""The Parquet leaf columns written without a dictionary in the snapshot layout."""
LAYOUTS = ("snapshot", "plain")


def _dictionary(layout: str) -> bool | list[str]:
    """``write_works_parquet``'s ``dictionary`` for ``layout``."""
    from permed_atlas.sources.parquet_write import leaf_columns

    if layout == "plain":
        return False
    columns = leaf_columns()
    missing = UNIQUE_PER_WORK.difference(columns)
    if missing:  # a renamed column would silently get a dictionary
        raise SystemExit(f"UNIQUE_PER_WORK names no column of the layout: {sorted(missing)}")
    return [column for column in columns if column not in UNIQUE_PER_WORK]


def generated_files(
    works: int, cache: Path, layout: str, pm_share: float = 1.0
) -> tuple[Path, Path]:
    """The cached JSON Lines and Parquet copies (in ``layout``) of the same ``works`` demo
    works, of which a share ``pm_share`` is PM (1: the plain demo works)."""
    name = f"openalex_{works}" if pm_share == 1.0 else f"openalex_{works}_pm{pm_share:g}"
    jsonl = cache / f"{name}.jsonl.gz"
    parquet = cache / f"{name}.{layout}.parquet"
    if not jsonl.exists():
        from permed_atlas.demo import write_openalex_jsonl

        print(f"generating {works:,} works ({pm_share:g} PM) into {jsonl} ...", flush=True)
        write_openalex_jsonl(jsonl, works, seed=0, pm_share=pm_share)
    if not parquet.exists():
        import gzip

        import orjson

        from permed_atlas.sources.parquet_write import write_works_parquet

        print(f"writing the same works as Parquet into {parquet} ...", flush=True)
        with gzip.open(jsonl, "rb") as stream:
            write_works_parquet(
                (orjson.loads(line) for line in stream if line.strip()),
                parquet,
                dictionary=_dictionary(layout),
            )
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


def _timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process and its children, result) of ``run()``."""
    cpu, started = _cpu_seconds(), time.perf_counter()
    result = run()
    return time.perf_counter() - started, _cpu_seconds() - cpu, result


def jsonl_ingest(
    path: Path, workers: int, corpus_path: Path, rules: Any = None
) -> tuple[float, float, Any]:
    """Ingest the JSON Lines file into a fresh corpus (PM works only with ``rules``): wall and
    CPU seconds of the ingest (not of opening the corpus), and its summary."""
    from permed_atlas.landscape import ingest_file, open_corpus

    with open_corpus(_fresh(corpus_path.parent, corpus_path.name), memory_limit="192MB") as corpus:
        return _timed(
            lambda: ingest_file(
                path, source="openalex", corpus=corpus, workers=workers, pm_rules=rules
            )
        )


def parquet_ingest(path: Path, corpus_path: Path, rules: Any = None) -> tuple[float, float, Any]:
    """Ingest the Parquet file into a fresh corpus, as :func:`jsonl_ingest`."""
    from permed_atlas.landscape import open_corpus
    from permed_atlas.sources.parquet_ingest import ingest_parquet

    with open_corpus(_fresh(corpus_path.parent, corpus_path.name)) as corpus:
        return _timed(lambda: ingest_parquet([path], corpus=corpus, pm_rules=rules))


def _stored_ids(corpus_path: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(corpus_path), read_only=True) as connection:
        rows = connection.execute("SELECT openalex_id FROM works ORDER BY 1").fetchall()
        return [row[0] for row in rows]


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def all_pm(jsonl: Path, parquet: Path, workers: int, directory: Path) -> None:
    """Comparison 1: every work PM, no filter, every work stored."""
    from permed_atlas.landscape import load_rules, rules_path_for

    print(f"-- all PM, no filter (not the issue's case), load average {_load()}")
    json_s, json_cpu, json_sum = jsonl_ingest(jsonl, workers, directory / "j.db")
    pq_s, pq_cpu, pq_sum = parquet_ingest(parquet, directory / "p.db")
    rules = load_rules(rules_path_for(directory))
    pm_s, _, pm_sum = parquet_ingest(parquet, directory / "p.db", rules)
    if json_sum.stored != pq_sum.stored:
        raise SystemExit(
            f"FAIL: JSON Lines stored {json_sum.stored:,} works, Parquet {pq_sum.stored:,}"
        )
    json_rate, pq_rate = json_sum.stored / json_s, pq_sum.stored / pq_s
    print(f"JSON Lines ingest:   {json_s:8.2f} s  {json_rate:12,.0f} works/s  CPU {json_cpu:.2f} s")
    print(f"Parquet ingest:      {pq_s:8.2f} s  {pq_rate:12,.0f} works/s  CPU {pq_cpu:.2f} s")
    print(
        f"Parquet --pm-only:   {pm_s:8.2f} s  {pm_sum.scanned / pm_s:12,.0f} works scanned/s, "
        f"{pm_sum.stored:,} PM works of {pm_sum.scanned:,} stored"
    )
    # Other work on the machine stretches wall time, not CPU time: the CPU ratio shows what
    # the code costs when the load varies.
    print(
        f"ratio Parquet / JSON Lines works/s: {pq_rate / json_rate:6.1f}; of CPU seconds, "
        f"JSON Lines / Parquet: {json_cpu / pq_cpu:6.1f}; load average {_load()}"
    )


def real_files(works: int, cache: Path, realdata: Path, layout: str) -> tuple[Path, Path]:
    """The real OpenAlex records of ``realdata`` (the snapshot part and the two API pages),
    repeated with new identifiers to ``works`` works, as JSON Lines and Parquet (cached).

    Copy k of a record gets the OpenAlex id ``W<k><its digits, 12 wide>``, the DOI
    ``10.<k>.<registrant>/...`` and a PMID/PMCID/MAG id prefixed the same way, so no two
    works share an identifier and neither path merges any; every other field is as
    OpenAlex wrote it.
    """
    import gzip

    import orjson

    from permed_atlas.sources.parquet_write import write_works_parquet

    jsonl, parquet = (
        cache / f"openalex_real_{works}.jsonl.gz",
        cache / f"openalex_real_{works}.{layout}.parquet",
    )
    if jsonl.exists() and parquet.exists():
        return jsonl, parquet
    sources = sorted(realdata.glob("openalex_*.jsonl"))
    if not sources:
        raise SystemExit(f"--real: no openalex_*.jsonl records in {realdata}")
    seeds = [
        orjson.loads(line)
        for source in sources
        for line in source.read_bytes().splitlines()
        if line.strip()
    ]
    print(f"repeating {len(seeds)} real records of {realdata} to {works:,} works ...", flush=True)

    def copies() -> Any:
        for number in range(works):
            yield _renamed(seeds[number % len(seeds)], number // len(seeds) + 1)

    # Written aside and renamed: an interrupted run leaves no half file for the next to reuse.
    # The JSON Lines copy serves every layout: only what is missing is written.
    if not jsonl.exists():
        partial_jsonl = jsonl.with_suffix(".partial")
        with gzip.open(partial_jsonl, "wb", compresslevel=1) as out:
            for record in copies():
                out.write(orjson.dumps(record) + b"\n")
        partial_jsonl.replace(jsonl)
    if not parquet.exists():
        partial_parquet = parquet.with_suffix(".partial")
        write_works_parquet(copies(), partial_parquet, dictionary=_dictionary(layout))
        partial_parquet.replace(parquet)
    return jsonl, parquet


def _renamed(record: dict[str, Any], copy: int) -> dict[str, Any]:
    """``record`` with every work identifier made unique to copy number ``copy``."""
    import re

    def doi(value: Any) -> Any:
        return re.sub(r"10\.", f"10.{copy}.", value, count=1) if isinstance(value, str) else value

    def numbered(value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        digits = re.search(r"(\d+)$", text)
        if not digits:
            return value
        return f"{text[: digits.start()]}{copy}{digits.group(1):0>12}"

    renamed = dict(record)
    renamed["id"] = numbered(record.get("id"))
    renamed["doi"] = doi(record.get("doi"))
    ids = record.get("ids")
    if isinstance(ids, dict):
        renamed["ids"] = {
            key: doi(value) if key == "doi" else numbered(value) for key, value in ids.items()
        }
    return renamed


def filtered(
    works: int,
    jsonl: Path,
    parquet: Path,
    label: str,
    workers: int,
    directory: Path,
    repeat: int = 1,
) -> bool:
    """Both paths with the PM filter on the same file: same works stored, ratio printed.

    With ``repeat`` > 1 each path runs that many times, in turns (the first path of a round
    alternates), and each path's best wall and CPU seconds are compared: a machine whose
    speed drifts during the run (a shared VM does) then weighs on both paths alike.
    """
    from permed_atlas.landscape import load_rules, rules_path_for

    rules = load_rules(rules_path_for(directory))
    print(
        f"-- {label}: {works:,} works, JSON Lines {jsonl.stat().st_size / 2**20:,.0f} "
        f"MiB, Parquet {parquet.stat().st_size / 2**20:,.0f} MiB; both with the PM filter; "
        f"load average {_load()}" + (f"; best of {repeat} runs each" if repeat > 1 else "")
    )
    tag = label.replace(" ", "_")
    j_path, p_path = directory / f"j{tag}.db", directory / f"p{tag}.db"
    runs: dict[str, list[tuple[float, float, Any]]] = {"json": [], "parquet": []}
    for round_number in range(repeat):
        order = ("json", "parquet") if round_number % 2 == 0 else ("parquet", "json")
        for path_name in order:
            if path_name == "json":
                runs["json"].append(jsonl_ingest(jsonl, workers, j_path, rules))
            else:
                runs["parquet"].append(parquet_ingest(parquet, p_path, rules))
    json_s, json_cpu = min(r[0] for r in runs["json"]), min(r[1] for r in runs["json"])
    pq_s, pq_cpu = min(r[0] for r in runs["parquet"]), min(r[1] for r in runs["parquet"])
    json_sum, pq_sum = runs["json"][-1][2], runs["parquet"][-1][2]
    json_ids, pq_ids = _stored_ids(j_path), _stored_ids(p_path)
    if json_sum.read != works or pq_sum.scanned != works:
        raise SystemExit(f"FAIL: scanned {json_sum.read:,} (JSON Lines), {pq_sum.scanned:,}")
    if json_ids != pq_ids:
        raise SystemExit(
            f"FAIL: JSON Lines stored {len(json_ids):,} works, Parquet {len(pq_ids):,}, "
            f"{len(set(json_ids) ^ set(pq_ids)):,} ids differ"
        )
    json_rate, pq_rate = works / json_s, works / pq_s
    ratio = pq_rate / json_rate
    for label, seconds, rate, cpu in (
        ("JSON Lines --pm-only:", json_s, json_rate, json_cpu),
        ("Parquet --pm-only:   ", pq_s, pq_rate, pq_cpu),
    ):
        print(f"{label} {seconds:8.2f} s  {rate:12,.0f} works scanned/s  CPU {cpu:.2f} s")
    print(
        f"both stored the same {len(pq_ids):,} PM works (same OpenAlex ids) of {works:,} "
        f"({len(pq_ids) / works:.1%})"
    )
    print(
        f"ratio Parquet / JSON Lines works scanned/s: {ratio:6.1f}  (target >= {TARGET:.0f}) "
        f"{'PASS' if ratio >= TARGET else 'FAIL'}; of CPU seconds, JSON Lines / Parquet: "
        f"{json_cpu / pq_cpu:6.1f}; load average {_load()}"
    )
    return ratio >= TARGET


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
        "--pm-share",
        type=float,
        nargs="*",
        default=[],
        metavar="F",
        help="also compare both paths with the PM filter on mixes with this share of PM works",
    )
    parser.add_argument(
        "--no-all-pm", action="store_true", help="skip the all-PM comparison without filter"
    )
    parser.add_argument(
        "--real",
        type=int,
        default=0,
        metavar="N",
        help="also compare both paths with the PM filter on the real OpenAlex records of "
        "../shared/realdata/openalex repeated with new ids to N works",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run each path N times in turns on the PM-filter comparisons and compare each "
        "path's best (a shared machine's speed drifts within a run)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="snapshot",
        help="the Parquet copies' encoding: as a snapshot's (dictionaries but on the columns "
        "unique per work) or with no dictionary at all (the worst case)",
    )
    parser.add_argument(
        "--realdata",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared" / "realdata" / "openalex",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "permed-parquet-bench"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(
        f"works: {args.works:,}; JSON Lines workers: {args.workers}; cores: {os.cpu_count()}; "
        f"Parquet layout: {args.layout}; load average {_load()} (1/5/15 min)"
    )
    ok = True
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        if not args.no_all_pm:
            jsonl, parquet = generated_files(args.works, args.cache, args.layout)
            all_pm(jsonl, parquet, args.workers, Path(scratch))
        # Comparison 2 on each mix with a share of PM works, comparison 3 on the real records:
        # both paths with the PM filter on the same works, each file written (or taken from
        # the cache) just before its comparison.
        comparisons: list[tuple[int, str, Callable[[], tuple[Path, Path]]]] = [
            (
                args.works,
                f"PM share {share:g}",
                partial(generated_files, args.works, args.cache, args.layout, share),
            )
            for share in args.pm_share
        ]
        if args.real:
            real = partial(real_files, args.real, args.cache, args.realdata, args.layout)
            comparisons.append((args.real, "real records", real))
        for works, label, files in comparisons:
            jsonl, parquet = files()
            ok = (
                filtered(works, jsonl, parquet, label, args.workers, Path(scratch), args.repeat)
                and ok
            )
    # The target is on the PM slice (--pm-share); the all-PM figures are shown only.
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
