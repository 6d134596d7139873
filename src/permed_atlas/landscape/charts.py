"""Vega-Lite specs for the dashboard's and the report's charts, built from indicator tables.

Pure, no I/O. The rules every chart keeps (tests/landscape/test_charts.py checks them):

- region sets overlap (Germany is in EU-27, ICPerMed and the EEA), so counts of several
  regions are never stacked: lines, grouped bars or one panel per region;
- every year of the range is on the axis, a year without works as zero;
- a share is shown with its count and base, and marked when the base is below
  :data:`SMALL_BASE`; a share the filter fixes (100% by construction) is hidden and explained;
- one colour-blind-safe palette (:mod:`permed_atlas.landscape.palette`), one colour per region
  in every chart, never a repeated colour;
- the labels the search page's facets show, not codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from permed_atlas.i18n import gettext
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.landscape._chart_breakdowns import (
    countries_chart,
    institutions_chart,
    topic_trends_chart,
    topics_chart,
)
from permed_atlas.landscape._chart_data import SMALL_BASE as SMALL_BASE
from permed_atlas.landscape._chart_data import ChartLabels as ChartLabels
from permed_atlas.landscape._chart_data import share_or_none, year_range, zero_filled
from permed_atlas.landscape._chart_spec import (
    CONFIG,
    COUNT_AXIS,
    INDICATOR_TITLES,
    OVERLAP,
    SCHEMA,
    RegionSeries,
    colour_scale,
    mark_partial_year,
    region_tooltip,
    sized,
    tip,
    top_spec,
    whole_number_ticks,
    works_axis,
    year_axis,
)
from permed_atlas.landscape._chart_spec import Chart as Chart
from permed_atlas.landscape.filters import NO_FILTER, LandscapeFilter
from permed_atlas.landscape.indicator_models import ALL_REGIONS
from permed_atlas.landscape.palette import BLUE, VERMILLION

__all__ = [
    "INDICATOR_TITLES",
    "SMALL_BASE",
    "Chart",
    "ChartLabels",
    "build_charts",
    "chart_specs",
]


def _output(tables: Mapping[str, Any], regions: RegionSeries, years: list[int]) -> Chart:
    rows = zero_filled(
        tables.get("output", []),
        keys=("region",),
        series=[(r,) for r in [*regions.shown, ALL_REGIONS]],
        years=years,
        counts=("works", "pm_relevant", "eu_cn"),
    )
    rows = [r | {"region_label": regions.label(r["region"])} for r in rows]
    spec = top_spec(INDICATOR_TITLES["output"], str(OVERLAP), rows) | {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": year_axis(),
            "y": works_axis(),
            "color": regions.scale(with_total=True),
            "tooltip": [
                region_tooltip(),
                tip("year"),
                tip("works"),
                {"field": "pm_relevant", "title": gettext("PM-relevant")},
                {"field": "eu_cn", "title": gettext("EU–China")},
            ],
        },
    }
    return Chart("output", INDICATOR_TITLES["output"], sized(spec), regions.notes())


# The measure is a key in English (the hidden set, the rows) and a msgid: the legend and
# the tooltip show it in the page's language (``measure_label``).
_MEASURES = (
    (N_("share of EU-27 publications"), "share_of_eu", "eu_total"),
    (N_("share of China's publications"), "share_of_cn", "cn_total"),
)


def _fixed_shares(
    flt: LandscapeFilter, rows: list[dict[str, Any]]
) -> tuple[set[str], tuple[str, ...]]:
    """The share measures that say nothing here (the filter fixes them, or they never move)
    and the notes that say why; both hidden means no share panel."""
    everything = {measure for measure, *_ in _MEASURES}
    if not any(r["eu_total"] or r["cn_total"] for r in rows):
        return everything, (
            gettext(
                "No EU-27 or Chinese publication in this selection: there is no share to show."
            ),
        )
    if flt.eu_cn is not None:
        note = (
            gettext(
                "The EU–China filter is set to yes: every EU-27 and Chinese publication left is "
                "a co-publication, so both shares are 100%% by construction. The share chart "
                "is hidden; the counts stay."
            )
            if flt.eu_cn
            else gettext(
                "The EU–China filter is set to no: every EU-27 and Chinese publication left is "
                "no co-publication, so both shares are 0%% by construction. The share chart "
                "is hidden; the counts stay."
            )
        )
        return everything, (note % {},)
    fixed: set[str] = set()
    notes: list[str] = []
    for measure, key, *_ in _MEASURES:
        values = {r[key] for r in rows if r[key] is not None}
        if len(values) == 1 and values <= {0.0, 1.0} and len(rows) > 1:
            fixed.add(measure)
            notes.append(
                gettext(
                    "The %(measure)s is %(share)s in every year of this selection "
                    "(its facets fix it), so it is not drawn; the counts stay."
                )
                % {"measure": gettext(measure), "share": f"{next(iter(values)):.0%}"}
            )
    return fixed, tuple(notes)


def _copublication_rows(
    tables: Mapping[str, Any], years: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per year: the counts and both shares (wide rows), and one row per share (long rows)."""
    found = {r["year"]: r for r in tables.get("copublications", []) if r.get("year") is not None}
    rows: list[dict[str, Any]] = []
    for year in years:
        r = found.get(year, {})
        both, eu, cn = int(r.get("eu_cn", 0)), int(r.get("eu_total", 0)), int(r.get("cn_total", 0))
        rows.append(
            {
                "year": year,
                "eu_cn": both,
                "eu_total": eu,
                "cn_total": cn,
                "share_of_eu": share_or_none(both, eu),
                "share_of_cn": share_or_none(both, cn),
            }
        )
    long_rows = [
        {
            "year": r["year"],
            "measure": measure,
            "measure_label": gettext(measure),
            "share": r[key],
            "co_publications": r["eu_cn"],
            "base": r[base],
            "small_base": r[base] < SMALL_BASE,
        }
        for r in rows
        for measure, key, base in _MEASURES
    ]
    return rows, long_rows


