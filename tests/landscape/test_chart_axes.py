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


def _drawn_order(spec: dict[str, Any], field: str) -> list[str]:
    """The order Vega-Lite draws ``field``'s categories in: the listed sort, else ascending."""
    found: list[list[str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("field") == field and node.get("type") == "nominal":
                rows = spec["data"]["values"]
                values = sorted({str(r[field]) for r in rows})
                sort = node.get("sort")
                found.append(sort if isinstance(sort, list) else values)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert found and all(order == found[0] for order in found), found
    return found[0]


def test_topics_and_regions_keep_their_place_in_both_languages() -> None:
    from permed_atlas.i18n import use_language

    tables = _tiny_tables()
    tables["topics"] += [{"region": "CN", "topic": "tcm", "works": 1, "share": 1.0}]
    tables["topic_trends"] += [{"region": "CN", "topic": "tcm", "year": 2021, "works": 1}]
    regions = ("EU27", "CN")  # the display order, not the alphabet's
    orders = {}
    for language, labels in (
        (
            "en",
            ChartLabels(
                {"CN": "China", "EU27": "EU-27"},
                {"onc": "Oncology", "tcm": "Traditional Chinese Medicine"},
            ),
        ),
        ("zh", ChartLabels({"CN": "中国", "EU27": "欧盟"}, {"onc": "肿瘤学", "tcm": "中医药"})),
    ):
        with use_language(language):
            charts = build_charts(tables, regions=regions, labels=labels)
        cells = charts["topics"].spec
        topic_of = {r["topic_label"]: r["topic"] for r in cells["data"]["values"]}
        region_of = {r["region_label"]: r["region"] for r in cells["data"]["values"]}
        trends = charts["topic_trends"].spec
        trend_of = {r["topic_label"]: r["topic"] for r in trends["data"]["values"]}
        orders[language] = (
            [topic_of[t] for t in _drawn_order(cells, "topic_label")],
            [region_of[r] for r in _drawn_order(cells, "region_label")],
            [trend_of[t] for t in _drawn_order(trends, "topic_label")],
        )
    assert orders["en"] == orders["zh"]
    assert orders["en"][1] == ["EU27", "CN"]  # as the legends and the other panels list them


def _svg_texts(spec: dict[str, Any]) -> list[str]:
    spec = spec | {"width": 600} if spec.get("width") == "container" else spec
    for panel in spec.get("vconcat", []):
        panel["width"] = 600
    # A title of several lines is one <text> of <tspan>s.
    return re.findall(r"<(?:text|tspan)[^>]*>([^<]+)<", vl_convert.vegalite_to_svg(spec))


def test_a_saved_chart_says_what_its_starred_year_means() -> None:
    from permed_atlas.i18n import use_language

    keys = {
        "en": ("2021*: not over", "2020*, 2021*: still being published"),
        "zh": ("2021* 年尚未结束", "2020*, 2021*：仍在陆续公布"),
    }
    for language, (key, patent_key) in keys.items():
        with use_language(language):
            charts = build_charts(_tiny_tables(), regions=REGIONS, labels=LABELS, current_year=2021)
        starred = 0
        for name, chart in charts.items():
            # What a PNG or SVG download holds: the drawing, not the notes beside it.
            texts = _svg_texts(chart.spec)
            if "2021*" in texts:
                starred += 1
                wanted = patent_key if name == "patents" else key
                assert any(wanted in text for text in texts), (language, name)
        assert starred == 4  # output, co-publications, topic trends, patents
    # An 18-month publication lag: last year's priority dates are starred on patents only.
    assert "2020*" in _svg_texts(charts["patents"].spec)
    assert "2020*" not in _svg_texts(charts["output"].spec)


def test_panels_on_their_own_scales_say_so_in_the_drawing() -> None:
    from permed_atlas.i18n import use_language

    tables = _tiny_tables()
    tables["institutions"].append(
        tables["institutions"][0] | {"region": "CN", "institution": "Fudan", "works": 8}
    )
    tables["institutions"][0]["works"] = 28
    for language, key in (("en", "its own scale"), ("zh", "各有其刻度")):
        with use_language(language):
            charts = build_charts(tables, regions=REGIONS, labels=LABELS)
        for name, chart in charts.items():
            independent = chart.spec.get("resolve", {}).get("scale", {})
            if not {"x", "y"} & set(independent):
                continue
            # 8 works in one panel and 28 in the next were drawn as bars of one length.
            assert any(key in text for text in _svg_texts(chart.spec)), (language, name)
    bars = [row["works"] for row in charts["institutions"].spec["data"]["values"] if row["works"]]
    assert sorted(bars) == [8, 28]


def test_a_country_share_gives_its_base_and_a_small_one_is_named() -> None:
    tables = _tiny_tables()
    tables["countries"].append(
        {"region": "CN", "rank": 1, "country_code": "CN", "works": 20, "share": 1.0}
    )
    chart = build_charts(tables, regions=REGIONS, labels=LABELS)["countries"]
    rows = {r["region"]: r for r in chart.spec["data"]["values"]}
    # "20 (100%)" said nothing of the 20 works the whole share rests on.
    assert rows["CN"]["base"] == 20 and rows["EU27"]["base"] == 2
    bars = next(layer for layer in chart.spec["spec"]["layer"] if layer["mark"] == "bar")
    assert "base" in {line["field"] for line in bars["encoding"]["tooltip"]}
    assert any("Fewer than 30 works in: China (n = 20); EU-27 (n = 2)" in n for n in chart.notes)
