"""The pieces every landscape chart is built from: titles, sizing, the region colours. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from permed_atlas.i18n import TranslatedLabels, gettext, lazy_gettext
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.landscape._chart_data import ChartLabels
from permed_atlas.landscape.indicator_models import ALL_REGIONS
from permed_atlas.landscape.palette import MAX_SERIES, TOTAL_COLOUR, region_colours

INDICATOR_TITLES: Mapping[str, str] = TranslatedLabels(
    {
        "output": N_("Works per year, by region"),
        "copublications": N_("EU–China co-publications: counts and shares"),
        "institutions": N_("Top institutions, one panel per region"),
        "countries": N_("Top countries, one panel per region"),
        "topics": N_("Topic mix by region (share of the region's works)"),
        "topic_trends": N_("Topic trends: works per year, one panel per topic"),
        "patents": N_("Patent families per priority year, by applicant region"),
        "top_cited": N_("Most cited EU–China collaborations"),
    }
)

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
OVERLAP = lazy_gettext(
    "A work counts in every region it involves, so regions overlap and are not added up."
)
LEGEND = {"orient": "bottom", "columns": 2, "labelLimit": 0, "symbolLimit": 0, "title": None}
CONFIG = {"legend": LEGEND, "axis": {"labelLimit": 260}, "view": {"stroke": None}}

COUNT_AXIS = {"format": "d", "tickMinStep": 1}
"""Counts are whole: no 0.5-work ticks on a small axis (:func:`whole_number_ticks` finishes it)."""

_LISTED_TICKS = 10
"""Up to this count the ticks of a count axis are listed, 0, 1, 2, ..."""


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its Vega-Lite spec and the notes a reader needs beside it."""

    name: str
    title: str
    spec: dict[str, Any]
    notes: tuple[str, ...] = ()


def top_spec(
    title: str, subtitle: str | list[str], rows: list[dict[str, Any]], **rest: Any
) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "data": {"values": rows},
        "config": CONFIG,
        **rest,
    }


def sized(spec: dict[str, Any], height: int = 260) -> dict[str, Any]:
    # "container" + fit: the chart, legend included, takes its box's width and never spills.
    return spec | {
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
    }


def colour_scale(field: str, domain: list[str], colours: list[str]) -> dict[str, Any]:
    return {
        "field": field,
        "type": "nominal",
        "scale": {"domain": domain, "range": colours},
        "legend": LEGEND,
    }


class RegionSeries:
    """The regions a chart colours (at most the palette's size) and their labels."""

    def __init__(
        self, regions: Sequence[str], labels: ChartLabels, *, among: Sequence[str] = ()
    ) -> None:
        chosen = [r for r in regions if r != ALL_REGIONS]
        self.shown = chosen[:MAX_SERIES]
        self.left_out = chosen[MAX_SERIES:]
        self.colours = region_colours(self.shown, among=[r for r in among if r != ALL_REGIONS])
        self.labels = labels

    def label(self, code: str) -> str:
        return self.labels.region(code)

    def scale(self, *, with_total: bool = False) -> dict[str, Any]:
        domain = [self.label(r) for r in self.shown]
        colours = [self.colours[r] for r in self.shown]
        if with_total:
            domain.append(self.label(ALL_REGIONS))
            colours.append(TOTAL_COLOUR)
        return colour_scale("region_label", domain, colours)

    def notes(self) -> tuple[str, ...]:
        if not self.left_out:
            return ()
        names = ", ".join(self.label(r) for r in self.left_out)
        return (
            gettext(
                "Only %(n)s regions fit the colour-blind-safe palette; left out here: "
                "%(names)s (the CSV has them)."
            )
            % {"n": MAX_SERIES, "names": names},
        )


def own_scales() -> str:
    """The subtitle line of a chart whose panels each scale to their own largest count."""
    return gettext(
        "Each panel has its own scale: equal lengths in two panels are not equal counts; "
        "compare the numbers."
    )


def works_axis() -> dict[str, Any]:
    """The encoding of a count of works, unstacked: overlapping series are drawn as they are."""
    return {
        "field": "works",
        "type": "quantitative",
        "title": gettext("works"),
        "stack": None,
        "axis": COUNT_AXIS,
    }


