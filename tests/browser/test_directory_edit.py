"""An editor searches the directory, opens an entry, edits its summary and sees the history."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def test_editor_edits_an_entry_and_sees_history(  # type: ignore[no-untyped-def]
    live_server: str, page, make_user, screenshot
) -> None:
    make_user("editor@example.org", "editor", PASSWORD)
    page.goto(f"{live_server}/login?next=/directory/")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/directory/")

    search = page.locator("[data-testid=search-form]")
    search.locator("input[name=q]").fill("human genetic resources")
    search.locator("select[name=kind]").select_option("law")
    search.locator("button[type=submit]").click()
    page.wait_for_url("**/directory/?q=human*")
    first = page.locator("[data-testid=results] article").first
    assert first.get_attribute("data-id") == "hgr-regulations"
    screenshot("search")

    first.locator("h2 a").click()
    page.wait_for_url("**/directory/hgr-regulations")
    assert "Human Genetic Resources" in page.locator("[data-testid=entry-name]").inner_text()
    assert page.locator("[data-testid=related] li[data-id=hgr-implementing-rules]").count() == 1

    page.click("[data-testid=edit-link]")
    page.wait_for_url("**/directory/hgr-regulations/edit")
    summary = page.locator("textarea[name=summary]")
    new_text = summary.input_value() + " Check the 2024 amendment before applying."
    summary.fill(new_text)
    page.fill("input[name=comment]", "note the 2024 amendment")
    page.click("[data-testid=save]")
    page.wait_for_url("**/directory/hgr-regulations")
    assert "Check the 2024 amendment" in page.locator("[data-testid=entry-summary]").inner_text()
    screenshot("entry-after-edit")

    page.click("[data-testid=history-link]")
    page.wait_for_url("**/directory/hgr-regulations/history")
    rows = page.locator("[data-testid=history] tbody tr")
    assert rows.count() == 2
    newest = rows.first.inner_text()
    assert "editor@example.org" in newest and "note the 2024 amendment" in newest
    assert "summary" in newest
    assert page.locator("[data-testid=restore-1]").count() == 1
    screenshot("history")
