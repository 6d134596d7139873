"""The charts' axes as Vega draws them: the specs are rendered to SVG and the tick labels read.

A spec can look right and still be drawn wrong (Vega picks the ticks), so these tests check
what a reader sees on a small corpus: one or two works a year, two years.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from permed_atlas.landscape.charts import ChartLabels, build_charts

vl_convert = pytest.importorskip("vl_convert")

REGIONS = ("CN", "EU27")
LABELS = ChartLabels(regions={"CN": "China", "EU27": "EU-27"}, topics={"onc": "Oncology"})


def _tiny_tables() -> dict[str, list[dict[str, Any]]]:
    """Two years, at most two works, one patent family: the counts of a narrow filter."""
    return {
        "output": [
            {"region": r, "year": y, "works": w, "pm_relevant": 0, "eu_cn": 1}
            for r, y, w in (("CN", 2020, 1), ("EU27", 2020, 2), ("EU27", 2021, 1), ("ALL", 2020, 2))
        ],
        "copublications": [
            {"year": 2020, "eu_cn": 2, "eu_total": 2, "cn_total": 1},
            {"year": 2021, "eu_cn": 1, "eu_total": 1, "cn_total": 1},
        ],
        "institutions": [
            {
                "region": "EU27",
                "rank": 1,
                "institution_id": "I1",
                "institution": "Charité",
                "country_code": "DE",
                "works": 1,
                "eu_cn_works": 1,
            }
        ],
        "countries": [
            {"region": "EU27", "rank": 1, "country_code": "DE", "works": 2, "share": 1.0}
        ],
        "topics": [{"region": "EU27", "topic": "onc", "works": 1, "share": 0.5}],
        "topic_trends": [
            {"region": "EU27", "topic": "onc", "year": 2020, "works": 2},
            {"region": "CN", "topic": "onc", "year": 2021, "works": 1},
        ],
        "patents": [{"region": "CN", "year": 2021, "patents": 1, "families": 1}],
    }


def _axis_labels(spec: dict[str, Any]) -> list[list[str]]:
    """The tick labels of every axis Vega draws for ``spec``."""
    spec = spec | {"width": 600} if spec.get("width") == "container" else spec
    for panel in spec.get("vconcat", []):
        panel["width"] = 600
    svg = vl_convert.vegalite_to_svg(spec)
    groups = re.findall(r'class="mark-text role-axis-label".*?</g>', svg, re.S)
    return [re.findall(r"<text[^>]*>([^<]*)</text>", group) for group in groups]


def test_a_small_count_axis_ticks_whole_numbers_once_each() -> None:
    charts = build_charts(_tiny_tables(), regions=REGIONS, labels=LABELS)
    checked = 0
    for name, chart in charts.items():
        for labels in _axis_labels(chart.spec):
            # "0, 1, 1, 2, 2": ticks half a work apart, labelled as whole numbers.
            assert len(labels) == len(set(labels)), (name, labels)
            if labels and all(re.fullmatch(r"\d+", label) for label in labels):
                checked += 1
                assert labels == [str(n) for n in range(int(labels[0]), int(labels[-1]) + 1)], (
                    name,
                    labels,
                )
    assert checked >= 6  # the count axes and the topic trends' two-year axis
