"""Benchmark: every landscape indicator on a 1M-work corpus, vs DuckDB over Parquet.

Builds (once, cached) a corpus of N generated OpenAlex works with the demo generator
and the ingest pipeline, tags it (which builds the pre-aggregated tables), then times
:func:`compute_indicators` on the DuckDB corpus from the aggregates, the raw queries on
the same corpus (checking both give the same rows), and the raw queries on a fresh DuckDB
reading Parquet exports of the tag tables. Prints them and their ratios (target:
indicators <= 3 s for 1M works on 2 cores).

    .venv/bin/python benchmarks/bench_indicators.py --works 1000000
    .venv/bin/python benchmarks/bench_indicators.py --works 1000000 --synthetic

The demo route writes ~11.6 GB of JSON for 1M works and ingests it (tens of minutes on
2 cores); ``--synthetic`` fills the same tables with SQL in about a minute. Corpora are
cached under ``--cache`` (default benchmarks/out/indicators, git-ignored).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import duckdb

from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.indicators import LandscapeFilter, compute_indicators
from permed_atlas.landscape.store.tagging import tag_corpus
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

TABLES = (
    "works",
    "contributors",
    "affiliations",
    "terms",
    "work_ids",
    "work_countries",
    "work_regions",
    "work_topics",
    "work_flags",
    "region_members",
    "work_topic_set",
    "work_institutions",
    "institution_dim",
)
REGIONS = ["EU27", "CN", "ICPERMED"]


def build_corpus(folder: Path, works: int) -> Path:
    """Generate and ingest ``works`` demo works into ``folder/corpus.duckdb`` (cached)."""
    from permed_atlas.demo import write_openalex_jsonl
    from permed_atlas.landscape.ingest import ingest_files

    path = folder / "corpus.duckdb"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "works.jsonl"
    started = time.perf_counter()
    write_openalex_jsonl(source, works, seed=7)
    print(f"generated {works:,} works in {time.perf_counter() - started:.1f} s")
    partial = folder / "corpus.duckdb.partial"
    partial.unlink(missing_ok=True)
    with open_corpus(partial) as connection:
        started = time.perf_counter()
        summary = ingest_files([source], source="openalex", corpus=connection)
        print(f"ingested in {time.perf_counter() - started:.1f} s: {summary}")
    partial.rename(path)
    source.unlink()
    return path


PHRASES = [
    "precision medicine",
    "personalised therapy",
    "lung cancer",
    "breast tumours",
    "heart failure",
    "type 2 diabetes",
    "Alzheimer's disease",
    "pharmacogenomics of CYP2C19",
    "whole-genome sequencing",
    "circulating tumour DNA biomarkers",
    "deep learning",
    "electronic health records",
    "traditional Chinese medicine",
    "biobank cohort",
    "sepsis",
    "rare diseases",
    "depression",
    "companion diagnostics",
    "targeted therapy",
    "a randomised trial",
    "health economics",
    "single-cell transcriptomics",
    "hypertension",
    "COVID-19",
    "gut microbiome",
    "acupuncture",
]
FILLER = (
    " We studied patients across several centres and report outcomes, limitations and the"
    " implications for clinical practice and for future research in this field."
)
COUNTRIES = {
    "CN": 26,
    "US": 20,
    "DE": 7,
    "GB": 6,
    "FR": 5,
    "IT": 5,
    "JP": 4,
    "ES": 3,
    "NL": 3,
    "CA": 3,
    "KR": 3,
    "AU": 3,
    "SE": 2,
    "CH": 2,
    "BE": 1,
    "DK": 1,
    "AT": 1,
    "PL": 1,
    "HK": 1,
    "BR": 1,
    "IN": 1,
    "IE": 1,
    "FI": 1,
    "PT": 1,
    "NO": 1,
}
MESH = [
    "Precision Medicine",
    "Neoplasms",
    "Heart Failure",
    "Diabetes Mellitus, Type 2",
    "Alzheimer Disease",
    "Pharmacogenetics",
    "Genomics",
    "Biomarkers",
    "Machine Learning",
    "Medicine, Chinese Traditional",
    "Biological Specimen Banks",
    "Sepsis",
    "Rare Diseases",
    "Humans",
    "Female",
    "Male",
    "Adult",
    "Middle Aged",
    "Cohort Studies",
    "Risk Factors",
]


def build_synthetic(folder: Path, works: int) -> Path:
    """Fill the corpus tables directly with SQL (realistic shape, no JSON parsing)."""
    path = folder / "corpus.duckdb"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "corpus.duckdb.partial"
    partial.unlink(missing_ok=True)
    countries = [code for code, weight in COUNTRIES.items() for _ in range(weight)]
    started = time.perf_counter()
    with open_corpus(partial) as c:
        c.execute("CREATE TEMP MACRO h(x) AS CAST(hash(x) % 1000000007 AS BIGINT)")
        c.execute(
            "INSERT INTO works (work_id, kind, sources, openalex_id, title, abstract, year, type,"
            " cited_by_count, family_id)"
            " SELECT i, CASE WHEN i % 20 = 0 THEN 'patent' ELSE 'publication' END, ['synthetic'],"
            " 'W' || (1000000000 + i),"
            " list_element($1, 1 + h(i) % 26) || ' and ' || list_element($1, 1 + h(i + 7) % 26),"
            " list_element($1, 1 + h(i + 1) % 26) || ' in ' || list_element($1, 1 + h(i + 2) % 26)"
            "   || '.' || $2 || ' ' || list_element($1, 1 + h(i + 3) % 26) || '.' || $2 || $2,"
            " 2025 - CAST(floor(sqrt(h(i + 4) % 676)) AS INTEGER), 'article',"
            " CAST(h(i + 5) % 1000 AS INTEGER) * CAST(h(i + 6) % 3 = 0 AS INTEGER),"
            " CASE WHEN i % 20 = 0 THEN 'F' || i // 40 END"
            " FROM range($3) t(i)",
            [PHRASES, FILLER, works],
        )
        c.execute(
            "INSERT INTO contributors (work_id, position, role, name)"
            " SELECT work_id, p, CASE WHEN kind = 'patent' AND p = 1 THEN 'applicant'"
            "  WHEN kind = 'patent' THEN 'inventor' ELSE 'author' END,"
            " 'Author ' || (h(work_id + p) % 2000000) FROM (SELECT work_id, kind,"
            "  unnest(range(1, 2 + CAST(h(work_id) % 8 AS INTEGER))) AS p FROM works)"
        )
        # Authors of one work mostly share a country: a lead country, 30% of authors elsewhere.
        c.execute(
            "INSERT INTO affiliations"
            " (work_id, position, institution_id, institution_name, country_code)"
            " SELECT work_id, position, 'I' || cc || inst,"
            " 'Institute ' || inst || ' of ' || cc, cc"
            " FROM ("
            "  SELECT c.work_id, c.position,"
            "   list_element($1, 1 + CAST(CASE WHEN h(c.work_id * 31 + c.position) % 10 < 7"
            "     THEN h(c.work_id) ELSE h(c.work_id * 17 + c.position) END % len($1)"
            "   AS INTEGER)) AS cc,"
            "   CAST(h(c.work_id * 13 + c.position) % 800 AS INTEGER) AS inst"
            "  FROM contributors c)",
            [countries],
        )
        c.execute(
            "INSERT INTO terms (work_id, scheme, term)"
            " SELECT work_id, 'mesh',"
            "  list_element($1, 1 + CAST(h(work_id * 7 + k) % len($1) AS INTEGER))"
            " FROM works, range(6) r(k) WHERE kind = 'publication'"
            " UNION ALL SELECT work_id, 'concept', list_element(['Oncology', 'Cancer research',"
            "  'Machine learning', 'Genomics', 'Medicine', 'Biology', 'Cardiology'],"
            "  1 + CAST(h(work_id * 5 + k) % 7 AS INTEGER))"
            " FROM works, range(3) r(k) WHERE kind = 'publication'"
            " UNION ALL SELECT work_id, 'cpc', list_element(['C12Q 1/6886', 'A61K 36/00',"
            "  'G16H 50/20', 'A61P 35/00', 'G06N 3/08', 'C12Q 1/6883'],"
            "  1 + CAST(h(work_id) % 6 AS INTEGER))"
            " FROM works WHERE kind = 'patent'",
            [MESH],
        )
        c.execute("INSERT INTO work_ids SELECT 'openalex_id', openalex_id, work_id FROM works")
    partial.rename(path)
    seconds = time.perf_counter() - started
    print(f"built a synthetic corpus of {works:,} works with SQL in {seconds:.1f} s")
    return path


def tag(path: Path, settings: Settings) -> None:
    with open_corpus(path) as connection:
        summary = tag_corpus(connection, regions=load_region_sets(settings), rules=load_rules())
    print(
        f"tagging: {summary.works:,} works in {summary.seconds:.2f} s "
        f"({summary.pm_relevant:,} PM-relevant, {summary.eu_cn:,} EU–China, "
        f"{summary.topic_tags:,} topic tags)"
    )


def export_parquet(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path), read_only=True) as connection:
        for table in TABLES:
            connection.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")


def parquet_connection(folder: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    for table in TABLES:
        connection.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder / table}.parquet')"
        )
    return connection


def time_indicators(
    connection: duckdb.DuckDBPyConnection, repeat: int, *, use_aggregates: bool = True
) -> tuple[list[float], dict[str, list[dict[str, object]]]]:
    """Wall times of ``repeat`` runs (and the result); CPU seconds (all DuckDB threads) are
    printed beside them, because on a shared machine the wall time also measures the
    neighbours' load."""
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = compute_indicators(
            connection, LandscapeFilter(), regions=REGIONS, use_aggregates=use_aggregates
        )
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    tables = result.tables()
    rows = sum(len(rows) for rows in tables.values())
    print(
        f"  {rows:,} result rows; wall {', '.join(f'{t:.2f}' for t in timings)} s; "
        f"cpu {', '.join(f'{t:.2f}' for t in cpu)} s; load average {os.getloadavg()[0]:.1f}"
    )
    return timings, tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path("benchmarks/out/indicators"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-tag", action="store_true", help="reuse the tags of a cached corpus")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="build the tables with SQL instead of generating and ingesting demo JSON",
    )
    args = parser.parse_args()
    folder = args.cache / f"{'synthetic-' if args.synthetic else ''}{args.works}"
    settings = Settings(data_dir=folder / "data-dir")
    if args.synthetic:
        path = build_synthetic(folder, args.works)
    else:
        try:
            path = build_corpus(folder, args.works)
        except ImportError as exc:  # the demo generator or ingest is not there
            print(f"demo generator or ingest unavailable ({exc}); building the tables with SQL")
            path = build_synthetic(folder, args.works)
    if not args.no_tag:
        tag(path, settings)
    with duckdb.connect(str(path), read_only=True) as connection:
        counts = {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    export_parquet(path, folder / "parquet")
    print(f"indicators on the DuckDB corpus ({counts['works']:,} works), from the aggregates:")
    with duckdb.connect(str(path), read_only=True) as connection:
        native, fast = time_indicators(connection, args.repeat)
        print("the same, raw queries over the tag tables (use_aggregates=False):")
        raw, slow = time_indicators(connection, args.repeat, use_aggregates=False)
    if fast != slow:
        raise SystemExit("the aggregated and raw indicators differ")
    print("same query set on DuckDB over Parquet exports (raw queries: no aggregates there):")
    with parquet_connection(folder / "parquet") as connection:
        parquet, _ = time_indicators(connection, args.repeat)
    best_native, best_raw, best_parquet = min(native), min(raw), min(parquet)
    print(
        f"RESULT indicators: corpus {best_native:.2f} s (first run {native[0]:.2f} s, "
        f"median {statistics.median(native):.2f} s), raw {best_raw:.2f} s, "
        f"parquet {best_parquet:.2f} s; ratio corpus/raw {best_native / best_raw:.3f}, "
        f"corpus/parquet {best_native / best_parquet:.3f}; identical rows: yes; "
        f"target <= 3 s: {'met' if native[0] <= 3 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
