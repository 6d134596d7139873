"""Texts the code composes, in Chinese in a real browser: a roadmap indicator's reason and
chart legend, the dashboard's chart legend with Chinese region names, the search facets and a
work's tag explanation; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.roadmap import load_demo_observations

pytestmark = pytest.mark.browser


def test_roadmap_and_landscape_read_in_chinese(  # type: ignore[no-untyped-def]
    engine: Engine, live_server: str, web_corpus, page, screenshot
) -> None:
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()

    page.goto(f"{live_server}/roadmap/indicators/dpyd-demo-milan?lang=zh")
    reason = page.get_by_test_id("status-reason").inner_text()
    assert "预计到" in reason and "个数据点" in reason and "projected" not in reason
    assert "用最小二乘法" in page.get_by_test_id("status-rule").first.inner_text()
    legend = page.locator("g.legend").text_content() or ""  # SVG: no inner_text
    assert "观测值" in legend and "线性趋势" in legend
    screenshot("roadmap-indicator-reason-zh")

    page.goto(f"{live_server}/roadmap/ic2permed/scorecard")  # the cookie keeps Chinese
    assert "塑造可持续的卫生保健" in page.get_by_test_id("scorecard").inner_text()
    screenshot("roadmap-scorecard-titles-zh")

    page.goto(f"{live_server}/landscape/dashboard")
    page.wait_for_selector('#chart-output[data-rendered="true"] svg')
    chart = page.locator("#chart-output svg").first.text_content() or ""
    assert "中国" in chart and "地区" in chart  # a region name in the legend, its title
    screenshot("dashboard-legend-zh")

    page.goto(f"{live_server}/landscape/search?q=cancer&country=CN")
    region_facet = page.locator('[data-facet="region"]').inner_text()
    assert "中国" in region_facet
    screenshot("search-facets-zh")
    page.get_by_test_id("results").locator("a").first.click()
    page.wait_for_selector('[data-testid="explanation"]')
    explanation = page.get_by_test_id("explanation").inner_text()
    assert "中欧合作" in explanation and "EU–China collaboration:" not in explanation
    screenshot("work-explanation-zh")
