"""A researcher asks the helpdesk the issue's question in a real browser and compares countries."""

from __future__ import annotations

from pathlib import Path

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

    # One disclaimer (with the transfer advice), the countries once, the checklist first.
    assert page.get_by_test_id("disclaimer").count() == 1
    assert "data protection officer" in page.get_by_test_id("disclaimer").inner_text()
    assert page.get_by_test_id("countries").inner_text().count("Germany (DE)") == 1
    checklist = page.get_by_test_id("checklist")
    assert (
        checklist.bounding_box()["y"] < page.get_by_test_id("transfer-result").bounding_box()["y"]
    )
    assert "Obtain the HGR material export certificate" in checklist.inner_text()
    assert "HGR Regulations, Art. 27" in checklist.inner_text()
    needed = page.get_by_test_id("still-needed").inner_text()
    assert "Not stated:" in needed and "needed by" not in needed and "exporter_ciio" not in needed
    assert "CN → DE" in page.get_by_test_id("flow").inner_text()
    obligations = page.get_by_test_id("transfer-obligations")
    assert obligations.locator('[data-rule="hgr-art27-materials-export"]').count() == 1
    assert "HGR Regulations, Art. 27" in obligations.inner_text()
    screenshot("answer")

    # The answer's address is its bookmark: reloading it gives the same answer and the question.
    permalink = page.get_by_test_id("permalink").get_attribute("href")
    page.goto(f"{live_server}{permalink}")
    assert page.locator("textarea[name=q]").input_value() == EXAMPLE
    assert (
        page.get_by_test_id("country-CN").locator('[data-entry="cn-hgr-materials-export"]').count()
        == 1
    )
    with page.expect_download() as markdown:
        page.get_by_test_id("export-md").click()
    text = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# Helpdesk answer:") and "## Checklist" in text

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


def test_a_chinese_question_with_jargon(live_server: str, page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/helpdesk/")
    page.fill("textarea[name=q]", "在中国开展国际合作临床试验需要人类遗传资源审批吗？什么是PIIA？")
    page.get_by_test_id("ask").click()
    page.wait_for_selector('[data-testid="answer"]')
    china = page.get_by_test_id("country-CN")
    assert china.locator('[data-entry="cn-hgr-cooperation-approval"]').count() == 1
    assert "人类遗传资源" in china.inner_text()
    asked = page.get_by_test_id("asked-terms").inner_text()
    assert (
        "Personal Information Protection Impact Assessment" in asked
        and "个人信息保护影响评估" in asked
    )
    screenshot("chinese")


def test_an_editor_confirms_an_unconfirmed_entry(  # type: ignore[no-untyped-def]
    live_server: str, page, make_user, screenshot
) -> None:
    page.goto(f"{live_server}/helpdesk/entries?review=unconfirmed")
    assert page.locator('[data-entry="de-drks"] [data-testid="unconfirmed"]').count() == 1
    make_user("editor@example.org", "editor", "correct-horse-battery")
    page.goto(f"{live_server}/login?next=/helpdesk/entries/de-drks")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/helpdesk/entries/de-drks")
    form = page.get_by_test_id("confirm-form")
    form.locator("input[name=source]").fill("https://drks.de/search/en")
    form.locator("input[name=checked_on]").fill("2026-12-01")
    form.locator("input[name=note]").fill("registration steps checked")
    page.get_by_test_id("confirm").click()
    page.wait_for_selector('[data-testid="confirmed-by-editor"]')
    assert "2026-12-01" in page.get_by_test_id("confirmed-by-editor").inner_text()
    assert page.locator('[data-entry="de-drks"] [data-testid="unconfirmed"]').count() == 0
    page.goto(f"{live_server}/helpdesk/entries?review=unconfirmed")
    assert page.locator('[data-entry="de-drks"]').count() == 0
    screenshot("confirmed")
