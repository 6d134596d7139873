"""Roadmap pillars, priorities, actions and indicators keep their Chinese titles (#18)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from permed_atlas.roadmap import get_roadmap, list_indicators, load_bundled_roadmaps
from permed_atlas.roadmap.errors import InvalidRoadmapError
from permed_atlas.roadmap.spec import parse_roadmap


def test_spec_reads_chinese_titles_and_refuses_non_text() -> None:
    priority = {"code": "A.1", "title": "P", "title_zh": ["no"]}
    pillar = {"code": "A", "title": "Pillar", "title_zh": "支柱", "priorities": [priority]}
    doc = {"slug": "x", "title": "X", "title_zh": "某路线图", "source": {"title": "S"},
           "pillars": [pillar]}  # fmt: skip
    with pytest.raises(InvalidRoadmapError, match=r"pillars\[0\]\.priorities\[0\]\.title_zh"):
        parse_roadmap(doc, where="x.yaml")
    priority["title_zh"] = "优先事项"
    roadmap = parse_roadmap(doc, where="x.yaml")
    assert roadmap.title_zh == "某路线图" and roadmap.pillars[0].title_zh == "支柱"
    assert roadmap.pillars[0].priorities[0].title_zh == "优先事项"


def test_bundled_roadmaps_store_and_return_chinese_titles(session: Session) -> None:
    load_bundled_roadmaps(session)
    roadmap = get_roadmap(session, "ic2permed")
    assert roadmap.pillars[0].title_zh == "塑造可持续的卫生保健"
    assert roadmap.pillars[2].priorities[1].actions[0].title_zh == "组学科学"
    names = {i.code: i.name_zh for i in list_indicators(session, roadmap="sino-eu-permed")}
    assert names["joint-calls"].startswith("中欧个性化医学")


def test_roadmap_page_in_chinese(zh_client: TestClient) -> None:
    page = zh_client.get("/roadmap/sino-eu-permed")
    assert page.status_code == 200, page.text
    assert "ST. 科学技术合作" in page.text and "数据共享试点" in page.text
    assert "<h1>中欧个性化医学合作（Sino-EU PerMed）建议</h1>" in page.text
