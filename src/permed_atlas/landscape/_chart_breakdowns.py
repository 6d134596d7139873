"""The charts that break indicators down by region and topic: ranked panels, topic grid. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from permed_atlas.i18n import gettext
from permed_atlas.landscape._chart_data import SMALL_BASE, ChartLabels, zero_filled
from permed_atlas.landscape._chart_spec import (
    INDICATOR_TITLES,
    OVERLAP,
    Chart,
    RegionSeries,
    own_scales,
    region_tooltip,
    sized,
    tip,
    top_spec,
    works_axis,
    year_axis,
)


def _ranked_panels(
    name: str,
    rows: list[dict[str, Any]],
    regions: RegionSeries,
    *,
    item: str,
    item_title: str,
    tooltip: list[dict[str, Any]],
    notes: tuple[str, ...] = (),
) -> Chart:
    """One panel per region with its own ranking, so an item in two regions is drawn twice
    side by side instead of stacked into one bar of double length.

    Each bar is labelled with its row's ``label``; the tooltip names the region first.
    """
    shown = [r | {"region_label": regions.label(r["region"])} for r in rows]
    order = [regions.label(r) for r in regions.shown]
    shown = [r for r in shown if r["region_label"] in order]
    unit = {
        "width": 300,
        "height": {"step": 16},
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "y": {
                        "field": item,
                        "type": "nominal",
                        "sort": {"field": "rank", "op": "min"},
                        "title": None,
                    },
                    "x": works_axis(),
                    "color": regions.scale() | {"legend": None},
                    "tooltip": [region_tooltip(), *tooltip],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
                "encoding": {
                    "y": {"field": item, "type": "nominal", "sort": {"field": "rank", "op": "min"}},
                    "x": {"field": "works", "type": "quantitative", "stack": None},
                    "text": {"field": "label"},
                },
            },
        ],
    }
    spec = top_spec(
        INDICATOR_TITLES[name],
        [
            gettext("%(overlap)s Bars show works; %(detail)s.")
            % {"overlap": OVERLAP, "detail": item_title},
            own_scales(),
        ],
        shown,
        facet={
            "field": "region_label",
            "type": "nominal",
            "sort": order,
            "title": None,
            "header": {"labelFontWeight": "bold", "labelLimit": 0, "labelAnchor": "start"},
        },
        columns=2,
        spec=unit,
        resolve={"scale": {"y": "independent", "x": "independent"}},
    )
    return Chart(name, INDICATOR_TITLES[name], spec, notes + regions.notes())


def institutions_chart(
    tables: Mapping[str, Any], regions: RegionSeries, labels: ChartLabels
) -> Chart:
    rows = [
        r | {"country": labels.country(r.get("country_code")), "label": f"{r['works']:,}"}
        for r in tables.get("institutions", [])
    ]
    return _ranked_panels(
        "institutions",
        rows,
        regions,
        item="institution",
        item_title=gettext("the tooltip gives each one's EU–China works"),
        tooltip=[
            tip("rank"),
            tip("institution"),
            tip("country"),
            tip("works"),
            {"field": "eu_cn_works", "title": gettext("EU–China works")},
        ],
    )


def countries_chart(
    tables: Mapping[str, Any],
    regions: RegionSeries,
    labels: ChartLabels,
    *,
    fixed_country: str | None = None,
) -> Chart:
    fixed = (fixed_country or "").upper()
    rows = [
        r
        | {
            "country": labels.country(r["country_code"]),
            "label": gettext("%(n)s (the filter)") % {"n": f"{r['works']:,}"}
            if r["country_code"] == fixed
            else f"{r['works']:,} ({r['share']:.0%})",
            # The region's works the share is of, as the indicator computed it.
            "base": round(r["works"] / r["share"]) if r["share"] else None,
        }
        for r in tables.get("countries", [])
    ]
    notes = (
        (
            gettext(
                "The country filter keeps only works with %(country)s, so it is in "
                "every work of its regions (100%% by construction); the other bars are its "
                "partners, with their share of those works."
            )
            % {"country": labels.country(fixed)},
        )
        if fixed and any(r["country_code"] == fixed for r in rows)
        else ()
    )
    return _ranked_panels(
        "countries",
        rows,
        regions,
        item="country",
        item_title=gettext("beside each, its works and its share of the region's works"),
        tooltip=[
            tip("country"),
            tip("works"),
            {"field": "share", "format": ".1%", "title": gettext("share of the region's works")},
            {"field": "base", "title": gettext("of the region's works")},
        ],
        notes=notes + _small_bases(rows, regions),
    )


def _small_bases(rows: list[dict[str, Any]], regions: RegionSeries) -> tuple[str, ...]:
    """The note naming the regions whose country shares rest on fewer than SMALL_BASE works."""
    bases = {r["region"]: r["base"] for r in rows if r["base"] and r["region"] in regions.shown}
    small = [
        f"{regions.label(code)} (n = {bases[code]:,})"
        for code in regions.shown
        if bases.get(code, SMALL_BASE) < SMALL_BASE
    ]
    if not small:
        return ()
    return (
        gettext(
            "Fewer than %(n)s works in: %(regions)s. A few works more or less move those "
            "country shares a lot."
        )
        % {"n": SMALL_BASE, "regions": "; ".join(small)},
    )


def _region_totals(tables: Mapping[str, Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in tables.get("output", []):
        totals[row["region"]] = totals.get(row["region"], 0) + int(row["works"])
    return totals


def _topic_cells(
    tables: Mapping[str, Any], regions: RegionSeries, labels: ChartLabels, topics: list[str]
) -> list[dict[str, Any]]:
    """One cell per shown region and topic, with its labels and base."""
    totals = _region_totals(tables)
    found = {(r["region"], r["topic"]): r for r in tables.get("topics", [])}
    rows = []
    # A topic no work of a region has is a 0% cell, not a hole in the grid.
    for code in regions.shown:
        for topic in topics:
            r = found.get((code, topic)) or {
                "region": code,
                "topic": topic,
                "works": 0,
                "share": 0.0,
            }
            base = totals.get(r["region"], 0)
            # A region without works has no share: a blank cell, not a 0% one.
            share = r["share"] if base else None
            rows.append(
                r
                | {
                    "region_label": f"{regions.label(r['region'])} (n = {base:,})",
                    "topic_label": labels.topic(r["topic"]),
                    "base": base,
                    "share": share,
                    "small_base": 0 < base < SMALL_BASE,
                    "label": "–" if share is None else f"{share:.0%} ({r['works']:,})",
                }
            )
    return rows


def _topic_layers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The heat map's cells and their labels, rows and columns in the order of ``rows``."""
    y = {
        "field": "region_label",
        "type": "nominal",
        "title": None,
        "axis": {"labelLimit": 0},
        "sort": list(dict.fromkeys(r["region_label"] for r in rows)),
    }
    x = {
        "field": "topic_label",
        "type": "nominal",
        "title": None,
        "axis": {"labelAngle": -35},
        "sort": list(dict.fromkeys(r["topic_label"] for r in rows)),
    }
    return [
        {
            "mark": "rect",
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "share",
                    "type": "quantitative",
                    "scale": {"scheme": "blues", "domainMin": 0},
                    "legend": {"format": "%", "title": gettext("share"), "orient": "right"},
                },
                "opacity": {
                    "condition": {"test": "datum.small_base", "value": 0.35},
                    "value": 1,
                },
                "tooltip": [
                    region_tooltip(),
                    {"field": "topic_label", "title": gettext("topic")},
                    tip("works"),
                    {"field": "base", "title": gettext("of the region's works")},
                    tip("share", format=".1%"),
                ],
            },
        },
        {
            "mark": {"type": "text", "fontSize": 10},
            "encoding": {
                "x": x,
                "y": y,
                "text": {"field": "label"},
                "color": {
                    "condition": {"test": "datum.share > 0.3", "value": "white"},
                    "value": "black",
                },
            },
        },
    ]


