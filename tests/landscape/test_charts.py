"""The dashboard's and the report's chart specs keep the rules of honest charts.

Each test walks every chart's Vega-Lite spec (layers, facets, concatenations), so a chart
added later is held to the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from permed_atlas.i18n import use_language
from permed_atlas.landscape import INDICATOR_NAMES
from permed_atlas.landscape.charts import SMALL_BASE, ChartLabels, build_charts, chart_specs
from permed_atlas.landscape.filters import LandscapeFilter
from permed_atlas.landscape.palette import SERIES_COLOURS, TOTAL_COLOUR

REGIONS = ("CN", "EEA_UK_CH", "EU27", "ICPERMED")
LABELS = ChartLabels(
    regions={
        "CN": "China",
        "EEA_UK_CH": "EEA, United Kingdom and Switzerland",
        "EU27": "European Union (27 member states)",
        "ICPERMED": "ICPerMed member countries",
    },
    topics={"ai_data": "AI and data", "oncology": "Oncology"},
    countries={"DE": "Germany", "FR": "France", "CN": "China"},
)
RAW_CODES = {"ai_data", "oncology", "EEA_UK_CH", "ICPERMED", "EU27", "DE", "FR"}


def _tables() -> dict[str, list[dict[str, Any]]]:
    """Germany (237 works) in three overlapping regions; no work at all in 2002."""
    years = (2000, 2001, 2003, 2004)
    output = [
        {"region": r, "year": y, "works": 50 + i, "pm_relevant": 10, "eu_cn": 2}
        for i, r in enumerate((*REGIONS, "ALL"))
        for y in years
    ]
    countries = [
        {"region": r, "rank": 1, "country_code": "DE", "works": 237, "share": 0.19}
        for r in ("EEA_UK_CH", "EU27", "ICPERMED")
    ] + [
        {"region": r, "rank": 2, "country_code": "FR", "works": 158, "share": 0.13}
        for r in ("EEA_UK_CH", "EU27", "ICPERMED")
    ]
    institutions = [
        {
            "region": r,
            "rank": 1,
            "institution_id": "I1",
            "institution": "Charité",
            "country_code": "DE",
            "works": 115,
            "eu_cn_works": 9,
        }
        for r in ("EEA_UK_CH", "EU27", "ICPERMED")
    ]
    copubs = [
        {"year": 2000, "eu_cn": 1, "eu_total": 3, "cn_total": 2},
        {"year": 2001, "eu_cn": 6, "eu_total": 40, "cn_total": 35},
        {"year": 2004, "eu_cn": 12, "eu_total": 75, "cn_total": 62},
    ]
    for row in copubs:
        row["share_of_eu"] = row["eu_cn"] / row["eu_total"]
        row["share_of_cn"] = row["eu_cn"] / row["cn_total"]
    topics = [
        {"region": "EU27", "topic": "oncology", "works": 100, "share": 0.5},
        {"region": "CN", "topic": "ai_data", "works": 20, "share": 0.1},
    ]
    trends = [
        {"region": "EU27", "topic": "oncology", "year": 2000, "works": 4},
        {"region": "CN", "topic": "ai_data", "year": 2004, "works": 2},
    ]
    patents = [{"region": "CN", "year": 2001, "patents": 2, "families": 1}]
    return {
        "output": output,
        "copublications": copubs,
        "institutions": institutions,
        "countries": countries,
        "topics": topics,
        "topic_trends": trends,
        "patents": patents,
        "top_cited": [],
    }


def _units(spec: dict[str, Any], data: list[dict[str, Any]] | None = None) -> Iterator[Any]:
    """(unit spec, its rows, the facet field or None) for every mark in a spec."""
    data = spec.get("data", {}).get("values", data)
    facet = spec.get("facet", {}).get("field") if "facet" in spec else None
    if "spec" in spec:
        for unit, rows, _ in _units(spec["spec"], data):
            yield unit, rows, facet
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            yield from _units(child, data)
    if "mark" in spec:
        yield spec, data or [], None


def _mark(unit: dict[str, Any]) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


@pytest.fixture
def specs() -> dict[str, dict[str, Any]]:
    return chart_specs(_tables(), regions=REGIONS, labels=LABELS)


def test_no_bar_adds_up_overlapping_regions(specs) -> None:
    bars = 0
    for name, spec in specs.items():
        for unit, rows, facet in _units(spec):
            if _mark(unit) != "bar":
                continue
            bars += 1
            enc = unit["encoding"]
            position = [
                enc[c]["field"]
                for c in ("x", "y", "xOffset", "yOffset")
                if c in enc and enc[c].get("type") != "quantitative"
            ]
            keys = [*position, *([facet] if facet else [])]
            seen = [tuple(row[k] for k in keys) for row in rows]
            # One row per bar: nothing is stacked on top of another region's count.
            assert len(seen) == len(set(seen)), (name, keys)
            value = next(c for c in ("x", "y") if enc[c].get("type") == "quantitative")
            assert enc[value].get("stack", "unset") is None, name
    assert bars >= 4
    germany = [r for r in specs["countries"]["data"]["values"] if r["country"] == "Germany"]
    assert {r["works"] for r in germany} == {237} and len(germany) == 3


def test_every_year_of_the_range_is_on_every_year_axis(specs) -> None:
    wanted = {2000, 2001, 2002, 2003, 2004}
    for name in ("output", "copublications", "topic_trends", "patents"):
        units = list(_units(specs[name]))
        for unit, rows, _ in units:
            if "x" not in unit.get("encoding", {}) or unit["encoding"]["x"]["field"] != "year":
                continue
            series: dict[Any, set[int]] = {}
            for row in rows:
                key = (row.get("region"), row.get("topic"), row.get("measure"))
                series.setdefault(key, set()).add(row["year"])
            assert series and all(years == wanted for years in series.values()), name
    zero = [
        r for r in specs["output"]["data"]["values"] if r["year"] == 2002 and r["region"] == "CN"
    ]
    assert zero == [zero[0]] and zero[0]["works"] == 0


def test_shares_carry_their_counts_and_small_bases_are_marked(specs) -> None:
    shares = [
        rows
        for unit, rows, _ in _units(specs["copublications"])
        if unit["encoding"].get("y", {}).get("field") == "share"
    ][0]
    by_year = {(r["year"], r["measure"]): r for r in shares}
    first = by_year[(2000, "share of EU-27 publications")]
    assert first["co_publications"] == 1 and first["base"] == 3 and first["small_base"]
    assert not by_year[(2001, "share of EU-27 publications")]["small_base"]
    # A year without publications has no share (a gap), not 0%.
    assert by_year[(2002, "share of EU-27 publications")]["share"] is None
    points = [u for u, _, _ in _units(specs["copublications"]) if _mark(u) == "point"]
    assert points[0]["encoding"]["fill"]["condition"]["test"] == "datum.small_base"
    tooltip = {t["field"] for t in points[0]["encoding"]["tooltip"]}
    assert {"share", "co_publications", "base"} <= tooltip
    assert str(SMALL_BASE) in specs["copublications"]["vconcat"][1]["title"]["subtitle"]
    counts = [u for u, _, _ in _units(specs["copublications"]) if _mark(u) == "text"]
    assert counts and counts[0]["encoding"]["text"]["field"] == "eu_cn"
    topic_cells = specs["topics"]["data"]["values"]
    eu_oncology = next(r for r in topic_cells if r["region"] == "EU27" and r["topic"] == "oncology")
    assert eu_oncology["label"] == "50% (100)" and "(n = 208)" in eu_oncology["region_label"]
    countries = specs["countries"]["data"]["values"]
    assert {r["label"] for r in countries if r["country"] == "Germany"} == {"237 (19%)"}


def test_a_share_the_filter_fixes_is_hidden_and_explained() -> None:
    tables = _tables()
    for row in tables["copublications"]:
        row.update(eu_total=row["eu_cn"], cn_total=row["eu_cn"], share_of_eu=1.0, share_of_cn=1.0)
    charts = build_charts(tables, regions=REGIONS, labels=LABELS, flt=LandscapeFilter(eu_cn=True))
    chart = charts["copublications"]
    assert len(chart.spec["vconcat"]) == 1
    assert all(u["encoding"]["y"]["field"] != "share" for u, _, _ in _units(chart.spec))
    assert "100% by construction" in chart.notes[0]
    # The same flat shares without the filter (another facet fixed them) are caught too.
    unfiltered = build_charts(tables, regions=REGIONS, labels=LABELS)["copublications"]
    assert len(unfiltered.spec["vconcat"]) == 1 and "100% in every year" in unfiltered.notes[0]
    varied = build_charts(_tables(), regions=REGIONS, labels=LABELS)["copublications"]
    assert len(varied.spec["vconcat"]) == 2 and varied.notes == ()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_labels_are_the_facet_labels_not_codes(specs) -> None:
    for name, spec in specs.items():
        for unit, rows, facet in _units(spec):
            enc = unit.get("encoding", {})
            shown = [
                enc[c]["field"] for c in ("x", "y", "color", "xOffset") if "field" in enc.get(c, {})
            ]
            shown += [facet] if facet else []
            shown += [enc["text"]["field"]] if "field" in enc.get("text", {}) else []
            for field in shown:
                values = {str(row[field]) for row in rows if row.get(field) is not None}
                assert not values & RAW_CODES, (name, field, values & RAW_CODES)
            domain = enc.get("color", {}).get("scale", {}).get("domain", [])
            assert not set(domain) & RAW_CODES, name
    legend = specs["output"]["encoding"]["color"]["scale"]["domain"]
    assert "European Union (27 member states)" in legend and "All works (any region)" in legend
    trends = {r["topic_label"] for r in specs["topic_trends"]["data"]["values"]}
    assert trends == {"AI and data", "Oncology"}
    # Titles and subtitles are prose, not snake_case codes.
    for spec in specs.values():
        for text in _strings(spec.get("title")):
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


def test_one_colour_blind_safe_palette_without_repeats(specs) -> None:
    allowed = set(SERIES_COLOURS) | {TOTAL_COLOUR}
    region_colour: dict[str, str] = {}
    for name, spec in specs.items():
        for unit, _, _ in _units(spec):
            scale = unit.get("encoding", {}).get("color", {}).get("scale", {})
            if "range" not in scale:
                continue
            assert set(scale["range"]) <= allowed, name
            assert len(set(scale["range"])) == len(scale["range"]), name
            for label, colour in zip(scale["domain"], scale["range"], strict=True):
                # A region has the same colour in every chart.
                assert region_colour.setdefault(label, colour) == colour, (name, label)
    assert region_colour["European Union (27 member states)"] == "#0072B2"
    assert region_colour["China"] == "#D55E00"


def test_more_regions_than_colours_are_left_out_with_a_note() -> None:
    many = tuple(f"R{i}" for i in range(9))
    tables = {
        "output": [
            {"region": r, "year": 2020, "works": 1, "pm_relevant": 0, "eu_cn": 0} for r in many
        ]
    }
    charts = build_charts(tables, regions=many)
    scale = charts["output"].spec["encoding"]["color"]["scale"]
    assert len(scale["range"]) == len(set(scale["range"])) == 8  # seven regions and the total
    assert "R7, R8" in charts["output"].notes[0]


def test_legends_wrap_instead_of_clipping(specs) -> None:
    for name, spec in specs.items():
        for unit, _, _ in _units(spec):
            legend = unit.get("encoding", {}).get("color", {}).get("legend")
            if isinstance(legend, dict) and legend.get("orient") == "bottom":
                assert legend["labelLimit"] == 0 and legend["columns"] >= 1, name
        if "facet" not in spec and "vconcat" not in spec:
            assert spec["width"] == "container" and spec["autosize"]["contains"] == "padding"


def test_every_share_a_filter_fixes_is_explained() -> None:
    tables = _tables()
    tables["topics"].append({"region": "EU27", "topic": "ai_data", "works": 208, "share": 1.0})
    charts = build_charts(
        tables, regions=REGIONS, labels=LABELS, flt=LandscapeFilter(topic="ai_data", country="DE")
    )
    topics = charts["topics"]
    assert {r["topic_label"] for r in topics.spec["data"]["values"]} == {"Oncology"}
    assert "AI and data" in topics.notes[0] and "100% of every region" in topics.notes[0]
    countries = charts["countries"]
    germany = {r["label"] for r in countries.spec["data"]["values"] if r["country"] == "Germany"}
    assert germany == {"237 (the filter)"} and "Germany" in countries.notes[0]
    # No publication at all (a patents-only filter): no share, and a note says why.
    empty = build_charts(
        {"output": tables["output"]}, regions=REGIONS, labels=LABELS, flt=LandscapeFilter()
    )
    assert len(empty["copublications"].spec["vconcat"]) == 1
    assert "no share to show" in empty["copublications"].notes[0]


def test_only_the_share_that_never_moves_is_hidden() -> None:
    tables = _tables()
    for row in tables["copublications"]:  # as with country=CN: every EU work is with China
        row.update(eu_total=row["eu_cn"], share_of_eu=1.0)
    chart = build_charts(tables, regions=REGIONS, labels=LABELS)["copublications"]
    shares = chart.spec["vconcat"][1]["data"]["values"]
    assert {r["measure"] for r in shares} == {"share of China's publications"}
    assert (
        len(chart.notes) == 1
        and "share of EU-27 publications is 100% in every year" in chart.notes[0]
    )


def _tooltip_lines(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for unit, _, _ in _units(spec):
        yield from unit.get("encoding", {}).get("tooltip", [])


def test_every_tooltip_line_and_share_legend_speak_the_page_language() -> None:
    # Without a title Vega-Lite shows the field's name: "year", "works", "measure" on a
    # Chinese page, and the share legend showed its English measure names.
    with use_language("zh"):
        charts = build_charts(_tables(), regions=REGIONS, labels=LABELS)
    lines = [line for chart in charts.values() for line in _tooltip_lines(chart.spec)]
    assert len(lines) > 20
    for line in lines:
        assert line.get("title") and not str(line["title"]).isascii(), line
    shares = charts["copublications"].spec["vconcat"][1]
    legend = shares["layer"][0]["encoding"]["color"]
    assert legend["field"] == "measure_label"
    assert legend["scale"]["domain"] == ["占欧盟27国论文的比例", "占中国论文的比例"]
    assert {r["measure_label"] for r in shares["data"]["values"]} == set(legend["scale"]["domain"])
    # The measure stays an English key for the data, as the CSV's column names do.
    assert {r["measure"] for r in shares["data"]["values"]} == {
        "share of EU-27 publications",
        "share of China's publications",
    }


def test_a_fixed_share_is_explained_in_the_page_language() -> None:
    tables = _tables()
    for row in tables["copublications"]:
        row.update(eu_total=row["eu_cn"], share_of_eu=1.0)
    with use_language("zh"):
        notes = build_charts(tables, regions=REGIONS, labels=LABELS)["copublications"].notes
    assert notes == (
        "在所选范围的每一年中，占欧盟27国论文的比例均为 100%（由其分面条件决定），"
        "因此不绘制；计数仍然保留。",
    )


def _year_axes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    axes = []
    for unit, _, _ in _units(spec):
        x = unit.get("encoding", {}).get("x", {})
        if x.get("field") == "year" and "axis" in x:
            axes.append(x["axis"])
    return axes


def test_the_current_year_is_starred_and_explained_not_drawn_as_a_drop() -> None:
    charts = build_charts(_tables(), regions=REGIONS, labels=LABELS, current_year=2004)
    with_years = {"output", "copublications", "topic_trends"}
    for name, chart in charts.items():
        axes = _year_axes(chart.spec)
        assert bool(axes) == (name in with_years | {"patents"}), name
        # Patents: last year's priority dates are mostly unpublished too (18 months).
        first = 2003 if name == "patents" else 2004
        for axis in axes:
            assert f"datum.value >= {first}" in axis["labelExpr"] and "'*'" in axis["labelExpr"]
        starred = [n for n in chart.notes if "2004* is not over" in n]
        assert len(starred) == (name in with_years), (name, chart.notes)
    assert any("priority years 2003*, 2004* are still" in n for n in charts["patents"].notes)
    # A year already over is drawn as it is; a priority year only once it is published.
    later = build_charts(_tables(), regions=REGIONS, labels=LABELS, current_year=2005)
    for name, chart in later.items():
        marked = any("labelExpr" in axis for axis in _year_axes(chart.spec))
        assert marked == (name == "patents"), name
        assert not any("is not over" in note for note in chart.notes)
        assert 2005 not in {r.get("year") for r in chart.spec.get("data", {}).get("values", [])}
    assert any("priority years 2004* are" in n for n in later["patents"].notes)
    much_later = build_charts(_tables(), regions=REGIONS, labels=LABELS, current_year=2006)
    assert not any("labelExpr" in axis for axis in _year_axes(much_later["patents"].spec))


def test_a_filter_reaching_past_this_year_draws_no_future_zeros() -> None:
    flt = LandscapeFilter(year_from=2000, year_to=2030)
    charts = build_charts(_tables(), regions=REGIONS, labels=LABELS, flt=flt, current_year=2006)
    years = {r["year"] for r in charts["output"].spec["data"]["values"]}
    assert years == set(range(2000, 2007))
    assert any("2006* is not over" in note for note in charts["output"].notes)
    # Without a clock (a caller that does not say), the filter's range is drawn as asked.
    asked = build_charts(_tables(), regions=REGIONS, labels=LABELS, flt=flt)
    assert max(r["year"] for r in asked["output"].spec["data"]["values"]) == 2030


def test_a_chart_with_nothing_to_draw_says_so() -> None:
    flt = LandscapeFilter(year_from=1990, year_to=1991)  # a filter no work passes
    tables = {"output": [], "copublications": [], "top_cited": []}
    with use_language("zh"):
        empty = build_charts(tables, regions=REGIONS, labels=LABELS, flt=flt, current_year=2026)
    assert set(empty) == set(INDICATOR_NAMES) - {"top_cited"}  # a table, not a chart
    for name, chart in empty.items():
        assert "所选范围内没有作品计入此图表，因此图表为空。" in chart.notes, name
    full = build_charts(_tables(), regions=REGIONS, labels=LABELS)
    for chart in full.values():
        assert not any("so it is empty" in note for note in chart.notes)


def test_a_region_without_works_has_blank_topic_cells_not_zero_shares() -> None:
    tables = _tables()
    tables["output"] = [r for r in tables["output"] if r["region"] != "ICPERMED"]
    chart = build_charts(tables, regions=REGIONS, labels=LABELS)["topics"]
    cells = [r for r in chart.spec["data"]["values"] if r["region"] == "ICPERMED"]
    assert cells and all(r["share"] is None and r["label"] == "–" for r in cells)
    assert not any(r["small_base"] for r in cells)  # no works is not a small base
    assert any("No works in: ICPerMed member countries (n = 0)" in n for n in chart.notes)
    assert not any("Fewer than" in n and "ICPerMed" in n for n in chart.notes)


def _colour_of(spec: dict[str, Any]) -> dict[str, str]:
    scale = spec["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_a_region_keeps_its_colour_whichever_regions_are_shown() -> None:
    everything = ("AFRICA", "CN", "EEA_UK_CH", "EU27", "ICPERMED", "LAC")
    colours = {}
    for shown in (REGIONS, ("CN", "EU27", "ICPERMED"), ("ICPERMED",), everything):
        charts = build_charts(_tables(), regions=shown, labels=LABELS, all_regions=everything)
        colours[shown] = _colour_of(charts["output"].spec)
    icpermed = {c["ICPerMed member countries"] for c in colours.values()}
    assert len(icpermed) == 1  # was orange, green or purple depending on the selection
    assert {c["China"] for c in colours.values() if "China" in c} == {SERIES_COLOURS[1]}
    every = colours[everything]
    assert len(set(every.values())) == len(every)  # still no repeated colour