TOOLTIP_TITLES: Mapping[str, str] = TranslatedLabels(
    {
        "year": N_("year"),
        "works": N_("works"),
        "share": N_("share"),
        "rank": N_("rank"),
        "institution": N_("institution"),
        "country": N_("country"),
        "patents": N_("patents"),
        "families": N_("patent families"),
        "measure_label": N_("measure"),
    }
)
"""The tooltip title of each plain data field: without one Vega-Lite shows the field's name,
which is English (and a column name) on a Chinese page."""


def tip(field: str, **rest: Any) -> dict[str, Any]:
    """A tooltip line for one of :data:`TOOLTIP_TITLES`' fields, titled in the page's language."""
    return {"field": field, "title": TOOLTIP_TITLES[field], **rest}


def region_tooltip() -> dict[str, Any]:
    """The tooltip line naming a row's region: the ``region_label`` that
    :meth:`RegionSeries.scale` colours by."""
    return {"field": "region_label", "title": gettext("region")}


def year_axis(kind: str = "ordinal") -> dict[str, Any]:
    axis: dict[str, Any] = {"title": gettext("year"), "labelAngle": -45}
    if kind == "quantitative":
        axis |= {"format": "d", "tickMinStep": 1}
    return {"field": "year", "type": kind, "axis": axis}


def mark_partial_year(spec: Any, year: int, *, title: str | None = None) -> bool:
    """Star ``year`` and every later year on every year axis of ``spec`` (nested panels
    included); whether it had one.

    :param spec: a Vega-Lite spec, changed in place.
    :param year: the first year whose count is still growing.
    :param title: the axis title keying the star (default: the year is not over).
    """
    found = False
    if isinstance(spec, dict):
        if spec.get("field") == "year" and isinstance(spec.get("axis"), dict):
            # The axis title keys the star: a chart saved as PNG or SVG leaves its notes behind.
            spec["axis"] = spec["axis"] | {
                "labelExpr": f"datum.value >= {int(year)} ? datum.label + '*' : datum.label",
                "title": title
                or gettext("year (%(year)s*: not over, still being indexed)") % {"year": int(year)},
            }
            found = True
        for value in spec.values():
            found = mark_partial_year(value, year, title=title) or found
    elif isinstance(spec, list):
        for value in spec:
            found = mark_partial_year(value, year, title=title) or found
    return found


def whole_number_ticks(spec: Any, rows: Sequence[Mapping[str, Any]] = ()) -> None:
    """List the ticks of every whole-number axis (counts, years) that spans a few units.

    Vega's ``tickMinStep`` alone does not do it: on a 0-1 or 0-2 axis it still asks d3 for
    ticks 0.5 apart, which the whole-number format labels "0, 1, 1, 2, 2" (a bar of 1 reaches
    one line labelled 1 while another sits halfway), and two years read "2020, 2021, 2021".
    Vega drops listed ticks outside a panel's own domain and thins too many, so one list
    serves every panel of a faceted chart.

    :param spec: a Vega-Lite spec, changed in place.
    :param rows: the data of the enclosing spec (a panel without its own data inherits it).
    """
    if isinstance(spec, list):
        for value in spec:
            whole_number_ticks(value, rows)
        return
    if not isinstance(spec, dict):
        return
    data = spec.get("data")
    rows = data.get("values", rows) if isinstance(data, dict) else rows
    for channel in spec.get("encoding", {}).values():
        axis = channel.get("axis") if isinstance(channel, dict) else None
        if isinstance(axis, dict) and axis.get("tickMinStep") == 1:
            values = [int(r[channel["field"]] or 0) for r in rows if channel["field"] in r]
            # A count axis starts at 0; a year axis at its first year.
            low = min(values, default=0) if channel["field"] == "year" else 0
            high = max(values, default=0)
            if high - low <= _LISTED_TICKS:
                channel["axis"] = axis | {"values": list(range(low, high + 1))}
    for key, value in spec.items():
        if key not in ("data", "encoding"):
            whole_number_ticks(value, rows)