def topics_chart(
    tables: Mapping[str, Any],
    regions: RegionSeries,
    labels: ChartLabels,
    *,
    fixed_topic: str | None = None,
) -> Chart:
    # By code, not label: a topic keeps its column in both languages (and the trends' panel).
    topics = sorted({r["topic"] for r in tables.get("topics", [])})
    fixed: tuple[str, ...] = ()
    if fixed_topic and fixed_topic in topics:
        # Every work left has the filtered topic: its column would be 100% everywhere.
        topics.remove(fixed_topic)
        fixed = (
            gettext(
                "The topic filter keeps only %(topic)s works, so that topic is "
                "100%% of every region by construction and is left out; the other cells are the "
                "share of those works that also have each topic."
            )
            % {"topic": labels.topic(fixed_topic)},
        )
    rows = _topic_cells(tables, regions, labels, topics)
    small = sorted({r["region_label"] for r in rows if r["small_base"]})
    empty = sorted({r["region_label"] for r in rows if not r["base"]})
    notes = fixed + (
        (
            gettext(
                "Fewer than %(n)s works in: %(regions)s. Their cells are faded: "
                "a few works more or less move those shares a lot."
            )
            % {"n": SMALL_BASE, "regions": "; ".join(small)},
        )
        if small
        else ()
    )
    if empty:
        notes += (
            gettext("No works in: %(regions)s, so no share (the cells are blank).")
            % {"regions": "; ".join(empty)},
        )
    spec = top_spec(
        INDICATOR_TITLES["topics"],
        gettext(
            "Each cell: share of the region's works with the topic, and (in brackets) how many. "
            "A work can have several topics."
        ),
        rows,
        layer=_topic_layers(rows),
    )
    return Chart(
        "topics",
        INDICATOR_TITLES["topics"],
        sized(spec, 40 + 34 * len(regions.shown)),
        notes + regions.notes(),
    )


def topic_trends_chart(
    tables: Mapping[str, Any], regions: RegionSeries, labels: ChartLabels, years: list[int]
) -> Chart:
    source = tables.get("topic_trends", [])
    topics = sorted({r["topic"] for r in source})
    rows = zero_filled(
        source,
        keys=("region", "topic"),
        series=[(r, t) for t in topics for r in regions.shown],
        years=years,
        counts=("works",),
    )
    rows = [
        r | {"region_label": regions.label(r["region"]), "topic_label": labels.topic(r["topic"])}
        for r in rows
    ]
    spec = top_spec(
        INDICATOR_TITLES["topic_trends"],
        [gettext("One line per region. %(overlap)s") % {"overlap": OVERLAP}, own_scales()],
        rows,
        facet={
            "field": "topic_label",
            "type": "nominal",
            "sort": [labels.topic(t) for t in topics],
            "title": None,
            "header": {"labelLimit": 0, "labelAnchor": "start"},
        },
        columns=3,
        spec={
            "width": 260,
            "height": 110,
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": year_axis("quantitative"),
                "y": works_axis(),
                "color": regions.scale(),
                "tooltip": [
                    {"field": "topic_label", "title": gettext("topic")},
                    region_tooltip(),
                    tip("year"),
                    tip("works"),
                ],
            },
        },
        resolve={"scale": {"y": "independent"}},
    )
    return Chart("topic_trends", INDICATOR_TITLES["topic_trends"], spec, regions.notes())
