"""What a reader of the dashboard and the network map sees on the real app: tooltips,
legends and notes in the page's language, an empty selection explained, the year that is
not over marked instead of drawn as a drop."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

API = "/api/v1/landscape/dashboard"
STATIC_JS = Path(__file__).parents[2] / "src" / "permed_atlas" / "web" / "static" / "js"
EMPTY_NOTE_ZH = "所选范围内没有作品计入此图表，因此图表为空。"


@pytest.fixture
def web(read_only_client):  # type: ignore[no-untyped-def]
    return read_only_client


# The client keeps the language cookie like a browser: every request names its language.


def _tooltips(spec: Any) -> Iterator[dict[str, Any]]:
    if isinstance(spec, dict):
        lines = spec.get("tooltip")
        if isinstance(lines, list):
            yield from lines
        for key, value in spec.items():
            if key != "data":
                yield from _tooltips(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _tooltips(value)


def test_chinese_dashboard_titles_every_tooltip_line_and_the_share_legend(web) -> None:
    charts = web.get(API, params={"lang": "zh"}).json()["charts"]
    lines = [line for spec in charts.values() for line in _tooltips(spec)]
    assert len(lines) > 20
    untitled = [line for line in lines if not line.get("title") or line["title"].isascii()]
    assert untitled == []
    legend = charts["copublications"]["vconcat"][1]["layer"][0]["encoding"]["color"]
    assert legend["scale"]["domain"] == ["占欧盟27国论文的比例", "占中国论文的比例"]
    english = web.get(API, params={"lang": "en"}).json()["charts"]
    legend_en = english["copublications"]["vconcat"][1]["layer"][0]["encoding"]["color"]
    assert legend_en["scale"]["domain"] == [
        "share of EU-27 publications",
        "share of China's publications",
    ]


def test_a_selection_without_works_says_so_on_every_chart(web) -> None:
    page = web.get(
        "/landscape/dashboard", params={"year_from": 1900, "year_to": 1901, "lang": "zh"}
    )
    assert page.status_code == 200
    sections = re.findall(
        r'<section class="chart" data-chart="(\w+)".*?</section>', page.text, re.S
    )
    assert len(sections) == 7
    for name in sections:
        block = page.text.split(f'data-chart="{name}"', 1)[1].split("</section>", 1)[0]
        assert EMPTY_NOTE_ZH in block, name
    notes = web.get(API, params={"year_from": 1900, "year_to": 1901, "lang": "en"}).json()
    notes = notes["chart_notes"]
    assert all(
        "No work of this selection counts in this chart, so it is empty." in n
        for n in notes.values()
    )
    full = web.get(API, params={"lang": "en"}).json()["chart_notes"]
    assert not any("so it is empty" in note for n in full.values() for note in n)


def test_the_year_not_over_is_marked_and_no_future_year_is_drawn(web) -> None:
    this_year = dt.datetime.now(dt.UTC).year
    body = web.get(API, params={"year_from": 2020, "year_to": this_year + 9, "lang": "en"})
    body = body.json()
    years = {r["year"] for r in body["charts"]["output"]["data"]["values"]}
    assert max(years) == this_year  # not nine years of zeros to come
    axis = body["charts"]["output"]["encoding"]["x"]["axis"]
    assert f"datum.value >= {this_year}" in axis["labelExpr"]
    assert any(f"{this_year}* is not over" in n for n in body["chart_notes"]["output"])
    chinese = web.get(API, params={"year_from": 2020, "year_to": this_year, "lang": "zh"}).json()
    assert f"{this_year}* 年尚未结束" in " ".join(chinese["chart_notes"]["output"])
    # A range that ends before this year is complete: nothing is starred.
    past = web.get(API, params={"year_from": 2010, "year_to": 2015, "lang": "en"}).json()
    assert "labelExpr" not in past["charts"]["output"]["encoding"]["x"]["axis"]


def test_script_texts_come_from_the_page_in_its_language(web) -> None:
    network = web.get("/landscape/network", params={"lang": "zh"}).text
    island = re.search(
        r'<script type="application/json" id="network-texts">(.*?)</script>', network
    )
    assert island is not None
    texts = json.loads(island.group(1))
    assert texts == {
        "empty": "所选分面下没有合作关系。",
        "node": "{name}：{works} 项作品，聚类 {cluster}",
        "edge": "{n} 项共同作品",
    }
    dashboard = web.get("/landscape/dashboard", params={"lang": "zh"}).text
    assert 'data-error="无法绘制此图表：">' in dashboard
    menu = re.search(r'<script type="application/json" id="chart-texts">(.*?)</script>', dashboard)
    assert menu is not None and json.loads(menu.group(1)) == {
        "CLICK_TO_VIEW_ACTIONS": "点击查看操作",
        "PNG_ACTION": "另存为 PNG",
        "SVG_ACTION": "另存为 SVG",
    }
    # The scripts hold no sentence of their own that a Chinese page would show in English.
    for script in ("network.js", "dashboard.js"):
        source = (STATIC_JS / script).read_text(encoding="utf-8")
        code = re.sub(r"//.*", "", source)
        words = [s for s in re.findall(r'"([^"]*)"', code) if re.search(r"[a-z]+ [a-z]+", s)]
        assert words == [], (script, words)


def test_chinese_network_names_its_country_nodes_in_chinese(web) -> None:
    body = web.get("/api/v1/landscape/network", params={"lang": "zh"}).json()
    labels = {n["id"]: n["label"] for n in body["nodes"]}
    assert labels["CN"] == "中国" and labels["DE"] == "德国"
    assert all(not label.isascii() for label in labels.values()), labels
    tops = [name for c in body["legend"]["clusters"] for name in c["top"]]
    assert tops and all(not name.isascii() for name in tops)
    page = web.get("/landscape/network", params={"lang": "zh"}).text
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "德国" in table and "Germany" not in table
    english = web.get("/api/v1/landscape/network", params={"lang": "en"}).json()
    assert {n["id"]: n["label"] for n in english["nodes"]}["DE"] == "Germany"


def test_a_network_says_which_nodes_have_no_link(web) -> None:
    linked = web.get("/api/v1/landscape/network", params={"lang": "en"}).json()
    assert linked["edges"] and linked["notes"] == []
    # Links of at least 5 shared works: some countries keep their works but lose every link.
    sparse = web.get("/api/v1/landscape/network", params={"min_weight": 5, "lang": "en"}).json()
    ends = {e["source"] for e in sparse["edges"]} | {e["target"] for e in sparse["edges"]}
    alone = [n["label"] for n in sparse["nodes"] if n["id"] not in ends]
    assert alone and sparse["notes"] == [
        "Without a link (no other node shown shares 5 or more works with them): "
        + ", ".join(alone)
        + "."
    ]
    # No link at all: the page says the dots are no network.
    page = web.get("/landscape/network", params={"min_weight": 500, "lang": "zh"}).text
    assert "没有连线：这些节点中没有任何两个共同拥有 500 项或更多作品。" in page
    assert 'data-testid="network-note"' in page


def _colours(body: dict[str, Any]) -> dict[str, str]:
    scale = body["charts"]["output"]["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_a_region_has_one_colour_on_every_dashboard(web) -> None:
    every = web.get(API, params={"lang": "en"}).json()
    few = web.get(API, params=[("regions", "CN"), ("regions", "ICPERMED"), ("lang", "en")]).json()
    assert len(few["regions"]) == 2 and len(every["regions"]) > 2
    name = every["region_labels"]["ICPERMED"]
    assert _colours(few)[name] == _colours(every)[name]
    china = every["region_labels"]["CN"]
    assert _colours(few)[china] == _colours(every)[china] == "#D55E00"


def test_an_indicator_csv_keeps_its_header_when_no_work_matches(web) -> None:
    for name, header in (
        ("output", "region,year,works,pm_relevant,eu_cn"),
        ("copublications", "year,eu_cn,eu_total,cn_total,share_of_eu,share_of_cn"),
        ("institutions", "region,rank,institution_id,institution,country_code,works,eu_cn_works"),
    ):
        empty = web.get(
            f"{API}/{name}", params={"format": "csv", "year_from": 1900, "year_to": 1901}
        )
        assert empty.status_code == 200 and empty.text == header + "\n", name


def test_a_share_without_a_base_is_empty_not_zero(web) -> None:
    # With the United States, several years have EU-27 publications and no Chinese one:
    # China's share of them is undefined, and 0.0 read as "none of China's papers".
    rows = web.get(f"{API}/copublications", params={"country": "US"}).json()
    no_base = [r for r in rows if r["cn_total"] == 0]
    assert no_base and all(r["share_of_cn"] is None for r in no_base)
    assert all(r["share_of_eu"] == r["eu_cn"] / r["eu_total"] for r in rows if r["eu_total"])
    text = web.get(f"{API}/copublications", params={"country": "US", "format": "csv"}).text
    year = no_base[0]["year"]
    line = next(line for line in text.splitlines() if line.startswith(f"{year},"))
    assert line.split(",")[-1] == ""  # share_of_cn: no base, no number