def _copublication_counts() -> dict[str, Any]:
    """The panel of co-publications per year (bars, labelled)."""
    return {
        "title": {"text": gettext("co-publications per year"), "anchor": "start"},
        "height": 150,
        "width": "container",
        "layer": [
            {
                "mark": {"type": "bar", "color": "#444444"},
                "encoding": {
                    "x": year_axis(),
                    "y": {
                        "field": "eu_cn",
                        "type": "quantitative",
                        "title": gettext("co-publications"),
                        "axis": COUNT_AXIS,
                        "stack": None,
                    },
                    "tooltip": [
                        tip("year"),
                        {"field": "eu_cn", "title": gettext("co-publications")},
                        {"field": "eu_total", "title": gettext("EU-27 publications")},
                        {"field": "cn_total", "title": gettext("China's publications")},
                    ],
                },
            },
            {
                "mark": {"type": "text", "dy": -6, "fontSize": 10},
                "encoding": {
                    "x": year_axis(),
                    "y": {"field": "eu_cn", "type": "quantitative"},
                    "text": {"field": "eu_cn", "type": "quantitative"},
                },
            },
        ],
    }


def _copublication_shares(
    long_rows: list[dict[str, Any]], hidden: set[str]
) -> dict[str, Any] | None:
    """The panel of the shares of each side's publications; None when both are hidden."""
    shares_measures = [m for m, *_ in _MEASURES if m not in hidden]
    share_colour = colour_scale(
        "measure_label",
        [gettext(m) for m in shares_measures],
        [c for (m, *_), c in zip(_MEASURES, (BLUE, VERMILLION), strict=True) if m not in hidden],
    )
    tooltip = [
        tip("year"),
        tip("measure_label"),
        tip("share", format=".1%"),
        {"field": "co_publications", "title": gettext("co-publications")},
        {"field": "base", "title": gettext("of publications")},
    ]
    if not shares_measures:
        return None
    return {
        "title": {
            "text": gettext("their share of each side's publications"),
            "subtitle": gettext(
                "Hollow points: a share of fewer than %(n)s publications "
                "(a few papers swing it; compare years with care)."
            )
            % {"n": SMALL_BASE},
            "anchor": "start",
        },
        "data": {"values": long_rows},
        "height": 170,
        "width": "container",
        "layer": [
            {
                "mark": {"type": "line"},
                "encoding": {
                    "x": year_axis(),
                    "y": {
                        "field": "share",
                        "type": "quantitative",
                        "axis": {"format": "%"},
                        "title": gettext("share"),
                    },
                    "color": share_colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 45, "strokeWidth": 1.5},
                "encoding": {
                    "x": year_axis(),
                    "y": {"field": "share", "type": "quantitative"},
                    "stroke": share_colour | {"legend": None},
                    "fill": share_colour
                    | {"legend": None, "condition": {"test": "datum.small_base", "value": "white"}},
                    "tooltip": tooltip,
                },
            },
        ],
    }


