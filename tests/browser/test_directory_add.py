"""An editor adds a call from the list page; a visitor pages through the list with a filter."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def test_editor_adds_a_call(live_server: str, page, make_user, screenshot) -> None:  # type: ignore[no-untyped-def]
    make_user("editor@example.org", "editor", PASSWORD)
    page.goto(f"{live_server}/login?next=/directory/")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/directory/")
    page.click("[data-testid=add-entry]")
    page.wait_for_url("**/directory/new")
    page.locator("[data-testid=kind-form] select[name=kind]").select_option("call")
    page.locator("[data-testid=kind-form] button").click()
    page.wait_for_url("**/directory/new?kind=call")
    form = page.locator("[data-testid=new-form]")
    form.locator("input[name=id]").fill("dfg-nsfc-pgx-call")
    form.locator("input[name=name]").fill("Sino-German call on pharmacogenomics")
    form.locator("textarea[name=summary]").fill(
        "A joint DFG-NSFC call for pharmacogenomics projects."
    )
    form.locator("input[name=regions]").fill("DE, MARS")
    form.locator("textarea[name=source]").fill("https://www.sinogermanscience.org.cn")
    form.locator("select[name=status]").select_option("active")
    form.locator("input[name=deadline]").fill("2027-03-31")
    form.locator("[data-testid=create]").click()
    error = page.locator("[data-testid=form-error]")
    assert "MARS" in error.inner_text()
    assert page.locator("input[name=name]").input_value() == "Sino-German call on pharmacogenomics"
    screenshot("error-keeps-values")
    page.locator("input[name=regions]").fill("DE, CN")
    page.locator("[data-testid=create]").click()
    page.wait_for_url("**/directory/dfg-nsfc-pgx-call")
    assert "Sino-German call" in page.locator("[data-testid=entry-name]").inner_text()
    screenshot("created")


def test_list_pages_keep_the_filter(live_server: str, page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/directory/")
    assert page.locator("[data-testid=results] article").count() == 20
    assert page.evaluate("document.documentElement.scrollHeight") < 6000
    screenshot("page-1")
    page.click("[data-testid=next-page]")
    page.wait_for_url("**/directory/?page=2")
    assert "page 2 of" in page.locator("[data-testid=result-count]").inner_text()
    search = page.locator("[data-testid=search-form]")
    search.locator("select[name=kind]").select_option("law")
    search.locator("input[name=region]").fill("CN")
    search.locator("button[type=submit]").click()
    page.wait_for_url("**/directory/?*kind=law*")
    kinds = page.locator("[data-testid=results] .dir-kind").all_inner_texts()
    assert kinds and {k.strip().lower() for k in kinds} == {"law or regulation"}
    screenshot("filtered")
