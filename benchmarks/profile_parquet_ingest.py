"""Where the Parquet ingest's CPU goes, beside the floor that any ingest of the same rows pays.

Reads the Parquet copy cached by ``bench_parquet_ingest.py`` (run that first, same
``--works``) and prints process CPU seconds (all of DuckDB's threads), the best of
``--repeat`` runs where a step can be repeated:

1. one Parquet ingest into a fresh corpus, statement by statement. The abstracts are
   rebuilt in line here (the ingest runs them in a thread beside the inserts), so each
   line is that step's own CPU;
2. the floor: inserting the finished rows of that ingest into empty corpus tables (the
   store's write, which the JSON Lines path pays too) and one scan of the columns read;
3. the abstracts rebuilt as the ingest does (``orjson`` and the JSON parser's
   ``rebuild_abstract``) and in DuckDB SQL (JSON keys, positions cast to lists, one
   sort per abstract; only for indexes in the plain compact shape, others would need
   the Python rebuild), alternated so that the load of the machine weighs on both alike.

    python benchmarks/profile_parquet_ingest.py --works 50000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from permed_atlas.landscape import open_corpus, rebuild_abstract
from permed_atlas.sources import parquet_ingest
from permed_atlas.sources.parquet_sql import SOURCE_COLUMNS
from permed_atlas.sources.parquet_write import WORK_SCHEMA

_NUMBER = r"(0|[1-9][0-9]{0,5})"
_LIST = rf"\[({_NUMBER}(,{_NUMBER})*)?\]"
_KEY = r'"[^"\\]+"'
COMPACT_INDEX = rf"\{{({_KEY}:{_LIST}(,{_KEY}:{_LIST})*)?\}}"
"""An index with non-empty words free of escapes, lists of small integers, no whitespace."""
_SQL_ABSTRACT = f"""
SELECT part_row, nullif(array_to_string(list_select(k, list_transform(
    list_filter(s, lambda e, i: i = len(s) OR s[i + 1] // 1048576 <> e // 1048576),
    lambda e: e % 1048576)), ' '), '') AS abstract
FROM (SELECT part_row, k, list_sort(flatten(list_transform(v, lambda x, i:
          list_transform(x, lambda p: p::BIGINT * 1048576 + i)))) AS s
      FROM (SELECT part_row, json_keys(j) AS k, (j->'$.*')::INTEGER[][] AS v
            FROM _abstract_src WHERE regexp_full_match(j, '{COMPACT_INDEX}')))
"""
"""Each position encoded with its word's index (position * 2^20 + index), sorted; of equal
positions the last word wins, as in the Python rebuild."""


_STEPS: dict[str, list[Any]] = {}
"""Step -> [times run, process CPU seconds]."""


def _count(step: str, started: float) -> None:
    entry = _STEPS.setdefault(step, [0, 0.0])
    entry[0] += 1
    entry[1] += time.process_time() - started


class _InLine:
    """A stand-in for the ingest's abstracts thread that runs each task at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def submit(self, task: Callable[..., pa.Table], *args: Any) -> Future[pa.Table]:
        started = time.process_time()
        done: Future[pa.Table] = Future()
        done.set_result(task(*args))
        _count("abstracts: read, orjson, rebuild_abstract (the thread's task)", started)
        return done

    def shutdown(self, **kwargs: Any) -> None:
        pass


class _Timed:
    """A corpus connection that adds each statement's process CPU to ``_STEPS``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        started = time.process_time()
        result = self._connection.execute(sql, *args)
        _count(" ".join(sql.split())[:70], started)
        return result

    def commit(self) -> duckdb.DuckDBPyConnection:
        started = time.process_time()
        result = self._connection.commit()
        _count("COMMIT", started)
        return result


def profile_ingest(parquet: Path, corpus_path: Path) -> float:
    """Ingest ``parquet`` into a fresh corpus, timing each statement; returns total CPU."""
    parquet_ingest.ThreadPoolExecutor = _InLine  # type: ignore[attr-defined,assignment]
    with open_corpus(corpus_path) as corpus:
        started = time.process_time()
        parquet_ingest.ingest_parquet([parquet], corpus=_Timed(corpus))  # type: ignore[arg-type]
        return time.process_time() - started


def _best(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def floor_seconds(parquet: Path, stored: Path, repeat: int) -> dict[str, float]:
    """CPU of inserting the stored rows into empty tables, and of one scan of the columns read."""
    result: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(dir=stored.parent) as scratch,
        open_corpus(Path(scratch) / "floor.duckdb") as corpus,
    ):
        corpus.execute(f"ATTACH '{stored}' AS done (READ_ONLY)")
        for table in ("works", "contributors", "affiliations", "terms", "work_ids"):
            corpus.execute(f"CREATE TEMP TABLE rows_{table} AS FROM done.{table}")

            def insert(table: str = table) -> None:
                corpus.begin()
                corpus.execute(f"INSERT INTO {table} FROM rows_{table}")
                corpus.rollback()

            result[f"insert the {table} rows"] = _best(repeat, insert)
        columns = [n for n in WORK_SCHEMA.names if n in SOURCE_COLUMNS.split(", ")]
        # Hashing every column makes the scan decode them all (unused ones are pruned).
        scan = f"SELECT bit_xor(hash({', '.join(columns)})) FROM read_parquet('{parquet}')"
        result["scan (decode and hash) the columns read"] = _best(
            repeat, lambda: corpus.execute(scan).fetchall()
        )
    return result


def abstract_seconds(parquet: Path, repeat: int) -> dict[str, float]:
    """CPU of the abstracts rebuilt in Python and in SQL, alternated; and whether they agree."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE _abstract_src AS SELECT file_row_number AS part_row, "
        f"abstract_inverted_index AS j FROM read_parquet('{parquet}', file_row_number = true) "
        "WHERE j <> ''"
    )

    def python() -> pa.Table:
        rows = connection.sql("FROM _abstract_src").to_arrow_table()
        texts = [rebuild_abstract(orjson.loads(t)) for t in rows.column("j").to_pylist()]
        return pa.table({"part_row": rows.column("part_row"), "abstract": texts})

    def sql() -> pa.Table:
        return connection.sql(_SQL_ABSTRACT).to_arrow_table()

    best = {"python": float("inf"), "sql": float("inf")}
    for _ in range(repeat):
        for name, run in (("python", python), ("sql", sql)):
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    compact = connection.execute(
        f"SELECT count(*) FILTER (WHERE regexp_full_match(j, '{COMPACT_INDEX}')), count(*) "
        "FROM _abstract_src"
    ).fetchall()[0]
    same = python().sort_by("part_row").equals(sql().sort_by("part_row"))
    print(f"abstract indexes in the compact shape: {compact[0]:,} of {compact[1]:,}")
    print(f"SQL rebuild equals the Python rebuild on them: {same}")
    return {
        "abstracts: orjson + rebuild_abstract (Python)": best["python"],
        "abstracts: DuckDB SQL (compact shape only)": best["sql"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "permed-parquet-bench"
    )
    args = parser.parse_args()
    parquet = args.cache / f"openalex_{args.works}.plain.parquet"
    if not parquet.exists():
        print(f"no {parquet}: run benchmarks/bench_parquet_ingest.py --works {args.works} first")
        return 1
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        stored = Path(scratch) / "profiled.duckdb"
        total = profile_ingest(parquet, stored)
        print(f"Parquet ingest of {args.works:,} works, abstracts in line: CPU {total:.2f} s")
        for name, (count, seconds) in sorted(_STEPS.items(), key=lambda kv: -kv[1][1])[:14]:
            print(f"  {seconds:6.3f} s  x{count:<3d} {name}")
        floor = floor_seconds(parquet, stored, args.repeat)
    print(f"floor (best of {args.repeat}):")
    for name, seconds in floor.items():
        print(f"  {seconds:6.3f} s  {name}")
    print(f"  {sum(floor.values()):6.3f} s  in all")
    for name, seconds in abstract_seconds(parquet, args.repeat).items():
        print(f"  {seconds:6.3f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
