"""English and Simplified Chinese in a real browser: the switch, the cookie, charts, screenshots."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")


def _nav(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("nav.site-nav").inner_text())


def test_the_switch_turns_every_page_chinese_and_back(
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Landscape" in _nav(page)
    screenshot("home-en")
    page.get_by_test_id("language-switch").get_by_text("中文").click()
    page.wait_for_url("**/?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "研究格局" in _nav(page) and "生物样本库" in _nav(page)
    assert "平台收录内容" in page.get_by_test_id("key-figures").inner_text()
    screenshot("home-zh")

    # The cookie keeps the choice: plain links need no ?lang=.
    page.goto(f"{live_server}/landscape/dashboard")
    assert page.locator("h1").inner_text() == "仪表盘"
    page.wait_for_selector('#chart-output[data-rendered="true"] svg')
    chart_text = page.locator("#chart-output svg").first.text_content() or ""
    assert "按地区划分的每年作品数" in chart_text  # the chart's own title, drawn by Vega
    assert "作品" in chart_text  # the axis title
    screenshot("dashboard-zh")

    page.goto(f"{live_server}/transfer/")
    assert page.locator("h1").inner_text() == "数据出境评估工具"
    assert "传输方向与访问方式" in page.get_by_test_id("transfer-form").inner_text()
    screenshot("transfer-zh")

    page.goto(f"{live_server}/helpdesk/")
    assert page.locator("h1").inner_text() == "临床试验监管与资助咨询台"
    page.get_by_text("试试示例").click()
    page.wait_for_selector('[data-testid="checklist"]')
    assert "核对清单" in page.get_by_test_id("checklist").inner_text()
    assert "仅供指导，不构成法律意见" in page.get_by_test_id("disclaimer").first.inner_text()
    screenshot("helpdesk-zh")

    # Back to English from any page, keeping the page and its query.
    url_before = page.url
    page.get_by_test_id("language-switch").get_by_text("English").click()
    page.wait_for_url("**lang=en**")
    assert page.url.split("?")[0] == url_before.split("?")[0]
    assert "q=" in page.url
    assert page.locator("h1").inner_text() == "Clinical-trials regulatory and funding helpdesk"
    assert not HAN.search(_nav(page))
    page.goto(f"{live_server}/landscape/search")
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_chinese_browser_gets_chinese_without_choosing(
    browser, live_server, web_corpus, request
) -> None:
    from tests.browser.conftest import SCREENSHOTS

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/landscape/search?q=cancer")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert page.get_by_test_id("search-submit").inner_text() == "检索"
        total = page.get_by_test_id("result-total").inner_text()
        assert int(total.replace(",", "")) > 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{request.node.name}-search-zh.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
