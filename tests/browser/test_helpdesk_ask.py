"""A researcher asks the helpdesk the issue's question in a real browser and compares countries."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def test_ask_the_example_and_open_the_comparison(live_server: str, page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/helpdesk/")
    assert "Guidance, not legal advice" in page.get_by_test_id("disclaimer").inner_text()
    page.fill("textarea[name=q]", EXAMPLE)
    page.get_by_test_id("ask").click()
    page.wait_for_selector('[data-testid="answer"]')

    germany = page.get_by_test_id("country-DE")
    china = page.get_by_test_id("country-CN")
    assert germany.locator('[data-entry="de-bfarm-pei-authorisation"]').count() == 1
    assert germany.locator('[data-entry="eu-ctr-authorisation"]').count() == 1
    assert china.locator('[data-entry="cn-hgr-materials-export"]').count() == 1
    export = china.locator('[data-entry="cn-hgr-materials-export"]')
    assert "Art. 27" in export.get_by_test_id("references").inner_text()
    assert export.get_by_test_id("date-checked").inner_text() == "2026-11-23"
    assert export.get_by_test_id("source").get_attribute("href").startswith("https://")
    assert export.get_by_test_id("step-ref").count() >= 2

    transfer = page.get_by_test_id("transfer-result")
    assert "not legal advice" in transfer.inner_text()
    assert "CN → DE" in page.get_by_test_id("flow").inner_text()
    obligations = page.get_by_test_id("transfer-obligations")
    assert obligations.locator('[data-rule="hgr-art27-materials-export"]').count() == 1
    assert "HGR Regulations, Art. 27" in obligations.inner_text()
    assert page.get_by_test_id("transfer-missing").locator("li").count() >= 1
    screenshot("answer")

    page.goto(f"{live_server}/helpdesk/compare")
    page.select_option("select[name=topic]", "trial_authorisation")
    page.check('input[name=country][value="DE"]')
    page.check('input[name=country][value="CN"]')
    page.get_by_test_id("compare").click()
    table = page.get_by_test_id("comparison")
    table.wait_for()
    assert "Germany" in page.get_by_test_id("column-DE").inner_text()
    assert table.locator('[data-entry="cn-nmpa-ind"]').count() >= 1
    assert "60 working days" in table.inner_text()
    screenshot("compare")


def test_an_empty_question_is_explained(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(f"{live_server}/helpdesk/?q=")
    assert response is not None and response.status == 422
    assert "question" in page.get_by_test_id("form-error").inner_text()
