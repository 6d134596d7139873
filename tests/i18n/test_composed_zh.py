"""Texts the capabilities compose in Python, shown in Chinese on pages and in reports (#18).

Each page is requested through the real app with ``?lang=zh`` and ``?lang=en``: the Chinese
page shows the Chinese text, the English page is unchanged, and the JSON API keeps its English
values (codes, reasons) while its labels follow the language.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.i18n import Message, use_language
from permed_atlas.roadmap import load_demo_observations


def test_a_message_is_english_data_and_translated_html() -> None:
    reason = Message("fewer than %(n)s points on different dates", n=2)
    assert reason == "fewer than 2 points on different dates"
    assert json.dumps({"reason": reason}) == '{"reason": "fewer than 2 points on different dates"}'
    with use_language("zh"):
        assert str(reason) == "fewer than 2 points on different dates"  # data stays English
        assert reason.__html__() == "不同日期的数据点少于 2 个"
        assert reason.translated() == "不同日期的数据点少于 2 个"


# --- roadmap ------------------------------------------------------------------------------


@pytest.fixture
def demo(engine: Engine) -> None:
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()


def _between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


def test_indicator_page_states_reason_and_rule_in_chinese(client: TestClient, demo: None) -> None:
    chinese = client.get("/roadmap/indicators/dpyd-demo-milan", params={"lang": "zh"}).text
    reason = _between(chinese, 'data-testid="status-reason"', "</p>")
    assert "预计到 " in reason and "目标 " in reason  # the reason, values filled in
    assert "基于 " in reason and "个数据点" in reason  # the basis
    assert "projected " not in reason and "based on" not in reason
    rule = _between(chinese, 'data-testid="status-rule"', "</p>")
    assert "用最小二乘法对基线和每个观测值" in rule and "least squares" not in rule
    legend = _between(chinese, '<g class="legend">', "</g>")  # the SVG chart's legend
    assert "观测值" in legend and "线性趋势" in legend and "observations" not in legend
    english = client.get("/roadmap/indicators/dpyd-demo-milan", params={"lang": "en"}).text
    reason_en = _between(english, 'data-testid="status-reason"', "</p>")
    assert "projected " in reason_en and "based on " in reason_en
    assert "least squares" in _between(english, 'data-testid="status-rule"', "</p>")
    assert "observations" in _between(english, '<g class="legend">', "</g>")
    assert "用最小二乘法" not in english


def test_scorecard_shows_chinese_titles_and_rollup_rule(client: TestClient, demo: None) -> None:
    chinese = client.get("/roadmap/ic2permed/scorecard", params={"lang": "zh"}).text
    assert "塑造可持续的卫生保健" in chinese  # a pillar's title_zh in a scorecard row
    assert "组学科学" in chinese  # an action's
    assert "进展正常的指标计 1 分" in chinese and "scores on-track indicators" not in chinese
    english = client.get("/roadmap/ic2permed/scorecard", params={"lang": "en"}).text
    assert "scores on-track indicators" in english and "塑造可持续的卫生保健" not in english


def test_roadmap_json_adds_chinese_titles_and_keeps_english_values(
    client: TestClient, demo: None
) -> None:
    tree = client.get("/api/v1/roadmap/roadmaps/ic2permed", params={"lang": "zh"}).json()
    pillar = tree["pillars"][0]
    assert pillar["title_zh"] == "塑造可持续的卫生保健" and pillar["title"].isascii()
    assert tree["pillars"][2]["priorities"][1]["actions"][0]["title_zh"] == "组学科学"
    card = client.get("/api/v1/roadmap/roadmaps/ic2permed/scorecard", params={"lang": "zh"})
    rows = card.json()["rows"]
    assert rows[1]["title_zh"] == "塑造可持续的卫生保健"
    assert card.json()["rule"].startswith("A group (action, priority, pillar, region)")
    detail = client.get("/api/v1/roadmap/indicators/dpyd-demo-milan", params={"lang": "zh"})
    body = detail.json()
    assert body["status"] in {"on track", "at risk", "off track", "insufficient data"}
    assert body["reason"].startswith("projected ") and body["rule"].startswith("A straight line")
    assert body["basis"].startswith("based on ")
    assert "name_zh" in body["indicator"]


# --- landscape ------------------------------------------------------------------------------


def _a_work_with_topics(client: TestClient) -> dict:  # type: ignore[type-arg]
    hits = client.get("/api/v1/landscape/search", params={"q": "cancer"}).json()["hits"]
    for hit in hits:
        work = client.get(f"/api/v1/landscape/works/{hit['work_id']}").json()
        if work["topics"] and work["countries"] and work["explanation"]:
            return work
    raise AssertionError("the web corpus has no tagged work with topics and countries")


def test_work_page_explains_its_tags_in_chinese(client: TestClient, web_corpus) -> None:  # type: ignore[no-untyped-def]
    work = _a_work_with_topics(client)
    url = f"/landscape/works/{work['work']['work_id']}"
    chinese = client.get(url, params={"lang": "zh"}).text
    assert "与个性化医疗" in chinese  # the PM reason, either way
    assert "中欧合作" in chinese  # the EU–China verdict, either way
    assert "PM-relevant because" not in chinese and "EU–China collaboration:" not in chinese
    assert "术语。</p>" in chinese or "命中。</p>" in chinese  # a Chinese full stop
    topic = client.get(f"/api/v1/landscape/works/{work['work']['work_id']}?lang=zh").json()
    label_zh = topic["topics"][0]["label"]
    assert not label_zh.isascii() and label_zh in chinese  # the topic's label_zh
    assert topic["topics"][0]["topic"].isascii()  # the code stays
    assert topic["explanation"]["pm_reason"].isascii()  # the API keeps the English reason
    english = client.get(url, params={"lang": "en"}).text
    assert "PM-relevant because" in english or "not PM-relevant" in english
    assert "terms.</p>" in english or "fired.</p>" in english
    assert label_zh not in english


def test_search_facets_name_regions_topics_and_countries_in_chinese(
    client: TestClient, web_corpus
) -> None:  # type: ignore[no-untyped-def]
    params = {"q": "cancer", "country": "CN"}
    chinese = client.get("/api/v1/landscape/search", params={**params, "lang": "zh"}).json()
    english = client.get("/api/v1/landscape/search", params={**params, "lang": "en"}).json()
    labels = {d: {f["value"]: f["label"] for f in v} for d, v in chinese["facets"].items()}
    english_labels = {d: {f["value"]: f["label"] for f in v} for d, v in english["facets"].items()}
    assert labels["country"]["CN"] == "中国" and english_labels["country"]["CN"] == "China"
    assert labels["region"]["CN"] != english_labels["region"]["CN"]
    assert not labels["region"]["CN"].isascii()
    assert any(not label.isascii() for label in labels["topic"].values())
    assert labels.keys() == english_labels.keys()  # the same codes, only labels differ
    page = client.get("/landscape/search", params={**params, "lang": "zh"}).text
    assert labels["region"]["CN"] in page and labels["country"]["CN"] in page
    # A Chinese topic label typed back is understood as its code.
    topic_code, topic_label = next(
        (code, label) for code, label in labels["topic"].items() if not label.isascii()
    )
    typed = client.get("/api/v1/landscape/search", params={"topic": topic_label, "lang": "zh"})
    assert typed.json()["query"]["topic"] == [topic_code]


def test_chart_specs_carry_chinese_region_and_axis_labels(client: TestClient, web_corpus) -> None:  # type: ignore[no-untyped-def]
    chinese = client.get("/api/v1/landscape/dashboard", params={"lang": "zh"}).json()
    english = client.get("/api/v1/landscape/dashboard", params={"lang": "en"}).json()
    assert set(chinese["region_labels"]) == set(english["region_labels"])  # codes stay
    cn_zh, cn_en = chinese["region_labels"]["CN"], english["region_labels"]["CN"]
    assert cn_zh != cn_en and not cn_zh.isascii()
    output = json.dumps(chinese["charts"]["output"], ensure_ascii=False)
    assert f'"region_label": "{cn_zh}"' in output  # the legend's values
    assert '"title": "地区"' in output or '"title": "作品"' in output  # an axis / legend title
    assert cn_en not in json.dumps(chinese["charts"]["output"]["data"], ensure_ascii=False)
    topics = json.dumps(chinese["charts"].get("topics", {}), ensure_ascii=False)
    english_topics = json.dumps(english["charts"].get("topics", {}), ensure_ascii=False)
    if '"topic_label"' in english_topics:
        assert topics != english_topics
    assert f'"region_label": "{cn_en}"' in json.dumps(english["charts"]["output"])


# --- transfer -------------------------------------------------------------------------------

SCENARIO = {
    "exporter_country": "CN",
    "importer_country": "US",
    "data_categories": "health",
    "purpose": "research",
}


def test_transfer_page_and_report_compose_in_chinese(client: TestClient) -> None:
    chinese = client.get("/transfer/assess", params={**SCENARIO, "lang": "zh"})
    assert chinese.status_code == 200, chinese.text[:500]
    assert "从中国 (CN)" in chinese.text and "到美国 (US)" in chinese.text  # the parties
    assert "的法律不在规则集中：请另行核查" in chinese.text  # the US law is not covered
    assert "未说明，因此按未被认定处理" in chinese.text  # an assumption
    assert "is not in the rule set" not in chinese.text
    english = client.get("/transfer/assess", params={**SCENARIO, "lang": "en"}).text
    assert "from China (CN)" in english and "is not in the rule set" in english
    report = client.get("/transfer/report.md", params={**SCENARIO, "lang": "zh"}).text
    assert report.startswith("# 数据出境评估：中国 (CN) → 美国 (US)")
    assert "**结论：" in report and "## 规则文件" in report
    assert "的法律不在规则集中" in report
    english_report = client.get("/transfer/report.md", params={**SCENARIO, "lang": "en"}).text
    assert english_report.startswith("# Transfer assessment: China (CN) → United States (US)")
    api = client.post("/api/v1/transfer/assess?lang=zh", json={
        "exporter_country": "CN", "importer_country": "US", "data_categories": ["health"],
        "purpose": "research",
    })  # fmt: skip
    assert api.status_code == 200, api.text
    assert api.json()["parties"][0] == "from China (CN)"  # the API keeps English values


# --- helpdesk -------------------------------------------------------------------------------


def test_helpdesk_notes_in_chinese(client: TestClient) -> None:
    question = "ethics review timeline"  # names no country: the answer says so
    chinese = client.get("/helpdesk/", params={"q": question, "lang": "zh"}).text
    assert "问题中没有提到国家" in chinese and "No country was named" not in chinese
    english = client.get("/helpdesk/", params={"q": question, "lang": "en"}).text
    assert "No country was named" in english


def test_query_reasons_are_english_data_and_chinese_on_the_page() -> None:
    import httpx

    from permed_atlas.federation.hub import _transport_reason
    from permed_atlas.federation.models import NodeEndpoint

    node = NodeEndpoint(id="eu-down", name="Down", url="http://127.0.0.1:9", region="EU27",
                        country="DE", secret="s" * 32)  # fmt: skip
    reason = _transport_reason(node, httpx.ConnectError("refused"))
    assert str(reason).startswith("nothing answers at http://127.0.0.1:9")
    with use_language("zh"):
        assert reason.__html__().startswith("http://127.0.0.1:9 没有应答")


def test_domain_errors_on_pages_in_chinese_and_english_in_the_api(client: TestClient) -> None:
    page = client.get("/roadmap/indicators/no-such-indicator", params={"lang": "zh"})
    assert page.status_code == 404
    assert "没有指标“no-such-indicator”" in page.text and "no indicator" not in page.text
    english = client.get("/roadmap/indicators/no-such-indicator", params={"lang": "en"})
    assert "no indicator &#39;no-such-indicator&#39;" in english.text or (
        "no indicator 'no-such-indicator'" in english.text
    )
    api = client.get("/api/v1/roadmap/indicators/no-such-indicator", params={"lang": "zh"})
    assert api.status_code == 404
    assert api.json()["detail"] == "no indicator 'no-such-indicator'"  # clients match on it
