"""Forms keep your work, the home page says what is here, demo data says so: in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_bad_value_is_answered_beside_the_form_with_the_input_kept(  # type: ignore[no-untyped-def]
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/landscape/dashboard")
    page.fill('#filter-form input[name="topic"]', "astrology")
    page.fill('#filter-form input[name="country"]', "Germany")
    page.locator('#filter-form button[type="submit"]').click()
    page.wait_for_selector('[data-testid="form-problems"]')
    problems = page.get_by_test_id("form-problems").inner_text()
    assert "Topic" in problems and "astrology" in problems
    assert "String should match" not in problems and "422" not in page.title()
    # What was typed stays in the fields; the country given by name was understood.
    assert page.input_value('#filter-form input[name="topic"]') == "astrology"
    assert page.input_value('#filter-form input[name="country"]') == "DE"
    assert page.locator('#filter-form input[name="topic"][aria-invalid="true"]').count() == 1
    screenshot("inline-problem")
    # The label the page shows is accepted as a value.
    page.fill('#filter-form input[name="topic"]', "Oncology")
    page.locator('#filter-form button[type="submit"]').click()
    page.wait_for_url("**topic=Oncology**")
    assert page.get_by_test_id("form-problems").count() == 0


def test_the_filter_form_autocompletes_countries_and_topics(  # type: ignore[no-untyped-def]
    live_server, web_corpus, page
) -> None:
    page.goto(f"{live_server}/landscape/dashboard")
    countries = page.locator("datalist#country-options option")
    topics = page.locator("datalist#topic-options option")
    assert countries.count() > 200 and topics.count() >= 10
    assert page.locator('datalist#topic-options option[value="Pharmacogenomics"]').count() == 1
    assert page.get_attribute('#filter-form input[name="country"]', "list") == "country-options"


def test_home_page_shows_key_figures_and_modules(  # type: ignore[no-untyped-def]
    live_server, web_corpus, page, screenshot
) -> None:
    page.goto(f"{live_server}/")
    figures = page.get_by_test_id("key-figures").inner_text()
    assert "120" in figures and "works" in figures and "Sources:" in figures
    assert page.get_by_test_id("module-landscape").is_visible()
    assert "Data:" in page.get_by_test_id("module-transfer").inner_text()
    assert page.get_by_test_id("synthetic-banner").count() == 0
    screenshot("home")
