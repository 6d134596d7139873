"""Where the corpus's works come from: real sources, or the project's demo generator.

Generated works look real (titles, DOIs, ORCIDs in the right shapes); pages and reports must say
so while any are in the corpus, and must not link their invented identifiers out to resolvers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from permed_atlas.landscape.ingest._common import SYNTHETIC_SOURCE

__all__ = [
    "SYNTHETIC_SOURCE",
    "CorpusSummary",
    "count_synthetic_works",
    "is_synthetic",
    "summarise_corpus",
]


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


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    """What the corpus holds, in the figures a reader quotes first."""

    works: int = 0
    publications: int = 0
    patents: int = 0
    pm_relevant: int = 0
    eu_cn: int = 0
    countries: int = 0
    first_year: int | None = None
    last_year: int | None = None
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def synthetic(self) -> int:
        """Works the demo generator wrote."""
        return self.by_source.get(SYNTHETIC_SOURCE, 0)


def summarise_corpus(connection: duckdb.DuckDBPyConnection) -> CorpusSummary:
    """Totals, year range, countries and works per source (an empty summary for a new corpus).

    :param connection: a corpus connection (tagged or not; untagged works count as not PM).
    """
    try:
        row = connection.execute(
            "SELECT count(*), count(*) FILTER (kind = 'publication'),"
            " count(*) FILTER (kind = 'patent'),"
            " count(*) FILTER (f.pm_relevant), count(*) FILTER (f.eu_cn),"
            " min(year), max(year)"
            " FROM works LEFT JOIN work_flags f USING (work_id)"
        ).fetchone()
        countries = connection.execute(
            "SELECT count(DISTINCT country_code) FROM work_countries"
        ).fetchone()
        sources = connection.execute(
            "SELECT source, count(*) FROM (SELECT unnest(sources) AS source FROM works) "
            "GROUP BY source ORDER BY count(*) DESC, source"
        ).fetchall()
    except duckdb.CatalogException:
        return CorpusSummary()
    assert row is not None and countries is not None
    works, publications, patents, pm, eu_cn, first, last = row
    return CorpusSummary(
        works=int(works),
        publications=int(publications),
        patents=int(patents),
        pm_relevant=int(pm),
        eu_cn=int(eu_cn),
        countries=int(countries[0]),
        first_year=first,
        last_year=last,
        by_source={str(source): int(count) for source, count in sources},
    )