def _copublications(tables: Mapping[str, Any], years: list[int], flt: LandscapeFilter) -> Chart:
    rows, long_rows = _copublication_rows(tables, years)
    counts = _copublication_counts()
    hidden, notes = _fixed_shares(flt, rows)
    long_rows = [r for r in long_rows if r["measure"] not in hidden]
    shares = _copublication_shares(long_rows, hidden)
    panels = [counts] if shares is None else [counts, shares]
    spec = {
        "$schema": SCHEMA,
        "title": {
            "text": INDICATOR_TITLES["copublications"],
            "subtitle": gettext("Publications with authors in both the EU-27 and China."),
            "anchor": "start",
        },
        "data": {"values": rows},
        "config": CONFIG,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "vconcat": panels,
        "resolve": {"scale": {"color": "independent"}},
    }
    return Chart("copublications", INDICATOR_TITLES["copublications"], spec, notes)


def _patents(tables: Mapping[str, Any], regions: RegionSeries, years: list[int]) -> Chart:
    source = tables.get("patents", [])
    rows = zero_filled(
        source,
        keys=("region",),
        series=[(r,) for r in regions.shown],
        years=years if source else [],
        counts=("patents", "families"),
    )
    rows = [r | {"region_label": regions.label(r["region"])} for r in rows]
    spec = top_spec(
        INDICATOR_TITLES["patents"],
        gettext("Grouped, not stacked: %(overlap)s")
        % {"overlap": str(OVERLAP)[:1].lower() + str(OVERLAP)[1:]},
        rows,
        mark="bar",
        encoding={
            "x": year_axis(),
            "y": {
                "field": "families",
                "type": "quantitative",
                "title": gettext("patent families"),
                "axis": COUNT_AXIS,
                "stack": None,
            },
            "xOffset": {"field": "region_label", "sort": [regions.label(r) for r in regions.shown]},
            "color": regions.scale(),
            "tooltip": [
                region_tooltip(),
                {"field": "year", "title": gettext("priority year")},
                tip("patents"),
                tip("families"),
            ],
        },
    )
    return Chart("patents", INDICATOR_TITLES["patents"], sized(spec), regions.notes())


_COUNT_FIELDS = ("works", "families", "eu_cn", "eu_total", "cn_total")


def _drawn_nothing(spec: Mapping[str, Any]) -> bool:
    """Whether a chart has no count above zero: an empty frame or a flat zero line."""
    rows = spec.get("data", {}).get("values", [])
    return not any(row.get(field) for row in rows for field in _COUNT_FIELDS)


PATENT_LAG_YEARS = 2
"""Priority years still filling on the patents chart: the current one and the one before.

A patent application is published about 18 months after its priority date (EPC Art. 93,
PCT Art. 21), and then indexed, so the families of last year's priority dates are mostly not
yet visible either; their count is no decline.
"""


