"""Where the corpus's works come from: real sources, or the project's demo generator.

Generated works look real (titles, DOIs, ORCIDs in the right shapes); pages and reports must say
so while any are in the corpus, and must not link their invented identifiers out to resolvers.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from permed_atlas.landscape.ingest._common import SYNTHETIC_SOURCE

__all__ = ["SYNTHETIC_SOURCE", "count_synthetic_works", "is_synthetic"]


def is_synthetic(sources: Iterable[str]) -> bool:
    """Whether a work with these sources came from the demo generator.

    :param sources: the work's ``sources`` column.
    """
    return SYNTHETIC_SOURCE in sources


def count_synthetic_works(connection: duckdb.DuckDBPyConnection) -> int:
    """How many works in the corpus the demo generator wrote (0 for an empty or new corpus).

    :param connection: a corpus connection.
    """
    try:
        row = connection.execute(
            "SELECT count(*) FROM works WHERE list_contains(sources, ?)", [SYNTHETIC_SOURCE]
        ).fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0
