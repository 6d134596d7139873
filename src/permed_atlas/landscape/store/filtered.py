"""The one SELECT of works, narrowed by a :class:`LandscapeFilter`, that the indicator and
network queries start from."""

from __future__ import annotations

from typing import Any

from permed_atlas.landscape.filters import LandscapeFilter


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
