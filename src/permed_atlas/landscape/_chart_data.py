"""Rows for the charts: human labels, every year of the range, shares with their bases. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from permed_atlas.i18n import gettext, gettext_noop
from permed_atlas.landscape.indicator_models import ALL_REGIONS

SMALL_BASE = 30
"""A share whose base (denominator) has fewer works than this is marked as small.

One to three papers more or less move such a share by several points, so a change between
years says little; 30 is the usual rule of thumb below which bibliometric shares are flagged
(the charts show the counts beside the shares, and the methods text states the threshold).
"""

ALL_WORKS_LABEL = gettext_noop("All works (any region)")


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Human labels of codes, the same the search page's facets show.

    :param regions: region code -> name.
    :param topics: topic code -> label.
    :param countries: ISO alpha-2 code -> country name.
    """

    regions: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, str] = field(default_factory=dict)
    countries: Mapping[str, str] = field(default_factory=dict)

    def region(self, code: str) -> str:
        """The name of a region code (``ALL`` is every work of the filter)."""
        if code == ALL_REGIONS:
            return gettext(ALL_WORKS_LABEL)
        return self.regions.get(code, code)

    def topic(self, code: str) -> str:
        """The label of a topic code."""
        return self.topics.get(code, code)

    def country(self, code: str | None) -> str:
        """The name of a country code."""
        if not code:
            return gettext("unknown country")
        return self.countries.get(code, code)


def year_range(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    current_year: int | None = None,
) -> list[int]:
    """Every year from the first to the last with data (or the filter's bounds, when set).

    The charts share it, so a year without works is a zero on every axis instead of
    vanishing from one chart and not another. A filter reaching past the current year does
    not add the years to come: their zeros would read as a collapse, not as "not yet".

    :param tables: indicator name -> rows.
    :param year_from: the filter's first year, if any.
    :param year_to: the filter's last year, if any.
    :param current_year: this year, when known: the last year a zero can mean "no works".
    """
    years = {
        int(row["year"])
        for name in ("output", "copublications", "topic_trends", "patents")
        for row in tables.get(name, ())
        if row.get("year") is not None
    }
    first = year_from if year_from is not None else min(years, default=None)
    last = year_to if year_to is not None else max(years, default=None)
    if year_to is not None and current_year is not None and year_to > current_year:
        last = max([current_year, *years])
    if first is None or last is None or first > last:
        return []
    return list(range(first, last + 1))


def zero_filled(
    rows: Iterable[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    series: Sequence[tuple[Any, ...]],
    years: Sequence[int],
    counts: Sequence[str],
) -> list[dict[str, Any]]:
    """One row per series and year of ``years``; a missing (series, year) gets zero counts.

    :param rows: the indicator rows (with ``year``).
    :param keys: the fields naming a series (``("region",)``, ``("region", "topic")``).
    :param series: the series to fill, as tuples of ``keys`` values.
    :param years: every year to show.
    :param counts: the count fields set to 0 where a row is missing.
    """
    found: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        if row.get("year") is None:
            continue
        found[(*(row[k] for k in keys), int(row["year"]))] = row
    filled: list[dict[str, Any]] = []
    for values in series:
        for year in years:
            hit = found.get((*values, year))
            base = dict(zip(keys, values, strict=True)) | {"year": year}
            filled.append(base | {c: int(hit[c]) if hit else 0 for c in counts})
    return filled


def share_or_none(part: int, base: int) -> float | None:
    """``part / base``, or None when the base is empty (0/0 is no share, not 0%)."""
    return part / base if base else None
