"""The landscape in a real browser (Playwright + Debian's chromium), with screenshots."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_search_with_two_facets_then_open_a_work(live_server, web_corpus, page, screenshot) -> None:
    page.goto(f"{live_server}/landscape/search")
    total_all = int(page.get_by_test_id("result-total").inner_text().replace(",", ""))
    assert total_all == 120
    page.get_by_test_id("search-input").fill("cancer")
    page.get_by_test_id("search-submit").click()
    page.wait_for_url("**q=cancer**")
    with_text = int(page.get_by_test_id("result-total").inner_text().replace(",", ""))
    assert 0 < with_text < total_all
    # Two facets: each change submits the form (progressive enhancement) and narrows the result.
    page.get_by_test_id("facet-region-EU27").check()
    page.wait_for_url("**region=EU27**")
    page.get_by_test_id("facet-country-CN").check()
    page.wait_for_url("**country=CN**")
    narrowed = int(page.get_by_test_id("result-total").inner_text().replace(",", ""))
    assert 0 < narrowed <= with_text
    assert page.get_by_test_id("facet-region-EU27").is_checked()
    assert page.get_by_test_id("facet-country-CN").is_checked()
    screenshot("search-two-facets")
    # The URL is the query: reloading it gives the same result.
    page.goto(page.url)
    assert int(page.get_by_test_id("result-total").inner_text().replace(",", "")) == narrowed
    first = page.get_by_test_id("hit-link").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/landscape/works/**")
    assert page.get_by_test_id("work-title").inner_text() == title
    assert "CN" in page.get_by_test_id("tags").inner_text()
    assert page.get_by_test_id("explanation").is_visible()
    screenshot("work")


def test_download_search_results_as_csv(live_server, web_corpus, page) -> None:
    page.goto(f"{live_server}/landscape/search?q=lung+cancer")
    total = int(page.get_by_test_id("result-total").inner_text().replace(",", ""))
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename == "permed-atlas-search.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == total and rows[0]["work_id"]


def test_dashboard_draws_charts(live_server, web_corpus, page, screenshot) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/landscape/dashboard")
    for name in ("output", "copublications", "institutions", "patents"):
        page.wait_for_selector(f'#chart-{name}[data-rendered="true"] svg')
    assert not errors
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-output").click()
    assert download_info.value.suggested_filename == "permed-atlas-output.csv"
    with page.expect_download() as svg_info:
        page.locator('a[data-export="svg"][data-chart="output"]').click()
    assert svg_info.value.suggested_filename == "permed-atlas-output.svg"
    assert "<svg" in Path(svg_info.value.path()).read_text(encoding="utf-8")
    screenshot("dashboard")


def test_network_view_draws(live_server, web_corpus, page, screenshot) -> None:
    page.goto(f"{live_server}/landscape/network")
    page.wait_for_selector("#network canvas")
    page.wait_for_selector('#network[data-rendered="true"]', timeout=30_000)
    screenshot("network")


_CHART_GEOMETRY = """
() => Array.from(document.querySelectorAll('section.chart[data-chart]')).map((section) => {
  const svg = section.querySelector('.chart-view svg.marks');
  const box = section.getBoundingClientRect();
  const drawn = svg ? svg.getBoundingClientRect() : null;
  const legend = svg ? Array.from(svg.querySelectorAll('.role-legend text')) : [];
  const legendTexts = legend.map((t) => t.textContent);
  return {
    name: section.dataset.chart,
    overflows: section.scrollWidth > section.clientWidth + 1,
    inside: drawn !== null && drawn.right <= box.right + 1 && drawn.left >= box.left - 1,
    legend: legendTexts,
    text: svg ? svg.textContent : '',
  };
})
"""


def test_dashboard_charts_fit_with_full_legends_and_human_labels(
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/landscape/dashboard")
    names = ("output", "copublications", "institutions", "countries", "topics", "topic_trends")
    for name in (*names, "patents"):
        page.wait_for_selector(f'#chart-{name}[data-rendered="true"] svg')
    charts = {c["name"]: c for c in page.evaluate(_CHART_GEOMETRY)}
    for name, chart in charts.items():
        # Nothing spills out of its box or is cut off: the whole chart is on the page.
        assert chart["inside"] and not chart["overflows"], name
        assert not any(label.endswith("…") for label in chart["legend"]), (name, chart["legend"])
    assert "European Union (27 member states)" in charts["output"]["legend"]
    assert "All works (any region)" in charts["output"]["legend"]
    assert "EU27" not in charts["output"]["legend"]
    assert "Germany" in charts["countries"]["text"] and "China" in charts["institutions"]["text"]
    assert "Oncology" in charts["topic_trends"]["text"]
    # Shares come with their counts: the co-publication bars are labelled.
    assert "co-publications per year" in charts["copublications"]["text"]
    assert "share of each side" in charts["copublications"]["text"]
    screenshot("dashboard-charts")
    page.locator('[data-testid="chart-countries"]').screenshot(
        path=str(SCREENSHOTS / "dashboard-countries-panels.png")
    )


def test_dashboard_with_eu_china_filter_explains_the_hidden_share(
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/landscape/dashboard")
    page.select_option('select[name="eu_cn"]', "yes")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**eu_cn=yes**")
    page.wait_for_selector('#chart-copublications[data-rendered="true"] svg.marks')
    note = page.get_by_test_id("note-copublications")
    assert note.is_visible() and "100% by construction" in note.inner_text()
    text = page.locator("#chart-copublications svg.marks").text_content() or ""
    assert "co-publications per year" in text and "share of each side" not in text
    assert page.locator('select[name="eu_cn"]').input_value() == "yes"
    screenshot("dashboard-eu-cn")


def test_network_keeps_filters_labels_nodes_and_colours_eu_china(
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/landscape/network")
    options = page.locator('select[name="region"] option').all_inner_texts()
    assert "European Union (27 member states)" in options and "China" in options
    page.select_option('select[name="region"]', "EU27")
    page.select_option('select[name="eu_cn"]', "yes")
    page.select_option('select[name="level"]', "institution")
    page.fill('input[name="max_nodes"]', "60")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**level=institution**")
    # Apply keeps every choice in the form.
    assert page.locator('select[name="region"]').input_value() == "EU27"
    assert page.locator('select[name="eu_cn"]').input_value() == "yes"
    assert page.locator('select[name="level"]').input_value() == "institution"
    assert page.locator('input[name="max_nodes"]').input_value() == "60"
    network = page.locator('#network[data-rendered="true"]')
    network.wait_for(timeout=30_000)
    nodes = int(page.get_by_test_id("network-size").inner_text().split()[0])
    # Institution nodes carry labels a reader can see at the drawn zoom.
    assert int(network.get_attribute("data-labelled") or 0) == min(nodes, 30) > 0
    assert int(network.get_attribute("data-label-px") or 0) >= 11
    side = page.get_by_test_id("legend-side")
    assert side.is_visible() and "China" in side.inner_text()
    assert "European Union (27 member states)" in side.inner_text()
    assert not page.get_by_test_id("legend-cluster").is_visible()
    screenshot("network-eu-china")
    page.get_by_test_id("colour-by-cluster").check()
    assert network.get_attribute("data-colour-by") == "cluster"
    clusters = page.get_by_test_id("legend-cluster")
    assert clusters.is_visible() and "Cluster 1" in clusters.inner_text()
    assert not side.is_visible()
    screenshot("network-clusters")


def test_log_in_and_out(live_server, make_user, page, screenshot) -> None:
    make_user("editor@example.org", "editor", PASSWORD)
    page.goto(f"{live_server}/")
    page.get_by_test_id("login-link").click()
    page.fill('input[name="email"]', "editor@example.org")
    page.fill('input[name="password"]', "wrong-password")
    page.click('button[type="submit"]')
    assert "wrong email or password" in page.get_by_test_id("login-error").inner_text()
    page.fill('input[name="email"]', "editor@example.org")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_selector('[data-testid="user-email"]')
    assert "editor@example.org" in page.get_by_test_id("user-email").inner_text()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["permed_session"]["httpOnly"] and cookies["permed_session"]["sameSite"] == "Lax"
    screenshot("logged-in")
    page.get_by_test_id("logout").click()
    page.wait_for_selector('[data-testid="login-link"]')
    assert page.get_by_test_id("user-email").count() == 0


def test_chinese_dashboard_and_network_draw_chinese_labels_and_star_this_year(
    live_server, web_corpus, page, screenshot
) -> None:
    import datetime as dt

    this_year = dt.datetime.now(dt.UTC).year
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/landscape/dashboard?lang=zh&year_from=2018&year_to={this_year + 5}")
    output = page.locator('#chart-output[data-rendered="true"] svg.marks')
    output.wait_for()
    # The year not over is starred on the axis Vega draws; no year to come is drawn.
    drawn = output.text_content() or ""
    assert f"{this_year}*" in drawn and str(this_year + 1) not in drawn
    shares = page.locator('#chart-copublications[data-rendered="true"] svg.marks')
    shares.wait_for()
    legend = shares.text_content() or ""
    assert "占中国论文的比例" in legend and "share of" not in legend
    actions = page.locator("#chart-output .vega-actions").text_content() or ""
    assert "另存为 SVG" in actions and "Save as" not in actions  # vega-embed's own menu
    screenshot("dashboard-zh-current-year")
    page.goto(f"{live_server}/landscape/network?lang=zh")
    page.wait_for_selector('#network[data-rendered="true"]', timeout=30_000)
    titles = page.evaluate(
        "() => window.permedNetwork.body.data.nodes.get().map(n => n.title)"
        " .concat(window.permedNetwork.body.data.edges.get().map(e => e.title))"
    )
    assert titles and all("works" not in t for t in titles)
    assert any("项作品，聚类" in t for t in titles) and any("项共同作品" in t for t in titles)
    assert not errors
