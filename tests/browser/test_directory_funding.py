"""A researcher describes a German-Chinese DPYD project and sees fitting programmes, closed last."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_funding_match_for_a_dpyd_project(live_server: str, page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/directory/funding")
    form = page.locator("[data-testid=funding-form]")
    form.locator("textarea[name=description]").fill(
        "A German-Chinese DPYD pharmacogenomics project: genotyping before fluoropyrimidine "
        "chemotherapy in colorectal cancer."
    )
    form.locator("input[name=regions]").fill("DE, CN")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/directory/funding?*")
    items = page.locator("[data-testid=matches] li[data-id]")
    assert items.count() >= 3
    ids = [items.nth(i).get_attribute("data-id") for i in range(items.count())]
    assert {"sino-german-center", "sino-eu-permed", "ic2permed"} <= set(ids)
    closed = [items.nth(i).get_attribute("data-closed") == "true" for i in range(items.count())]
    assert closed == sorted(closed) and any(closed) and not closed[0]
    marker = page.locator("li[data-id=ic2permed] [data-testid=closed]")
    assert marker.is_visible() and marker.inner_text() == "closed"
    screenshot("dpyd-matches")
