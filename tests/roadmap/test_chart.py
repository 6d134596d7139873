"""The server-side SVG chart: observations, baseline, target, projection and band."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import date

from permed_atlas.i18n import use_language
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


def test_chart_hover_titles_and_description_follow_the_language() -> None:
    # The legend was translated; the hover titles and the accessible description (what a
    # screen reader says) stayed English on a Chinese page.
    indicator = make_indicator(baseline=(22.0, date(2023, 1, 1)))
    assessment = assess(indicator, make_observations(indicator.code, SERIES))
    with use_language("zh"):
        root = ET.fromstring(render_chart(assessment))
    titles = [el.text or "" for el in root.iter(f"{{{NS['svg']}}}title")]
    desc = root.find("svg:desc", NS)
    assert desc is not None and desc.text is not None
    assert desc.text.startswith("自 2023-01-01 起共 4 个数据点；") and "状态：" in desc.text
    assert "预计" in desc.text and "基于" in desc.text
    spoken = [desc.text, *titles[1:]]  # titles[0] is the indicator's own name
    english = [t for t in spoken if re.search(r"\b(points|target|baseline|status|trend)\b", t)]
    assert english == []
    assert any(t.startswith("目标：") for t in titles) and any(
        t.startswith("基线：") for t in titles
    )
    assert any("预测区间" in t for t in titles) and any(t.startswith("线性趋势") for t in titles)
    again = ET.fromstring(render_chart(assessment))
    desc_en = again.find("svg:desc", NS)
    assert desc_en is not None and (desc_en.text or "").startswith("4 points from 2023-01-01;")


def test_a_falling_count_is_not_drawn_below_zero() -> None:
    indicator = make_indicator(
        unit="trials",
        direction="decrease",
        baseline=(30.0, date(2023, 1, 1)),
        target=(5.0, date(2030, 12, 31)),
    )
    series = [(date(2024, 1, 1), 18.0), (date(2025, 1, 1), 9.0), (date(2025, 6, 1), 6.0)]
    root = ET.fromstring(render_chart(assess(indicator, make_observations(indicator.code, series))))
    axis = root.find(".//svg:g[@class='axes']", NS)
    labels = [float(t.text) for t in axis.findall("svg:text", NS) if t.get("class") is None]
    assert min(labels) == 0.0
    projection = root.find(".//svg:line[@class='projection']/svg:title", NS)
    assert projection is not None and "projected 0 at 2030-12-31" in projection.text


def test_a_long_chinese_name_is_cut_inside_the_drawing() -> None:
    indicator = dataclasses.replace(make_indicator(), name_zh="氟嘧啶类化疗前基因分型" * 6)
    with use_language("zh"):
        svg = render_chart(assess(indicator, []))
    heading = ET.fromstring(svg).findall("svg:text", NS)[0].text or ""
    # Counted as one letter each, 66 characters of 14 px ran ~240 px past the right edge.
    assert heading.endswith("…") and len(heading) <= 40
    english = dataclasses.replace(make_indicator(), name="Share of centres genotyping " * 4)
    cut = ET.fromstring(render_chart(assess(english, []))).findall("svg:text", NS)[0].text
    assert cut is not None and cut.endswith("…") and 70 <= len(cut) <= 80
