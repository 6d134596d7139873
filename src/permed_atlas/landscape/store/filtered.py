"""The one SELECT of works, narrowed by a :class:`LandscapeFilter`, that the indicator and
network queries start from."""

from __future__ import annotations

from typing import Any

from permed_atlas.landscape.filters import LandscapeFilter

# Each facet's condition on the works, in the order they are joined; the facet's value is
# bound once per "?". Region and country codes are compared upper-case.
_CONDITIONS = {
    "year_from": "w.year >= ?",
    "year_to": "w.year <= ?",
    "kind": "w.kind = ?",
    "eu_cn": "coalesce(f.eu_cn, false) = ?",
    "pm_relevant": "coalesce(f.pm_relevant, false) = ?",
    "region": "w.work_id IN (SELECT work_id FROM work_regions WHERE region = ?)",
    "country": "w.work_id IN (SELECT work_id FROM work_countries WHERE country_code = ?)",
    "topic": "w.work_id IN (SELECT work_id FROM work_topics WHERE topic = ?)",
    "institution": "w.work_id IN (SELECT work_id FROM affiliations "
    "WHERE institution_id = ? OR lower(institution_name) = lower(?))",
}
_UPPER_CASE = frozenset({"region", "country"})


def filtered_works_sql(flt: LandscapeFilter) -> tuple[str, list[Any]]:
    """A SELECT of (work_id, year, kind, family_id, cited_by_count, pm_relevant, eu_cn).

    :param flt: the facets.
    """
    conditions: list[str] = []
    params: list[Any] = []
    for facet, condition in _CONDITIONS.items():
        value = getattr(flt, facet)
        if value is None:
            continue
        conditions.append(condition)
        params += [value.upper() if facet in _UPPER_CASE else value] * condition.count("?")
    where = " AND ".join(conditions) or "TRUE"
    sql = (
        "SELECT w.work_id, w.year, w.kind, w.family_id, w.cited_by_count, "
        "coalesce(f.pm_relevant, false) AS pm_relevant, coalesce(f.eu_cn, false) AS eu_cn "
        f"FROM works w LEFT JOIN work_flags f USING (work_id) WHERE {where}"
    )
    return sql, params
