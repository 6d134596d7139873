"""The landscape in a real browser (Playwright + Debian's chromium), with screenshots."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


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
