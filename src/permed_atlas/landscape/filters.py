"""The facets every landscape indicator, network and report takes.

:class:`LandscapeFilter` is what the CLI options and the web dashboard's query
string become; :func:`filtered_works_sql` turns it into the one SELECT of works
the indicator queries start from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from permed_atlas.landscape.errors import LandscapeError


@dataclass(frozen=True, slots=True)
class LandscapeFilter:
    """Facets restricting the works an indicator counts; None means no restriction.

    :param region: works with at least one country in this region set.
    :param country: works with this ISO country code.
    :param institution: works with an affiliation whose institution id or name is this.
    :param year_from: first year, inclusive.
    :param year_to: last year, inclusive.
    :param topic: works tagged with this topic code.
    :param kind: ``publication`` or ``patent``.
    :param eu_cn: only EU–China collaborations (True) or only the others (False).
    :param pm_relevant: only PM-relevant works (True) or only the others (False).
    """

    region: str | None = None
    country: str | None = None
    institution: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    topic: str | None = None
    kind: str | None = None
    eu_cn: bool | None = None
    pm_relevant: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in (None, "publication", "patent"):
            raise LandscapeError(
                f"filter field 'kind' must be publication or patent, not {self.kind!r}"
            )
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise LandscapeError(
                f"filter field 'year_from' ({self.year_from}) is after 'year_to' ({self.year_to})"
            )


NO_FILTER = LandscapeFilter()
"""The filter that keeps every work."""


def filtered_works_sql(flt: LandscapeFilter) -> tuple[str, list[Any]]:
    """A SELECT of (work_id, year, kind, family_id, cited_by_count, pm_relevant, eu_cn).

    :param flt: the facets.
    """
    conditions: list[str] = []
    params: list[Any] = []
    if flt.year_from is not None:
        conditions.append("w.year >= ?")
        params.append(flt.year_from)
    if flt.year_to is not None:
        conditions.append("w.year <= ?")
        params.append(flt.year_to)
    if flt.kind is not None:
        conditions.append("w.kind = ?")
        params.append(flt.kind)
    if flt.eu_cn is not None:
        conditions.append("coalesce(f.eu_cn, false) = ?")
        params.append(flt.eu_cn)
    if flt.pm_relevant is not None:
        conditions.append("coalesce(f.pm_relevant, false) = ?")
        params.append(flt.pm_relevant)
    if flt.region is not None:
        conditions.append("w.work_id IN (SELECT work_id FROM work_regions WHERE region = ?)")
        params.append(flt.region.upper())
    if flt.country is not None:
        conditions.append(
            "w.work_id IN (SELECT work_id FROM work_countries WHERE country_code = ?)"
        )
        params.append(flt.country.upper())
    if flt.topic is not None:
        conditions.append("w.work_id IN (SELECT work_id FROM work_topics WHERE topic = ?)")
        params.append(flt.topic)
    if flt.institution is not None:
        conditions.append(
            "w.work_id IN (SELECT work_id FROM affiliations "
            "WHERE institution_id = ? OR lower(institution_name) = lower(?))"
        )
        params += [flt.institution, flt.institution]
    where = " AND ".join(conditions) or "TRUE"
    sql = (
        "SELECT w.work_id, w.year, w.kind, w.family_id, w.cited_by_count, "
        "coalesce(f.pm_relevant, false) AS pm_relevant, coalesce(f.eu_cn, false) AS eu_cn "
        f"FROM works w LEFT JOIN work_flags f USING (work_id) WHERE {where}"
    )
    return sql, params
