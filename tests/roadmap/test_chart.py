"""The server-side SVG chart: observations, baseline, target, projection and band."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from permed_atlas.roadmap.chart import render_chart
from permed_atlas.roadmap.status import assess

from .factories import make_indicator, make_observations

NS = {"svg": "http://www.w3.org/2000/svg"}
SERIES = [(date(2023, 12, 31), 24.0), (date(2024, 12, 31), 33.0), (date(2025, 12, 31), 34.0)]


def _classes(root: ET.Element) -> list[str]:
    return [el.get("class", "") for el in root.iter() if el.get("class")]


def test_chart_draws_every_part_with_a_band() -> None:
    indicator = make_indicator(code="milan & co", baseline=(22.0, date(2023, 1, 1)))
    assessment = assess(indicator, make_observations(indicator.code, SERIES))
    root = ET.fromstring(render_chart(assessment))
    classes = _classes(root)
    for part in ("band", "projection", "target", "target-line", "baseline", "observation"):
        assert part in classes, part
    circles = root.findall(".//svg:circle[@class='observation']", NS)
    assert [(c.get("data-date"), c.get("data-value")) for c in circles] == [
        ("2023-12-31", "24"),
        ("2024-12-31", "33"),
        ("2025-12-31", "34"),
    ]
    status = root.find(".//svg:text[@class='status']", NS)
    assert status is not None and status.text == "at risk"
    assert "milan &amp; co" in render_chart(assessment)  # text is escaped


def test_chart_without_interval_or_observations() -> None:
    indicator = make_indicator()
    two = assess(indicator, make_observations(indicator.code, [(date(2024, 6, 1), 30.0)]))
    classes = _classes(ET.fromstring(render_chart(two)))
    assert "projection" in classes and "band" not in classes
    none = assess(indicator, [])
    classes = _classes(ET.fromstring(render_chart(none)))
    assert "projection" not in classes and "baseline" in classes and "target" in classes
    assert "observation" not in classes
