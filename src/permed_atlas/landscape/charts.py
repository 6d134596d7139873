"""Vega-Lite specs for the dashboard's charts, built from indicator tables. Pure, no I/O."""

from __future__ import annotations

from typing import Any

INDICATOR_TITLES = {
    "output": "Output by year and region",
    "copublications": "EU–China co-publications and their share",
    "institutions": "Top institutions by region",
    "countries": "Top countries by region",
    "topics": "Topic mix by region",
    "topic_trends": "Topic trends",
    "patents": "Patents by applicant region",
    "top_cited": "Most cited EU–China collaborations",
}

_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_WIDTH = 420


def _base(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": _SCHEMA,
        "title": title,
        "width": _WIDTH,
        "height": 260,
        "data": {"values": rows},
    }


def chart_specs(tables: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One Vega-Lite spec per chartable indicator (top_cited is a table, not a chart).

    :param tables: indicator name -> rows, as ``Indicators.tables()`` returns them.
    """
    specs: dict[str, dict[str, Any]] = {}
    output = [r for r in tables.get("output", []) if r.get("year") is not None]
    specs["output"] = _base(INDICATOR_TITLES["output"], output) | {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "year"},
            "y": {"field": "works", "type": "quantitative", "title": "works"},
            "color": {"field": "region", "type": "nominal"},
            "tooltip": [{"field": f} for f in ("region", "year", "works", "pm_relevant", "eu_cn")],
        },
    }
    copubs = [r for r in tables.get("copublications", []) if r.get("year") is not None]
    long_rows = [
        {"year": r["year"], "measure": name, "share": r[key]}
        for r in copubs
        for name, key in (
            ("share of EU-27 output", "share_of_eu"),
            ("share of China output", "share_of_cn"),
        )
    ]
    specs["copublications"] = _base(INDICATOR_TITLES["copublications"], long_rows) | {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "share", "type": "quantitative", "axis": {"format": "%"}},
            "color": {"field": "measure", "type": "nominal", "title": None},
            "tooltip": [
                {"field": "year"},
                {"field": "measure"},
                {"field": "share", "format": ".1%"},
            ],
        },
    }
    institutions = tables.get("institutions", [])
    specs["institutions"] = _base(INDICATOR_TITLES["institutions"], institutions) | {
        "mark": "bar",
        "encoding": {
            "y": {"field": "institution", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "works", "type": "quantitative"},
            "color": {"field": "region", "type": "nominal"},
            "tooltip": [
                {"field": f}
                for f in ("region", "rank", "institution", "country_code", "works", "eu_cn_works")
            ],
        },
    }
    specs["countries"] = _base(INDICATOR_TITLES["countries"], tables.get("countries", [])) | {
        "mark": "bar",
        "encoding": {
            "y": {"field": "country_code", "type": "nominal", "sort": "-x", "title": "country"},
            "x": {"field": "works", "type": "quantitative"},
            "color": {"field": "region", "type": "nominal"},
            "tooltip": [
                {"field": "region"},
                {"field": "country_code"},
                {"field": "works"},
                {"field": "share", "format": ".1%"},
            ],
        },
    }
    specs["topics"] = _base(INDICATOR_TITLES["topics"], tables.get("topics", [])) | {
        "mark": "rect",
        "encoding": {
            "x": {"field": "region", "type": "nominal"},
            "y": {"field": "topic", "type": "nominal"},
            "color": {"field": "share", "type": "quantitative", "legend": {"format": "%"}},
            "tooltip": [
                {"field": "region"},
                {"field": "topic"},
                {"field": "works"},
                {"field": "share", "format": ".1%"},
            ],
        },
    }
    trends: dict[tuple[str, Any], int] = {}
    for r in tables.get("topic_trends", []):
        if r.get("year") is not None:
            key = (r["topic"], r["year"])
            trends[key] = trends.get(key, 0) + int(r["works"])
    trend_rows = [{"topic": t, "year": y, "works": n} for (t, y), n in sorted(trends.items())]
    trend_title = INDICATOR_TITLES["topic_trends"] + " (all regions)"
    specs["topic_trends"] = _base(trend_title, trend_rows) | {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "works", "type": "quantitative"},
            "color": {"field": "topic", "type": "nominal"},
            "tooltip": [{"field": "topic"}, {"field": "year"}, {"field": "works"}],
        },
    }
    patents = [r for r in tables.get("patents", []) if r.get("year") is not None]
    specs["patents"] = _base(INDICATOR_TITLES["patents"], patents) | {
        "mark": "bar",
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "families", "type": "quantitative", "title": "patent families"},
            "color": {"field": "region", "type": "nominal"},
            "xOffset": {"field": "region"},
            "tooltip": [{"field": f} for f in ("region", "year", "patents", "families")],
        },
    }
    return specs
