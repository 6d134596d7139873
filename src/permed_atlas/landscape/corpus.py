"""The corpus store: one DuckDB file in the data directory holding works and their tags.

The schema is in ``corpus_schema.sql`` beside this module; it is the contract
between ingest, tagging, indicators and the web app.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from permed_atlas.landscape.errors import LandscapeError

SCHEMA_SQL = (Path(__file__).parent / "corpus_schema.sql").read_text(encoding="utf-8")


def open_corpus(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create) the corpus database.

    :param path: the DuckDB file, or ``":memory:"`` for a throwaway corpus.
    :param read_only: open without taking the writer's lock; the file must exist.
    """
    target = str(path)
    if target != ":memory:":
        file = Path(target)
        if read_only and not file.exists():
            raise LandscapeError(f"no corpus at {file}: run `permed ingest` or `permed demo` first")
        file.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise LandscapeError(f"cannot open the corpus at {target}: {exc}") from exc
    if not read_only:
        connection.execute(SCHEMA_SQL)
    return connection