def _partial_year_note(chart: Chart, current_year: int, years: list[int]) -> str | None:
    """Star the years whose counts are still growing on ``chart`` and say why; None if none."""
    if chart.name == "patents":
        first = next((y for y in years if y > current_year - PATENT_LAG_YEARS), None)
        if first is None:
            return None
        starred = ", ".join(f"{y}*" for y in years if y >= first)
        title = gettext("priority year (%(years)s: still being published)") % {"years": starred}
        if not mark_partial_year(chart.spec, first, title=title):
            return None
        return gettext(
            "Patent applications are published about 18 months after their priority date, "
            "so priority years %(years)s are still being filled: their lower counts are no "
            "decline."
        ) % {"years": starred}
    if current_year not in years or not mark_partial_year(chart.spec, current_year):
        return None
    return gettext(
        "%(year)s* is not over: its works are still being published and indexed, "
        "so its lower count is no decline."
    ) % {"year": current_year}


def _explained(chart: Chart, current_year: int | None, years: list[int]) -> Chart:
    """The chart with the notes its data call for: nothing to draw, a year not over.

    :param current_year: this year, when known.
    :param years: the years of the charts' range.
    """
    notes = list(chart.notes)
    if _drawn_nothing(chart.spec):
        notes.append(gettext("No work of this selection counts in this chart, so it is empty."))
    elif current_year is not None:
        note = _partial_year_note(chart, current_year, years)
        notes += [note] if note else []
    return Chart(chart.name, chart.title, chart.spec, tuple(notes))


def build_charts(
    tables: Mapping[str, list[dict[str, Any]]],
    *,
    regions: Sequence[str],
    labels: ChartLabels | None = None,
    flt: LandscapeFilter = NO_FILTER,
    current_year: int | None = None,
    all_regions: Sequence[str] = (),
) -> dict[str, Chart]:
    """Every chart of the dashboard (top_cited is a table, not a chart).

    :param tables: indicator name -> rows, as ``Indicators.tables()`` returns them.
    :param regions: the regions the indicators break down by, in display order.
    :param labels: human labels for region, topic and country codes.
    :param flt: the facets the indicators were computed with (a filter can fix a share).
    :param current_year: this year: starred and explained on a year axis that reaches it
        (its count is still growing), and the last year a filter's range is drawn to.
    :param all_regions: every region the corpus is tagged with: a region keeps its colour
        whichever of them are shown (the dashboard's and the report's charts agree).
    """
    labels = labels or ChartLabels()
    shown = RegionSeries(regions, labels, among=all_regions)
    years = year_range(
        tables, year_from=flt.year_from, year_to=flt.year_to, current_year=current_year
    )
    charts = (
        _output(tables, shown, years),
        _copublications(tables, years, flt),
        institutions_chart(tables, shown, labels),
        countries_chart(tables, shown, labels, fixed_country=flt.country),
        topics_chart(tables, shown, labels, fixed_topic=flt.topic),
        topic_trends_chart(tables, shown, labels, years),
        _patents(tables, shown, years),
    )
    for chart in charts:
        whole_number_ticks(chart.spec)
    return {chart.name: _explained(chart, current_year, years) for chart in charts}


def chart_specs(
    tables: Mapping[str, list[dict[str, Any]]],
    *,
    regions: Sequence[str],
    labels: ChartLabels | None = None,
    flt: LandscapeFilter = NO_FILTER,
    current_year: int | None = None,
) -> dict[str, dict[str, Any]]:
    """One Vega-Lite spec per chart, as :func:`build_charts` draws them.

    :param tables: indicator name -> rows.
    :param regions: the regions, in display order.
    :param labels: human labels for codes.
    :param flt: the facets.
    :param current_year: this year (see :func:`build_charts`).
    """
    charts = build_charts(
        tables, regions=regions, labels=labels, flt=flt, current_year=current_year
    )
    return {name: chart.spec for name, chart in charts.items()}
