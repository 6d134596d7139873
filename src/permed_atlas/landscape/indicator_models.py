"""The rows each landscape indicator returns (plain frozen dataclasses, no I/O).

Kept apart from indicators.py, which computes them by two routes (raw queries and the
pre-aggregated tables of aggregates.py), so that both build the same objects from rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from permed_atlas.landscape.filters import LandscapeFilter

ALL_REGIONS = "ALL"
"""The pseudo-region of every work in the filter, for totals."""

Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class RegionYearCount:
    """Works per region and year."""

    region: str
    year: int | None
    works: int
    pm_relevant: int
    eu_cn: int


@dataclass(frozen=True, slots=True)
class CoPublicationYear:
    """EU–China co-publications of one year and their share of each side's output."""

    year: int | None
    eu_cn: int
    eu_total: int
    cn_total: int
    # None when that side has no publication that year: 0/0 is no share, not 0%.
    share_of_eu: float | None
    share_of_cn: float | None


@dataclass(frozen=True, slots=True)
class RankedInstitution:
    """An institution's rank by works within a region."""

    region: str
    rank: int
    institution_id: str | None
    institution: str
    country_code: str | None
    works: int
    eu_cn_works: int


@dataclass(frozen=True, slots=True)
class RankedCountry:
    """A country's rank by works within a region, and its share of the region's works."""

    region: str
    rank: int
    country_code: str
    works: int
    share: float


@dataclass(frozen=True, slots=True)
class TopicShare:
    """How many of a region's works carry a topic, and what share of them."""

    region: str
    topic: str
    works: int
    share: float


@dataclass(frozen=True, slots=True)
class TopicYear:
    """Works of one topic in one region and year."""

    region: str
    topic: str
    year: int | None
    works: int


@dataclass(frozen=True, slots=True)
class PatentCount:
    """Patents (documents and families) with an applicant in a region, per priority year."""

    region: str
    year: int | None
    patents: int
    families: int


@dataclass(frozen=True, slots=True)
class CitedWork:
    """A highly cited EU–China work."""

    rank: int
    work_id: int
    title: str | None
    year: int | None
    cited_by_count: int
    doi: str | None
    openalex_id: str | None
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Indicators:
    """All indicators for one filter."""

    filter: LandscapeFilter
    regions: tuple[str, ...]
    output: list[RegionYearCount] = field(default_factory=list)
    copublications: list[CoPublicationYear] = field(default_factory=list)
    institutions: list[RankedInstitution] = field(default_factory=list)
    countries: list[RankedCountry] = field(default_factory=list)
    topics: list[TopicShare] = field(default_factory=list)
    topic_trends: list[TopicYear] = field(default_factory=list)
    patents: list[PatentCount] = field(default_factory=list)
    top_cited: list[CitedWork] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Each indicator as a list of plain dicts (for CSV, JSON and templates)."""
        return {
            f.name: _plain_rows(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("filter", "regions")
        }


def _plain_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """What ``dataclasses.asdict`` gives for rows of flat dataclasses (str, int, float, None,
    tuples of str), without its deep copies: a dashboard has thousands of rows."""
    if not rows:
        return []
    names = [f.name for f in fields(rows[0])]
    return [{name: getattr(row, name) for name in names} for row in rows]


INDICATOR_ROWS: dict[str, type] = {
    "output": RegionYearCount,
    "copublications": CoPublicationYear,
    "institutions": RankedInstitution,
    "countries": RankedCountry,
    "topics": TopicShare,
    "topic_trends": TopicYear,
    "patents": PatentCount,
    "top_cited": CitedWork,
}
"""Each indicator's row type: its columns, also when a filter leaves no row."""


def indicator_columns(name: str) -> list[str]:
    """The column names of an indicator's table (its CSV header).

    :param name: one of :data:`INDICATOR_NAMES`.
    """
    return [f.name for f in fields(INDICATOR_ROWS[name])]


INDICATOR_NAMES = (
    "output",
    "copublications",
    "institutions",
    "countries",
    "topics",
    "topic_trends",
    "patents",
    "top_cited",
)


def output_of(rows: Rows) -> list[RegionYearCount]:
    """:class:`RegionYearCount` objects of (region, year, works, pm, eu_cn) rows."""
    return [RegionYearCount(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]


def copublications_of(rows: Rows) -> list[CoPublicationYear]:
    """:class:`CoPublicationYear` objects of (year, both, eu, cn) rows."""
    return [
        CoPublicationYear(
            year=r[0],
            eu_cn=int(r[1]),
            eu_total=int(r[2]),
            cn_total=int(r[3]),
            share_of_eu=r[1] / r[2] if r[2] else None,
            share_of_cn=r[1] / r[3] if r[3] else None,
        )
        for r in rows
    ]


def institutions_of(rows: Rows) -> list[RankedInstitution]:
    """:class:`RankedInstitution` objects of query rows."""
    return [
        RankedInstitution(r[0], int(r[1]), r[2], r[3], r[4], int(r[5]), int(r[6])) for r in rows
    ]


def countries_of(rows: Rows) -> list[RankedCountry]:
    """:class:`RankedCountry` objects of (region, rank, country, works, share) rows."""
    return [RankedCountry(r[0], int(r[1]), r[2], int(r[3]), float(r[4])) for r in rows]


def topic_trends_of(rows: Rows) -> list[TopicYear]:
    """:class:`TopicYear` objects of (region, topic, year, works) rows."""
    return [TopicYear(r[0], r[1], r[2], int(r[3])) for r in rows]


def patents_of(rows: Rows) -> list[PatentCount]:
    """:class:`PatentCount` objects of (region, year, patents, families) rows."""
    return [PatentCount(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


def top_cited_of(rows: Rows) -> list[CitedWork]:
    """:class:`CitedWork` objects of query rows, ranked in their order."""
    return [
        CitedWork(i + 1, int(r[0]), r[1], r[2], int(r[3]), r[4], r[5], tuple(r[6] or ()))
        for i, r in enumerate(rows)
    ]
